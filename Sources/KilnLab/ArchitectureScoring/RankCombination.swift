import KilnMetrics

/// A rank combination of proxies: each candidate's mean, over the proxies, of its average rank
/// among the candidates (1 = lowest score), so proxies on different scales vote equally, as in
/// the voting of Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS" (2021). Higher is better.
public enum RankCombination {
    /// The combined score of each candidate, from `scores[proxy][candidate]`; a NaN score ranks
    /// its candidate last for that proxy.
    public static func meanRanks(_ scores: [[Double]]) -> [Double] {
        guard let count = scores.first?.count else { return [] }
        precondition(scores.allSatisfy { $0.count == count }, "RankCombination.meanRanks: every proxy must score every candidate")
        var total = [Double](repeating: 0, count: count)
        for proxy in scores {
            let ranks = rankable(proxy).withUnsafeBufferPointer(Ranks.average)
            for i in 0..<count { total[i] += ranks[i] }
        }
        return total.map { $0 / Double(scores.count) }
    }

    /// The scores as floats for ranking, NaN made −∞ (ranked last).
    static func rankable(_ scores: [Double]) -> [Float] {
        scores.map { $0.isNaN ? -.infinity : Float($0) }
    }
}
