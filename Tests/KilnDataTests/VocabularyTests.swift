import KilnData
import Testing

@Suite struct VocabularyTests {
    @Test func idsIndexTheSortedCodePoints() throws {
        let vocabulary = CharacterVocabulary(of: "abca")
        #expect(vocabulary.characters == ["a", "b", "c"])
        let ids = try vocabulary.encode("abca", source: "text")
        #expect(ids == [0, 1, 2, 0] && vocabulary.decode(ids) == "abca")
    }

    @Test func charactersAreCodePointsNotGraphemeClusters() throws {
        // "Å" precomposed, then "A" with a combining ring, then "e" with a combining acute: three
        // grapheme clusters (Swift `Character`s), five code points (Python's len).
        let text = "\u{C5}A\u{30A}e\u{301}"
        #expect(text.count == 3 && text.unicodeScalars.count == 5)
        let vocabulary = CharacterVocabulary(of: text)
        #expect(vocabulary.characters.map(\.value) == [0x41, 0x65, 0xC5, 0x301, 0x30A])
        let ids = try vocabulary.encode(text, source: "text")
        #expect(ids == [2, 0, 4, 1, 3])
        #expect(Array(vocabulary.decode(ids).unicodeScalars) == Array(text.unicodeScalars))
    }

    @Test func unknownCharacterIsAnErrorNamingIt() {
        let vocabulary = CharacterVocabulary(of: "ab")
        let error = #expect(throws: DataError.self) { try vocabulary.encode("ba\u{E9}", source: "prompt") }
        #expect(error?.description == "prompt: character U+00E9 at position 2 is not in the vocabulary of 2 characters")
    }

    @Test func bytesAreTheirOwnIds() {
        let bytes: [UInt8] = [0, 0x61, 0xFF, 0xC3]
        #expect(ByteVocabulary().encode(bytes) == [0, 97, 255, 195])
        #expect(ByteVocabulary().decode(ByteVocabulary().encode(bytes)) == bytes && ByteVocabulary().count == 256)
    }
}
