/// Spread around the mean.
extension Tensor {
    /// The variance over `axes` (all axes when empty): the summed squared deviations from the mean
    /// divided by `n - correction`, like PyTorch's `var` (`correction` 1 is the unbiased estimate,
    /// 0 the population variance).
    ///
    /// Two passes keep it accurate for data far from zero: the deviations from the computed mean `m`
    /// are summed along with their squares, and the rounding error `e` of `m` is taken out as
    /// `Σ(x − m)² − (Σ(x − m))² / n`, since a mean off by `e` adds `n·e²` to the squares.
    public func variance(axes: [Int] = [], correction: Int = 1, keepingDims: Bool = false) -> Tensor {
        precondition(dtype == .float32, "variance: expects a float tensor, got \(dtype) \(shape); cast(to: .float32) first")
        let axes = normalizedAxes(axes, op: "variance")
        let count = axes.reduce(1) { $0 * shape[$1] }
        let n = Float(count), divisor = Float(Swift.max(0, count - correction))
        let x = detached()
        let center = x.mean(axes: axes, keepingDims: true)
        let deviation = x - center
        let shift = deviation.sum(axes: axes, keepingDims: true) / n
        let squares = (deviation * deviation).sum(axes: axes, keepingDims: keepingDims)
        let excess = (shift * shift * n).reshaped(squares.shape)
        let out = Tensor(uninitializedShape: squares.shape)
        withExtendedLifetime((squares, excess)) {
            let (po, ps, pe) = (out.floatPointer, squares.floatPointer, excess.floatPointer)
            for i in 0..<out.count { po[i] = Swift.max(ps[i] - pe[i], 0) / divisor }
        }
        let keptShape = Reduction.keptShape(shape, axes)
        return Autograd.record(out, self) { g in 2 * g.reshaped(keptShape) * ((x - center) - shift) / divisor }
    }

    /// The variance over one axis.
    public func variance(axis: Int, correction: Int = 1, keepingDims: Bool = false) -> Tensor {
        variance(axes: [axis], correction: correction, keepingDims: keepingDims)
    }

    /// The standard deviation over `axes`: the square root of ``variance(axes:correction:keepingDims:)``.
    ///
    /// Where it is 0 (a constant row) its gradient is 0, not the NaN of 0/0, as in PyTorch.
    public func standardDeviation(axes: [Int] = [], correction: Int = 1, keepingDims: Bool = false) -> Tensor {
        let v = variance(axes: axes, correction: correction, keepingDims: keepingDims)
        let out = Tensor(uninitializedShape: v.shape)
        let pv = v.floatPointer, po = out.floatPointer
        for i in 0..<out.count { po[i] = pv[i].squareRoot() }
        return Autograd.record(out, v) { g in
            let slope = Tensor(uninitializedShape: out.shape)
            let ps = slope.floatPointer
            for i in 0..<out.count { ps[i] = po[i] == 0 ? 0 : 0.5 / po[i] }
            return withExtendedLifetime(out) { g * slope }
        }
    }
}
