/// Sorting along an axis: sort with indices, argsort, top-k.
///
/// Sorts are stable (equal values keep their order, and -0 equals 0) and place NaN above every
/// number, as PyTorch does.
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
    ///
    /// Each element becomes one 64-bit key, its value's order-preserving bits above its position,
    /// so plain integer order is the stable order and the position comes back out of the key.
    private func sortedRuns(axis ax: Int, keeping k: Int, descending: Bool, op: String) -> (values: Tensor, indices: Tensor) {
        precondition(dtype == .float32, "\(op): expects a float tensor, got \(dtype)")
        if rank == 0 {
            return (Autograd.record(detached(), self) { $0 }, Tensor(zeros: [], dtype: .int64))
        }
        let (outer, n, inner) = Tensor.aroundAxis(shape, ax)
        precondition(n <= Int(UInt32.max), "\(op): dimension \(ax) of shape \(shape) is too long to sort")
        var outShape = shape
        outShape[ax] = k
        let src = contiguousData()
        let values = Tensor(uninitializedShape: outShape), indices = Tensor(uninitializedShape: outShape, dtype: .int64)
        let px = src.floatPointer, pv = values.floatPointer
        let pi = indices.storage.base.assumingMemoryBound(to: Int.self)
        let selecting = k * 8 < n
        let log2n = Swift.max(1, Int.bitWidth - n.leadingZeroBitCount)
        parallelChunks(outer * inner, costPerItem: n * (selecting ? 2 : log2n)) { range in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: selecting ? k : n) { scratch in
                var buffer = scratch
                for run in range {
                    let o = run / inner, j = run % inner
                    let x = px + o * n * inner + j
                    let kept: UnsafeMutableBufferPointer<UInt64>
                    if selecting {
                        kept = UnsafeMutableBufferPointer(rebasing: scratch[0..<k])
                        Sorting.smallestKeys(x, step: inner, count: n, descending: descending, into: kept)
                    } else {
                        for i in 0..<n { buffer[i] = Sorting.key(x[i * inner], position: i, descending: descending) }
                        buffer.sort()
                        kept = UnsafeMutableBufferPointer(rebasing: buffer[0..<k])
                    }
                    let outBase = o * k * inner + j
                    for t in 0..<k {
                        let position = Int(kept[t] & 0xFFFF_FFFF)
                        pv[outBase + t * inner] = x[position * inner]
                        pi[outBase + t * inner] = position
                    }
                }
            }
        }
        let inputShape = shape, positions = indices
        let out = Autograd.record(values, self) { g in
            Tensor.scatterAdd(into: Tensor(zeros: inputShape), axis: ax, index: positions, source: g)
        }
        return (out, indices)
    }
}

/// Sort keys and selection for ``Tensor/sorted(axis:descending:)`` and ``Tensor/topK(_:axis:largest:)``.
enum Sorting {
    /// A key whose unsigned order is the sort order: NaN last (first when descending), ties by position.
    @inline(__always)
    static func key(_ value: Float, position: Int, descending: Bool) -> UInt64 {
        let v: Float = value.isNaN ? .nan : (value == 0 ? 0 : value)
        let bits = v.bitPattern
        var ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        if descending { ordered = ~ordered }
        return UInt64(ordered) << 32 | UInt64(position)
    }

    /// The `keys.count` smallest keys of a run, ascending, kept in a max-heap during the pass (O(n log k)).
    static func smallestKeys(_ x: UnsafePointer<Float>, step: Int, count n: Int, descending: Bool,
                             into keys: UnsafeMutableBufferPointer<UInt64>) {
        let k = keys.count
        guard k > 0 else { return }
        for i in 0..<k { keys[i] = key(x[i * step], position: i, descending: descending) }
        // Build a max-heap, then let each smaller key replace the root.
        for i in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(keys, from: i) }
        for i in k..<n {
            let candidate = key(x[i * step], position: i, descending: descending)
            if candidate < keys[0] {
                keys[0] = candidate
                siftDown(keys, from: 0)
            }
        }
        var sorted = keys
        sorted.sort()
    }

    @inline(__always)
    private static func siftDown(_ heap: UnsafeMutableBufferPointer<UInt64>, from start: Int) {
        let n = heap.count
        var i = start
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var c = l
            if l + 1 < n && heap[l + 1] > heap[l] { c = l + 1 }
            if heap[c] <= heap[i] { return }
            heap.swapAt(i, c)
            i = c
        }
    }
}
