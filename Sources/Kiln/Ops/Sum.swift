import CKilnKernels

/// Summation, the reduction every broadcasting backward rule needs, and the mean.
extension Tensor {
    /// The sum over `axes` (all axes when empty), keeping them as size 1 if `keepingDims`.
    ///
    /// Axes may be negative. Summing zero elements gives 0. Integer and bool tensors sum to int64, as in PyTorch.
    public func sum(axes: [Int] = [], keepingDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "sum")
        if dtype != .float32 { return integerSum(axes: axes, keepingDims: keepingDims) }
        let out = Reduction.reduce(self, over: axes, keepingDims: keepingDims, op: KILN_REDUCE_SUM, name: "sum")
        let inputShape = shape
        let keptShape = Reduction.keptShape(shape, axes)
        return Autograd.record(out, self) { g in g.reshaped(keptShape).expanded(to: inputShape).contiguous() }
    }

    /// The sum over one axis.
    public func sum(axis: Int, keepingDims: Bool = false) -> Tensor { sum(axes: [axis], keepingDims: keepingDims) }

    /// The mean over `axes` (all axes when empty); NaN for zero elements, as in PyTorch.
    ///
    /// Like PyTorch, only float tensors have a mean: cast integers with `cast(to: .float32)` first.
    public func mean(axes: [Int] = [], keepingDims: Bool = false) -> Tensor {
        precondition(dtype == .float32, "mean: expects a float tensor, got \(dtype) \(shape); cast(to: .float32) first")
        let axes = normalizedAxes(axes, op: "mean")
        let n = axes.reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepingDims: keepingDims) / Float(n)
    }

    /// The mean over one axis.
    public func mean(axis: Int, keepingDims: Bool = false) -> Tensor { mean(axes: [axis], keepingDims: keepingDims) }

    /// This tensor (a broadcast of `shape`) summed back down to `shape`: the adjoint of broadcasting.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        precondition(lead >= 0, "sum to shape: \(shape) cannot be reduced to \(target)")
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return sum(axes: axes, keepingDims: true).reshaped(target)
    }

    /// Sorted, non-negative axes; all axes when `axes` is empty.
    func normalizedAxes(_ axes: [Int], op: String) -> [Int] {
        let normalized = axes.map { axis($0, op: op) }
        if axes.isEmpty || rank == 0 { return Array(0..<rank) }
        precondition(Set(normalized).count == normalized.count, "\(op): repeated axis in \(axes)")
        return normalized.sorted()
    }
}
