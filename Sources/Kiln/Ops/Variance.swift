/// Spread around the mean.
extension Tensor {
    /// The variance over `axes` (all axes when empty): the summed squared deviations from the mean
    /// divided by `n - correction`, like PyTorch's `var` (`correction` 1 is the unbiased estimate,
    /// 0 the population variance).
    public func variance(axes: [Int] = [], correction: Int = 1, keepingDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "variance")
        let n = axes.reduce(1) { $0 * shape[$1] }
        let deviation = self - mean(axes: axes, keepingDims: true)
        return (deviation * deviation).sum(axes: axes, keepingDims: keepingDims) / Float(Swift.max(0, n - correction))
    }

    /// The variance over one axis.
    public func variance(axis: Int, correction: Int = 1, keepingDims: Bool = false) -> Tensor {
        variance(axes: [axis], correction: correction, keepingDims: keepingDims)
    }

    /// The standard deviation over `axes`: the square root of ``variance(axes:correction:keepingDims:)``.
    public func standardDeviation(axes: [Int] = [], correction: Int = 1, keepingDims: Bool = false) -> Tensor {
        let v = variance(axes: axes, correction: correction, keepingDims: keepingDims)
        let out = Tensor(uninitializedShape: v.shape)
        let pv = v.floatPointer, po = out.floatPointer
        for i in 0..<out.count { po[i] = pv[i].squareRoot() }
        return Autograd.record(out, v) { g in g / (2 * out) }
    }
}
