import CKilnKernels

/// Joining tensors along an axis and splitting them apart: concatenate, stack, split, chunk.
extension Tensor {
    /// The tensors joined end to end along `axis` (PyTorch's `torch.cat`).
    ///
    /// All tensors must share dtype, rank and every dimension except `axis`.
    ///
    /// ```swift
    /// Tensor.concatenate([a, b], axis: 1)   // [2, 3] and [2, 5] → [2, 8]
    /// ```
    public static func concatenate(_ tensors: [Tensor], axis a: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors to join")
        let first = tensors[0]
        precondition(first.rank > 0, "concatenate: cannot join rank-0 tensors; use stack")
        let ax = first.axis(a, op: "concatenate")
        for t in tensors {
            precondition(t.dtype == first.dtype && t.rank == first.rank
                         && t.shape.indices.allSatisfy { $0 == ax || t.shape[$0] == first.shape[$0] },
                         "concatenate: shapes \(tensors.map(\.shape)) (\(tensors.map(\.dtype))) differ outside axis \(ax)")
        }
        var shape = first.shape
        shape[ax] = tensors.reduce(0) { $0 + $1.shape[ax] }
        let out = Tensor(uninitializedShape: shape, dtype: first.dtype)
        var ranges: [Range<Int>] = []
        var start = 0
        for t in tensors {
            let range = start..<(start + t.shape[ax])
            out.slice(axis: ax, range).writeValues(from: t)
            ranges.append(range)
            start = range.upperBound
        }
        let needsGradient = tensors.map(\.requiresGradient)
        return Autograd.record(out, tensors) { g in
            zip(needsGradient, ranges).map { needed, range in needed ? g.slice(axis: ax, range).contiguous() : nil }
        }
    }

    /// The tensors, all of one shape, stacked along a new dimension `axis` (PyTorch's `torch.stack`).
    public static func stack(_ tensors: [Tensor], axis a: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors to stack")
        let first = tensors[0]
        precondition(tensors.allSatisfy { $0.shape == first.shape },
                     "stack: tensors must share one shape, got \(tensors.map(\.shape))")
        let ax = first.axis(a, op: "stack", rank: first.rank + 1)
        return concatenate(tensors.map { $0.unsqueezed(ax) }, axis: ax)
    }

    /// Views of consecutive pieces along `axis` with the given sizes, which must add up to that dimension.
    public func split(sizes: [Int], axis a: Int = 0) -> [Tensor] {
        let ax = axis(a, op: "split")
        precondition(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[ax],
                     "split: sizes \(sizes) do not add up to dimension \(ax) of shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: ax, start..<(start + size))
        }
    }

    /// Views of consecutive pieces of `size` along `axis`; the last one is smaller when `size` does not divide it
    /// (PyTorch's `torch.split` with an integer).
    public func split(size: Int, axis a: Int = 0) -> [Tensor] {
        let ax = axis(a, op: "split")
        precondition(size > 0, "split: piece size must be positive, got \(size)")
        let n = shape[ax]
        return stride(from: 0, to: n, by: size).map { slice(axis: ax, $0..<Swift.min($0 + size, n)) }
    }

    /// At most `count` views along `axis`, each of size ⌈n / count⌉ but the last (PyTorch's `torch.chunk`).
    public func chunked(_ count: Int, axis a: Int = 0) -> [Tensor] {
        let ax = axis(a, op: "chunk")
        precondition(count > 0, "chunk: count must be positive, got \(count)")
        return split(size: Swift.max(1, (shape[ax] + count - 1) / count), axis: ax)
    }

    /// Copies `source` (broadcast to this shape, same dtype) into this tensor's memory, which may be
    /// a strided view; large copies are split across threads. Not recorded for autodiff.
    func writeValues(from source: Tensor) {
        precondition(source.dtype == dtype, "copy: \(source.dtype) values into a \(dtype) tensor")
        let source = source.expandedData(to: shape)
        let size = dtype.byteSize
        let rows = RowLayout(shape: shape, strides: [strides, source.strides])
        let dst = storage.base + offset * size, src = source.storage.base + source.offset * size
        parallelChunks(rows.rowCount, costPerItem: rows.rowLength) { range in
            rows.forEachRow(in: range) { offsets, n in
                kiln_copy_strided(src + offsets[1] * size, rows.innerStrides[1],
                                  dst + offsets[0] * size, rows.innerStrides[0], n, Int32(size))
            }
        }
    }
}
