import CKilnKernels
import Foundation

/// A running softmax normalizer: the maximum `m` of the scores seen so far and `Σ e^(x − m)`
/// (Milakov & Gimelshein, "Online normalizer calculation for softmax", 2018).
///
/// Scores arrive in blocks; states of disjoint parts merge, so blocks can be folded in any order or
/// on different threads. Attention keeps its weighted sum of values beside the state and multiplies
/// it by the factor ``update(_:)`` returns whenever the maximum grows:
///
/// ```swift
/// var state = OnlineSoftmax()
/// for block in scoreBlocks {
///     let rescale = block.withUnsafeFloats { state.update($0) }
///     accumulator = accumulator * rescale + weightedValues(block, shift: state.maximum)
/// }
/// let output = accumulator / state.sum
/// ```
public struct OnlineSoftmax: Sendable, Equatable {
    /// The largest score so far (-inf before any).
    public private(set) var maximum: Float
    /// `Σ e^(x − maximum)` over the scores so far.
    public private(set) var sum: Float

    /// The state of no scores.
    public init() {
        maximum = -.infinity
        sum = 0
    }

    /// The state of a maximum and the sum of `e^(x − maximum)`.
    public init(maximum: Float, sum: Float) {
        self.maximum = maximum
        self.sum = sum
    }

    /// The state of `scores`.
    public init(_ scores: UnsafeBufferPointer<Float>) {
        let s = kiln_log_sum_exp_stats_f32(scores.baseAddress, scores.count, 1)
        self.init(maximum: s.offset, sum: s.sum)
    }

    /// Folds `scores` in and returns `e^(old maximum − new maximum)`: the factor by which anything
    /// accumulated under the old maximum must be multiplied (1 when the maximum did not grow).
    @discardableResult
    public mutating func update(_ scores: UnsafeBufferPointer<Float>) -> Float {
        let old = maximum
        self = merged(with: OnlineSoftmax(scores))
        return old == maximum ? 1 : Float(Foundation.exp(Double(old) - Double(maximum)))
    }

    /// Folds in one score; returns the rescale factor as ``update(_:)`` does.
    @discardableResult
    public mutating func update(_ score: Float) -> Float {
        withUnsafePointer(to: score) { update(UnsafeBufferPointer(start: $0, count: 1)) }
    }

    /// The state of the scores of both `self` and `other`.
    public func merged(with other: OnlineSoftmax) -> OnlineSoftmax {
        let m = Swift.max(maximum, other.maximum)
        if m == -.infinity { return OnlineSoftmax() }
        func rescaled(_ s: OnlineSoftmax) -> Double {
            s.sum == 0 ? 0 : Double(s.sum) * Foundation.exp(Double(s.maximum) - Double(m))
        }
        return OnlineSoftmax(maximum: m, sum: Float(rescaled(self) + rescaled(other)))
    }

    /// `log Σ e^x` over the scores so far.
    public var logSumExp: Float { maximum + Foundation.log(sum) }

    /// The softmax probability of `score` among the scores so far.
    public func probability(_ score: Float) -> Float { Foundation.exp(score - maximum) / sum }
}

extension OnlineSoftmax {
    /// Folds each row of a `[rows, block]` tensor of scores into `states` (one per row) and returns the
    /// per-row rescale factors as a `[rows, 1]` tensor, ready to multiply a `[rows, d]` accumulator.
    public static func update(_ states: inout [OnlineSoftmax], with scores: Tensor) -> Tensor {
        precondition(scores.rank == 2 && scores.shape[0] == states.count && scores.dtype == .float32,
                     "OnlineSoftmax.update: scores must be float [\(states.count), block], got \(scores.dtype) \(scores.shape)")
        let x = scores.contiguousData()
        let block = x.shape[1]
        let factors = Tensor(uninitializedShape: [states.count, 1])
        let px = UnsafePointer(x.floatPointer), pf = factors.floatPointer
        for r in states.indices {
            pf[r] = states[r].update(UnsafeBufferPointer(start: px + r * block, count: block))
        }
        return withExtendedLifetime(x) { factors }
    }
}
