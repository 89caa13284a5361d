import CKilnKernels
import Foundation

/// A running softmax normalizer: the maximum `m` of the scores seen so far and `Σ e^(x − m)`
/// (Milakov & Gimelshein, "Online normalizer calculation for softmax", 2018).
///
/// Scores arrive in blocks; states of disjoint parts merge, so blocks can be folded in any order or
/// on different threads. Attention keeps its weighted sum of values beside the state and multiplies
/// it by the factor ``update(_:)-(UnsafeBufferPointer<Float>)`` returns whenever the maximum grows:
///
/// ```swift
/// var state = OnlineSoftmax()
/// for block in scoreBlocks {
///     let rescale = block.withUnsafeFloats { state.update($0) }
///     accumulator = accumulator * rescale + weightedValues(block, shift: state.maximum)
/// }
/// let output = accumulator / state.sum
/// ```
///
/// The backward pass keeps no probabilities either: from the final states and each row's
/// `δ = Σ dy·y` (in attention, the row sums of dO ⊙ O), ``scoreGradient(of:states:upstream:delta:)``
/// recomputes a block's probabilities and returns the softmax gradient `y·(dy − δ)` of that block.
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

    /// Folds in one score; returns the rescale factor as ``update(_:)-(UnsafeBufferPointer<Float>)`` does.
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

extension OnlineSoftmax {
    /// The probabilities `e^(x − maximum) / sum` of a `[rows, block]` tensor of scores under the
    /// final `states` (one per row, with every block of the row folded in).
    public static func probabilities(of scores: Tensor, states: [OnlineSoftmax]) -> Tensor {
        let x = rowBlocks(scores, states: states, op: "OnlineSoftmax.probabilities")
        let y = Tensor(uninitializedShape: x.shape)
        let block = x.shape[1], px = UnsafePointer(x.floatPointer), py = y.floatPointer
        parallelChunks(states.count, costPerItem: block * 4) { rows in
            for r in rows { states[r].writeProbabilities(px + r * block, py + r * block, block) }
        }
        return withExtendedLifetime(x) { y }
    }

    /// The gradient with respect to a `[rows, block]` tensor of scores, `y·(dy − δ)`: `y` are the
    /// block's probabilities (recomputed from the final `states`), `dy` is `upstream`, the gradient
    /// with respect to them, and `delta` (`[rows, 1]`) holds each row's `δ = Σ dy·y` over all its blocks.
    public static func scoreGradient(of scores: Tensor, states: [OnlineSoftmax], upstream: Tensor, delta: Tensor) -> Tensor {
        let x = rowBlocks(scores, states: states, op: "OnlineSoftmax.scoreGradient")
        precondition(upstream.shape == x.shape && upstream.dtype == .float32,
                     "OnlineSoftmax.scoreGradient: upstream must be float \(x.shape), got \(upstream.dtype) \(upstream.shape)")
        precondition(delta.shape == [states.count, 1] && delta.dtype == .float32,
                     "OnlineSoftmax.scoreGradient: delta must be float [\(states.count), 1], got \(delta.dtype) \(delta.shape)")
        let dy = upstream.contiguousData(), d = delta.contiguousData()
        let dx = Tensor(uninitializedShape: x.shape)
        let block = x.shape[1], px = UnsafePointer(x.floatPointer), pdy = UnsafePointer(dy.floatPointer)
        let pd = UnsafePointer(d.floatPointer), pdx = dx.floatPointer
        parallelChunks(states.count, costPerItem: block * 6) { rows in
            for r in rows {
                let start = r * block
                states[r].writeProbabilities(px + start, pdx + start, block)
                kiln_softmax_backward_f32(pdx + start, pdy + start, pdx + start, block, pd[r], 1)
            }
        }
        return withExtendedLifetime((x, dy, d)) { dx }
    }

    /// `scores` as contiguous float rows, one per state.
    private static func rowBlocks(_ scores: Tensor, states: [OnlineSoftmax], op: String) -> Tensor {
        precondition(scores.rank == 2 && scores.shape[0] == states.count && scores.dtype == .float32,
                     "\(op): scores must be float [\(states.count), block], got \(scores.dtype) \(scores.shape)")
        return scores.detached().contiguousData()
    }

    /// Writes the probabilities of `n` scores under this state.
    private func writeProbabilities(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let stats = kiln_softmax_stats(offset: maximum, sum: sum)
        kiln_softmax_normalize_f32(KILN_SOFTMAX_RECOMPUTE, x, y, n, 1, stats, stats, 0)
    }
}

extension Tensor {
    /// The softmax along the last axis computed as blocked attention computes it: the scores are
    /// folded into one ``OnlineSoftmax`` per row `blockSize` columns at a time, then each block is
    /// written under the final states; the backward pass recomputes each block's probabilities
    /// (``OnlineSoftmax/scoreGradient(of:states:upstream:delta:)``). Equal to ``softmax(axis:temperature:algorithm:)``
    /// to rounding, in value and gradient.
    public func onlineSoftmax(blockSize: Int) -> Tensor {
        precondition(dtype == .float32 && rank >= 1 && shape[rank - 1] > 0,
                     "onlineSoftmax: expects a float tensor with a non-empty last axis, got \(dtype) \(shape)")
        precondition(blockSize > 0, "onlineSoftmax: blockSize must be positive, got \(blockSize)")
        let shape = shape, length = shape[rank - 1]
        let scores = detached().reshaped([count / length, length])
        let ranges = stride(from: 0, to: length, by: blockSize).map { $0..<Swift.min($0 + blockSize, length) }
        let blocks = ranges.map { scores.slice(axis: 1, $0) }
        var states = [OnlineSoftmax](repeating: OnlineSoftmax(), count: scores.shape[0])
        for block in blocks { _ = OnlineSoftmax.update(&states, with: block) }
        let final = states
        let y = Tensor.concatenate(blocks.map { OnlineSoftmax.probabilities(of: $0, states: final) }, axis: 1)
        return Autograd.record(y.reshaped(shape), self) { g in
            let upstream = g.detached().reshaped(scores.shape)
            let pieces = zip(blocks, ranges.map { upstream.slice(axis: 1, $0) })
            let delta = pieces.map { block, dy in
                (OnlineSoftmax.probabilities(of: block, states: final) * dy).sum(axis: 1, keepingDims: true)
            }.reduce(Tensor(zeros: [scores.shape[0], 1]), +)
            let dx = pieces.map { OnlineSoftmax.scoreGradient(of: $0, states: final, upstream: $1, delta: delta) }
            return Tensor.concatenate(dx, axis: 1).reshaped(shape)
        }
    }
}
