/// Ranking helpers shared by AUROC, the rank correlations and the lab's rank combinations.
public enum Ranks {
    /// The 1-based rank of each value, ties sharing the mean of their ranks (scipy's
    /// `rankdata(method="average")`).
    public static func average(_ values: UnsafeBufferPointer<Float>) -> [Double] {
        let n = values.count
        var order = [Int](0..<n)
        var ranks = [Double](repeating: 0, count: n)
        order.withUnsafeMutableBufferPointer { o in
            o.sort { values[$0] < values[$1] }
            ranks.withUnsafeMutableBufferPointer { r in
                var start = 0
                while start < n {
                    var end = start + 1
                    while end < n && values[o[end]] == values[o[start]] { end += 1 }
                    let rank = Double(start + end + 1) / 2
                    for k in start..<end { r[o[k]] = rank }
                    start = end
                }
            }
        }
        return ranks
    }

    /// The area under the ROC curve of `scores` for the samples flagged in `positive`: the
    /// Mann–Whitney statistic with average ranks for ties, equal to the trapezoidal area
    /// scikit-learn computes. NaN when either class is empty.
    static func areaUnderROC(_ scores: UnsafeBufferPointer<Float>, positive: UnsafeBufferPointer<Bool>) -> Double {
        let ranks = average(scores)
        var positives = 0
        var rankSum = 0.0
        ranks.withUnsafeBufferPointer { r in
            for i in 0..<r.count where positive[i] {
                positives += 1
                rankSum += r[i]
            }
        }
        let negatives = scores.count - positives
        if positives == 0 || negatives == 0 { return .nan }
        let p = Double(positives)
        return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
