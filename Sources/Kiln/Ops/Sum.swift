import CKilnKernels

/// Summation, the reduction every broadcasting backward rule needs.
extension Tensor {
    /// The sum over `axes` (all axes when empty), keeping them as size 1 if `keepingDims`.
    public func sum(axes: [Int] = [], keepingDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "sum")
        let out = Reduction.sum(self, over: axes, keepingDims: keepingDims)
        let inputShape = shape
        let keptShape = Reduction.keptShape(shape, axes)
        return Autograd.record(out, self) { g in g.reshaped(keptShape).expanded(to: inputShape).contiguous() }
    }

    /// The sum over one axis.
    public func sum(axis: Int, keepingDims: Bool = false) -> Tensor { sum(axes: [axis], keepingDims: keepingDims) }

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
        if axes.isEmpty { return Array(0..<rank) }
        let normalized = axes.map { axis($0, op: op) }
        precondition(Set(normalized).count == normalized.count, "\(op): repeated axis in \(axes)")
        return normalized.sorted()
    }
}

/// Shared machinery of reductions over a set of axes.
enum Reduction {
    /// `shape` with each of `axes` set to 1.
    static func keptShape(_ shape: [Int], _ axes: [Int]) -> [Int] {
        var s = shape
        for a in axes { s[a] = 1 }
        return s
    }

    /// The result shape of reducing `axes` of `shape`.
    static func resultShape(_ shape: [Int], _ axes: [Int], keepingDims: Bool) -> [Int] {
        keepingDims ? keptShape(shape, axes) : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Calls `body(outputIndex, inputOffset, count, stride)` once per output element for a reduction
    /// over one run of `count` elements, after moving the reduced axes innermost.
    ///
    /// When several axes are reduced the input is first made contiguous in the moved order.
    static func forEachReducedRun(_ x: Tensor, over axes: [Int],
                                  _ body: (Int, UnsafePointer<Float>, Int, Int) -> Void) {
        let kept = (0..<x.rank).filter { !axes.contains($0) }
        var moved = withoutGradient { x.detached().permuted(kept + axes) }
        let runLength = axes.reduce(1) { $0 * x.shape[$1] }
        if axes.count > 1 { moved = moved.contiguousData() }
        let outCount = kept.reduce(1) { $0 * x.shape[$1] }
        let innerStride = axes.count > 1 ? 1 : (axes.isEmpty ? 1 : moved.strides[moved.rank - 1])
        let outerShape = Array(moved.shape.prefix(kept.count))
        let outerStrides = Array(moved.strides.prefix(kept.count))
        let base = UnsafePointer(moved.floatPointer)
        let rows = RowLayout(shape: outerShape, strides: [Tensor.contiguousStrides(outerShape), outerStrides])
        parallelChunks(rows.rowCount, costPerItem: rows.rowLength * max(runLength, 1)) { range in
            rows.forEachRow(in: range) { o, n in
                for j in 0..<n {
                    body(o[0] + j * rows.innerStrides[0], base + o[1] + j * rows.innerStrides[1], runLength, innerStride)
                }
            }
        }
        _ = outCount
    }

    static func sum(_ x: Tensor, over axes: [Int], keepingDims: Bool) -> Tensor {
        precondition(x.dtype == .float32, "sum: expects a float tensor, got \(x.dtype)")
        let out = Tensor(uninitializedShape: resultShape(x.shape, axes, keepingDims: keepingDims))
        let po = out.floatPointer
        forEachReducedRun(x, over: axes) { i, p, n, s in po[i] = kiln_sum_f32(p, s, n) }
        return out
    }
}
