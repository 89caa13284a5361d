/// The tokens a language model reads text as: its characters (code points), its UTF-8 bytes, or
/// byte-level BPE tokens. One type for the three, so a model, its training data and its samples
/// agree on the ids whichever was chosen.
///
/// ```swift
/// let tokenizer = TextTokenizer.bytePairs(BytePairTokenizer(training: Array(trainingText.utf8), vocabularySize: 512))
/// let ids = try tokenizer.encode("Hello", source: "prompt")
/// print(tokenizer.decode(ids), tokenizer.characterCount(of: ids[...]))
/// ```
public enum TextTokenizer: Equatable {
    /// One id per code point of the vocabulary.
    case characters(CharacterVocabulary)
    /// One id per byte of the UTF-8 text.
    case bytes
    /// Byte-level BPE tokens.
    case bytePairs(BytePairTokenizer)

    /// The number of ids.
    public var vocabularySize: Int {
        switch self {
        case .characters(let vocabulary): vocabulary.count
        case .bytes: ByteVocabulary().count
        case .bytePairs(let tokenizer): tokenizer.vocabularySize
        }
    }

    /// The ids of `text`; with characters, one outside the vocabulary is an error naming it and
    /// `source` (bytes and BPE take any text).
    public func encode(_ text: String, source: String) throws(DataError) -> [Int] {
        switch self {
        case .characters(let vocabulary): try vocabulary.encode(text, source: source)
        case .bytes: ByteVocabulary().encode(text.utf8)
        case .bytePairs(let tokenizer): tokenizer.encode(Array(text.utf8))
        }
    }

    /// The text of `ids`, each below ``vocabularySize``. Bytes that do not make valid UTF-8 (a
    /// sequence cut off by the ends of `ids`, or an invalid one sampled) become U+FFFD.
    public func decode(_ ids: [Int]) -> String {
        switch self {
        case .characters(let vocabulary): vocabulary.decode(ids)
        case .bytes: String(decoding: ByteVocabulary().decode(ids), as: UTF8.self)
        case .bytePairs(let tokenizer): String(decoding: tokenizer.decode(ids), as: UTF8.self)
        }
    }

    /// The characters that the tokens `ids` hold, each counted in the token that holds its first
    /// byte (bytes that are not UTF-8 continuation bytes `10xxxxxx`), so that consecutive slices
    /// of a token sequence count every character of its text once: `ids.count` for characters.
    public func characterCount(of ids: ArraySlice<Int>) -> Int {
        func leadBytes(_ bytes: [UInt8]) -> Int { bytes.count { $0 & 0xC0 != 0x80 } }
        switch self {
        case .characters: return ids.count
        case .bytes: return ids.count { $0 & 0xC0 != 0x80 }
        case .bytePairs(let tokenizer): return ids.reduce(0) { $0 + leadBytes(tokenizer.bytes(of: $1)) }
        }
    }
}
