import Foundation
import KilnData
import Testing

@Suite struct BytePairTokenizerTests {
    /// The classic example (Gage, 1994), worked by hand; "aaabdaaabac" is one chunk (all letters).
    ///
    /// Pairs are counted at every position: (a,a) 4, (a,b) 2, (b,d) (d,a) (b,a) (a,c) 1 each.
    /// 1. (a,a) = (97,97) is most frequent → token 256, replaced left to right: "aaab" becomes
    ///    [256, a, b], so the text is [256 a b d 256 a b a c].
    /// 2. Now (256,a) and (a,b) both occur twice; the tie goes to the smaller pair, (97,98) → 257:
    ///    [256 257 d 256 257 a c].
    /// 3. (256,257) occurs twice → 258: [258 d 258 a c]. Every pair now occurs once: training stops
    ///    with 259 tokens although 300 were allowed.
    @Test func learnsTheHandWorkedMerges() {
        let tokenizer = BytePairTokenizer(training: Array("aaabdaaabac".utf8), vocabularySize: 300)
        #expect(tokenizer.merges == [TokenPair(97, 97), TokenPair(97, 98), TokenPair(256, 257)])
        #expect(tokenizer.vocabularySize == 259)
        #expect(tokenizer.encode(Array("aaabdaaabac".utf8)) == [258, 100, 258, 97, 99])
        #expect(tokenizer.bytes(of: 258) == Array("aaab".utf8))
        // New text is cut by the same merges, earliest first: "aaaa" → [256 256]; "aab" → [256 b]
        // (the pair (a,a) is merged before (a,b) could be).
        #expect(tokenizer.encode(Array("aaaa aab".utf8)) == [256, 256, 32, 256, 98])
    }

    /// "ab ab" is cut into "ab" and " ab": (a,b) occurs twice → 256; then (space,256) occurs once and
    /// stops training. The pair (b,space) spans a chunk boundary and is never counted.
    @Test func mergesStayInsideChunks() {
        #expect(ByteChunks.ranges(of: Array("ab ab".utf8)) == [0..<2, 2..<5])
        let tokenizer = BytePairTokenizer(training: Array("ab ab".utf8), vocabularySize: 260)
        #expect(tokenizer.merges == [TokenPair(97, 98)])
        #expect(tokenizer.encode(Array("ab ab".utf8)) == [256, 32, 256])
    }

    @Test func chunksFollowTheByteClasses() {
        let text = Array("hi  there 42!\n\nok caf\u{E9}'s".utf8)
        let chunks = ByteChunks.ranges(of: text).map { String(decoding: text[$0], as: UTF8.self) }
        #expect(chunks == ["hi", " ", " there", " 42", "!", "\n\n", "ok", " caf\u{E9}", "'", "s"])
        let long = ByteChunks.ranges(of: [UInt8](repeating: 0x61, count: 600))
        #expect(long == [0..<256, 256..<512, 512..<600])
    }

    @Test func anyBytesRoundTrip() {
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog, 1234567890 times.\n", count: 20).utf8)
        // 14 chunks a line ("the", " quick", …, ",", " 1234567890", " times", ".", "\n"), each 20
        // times: training stops before 320 tokens only once no pair occurs twice, that is once
        // every chunk is a single token.
        let tokenizer = BytePairTokenizer(training: text, vocabularySize: 320)
        let encoded = tokenizer.encode(text)
        #expect(tokenizer.vocabularySize < 320 && encoded.count == 14 * 20 && tokenizer.decode(encoded) == text)
        let noise = Tensor.randint([5_000], high: 256, generator: RandomGenerator(seed: 3)).integers.map(UInt8.init)
        for bytes in [noise, [], [0xFF], Array(noise.prefix(7)) + text + noise] {
            #expect(tokenizer.decode(tokenizer.encode(bytes)) == bytes)
        }
    }

    @Test func fileRoundTripsAndIsTheDocumentedText() throws {
        let tokenizer = BytePairTokenizer(training: Array("aaabdaaabac".utf8), vocabularySize: 300)
        #expect(String(decoding: tokenizer.fileContents, as: UTF8.self) == "kiln-bpe 1\nmerges 3\n97 97\n97 98\n256 257\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bpe-\(getpid())/tokenizer.bpe").path
        try tokenizer.write(toFile: path)
        #expect(try BytePairTokenizer(contentsOfFile: path) == tokenizer)
        #expect(try BytePairTokenizer(file: Data("kiln-bpe 1\nmerges 0\n".utf8), path: "t").vocabularySize == 256)
        let missing = #expect(throws: DataError.self) { try BytePairTokenizer(contentsOfFile: path + ".missing") }
        #expect(missing?.description == "\(path).missing: no such file")
    }

    @Test(arguments: [
        ("", "t: is empty"),
        ("kiln-bpe 1\nmerges 1\n97 98", "t:3: the last line does not end with a line feed"),
        ("kiln-bpe 2\nmerges 0\n", "t:1: not a Kiln tokenizer file: the first line must be 'kiln-bpe 1'"),
        ("kiln-bpe 1\n", "t:2: expected 'merges N' with N from 0 to 1048576"),
        ("kiln-bpe 1\nmerges -1\n", "t:2: expected 'merges N' with N from 0 to 1048576"),
        ("kiln-bpe 1\nmerges 9999999\n", "t:2: expected 'merges N' with N from 0 to 1048576"),
        ("kiln-bpe 1\nmerges 2\n97 98\n", "t: the header says 2 merges, the file holds 1"),
        ("kiln-bpe 1\nmerges 1\n97  98\n", "t:3: expected two token ids 'LEFT RIGHT'"),
        ("kiln-bpe 1\nmerges 1\n97 98\r\n", "t:3: expected two token ids 'LEFT RIGHT'"),
        ("kiln-bpe 1\nmerges 1\n97 256\n", "t:3: merge 0 makes token 256 and may only join tokens below it, not 97 and 256"),
        ("kiln-bpe 1\nmerges 2\n97 98\n97 98\n", "t:4: the pair 97 98 was already merged at line 3"),
        // Each merge doubles the token: 2, 4, …, 256 bytes, then 512 at the ninth.
        ("kiln-bpe 1\nmerges 9\n0 0\n" + (256...263).map { "\($0) \($0)\n" }.joined(),
         "t:11: token 264 would be 512 bytes long; the limit is 256"),
    ])
    func corruptFilesAreOneLineErrors(_ contents: String, _ expected: String) {
        let error = #expect(throws: DataError.self) { try BytePairTokenizer(file: Data(contents.utf8), path: "t") }
        #expect(error?.description == expected)
    }
}
