import Foundation

/// The schedule refined from a previous run's gradient norms (Defazio et al. 2023, "When, Why and
/// How Much? Adaptive Learning Rate Scheduling by Refinement").
///
/// From per-step gradient norms `g_t` (optionally median-filtered first), weights
/// `w_t = g_t^(−power)` give `η_t ∝ w_t · Σ_{s>t} w_s`, scaled so the largest value is `peak`.
/// `power` is 2 for SGD in the paper's analysis. Constant norms give linear decay to 0 at the
/// last step: `η_t = peak · (T − 1 − t) / (T − 1)` for `T` norms. The value is 0 from step `T` on.
public struct RefinedSchedule: Schedule {
    /// The value at every step of the previous run.
    public let values: [Double]

    /// Refines a schedule of `gradientNorms.count` steps whose largest value is `peak`.
    ///
    /// - Parameters:
    ///   - gradientNorms: positive per-step gradient norms of a previous run, at least 2.
    ///   - medianWindow: width of the median filter applied to the norms (an odd count; 1 keeps
    ///     them). Near the ends the window shrinks to the steps that exist.
    ///   - power: the exponent in `w_t = g_t^(−power)`.
    public init(peak: Double, gradientNorms: [Double], medianWindow: Int = 1, power: Double = 2) {
        precondition(gradientNorms.count >= 2, "RefinedSchedule: needs at least 2 gradient norms, got \(gradientNorms.count)")
        precondition(gradientNorms.allSatisfy { $0 > 0 && $0.isFinite }, "RefinedSchedule: gradient norms must be positive and finite")
        precondition(medianWindow >= 1 && medianWindow % 2 == 1, "RefinedSchedule: medianWindow \(medianWindow) must be odd and positive")
        let smoothed = medianFiltered(gradientNorms, window: medianWindow)
        let weights = smoothed.map { pow($0, -power) }
        var raw = [Double](repeating: 0, count: weights.count)
        var later = 0.0
        for t in weights.indices.reversed() {
            raw[t] = weights[t] * later
            later += weights[t]
        }
        let largest = raw.max() ?? 0
        self.values = raw.map { $0 / largest * peak }
    }

    public func value(at step: Int) -> Double {
        step < values.count ? values[step] : 0
    }
}

/// The running median of `values` over a centred window of odd width `window`, shrunk near the ends.
func medianFiltered(_ values: [Double], window: Int) -> [Double] {
    if window == 1 { return values }
    let half = window / 2
    var sorted: [Double] = []
    sorted.reserveCapacity(window)
    var result = [Double](repeating: 0, count: values.count)
    var high = -1  // last index inserted into the window
    var low = 0    // first index still in the window
    for t in values.indices {
        while high < min(values.count - 1, t + half) {
            high += 1
            sorted.insert(values[high], at: insertionIndex(sorted, values[high]))
        }
        while low < t - half {
            sorted.remove(at: insertionIndex(sorted, values[low]))
            low += 1
        }
        let n = sorted.count
        result[t] = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
    return result
}

/// The first index of `sorted` whose element is not less than `x`.
private func insertionIndex(_ sorted: [Double], _ x: Double) -> Int {
    var lo = 0, hi = sorted.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
