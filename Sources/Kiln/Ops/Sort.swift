/// Sorting along an axis: sort with indices, argsort, top-k.
///
/// Sorts are stable (equal values keep their order) and place NaN above every number, as PyTorch does.
extension Tensor {
    /// The values sorted along `axis` and, for each, its position in this tensor (int64).
    public func sorted(axis a: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
        let ax = rank == 0 ? 0 : axis(a, op: "sort")
        return sortedRuns(axis: ax, keeping: rank == 0 ? 1 : shape[ax], descending: descending, op: "sort")
    }

    /// The positions (int64) that sort this tensor along `axis`.
    public func argsort(axis a: Int = -1, descending: Bool = false) -> Tensor {
        sorted(axis: a, descending: descending).indices
    }

    /// The `k` largest (or smallest) values along `axis`, in order, with their positions (int64).
    ///
    /// Ties go to the earlier position.
    public func topK(_ k: Int, axis a: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
        let ax = rank == 0 ? 0 : axis(a, op: "topK")
        let n = rank == 0 ? 1 : shape[ax]
        precondition(k >= 0 && k <= n, "topK: k = \(k) out of range for dimension \(ax) of shape \(shape)")
        return sortedRuns(axis: ax, keeping: k, descending: largest, op: "topK")
    }

    /// Sorts every run along `axis` and keeps the first `k` of each.
    private func sortedRuns(axis ax: Int, keeping k: Int, descending: Bool, op: String) -> (values: Tensor, indices: Tensor) {
        precondition(dtype == .float32, "\(op): expects a float tensor, got \(dtype)")
        if rank == 0 {
            return (Autograd.record(detached(), self) { $0 }, Tensor(zeros: [], dtype: .int64))
        }
        let (outer, n, inner) = Tensor.aroundAxis(shape, ax)
        var outShape = shape
        outShape[ax] = k
        let src = contiguousData()
        let values = Tensor(uninitializedShape: outShape), indices = Tensor(uninitializedShape: outShape, dtype: .int64)
        let px = src.floatPointer, pv = values.floatPointer
        let pi = indices.storage.base.assumingMemoryBound(to: Int.self)
        let log2n = Swift.max(1, Int.bitWidth - n.leadingZeroBitCount)
        parallelChunks(outer * inner, costPerItem: n * log2n * 4) { range in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { buffer in
                var order = buffer
                for run in range {
                    let o = run / inner, j = run % inner
                    let x = px + o * n * inner + j
                    for i in 0..<n { order[i] = i }
                    order.sort { p, q in
                        let a = x[p * inner], b = x[q * inner]
                        if a.isNaN || b.isNaN {
                            if a.isNaN == b.isNaN { return p < q }
                            return descending ? a.isNaN : b.isNaN
                        }
                        if a != b { return descending ? a > b : a < b }
                        return p < q
                    }
                    let outBase = o * k * inner + j
                    for t in 0..<k {
                        pv[outBase + t * inner] = x[order[t] * inner]
                        pi[outBase + t * inner] = order[t]
                    }
                }
            }
        }
        let inputShape = shape, positions = indices
        let out = Autograd.record(values, self) { g in
            Tensor(zeros: inputShape).scatterAdd(axis: ax, index: positions, source: g)
        }
        return (out, indices)
    }
}
