import Foundation
import Kiln

/// Predictions and targets kept for a whole epoch, for statistics that need every value at once.
struct PairedValues {
    private(set) var predictions: [Float] = []
    private(set) var targets: [Float] = []

    mutating func append(_ metric: String, _ p: Tensor, _ t: Tensor) {
        RegressionInput.withValues(metric, p, t) { p, t, _ in
            predictions.append(contentsOf: p)
            targets.append(contentsOf: t)
        }
    }

    /// Whether a prediction or target is NaN (no rank can be given to it).
    var holdsNaN: Bool { predictions.contains(where: \.isNaN) || targets.contains(where: \.isNaN) }

    mutating func removeAll() {
        predictions = []
        targets = []
    }
}

/// Spearman's rank correlation between predictions and targets: the Pearson correlation of
/// their ranks, ties sharing their average rank, as scipy's `spearmanr`.
///
/// Every value is kept until ``compute()``; all outputs of `[N, D]` inputs are pooled into one
/// series. NaN when either series is constant or holds a NaN.
public struct SpearmanCorrelation: Metric {
    private var values = PairedValues()

    /// A Spearman correlation with no values seen.
    public init() {}

    public var name: String { "spearman" }

    /// Adds float predictions and targets of one shape.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        values.append("SpearmanCorrelation", outputs, targets)
    }

    public func compute() -> Double {
        if values.holdsNaN { return .nan }
        let x = values.predictions.withUnsafeBufferPointer(Ranks.average)
        let y = values.targets.withUnsafeBufferPointer(Ranks.average)
        return x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in pearson(x, y) } }
    }

    public mutating func reset() { values.removeAll() }

    private func pearson(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
        let n = x.count
        if n < 2 { return .nan }
        var mx = 0.0, my = 0.0
        for i in 0..<n { mx += x[i]; my += y[i] }
        mx /= Double(n); my /= Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        return sxx == 0 || syy == 0 ? .nan : sxy / (sxx * syy).squareRoot()
    }
}

/// Kendall's tau-b between predictions and targets: concordant minus discordant pairs,
/// corrected for ties in either series, as scipy's `kendalltau` (default `variant="b"`).
///
/// Every value is kept until ``compute()``, which counts discordant pairs by merge sort in
/// `O(N log N)` (Knight's algorithm). NaN when either series is constant or holds a NaN.
public struct KendallTau: Metric {
    private var values = PairedValues()

    /// A Kendall tau with no values seen.
    public init() {}

    public var name: String { "kendall_tau" }

    /// Adds float predictions and targets of one shape.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        values.append("KendallTau", outputs, targets)
    }

    public func compute() -> Double {
        if values.holdsNaN { return .nan }
        return values.predictions.withUnsafeBufferPointer { x in
            values.targets.withUnsafeBufferPointer { y in Self.tauB(x, y) }
        }
    }

    public mutating func reset() { values.removeAll() }

    static func tauB(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Double {
        let n = x.count
        if n < 2 { return .nan }
        // Order by (x, y): within a run of equal x, y ascends, so only pairs that differ in x
        // can appear inverted, and the inversions of y in this order are the discordant pairs.
        var order = [Int](0..<n)
        var ySequence = [Float](repeating: 0, count: n)
        var xTies = 0, jointTies = 0
        order.withUnsafeMutableBufferPointer { o in
            o.sort { x[$0] < x[$1] || (x[$0] == x[$1] && y[$0] < y[$1]) }
            ySequence.withUnsafeMutableBufferPointer { s in
                for i in 0..<n { s[i] = y[o[i]] }
            }
            xTies = tiedPairs(n) { x[o[$0]] == x[o[$0 - 1]] }
            jointTies = tiedPairs(n) { x[o[$0]] == x[o[$0 - 1]] && y[o[$0]] == y[o[$0 - 1]] }
        }
        let discordant = ySequence.withUnsafeMutableBufferPointer(countInversionsBySorting)
        // ySequence is now sorted, so its runs are the ties in y.
        let yTies = ySequence.withUnsafeBufferPointer { s in tiedPairs(n) { s[$0] == s[$0 - 1] } }
        let pairs = n * (n - 1) / 2
        if xTies == pairs || yTies == pairs { return .nan }
        let difference = Double(pairs - xTies - yTies + jointTies - 2 * discordant)
        let tau = difference / (Double(pairs - xTies) * Double(pairs - yTies)).squareRoot()
        return min(1, max(-1, tau))
    }

    /// Σ t(t − 1)/2 over the runs of a sequence of length `n`, where `continuesRun(i)` says
    /// whether element `i` equals element `i − 1`.
    private static func tiedPairs(_ n: Int, _ continuesRun: (Int) -> Bool) -> Int {
        var total = 0, run = 1
        for i in 1..<n {
            if continuesRun(i) { run += 1 } else { total += run * (run - 1) / 2; run = 1 }
        }
        return total + run * (run - 1) / 2
    }

    /// Sorts `values` ascending and returns how many pairs `i < j` had `values[i] > values[j]`.
    private static func countInversionsBySorting(_ values: inout UnsafeMutableBufferPointer<Float>) -> Int {
        let n = values.count
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { scratch.deallocate() }
        var inversions = 0
        var width = 1
        var source = values, destination = scratch
        while width < n {
            var start = 0
            while start < n {
                let middle = min(start + width, n), end = min(start + 2 * width, n)
                var i = start, j = middle, k = start
                while i < middle && j < end {
                    if source[j] < source[i] {
                        destination[k] = source[j]
                        inversions += middle - i
                        j += 1
                    } else {
                        destination[k] = source[i]
                        i += 1
                    }
                    k += 1
                }
                while i < middle { destination[k] = source[i]; i += 1; k += 1 }
                while j < end { destination[k] = source[j]; j += 1; k += 1 }
                start = end
            }
            swap(&source, &destination)
            width *= 2
        }
        if source.baseAddress != values.baseAddress {
            _ = values.update(fromContentsOf: source)
        }
        return inversions
    }
}
