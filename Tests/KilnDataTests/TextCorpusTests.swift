import Foundation
import KilnData
import Testing

@Suite struct TextCorpusTests {
    /// A fresh empty folder for one test.
    func folder(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-text-\(getpid())-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func directoryRuleSkipsIndexesLinksFoldersAndInvalidUTF8() throws {
        let dir = try folder("rule")
        try write(Array("\u{FEFF}bom kept\n".utf8), dir + "/b")
        try write(Array("caf\u{E9}\n".utf8), dir + "/a")
        try write(Array("upper case sorts first\n".utf8), dir + "/Z")
        try write([0x00, 0x00, 0x00, 0x02], dir + "/a.dat")                    // strfile index
        try write([0x61, 0xC3, 0x28], dir + "/c")                             // invalid UTF-8: skipped
        try write([0xED, 0xA0, 0x80], dir + "/d")                             // an encoded surrogate is not strict UTF-8
        try FileManager.default.createSymbolicLink(atPath: dir + "/a.u8", withDestinationPath: dir + "/a")
        try FileManager.default.createDirectory(atPath: dir + "/e", withIntermediateDirectories: false)
        let corpus = try TextCorpus(directory: dir)
        #expect(corpus.files == ["Z", "a", "b"].map { dir + "/" + $0 })
        #expect(corpus.text == "upper case sorts first\ncaf\u{E9}\n\u{FEFF}bom kept\n")
        #expect(corpus.text.unicodeScalars.count == 23 + 5 + 10)
    }

    @Test func namesSortByteWise() throws {
        // Swift's String order compares canonically equivalent names equal; bytes (Python's
        // order for UTF-8 names) put the decomposed "e" + U+0301 (65 CC 81) before "é" (C3 A9).
        let dir = try folder("order")
        try write(Array("1".utf8), dir + "/\u{E9}")
        try write(Array("2".utf8), dir + "/e\u{301}")
        try write(Array("3".utf8), dir + "/f")
        #expect(try TextCorpus(directory: dir).text == "231")
    }

    @Test func directoryWithoutTextIsAnError() throws {
        let dir = try folder("none")
        try write([0xFF], dir + "/only")
        let error = #expect(throws: DataError.self) { try TextCorpus(directory: dir) }
        #expect(error?.description == "\(dir): holds no UTF-8 text file")
        let missing = #expect(throws: DataError.self) { try TextCorpus(directory: dir + "/nowhere") }
        #expect(missing?.description == "\(dir)/nowhere: cannot open directory: No such file or directory")
    }

    @Test func pathsAreReadInOrderAndInvalidUTF8NamesTheByte() throws {
        let dir = try folder("paths")
        try write([0x61, 0x62, 0xFF, 0x63], dir + "/bad")
        try write(Array("hi".utf8), dir + "/good")
        try write([], dir + "/empty")
        #expect(try TextCorpus(paths: [dir + "/good", dir + "/good"]).text == "hihi")
        let error = #expect(throws: DataError.self) { try TextCorpus(paths: [dir + "/good", dir + "/bad"]) }
        #expect(error?.description == "\(dir)/bad: not valid UTF-8 text at byte 2")
        let empty = #expect(throws: DataError.self) { try TextCorpus(paths: [dir + "/empty"]) }
        #expect(empty?.description == "\(dir)/empty: holds no text")
    }

    /// The corpus of the character language-model workload, when Debian's fortunes are installed:
    /// the counts its definition states.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: TextCorpus.fortunesDirectory)))
    func fortunesMatchTheWorkloadCounts() throws {
        let corpus = try TextCorpus(directory: TextCorpus.fortunesDirectory)
        #expect(corpus.files.count == 43)
        #expect(corpus.files.first == TextCorpus.fortunesDirectory + "/art" && corpus.files.last == TextCorpus.fortunesDirectory + "/zippy")
        #expect(corpus.text.unicodeScalars.count == 2_576_627)
        let vocabulary = CharacterVocabulary(of: corpus.text)
        #expect(vocabulary.count == 113 && vocabulary.characters.first == "\u{07}" && vocabulary.characters.last == "\u{FC}")
        let ids = try vocabulary.encode(corpus.text, source: TextCorpus.fortunesDirectory)
        let data = try NextTokenWindows(tokens: ids, context: 128, source: TextCorpus.fortunesDirectory)
        #expect(data.train.count == 2_318_964 && data.validation.count == 257_663)
        #expect(data.validationWindowCount == 2_012)
    }
}
