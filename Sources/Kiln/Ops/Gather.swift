import CKilnKernels

/// Indexing with int64 index tensors: gather ↔ scatter-add, index-select ↔ index-add, one-hot.
///
/// Indices must lie in `0..<size` of the indexed dimension (negative indices are not wrapped, as in
/// PyTorch's `gather` and `index_select`); an index out of range stops with the op, the index and the shape.
extension Tensor {
    /// `out[i][j][k] = self[i][index[i][j][k]][k]` for `axis == 1` (PyTorch's `torch.gather`).
    ///
    /// `index` is int64 with this tensor's rank and, outside `axis`, dimensions no larger than this tensor's.
    /// The result has the shape of `index`.
    public func gather(axis a: Int, index: Tensor) -> Tensor {
        precondition(rank > 0, "gather: needs at least one dimension, got shape \(shape)")
        let ax = axis(a, op: "gather")
        precondition(index.dtype == .int64, "gather: index must be int64, got \(index.dtype)")
        precondition(index.rank == rank && shape.indices.allSatisfy { $0 == ax || index.shape[$0] <= shape[$0] },
                     "gather: index shape \(index.shape) does not fit input shape \(shape) outside axis \(ax)")
        let out = Tensor(uninitializedShape: index.shape, dtype: dtype)
        var inputStrides = strides
        inputStrides[ax] = 0
        let rows = RowLayout(shape: index.shape, strides: [out.strides, index.strides, inputStrides])
        let size = shape[ax], axisStride = strides[ax], inputShape = shape
        let pi = index.storage.base.assumingMemoryBound(to: Int.self) + index.offset
        func run<T>(_: T.Type) {
            let po = out.storage.base.assumingMemoryBound(to: T.self)
            let px = storage.base.assumingMemoryBound(to: T.self) + offset
            let (so, si, sx) = (rows.innerStrides[0], rows.innerStrides[1], rows.innerStrides[2])
            parallelChunks(rows.rowCount, costPerItem: rows.rowLength) { range in
                rows.forEachRow(in: range) { o, n in
                    let ro = po + o[0], ri = pi + o[1], rx = px + o[2]
                    for j in 0..<n {
                        let k = ri[j * si]
                        precondition(UInt(bitPattern: k) < UInt(size),
                                     "gather: index \(k) out of range for dimension \(ax) of size \(size) (input shape \(inputShape))")
                        ro[j * so] = rx[j * sx + k * axisStride]
                    }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .int64: run(Int.self)
        case .bool: run(Bool.self)
        }
        let index = index.detached()
        return Autograd.record(out, self) { g in Tensor.scatterAdd(into: Tensor(zeros: inputShape), axis: ax, index: index, source: g) }
    }

    /// A copy of this tensor with `out[i][index[i][j][k]][k] += source[i][j][k]` for `axis == 1`
    /// (PyTorch's out-of-place `scatter_add`).
    ///
    /// `index` is int64 with this tensor's rank, no larger than `source` in any dimension and no larger
    /// than this tensor outside `axis`; only the part of `source` covered by `index` is added.
    public func scatterAdd(axis a: Int, index: Tensor, source: Tensor) -> Tensor {
        precondition(rank > 0, "scatterAdd: needs at least one dimension, got shape \(shape)")
        let ax = axis(a, op: "scatterAdd")
        let out = Tensor.scatterAdd(into: copied(), axis: ax, index: index, source: source)
        let index = index.detached(), sourceShape = source.shape
        let (selfNeeds, sourceNeeds) = (requiresGradient, source.requiresGradient)
        return Autograd.record(out, self, source) { g in
            var gs: Tensor? = nil
            if sourceNeeds {
                let gathered = g.gather(axis: ax, index: index)
                gs = gathered.shape == sourceShape
                    ? gathered
                    : gathered.padded(zip(gathered.shape, sourceShape).map { (0, $1 - $0) })
            }
            return (selfNeeds ? g : nil, gs)
        }
    }

    /// Adds `source` into `out` (a fresh contiguous float tensor nobody else holds) as ``scatterAdd(axis:index:source:)``
    /// does, and returns it. Not recorded.
    static func scatterAdd(into out: Tensor, axis ax: Int, index: Tensor, source: Tensor) -> Tensor {
        let shape = out.shape
        precondition(out.dtype == .float32 && source.dtype == .float32,
                     "scatterAdd: expects float tensors, got \(out.dtype) and source \(source.dtype)")
        precondition(index.dtype == .int64, "scatterAdd: index must be int64, got \(index.dtype)")
        precondition(index.rank == shape.count && source.rank == shape.count
                     && shape.indices.allSatisfy { index.shape[$0] <= source.shape[$0] && ($0 == ax || index.shape[$0] <= shape[$0]) },
                     "scatterAdd: index shape \(index.shape) does not fit source shape \(source.shape) and shape \(shape) (axis \(ax))")
        // Walk with the scattered axis innermost: rows then differ in the other coordinates, so no two
        // threads add into the same element.
        let order = shape.indices.filter { $0 != ax } + [ax]
        var outStrides = out.strides
        outStrides[ax] = 0
        let rows = RowLayout(shape: order.map { index.shape[$0] },
                             strides: [order.map { outStrides[$0] }, order.map { index.strides[$0] }, order.map { source.strides[$0] }])
        let size = shape[ax], axisStride = out.strides[ax]
        let pi = index.storage.base.assumingMemoryBound(to: Int.self) + index.offset
        let po = out.floatPointer, ps = source.floatPointer
        // When the scattered axis has length 1 it is merged away and the row walks another axis,
        // so the output's own inner stride applies too (it is 0 otherwise).
        let (so, si, ss) = (rows.innerStrides[0], rows.innerStrides[1], rows.innerStrides[2])
        parallelChunks(rows.rowCount, costPerItem: rows.rowLength) { range in
            rows.forEachRow(in: range) { o, n in
                let ro = po + o[0], ri = pi + o[1], rs = ps + o[2]
                for j in 0..<n {
                    let k = ri[j * si]
                    precondition(UInt(bitPattern: k) < UInt(size),
                                 "scatterAdd: index \(k) out of range for dimension \(ax) of size \(size) (shape \(shape))")
                    ro[j * so + k * axisStride] += rs[j * ss]
                }
            }
        }
        return out
    }

    /// The entries `indices` (a 1-D int64 tensor) of dimension `axis`, in that order, repeats allowed
    /// (PyTorch's `torch.index_select`; an embedding lookup is `table.indexSelect(axis: 0, indices: ids)`).
    public func indexSelect(axis a: Int, indices: Tensor) -> Tensor {
        precondition(rank > 0, "indexSelect: needs at least one dimension, got shape \(shape)")
        let ax = axis(a, op: "indexSelect")
        precondition(indices.dtype == .int64 && indices.rank <= 1,
                     "indexSelect: indices must be a 1-D int64 tensor, got \(indices.dtype) \(indices.shape)")
        let (outer, n, inner) = Tensor.aroundAxis(shape, ax)
        let m = indices.count
        var outShape = shape
        outShape[ax] = m
        let src = contiguousData(), idx = indices.contiguousData()
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        let inputShape = shape
        let pi = idx.storage.base.assumingMemoryBound(to: Int.self) + idx.offset
        // Each item copies one run of `inner` elements: entry pi[k] of outer position o. Runs
        // scattered through memory wait on it more than a kernel of their size computes, so the
        // copy splits across threads from a quarter of the usual work (a batch of 128 images).
        func run<T>(_: T.Type) {
            let px = src.storage.base.assumingMemoryBound(to: T.self) + src.offset
            let po = out.storage.base.assumingMemoryBound(to: T.self)
            parallelChunks(outer * m, costPerItem: inner * 4) { range in
                for item in range {
                    let o = item / m, k = pi[item % m]
                    precondition(k >= 0 && k < n,
                                 "indexSelect: index \(k) out of range for dimension \(ax) of size \(n) (shape \(inputShape))")
                    if inner == 1 {
                        po[item] = px[o * n + k]
                    } else {
                        (po + item * inner).update(from: px + (o * n + k) * inner, count: inner)
                    }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .int64: run(Int.self)
        case .bool: run(Bool.self)
        }
        let indices = idx.detached()
        return Autograd.record(out, self) { g in
            Tensor.indexAdd(into: Tensor(zeros: inputShape), axis: ax, indices: indices, source: g)
        }
    }

    /// A copy of this tensor with entry `indices[k]` of dimension `axis` increased by entry `k` of `source`
    /// (PyTorch's out-of-place `index_add`); repeated indices add up.
    ///
    /// `source` has this tensor's shape with dimension `axis` replaced by `indices.count`.
    public func indexAdd(axis a: Int, indices: Tensor, source: Tensor) -> Tensor {
        precondition(rank > 0, "indexAdd: needs at least one dimension, got shape \(shape)")
        let ax = axis(a, op: "indexAdd")
        let idx = indices.contiguousData()
        let out = Tensor.indexAdd(into: copied(), axis: ax, indices: idx, source: source)
        let indices = idx.detached()
        let (selfNeeds, sourceNeeds) = (requiresGradient, source.requiresGradient)
        return Autograd.record(out, self, source) { g in
            (selfNeeds ? g : nil, sourceNeeds ? g.indexSelect(axis: ax, indices: indices) : nil)
        }
    }

    /// Adds `source` into `out` (a fresh contiguous float tensor nobody else holds) as ``indexAdd(axis:indices:source:)``
    /// does, and returns it. Not recorded.
    static func indexAdd(into out: Tensor, axis ax: Int, indices: Tensor, source: Tensor) -> Tensor {
        let shape = out.shape
        precondition(out.dtype == .float32 && source.dtype == .float32,
                     "indexAdd: expects float tensors, got \(out.dtype) and source \(source.dtype)")
        precondition(indices.dtype == .int64 && indices.rank <= 1,
                     "indexAdd: indices must be a 1-D int64 tensor, got \(indices.dtype) \(indices.shape)")
        var sourceShape = shape
        sourceShape[ax] = indices.count
        precondition(source.shape == sourceShape,
                     "indexAdd: source shape \(source.shape) should be \(sourceShape) for shape \(shape) and \(indices.count) indices")
        let (outer, n, inner) = Tensor.aroundAxis(shape, ax)
        let m = indices.count
        let src = source.contiguousData(), idx = indices.contiguousData()
        let po = out.floatPointer, ps = src.floatPointer
        let pi = idx.storage.base.assumingMemoryBound(to: Int.self) + idx.offset
        // Threads take distinct (outer position, column block) pairs, so their writes never overlap.
        let blocks = Swift.max(1, Swift.min(Threads.count, inner / 4096))
        parallelChunks(outer * blocks, costPerItem: m * inner / blocks) { range in
            for item in range {
                let o = item / blocks, b = item % blocks
                let c0 = inner * b / blocks, c = inner * (b + 1) / blocks - c0
                for j in 0..<m {
                    let k = pi[j]
                    precondition(k >= 0 && k < n,
                                 "indexAdd: index \(k) out of range for dimension \(ax) of size \(n) (shape \(shape))")
                    if c == 1 {
                        po[(o * n + k) * inner + c0] += ps[(o * m + j) * inner + c0]
                    } else {
                        kiln_accumulate_f32(ps + (o * m + j) * inner + c0, 1, po + (o * n + k) * inner + c0, 1, c)
                    }
                }
            }
        }
        return out
    }

    /// For an int64 tensor of class numbers, a float tensor with a new last dimension of size `classes`
    /// holding 1 at each class and 0 elsewhere.
    public func oneHot(classes: Int) -> Tensor {
        precondition(dtype == .int64, "oneHot: expects an int64 tensor of class numbers, got \(dtype)")
        precondition(classes > 0, "oneHot: classes must be positive, got \(classes)")
        let labels = contiguousData()
        let out = Tensor(zeros: shape + [classes])
        let pl = labels.storage.base.assumingMemoryBound(to: Int.self) + labels.offset, po = out.floatPointer
        let inputShape = shape
        for i in 0..<labels.count {
            let c = pl[i]
            precondition(c >= 0 && c < classes, "oneHot: class \(c) out of range for \(classes) classes (shape \(inputShape))")
            po[i * classes + c] = 1
        }
        return out
    }

    /// A fresh contiguous copy that shares no storage with this tensor.
    func copied() -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        copyElements(into: out.storage.base)
        return out
    }

    /// The sizes before, at and after `axis`: a contiguous tensor viewed as `[outer, n, inner]`.
    static func aroundAxis(_ shape: [Int], _ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
