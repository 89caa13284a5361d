import KilnData
import Testing

@Suite struct TextTokenizerTests {
    /// "aé€": 1 + 2 + 3 bytes. A character counts in the token holding its first byte, so the
    /// counts of consecutive slices add up to the characters of the text.
    @Test func charactersCountWhereTheirFirstByteIs() throws {
        let text = "a\u{E9}\u{20AC}"
        let bytes = try TextTokenizer.bytes.encode(text, source: "t")
        #expect(bytes == [0x61, 0xC3, 0xA9, 0xE2, 0x82, 0xAC])
        #expect(TextTokenizer.bytes.characterCount(of: bytes[0..<2]) == 2)
        #expect(TextTokenizer.bytes.characterCount(of: bytes[2..<6]) == 1)
        #expect(TextTokenizer.bytes.decode(bytes) == text && TextTokenizer.bytes.decode(Array(bytes[0..<2])) == "a\u{FFFD}")

        let pairs = TextTokenizer.bytePairs(BytePairTokenizer(training: Array("\u{E9}\u{E9} \u{E9}\u{E9} \u{E9}\u{E9}".utf8), vocabularySize: 258))
        let ids = try pairs.encode("\u{E9}\u{E9}x", source: "t")
        #expect(pairs.vocabularySize == 258 && pairs.decode(ids) == "\u{E9}\u{E9}x")
        #expect(pairs.characterCount(of: ids[...]) == 3 && ids.count < 5)

        let characters = TextTokenizer.characters(CharacterVocabulary(of: text))
        let ids3 = try characters.encode(text, source: "t")
        #expect(characters.characterCount(of: ids3[1...]) == 2 && characters.decode(ids3) == text)
        #expect(throws: DataError.self) { try characters.encode("b", source: "prompt") }
    }
}
