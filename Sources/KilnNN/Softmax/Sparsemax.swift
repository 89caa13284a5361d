import Kiln

/// Sparsemax along `axis` (Martins & Astudillo, "From Softmax to Sparsemax", 2016): the Euclidean
/// projection of `x` onto the probability simplex, `max(x − τ, 0)`, which is exactly 0 outside a support.
///
/// τ comes from the sorted values: the support is the largest `k` with `1 + k·z₍ₖ₎ > Σ_{j≤k} z₍ⱼ₎`, and
/// `τ = (Σ_{support} x − 1) / k`. The gradient is the paper's: on the support, `dy − mean_support(dy)`; 0 elsewhere.
public func sparsemax(_ x: Tensor, axis: Int = -1) -> Tensor {
    precondition(x.rank >= 1, "sparsemax: needs at least one dimension, got shape \(x.shape)")
    let last = x.rank - 1
    let ax = axis < 0 ? axis + x.rank : axis
    precondition(ax >= 0 && ax <= last, "sparsemax: axis \(axis) out of range for shape \(x.shape)")
    let z = ax == last ? x : x.transposed(ax, last)
    let support = withoutGradient { () -> Tensor in
        let sorted = z.detached().sorted(axis: -1, descending: true).values
        let k = Tensor.arange(1, Float(z.shape[last] + 1))
        let inSupport = ((1 + k * sorted) .> sorted.cumulativeSum(axis: -1)).cast(to: .float32)
        let size = inSupport.sum(axis: -1, keepingDims: true)
        let cumulative = sorted.cumulativeSum(axis: -1).gather(axis: -1, index: (size - 1).cast(to: .int64))
        let tau = (cumulative - 1) / size
        // Elements above τ form the support (the k-th largest is above τ, the next is not).
        return (z.detached() .> tau).cast(to: .float32)
    }
    // τ recomputed from the support with gradient, so autodiff gives the sparsemax Jacobian.
    let tau = ((z * support).sum(axis: -1, keepingDims: true) - 1) / support.sum(axis: -1, keepingDims: true)
    let y = (z - tau) * support
    return ax == last ? y : y.transposed(ax, last)
}
