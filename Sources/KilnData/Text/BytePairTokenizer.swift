/// Two adjacent tokens that a byte-pair merge joins into one.
public struct TokenPair: Hashable, Sendable {
    /// The id of the left token.
    public let left: Int
    /// The id of the right token.
    public let right: Int

    /// The pair of `left` followed by `right`.
    public init(_ left: Int, _ right: Int) {
        self.left = left
        self.right = right
    }

    /// One integer ordered as the pairs are (by left id, then right id), for hashing and comparing fast.
    var key: Int { left << 32 | right }
}

/// A byte-level byte-pair-encoding tokenizer (Sennrich et al., 2016, on bytes as in GPT-2): ids
/// 0–255 are the bytes, and id 256 + i is the token that merge i makes by joining a pair of
/// earlier tokens.
///
/// Merges are learned from a training text by ``init(training:vocabularySize:)``. Encoding
/// applies them in the order learned, within the chunks of ``ByteChunks`` (no token crosses a
/// chunk boundary), so it cuts the training text exactly as training did. Any bytes, valid
/// UTF-8 or not, round-trip: `decode(encode(bytes)) == bytes`.
///
/// ```swift
/// let tokenizer = BytePairTokenizer(training: Array(corpus.text.utf8), vocabularySize: 512)
/// try tokenizer.write(toFile: folder + "/tokenizer.bpe")     // beside the checkpoint
/// let ids = tokenizer.encode(Array("Hello".utf8))
/// ```
public struct BytePairTokenizer: Equatable {
    /// The vocabulary sizes a tokenizer may have: the 256 bytes and up to 2²⁰ merges.
    public static let vocabularySizes = 256...(256 + (1 << 20))

    /// The merges in the order learned: merge `i` makes token `256 + i`.
    public let merges: [TokenPair]
    /// Each merge's position in ``merges``, by pair key.
    private let rankOfPair: [Int: Int]
    /// The bytes of every token.
    private let tokenBytes: [[UInt8]]

    /// A tokenizer of `merges`, each joining tokens made before it into one of at most
    /// ``ByteChunks/maximumLength`` bytes, with no pair twice (the file reader checks this).
    init(validMerges merges: [TokenPair]) {
        var bytes = (0..<256).map { [UInt8($0)] }, rank: [Int: Int] = [:]
        for (i, pair) in merges.enumerated() {
            bytes.append(bytes[pair.left] + bytes[pair.right])
            rank[pair.key] = i
        }
        self.merges = merges
        rankOfPair = rank
        tokenBytes = bytes
    }

    /// Learns merges from `text` until the vocabulary holds `vocabularySize` tokens or no pair of
    /// adjacent tokens occurs twice.
    ///
    /// The text is cut into ``ByteChunks``; pairs are counted within chunks at every position (so
    /// "aaa" counts the pair (a, a) twice). Each step merges the most frequent pair, and among
    /// pairs equally frequent the smallest (by left id, then right id), replacing its occurrences
    /// in each chunk from left to right without overlap.
    ///
    /// `vocabularySize` must lie in ``vocabularySizes``; check a size from settings against it first.
    public init(training text: [UInt8], vocabularySize: Int) {
        precondition(Self.vocabularySizes.contains(vocabularySize),
                     "BytePairTokenizer: vocabulary size \(vocabularySize) is outside \(Self.vocabularySizes)")
        var training = BytePairTraining(text)
        self.init(validMerges: training.learn(count: vocabularySize - 256))
    }

    /// The number of ids: 256 + the number of merges.
    public var vocabularySize: Int { tokenBytes.count }

    /// The bytes of token `id`, which must be below ``vocabularySize``.
    public func bytes(of id: Int) -> [UInt8] {
        precondition(tokenBytes.indices.contains(id), "BytePairTokenizer: id \(id) is outside the vocabulary of \(vocabularySize) tokens")
        return tokenBytes[id]
    }

    /// The ids of `bytes`.
    public func encode(_ bytes: [UInt8]) -> [Int] {
        var ids: [Int] = [], known: [ArraySlice<UInt8>: [Int]] = [:]
        ids.reserveCapacity(bytes.count / 2)
        for range in ByteChunks.ranges(of: bytes) {
            let chunk = bytes[range]
            if let cached = known[chunk] {
                ids += cached
            } else {
                let encoded = encodeChunk(chunk)
                known[chunk] = encoded
                ids += encoded
            }
        }
        return ids
    }

    /// The bytes of `ids`, each below ``vocabularySize``.
    public func decode(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        for id in ids { bytes += self.bytes(of: id) }
        return bytes
    }

    /// The ids of one chunk: the earliest-learned merge present is applied everywhere in the
    /// chunk, left to right, until no learned pair is left — the order training merged in.
    private func encodeChunk(_ chunk: ArraySlice<UInt8>) -> [Int] {
        var ids = chunk.map(Int.init)
        while ids.count > 1 {
            var best = Int.max
            for i in 0..<(ids.count - 1) {
                if let rank = rankOfPair[TokenPair(ids[i], ids[i + 1]).key], rank < best { best = rank }
            }
            guard best < Int.max else { break }
            ids = BytePairTraining.replacing(merges[best], with: 256 + best, in: ids)
        }
        return ids
    }
}
