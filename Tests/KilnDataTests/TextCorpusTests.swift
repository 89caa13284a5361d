import Foundation
import KilnData
import Testing

@Suite struct TextCorpusTests {
    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-text-\(getpid())-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func idsIndexTheSortedScalars() {
        let corpus = TextCorpus(text: "abca")
        #expect(corpus.vocabulary == ["a", "b", "c"] && corpus.ids == [0, 1, 2, 0] && corpus.decode(corpus.ids) == "abca")
    }

    @Test func canonicallyEquivalentSpellingsKeepTheirScalars() {
        let text = "\u{C5}A\u{30A}"   // "Å" precomposed, then "A" with a combining ring
        let corpus = TextCorpus(text: text)
        #expect(corpus.vocabulary.count == 3 && Array(corpus.decode(corpus.ids).unicodeScalars) == Array(text.unicodeScalars))
    }

    @Test func invalidUTF8NamesTheByteUnlessSkipped() throws {
        let bad = try write([0x61, 0x62, 0xFF, 0x63], "bad.txt"), good = try write(Array("hi".utf8), "good.txt")
        let error = #expect(throws: DataError.self) { try TextCorpus(paths: [good, bad]) }
        #expect(error?.description == "\(bad): not valid UTF-8 text at byte 2")
        #expect(try TextCorpus(paths: [good, bad], skipInvalid: true).ids == [0, 1])
    }

    @Test func filesWithoutTextAreAnError() throws {
        let empty = try write([], "empty.txt")
        let error = #expect(throws: DataError.self) { try TextCorpus(paths: [empty]) }
        #expect(error?.description == "\(empty): holds no text")
    }
}
