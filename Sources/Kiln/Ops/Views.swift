/// Views: new shapes and strides over the same storage, copying nothing.
extension Tensor {
    /// The same elements in a new shape; one dimension may be -1 (inferred).
    ///
    /// A view when the layout allows it, otherwise a contiguous copy (as PyTorch's `reshape`).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var shape = newShape
        if let i = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(self.shape) into \(newShape)")
            shape[i] = count / known
        }
        precondition(Tensor.elementCount(shape) == count, "reshape: cannot reshape \(self.shape) into \(newShape)")
        if shape == self.shape { return self }
        let source = isContiguous ? self : contiguous()
        let out = Tensor(storage: source.storage, shape: shape, strides: Tensor.contiguousStrides(shape),
                         offset: source.offset, dtype: dtype)
        let inputShape = self.shape
        return Autograd.record(out, source) { $0.reshaped(inputShape) }
    }

    /// Shorthand for ``reshaped(_:)``.
    public func reshaped(_ dims: Int...) -> Tensor { reshaped(dims) }

    /// All dimensions from `start` through `end` merged into one.
    public func flattened(from start: Int = 0, through end: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let s = axis(start, op: "flatten"), e = axis(end, op: "flatten")
        precondition(s <= e, "flatten: start \(start) after end \(end) for shape \(shape)")
        let merged = shape[s...e].reduce(1, *)
        return reshaped(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// The dimensions reordered: dimension `i` of the result is dimension `order[i]` of this tensor.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order.map { axis($0, op: "permute") }).count == rank,
                     "permute: \(order) is not a permutation of the \(rank) dimensions of \(shape)")
        let order = order.map { axis($0, op: "permute") }
        let out = Tensor(storage: storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] },
                         offset: offset, dtype: dtype)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Autograd.record(out, self) { $0.permuted(inverse) }
    }

    /// Shorthand for ``permuted(_:)``.
    public func permuted(_ order: Int...) -> Tensor { permuted(order) }

    /// Dimensions `a` and `b` swapped (the last two by default).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        precondition(rank >= 2 || (rank == 1 && a == -2 && b == -1), "transpose: shape \(shape) has fewer than two dimensions")
        if rank < 2 { return self }
        var order = Array(0..<rank)
        order.swapAt(axis(a, op: "transpose"), axis(b, op: "transpose"))
        return permuted(order)
    }

    /// The transpose of a matrix.
    public var T: Tensor { transposed() }

    /// Elements `range` of dimension `axis`, taking every `step`-th.
    public func slice(axis a: Int, _ range: Range<Int>, step: Int = 1) -> Tensor {
        let ax = axis(a, op: "slice")
        precondition(step > 0, "slice: step must be positive, got \(step)")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax],
                     "slice: range \(range) out of bounds for dimension \(ax) of shape \(shape)")
        var newShape = shape, newStrides = strides
        newShape[ax] = (range.count + step - 1) / step
        newStrides[ax] = strides[ax] * step
        let out = Tensor(storage: storage, shape: newShape, strides: newStrides,
                         offset: offset + range.lowerBound * strides[ax], dtype: dtype)
        let inputShape = shape
        return Autograd.record(out, self) { g in
            guard step == 1 else {
                var full = Tensor(zeros: inputShape)
                full.assign(g, axis: ax, range, step: step)
                return full
            }
            // Each element is written once: zeros outside the range, the gradient inside it.
            let full = Tensor(uninitializedShape: inputShape, dtype: g.dtype), zero = Tensor(zeros: [], dtype: g.dtype)
            for outside in [0..<range.lowerBound, range.upperBound..<inputShape[ax]] where !outside.isEmpty {
                full.slice(axis: ax, outside).writeValues(from: zero)
            }
            full.slice(axis: ax, range).writeValues(from: g)
            return full
        }
    }

    /// Element `index` of dimension `axis`, that dimension removed.
    public func select(axis a: Int = 0, _ index: Int) -> Tensor {
        let ax = axis(a, op: "select")
        let i = index < 0 ? index + shape[ax] : index
        precondition(i >= 0 && i < shape[ax], "select: index \(index) out of range for dimension \(ax) of shape \(shape)")
        return slice(axis: ax, i..<(i + 1)).squeezed(ax)
    }

    /// The sub-tensor at `index` along the first dimension.
    public subscript(index: Int) -> Tensor { select(axis: 0, index) }

    /// Rows `range` along the first dimension.
    public subscript(range: Range<Int>) -> Tensor { slice(axis: 0, range) }

    /// This tensor broadcast to `newShape` (NumPy rules), without copying.
    public func expanded(to newShape: [Int]) -> Tensor {
        if newShape == shape { return self }
        precondition(newShape.count >= rank, "expand: cannot expand \(shape) to \(newShape)")
        let lead = newShape.count - rank
        var newStrides = [Int](repeating: 0, count: newShape.count)
        for i in 0..<rank {
            if shape[i] == newShape[lead + i] {
                newStrides[lead + i] = strides[i]
            } else {
                precondition(shape[i] == 1, "expand: cannot expand \(shape) to \(newShape)")
            }
        }
        let out = Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset, dtype: dtype)
        let inputShape = shape
        return Autograd.record(out, self) { $0.summed(toShape: inputShape) }
    }

    /// Size-1 dimensions removed: all of them, or only `axes`.
    public func squeezed(_ axes: Int...) -> Tensor {
        let drop = axes.isEmpty ? Set(shape.indices.filter { shape[$0] == 1 }) : Set(axes.map { axis($0, op: "squeeze") })
        for a in drop { precondition(shape[a] == 1, "squeeze: dimension \(a) of shape \(shape) is not 1") }
        let keep = shape.indices.filter { !drop.contains($0) }
        let out = Tensor(storage: storage, shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] },
                         offset: offset, dtype: dtype)
        let inputShape = shape
        return Autograd.record(out, self) { $0.reshaped(inputShape) }
    }

    /// A size-1 dimension inserted at `axis` (which may be `rank` or negative).
    public func unsqueezed(_ a: Int) -> Tensor {
        let ax = axis(a, op: "unsqueeze", rank: rank + 1)
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: ax)
        newStrides.insert(ax < rank ? strides[ax] * shape[ax] : 1, at: ax)
        let out = Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset, dtype: dtype)
        let inputShape = shape
        return Autograd.record(out, self) { $0.reshaped(inputShape) }
    }

    /// Writes `values` into elements `range` (every `step`-th) of dimension `axis`, in place.
    ///
    /// `values` must have this tensor's shape with that dimension's size replaced by the slice length;
    /// it is broadcast if needed. Not recorded for autodiff.
    public mutating func assign(_ values: Tensor, axis a: Int, _ range: Range<Int>, step: Int = 1) {
        let ax = axis(a, op: "assign")
        makeUniqueContiguous()
        let target = self.detached().slice(axis: ax, range, step: step)
        let source = values.detached().expanded(to: target.shape)
        target.copyValues(from: source)
    }

    /// Copies the elements of `source` (same shape) into this tensor's memory, which may be a strided view.
    func copyValues(from source: Tensor) {
        precondition(source.shape == shape && source.dtype == dtype, "copy: shapes \(source.shape) and \(shape) differ")
        let size = dtype.byteSize
        let rows = RowLayout(shape: shape, strides: [strides, source.strides])
        let dst = storage.base + offset * size, src = source.storage.base + source.offset * size
        rows.forEachRow(in: 0..<rows.rowCount) { offsets, n in
            kiln_copy_strided(src + offsets[1] * size, rows.innerStrides[1],
                              dst + offsets[0] * size, rows.innerStrides[0], n, Int32(size))
        }
    }
}

import CKilnKernels
