/// The learning of byte-pair merges (see ``BytePairTokenizer/init(training:vocabularySize:)``):
/// each distinct chunk of the text is kept once with its count, pair counts are updated only in
/// the chunks a merge changes, and each step scans the pair counts for the most frequent pair.
struct BytePairTraining {
    /// The distinct chunks as token ids, and how often each occurs.
    private var words: [[Int]] = []
    private var weights: [Int] = []
    /// How often each pair (by key) occurs, counted within chunks at every position, weighted by
    /// chunk counts; pairs that no longer occur are removed.
    private var pairCounts: [Int: Int] = [:]
    /// The chunks each pair was ever seen in (a superset of those holding it now).
    private var wordsOfPair: [Int: [Int]] = [:]

    /// Counts the chunks and pairs of `text`.
    init(_ text: [UInt8]) {
        var countOfChunk: [ArraySlice<UInt8>: Int] = [:]
        for range in ByteChunks.ranges(of: text) { countOfChunk[text[range], default: 0] += 1 }
        // Sorted so that the order of words, and so of all work, is the same on every run.
        for (chunk, count) in countOfChunk.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let w = words.count
            words.append(chunk.map(Int.init))
            weights.append(count)
            add(w, sign: 1)
            for pair in Self.pairs(of: words[w]) where wordsOfPair[pair]?.last != w { wordsOfPair[pair, default: []].append(w) }
        }
    }

    /// Learns up to `count` merges, stopping early when no pair occurs twice.
    mutating func learn(count: Int) -> [TokenPair] {
        var merges: [TokenPair] = []
        while merges.count < count, let best = mostFrequentPair(), best.count >= 2 {
            let pair = TokenPair(best.key >> 32, best.key & 0xFFFF_FFFF), id = 256 + merges.count
            for w in wordsOfPair.removeValue(forKey: best.key) ?? [] {
                let merged = Self.replacing(pair, with: id, in: words[w])
                guard merged.count < words[w].count else { continue }
                add(w, sign: -1)
                words[w] = merged
                add(w, sign: 1)
                for (i, p) in Self.pairs(of: merged).enumerated() where merged[i] == id || merged[i + 1] == id {
                    if wordsOfPair[p]?.last != w { wordsOfPair[p, default: []].append(w) }
                }
            }
            merges.append(pair)
        }
        return merges
    }

    /// The pair with the highest count, the smallest key among equals.
    private func mostFrequentPair() -> (key: Int, count: Int)? {
        var best: (key: Int, count: Int)?
        for (key, count) in pairCounts {
            if let b = best, count < b.count || (count == b.count && key > b.key) { continue }
            best = (key, count)
        }
        return best
    }

    /// Adds (`sign` 1) or removes (-1) the pairs of word `w` to the counts.
    private mutating func add(_ w: Int, sign: Int) {
        for pair in Self.pairs(of: words[w]) {
            let count = pairCounts[pair, default: 0] + sign * weights[w]
            pairCounts[pair] = count == 0 ? nil : count
        }
    }

    /// The keys of the adjacent pairs of `ids`, in order.
    private static func pairs(of ids: [Int]) -> [Int] {
        ids.count < 2 ? [] : (0..<(ids.count - 1)).map { TokenPair(ids[$0], ids[$0 + 1]).key }
    }

    /// `ids` with each occurrence of `pair`, from left to right without overlap, replaced by `id`.
    static func replacing(_ pair: TokenPair, with id: Int, in ids: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(ids.count)
        var i = 0
        while i < ids.count {
            if i + 1 < ids.count && ids[i] == pair.left && ids[i + 1] == pair.right {
                out.append(id)
                i += 2
            } else {
                out.append(ids[i])
                i += 1
            }
        }
        return out
    }
}
