import CKilnKernels

/// Maxima and minima: values over any axes, values with positions along one axis, and positions alone.
extension Tensor {
    /// The largest element over `axes` (all axes when empty), like PyTorch's `amax`.
    ///
    /// NaN propagates. The gradient is shared evenly among tied maxima.
    public func max(axes: [Int] = [], keepingDims: Bool = false) -> Tensor {
        extremum(axes: axes, keepingDims: keepingDims, op: KILN_REDUCE_MAX, name: "max")
    }

    /// The smallest element over `axes` (all axes when empty), like PyTorch's `amin`.
    public func min(axes: [Int] = [], keepingDims: Bool = false) -> Tensor {
        extremum(axes: axes, keepingDims: keepingDims, op: KILN_REDUCE_MIN, name: "min")
    }

    /// The largest elements along `axis` and the position of the first of each (an int64 tensor),
    /// like PyTorch's `max(dim)`. The gradient flows to that position only.
    public func max(axis: Int, keepingDims: Bool = false) -> (values: Tensor, indices: Tensor) {
        extremum(axis: axis, keepingDims: keepingDims, op: KILN_REDUCE_MAX, name: "max")
    }

    /// The smallest elements along `axis` and the position of the first of each (an int64 tensor).
    public func min(axis: Int, keepingDims: Bool = false) -> (values: Tensor, indices: Tensor) {
        extremum(axis: axis, keepingDims: keepingDims, op: KILN_REDUCE_MIN, name: "min")
    }

    /// The position of the first largest element along `axis`, or in the flattened tensor when `axis` is nil.
    public func argmax(axis: Int? = nil, keepingDims: Bool = false) -> Tensor {
        argExtremum(axis: axis, keepingDims: keepingDims, op: KILN_REDUCE_MAX, name: "argmax")
    }

    /// The position of the first smallest element along `axis`, or in the flattened tensor when `axis` is nil.
    public func argmin(axis: Int? = nil, keepingDims: Bool = false) -> Tensor {
        argExtremum(axis: axis, keepingDims: keepingDims, op: KILN_REDUCE_MIN, name: "argmin")
    }

    private func extremum(axes: [Int], keepingDims: Bool, op: kiln_reduce_op, name: String) -> Tensor {
        let axes = normalizedAxes(axes, op: name)
        precondition(axes.allSatisfy { shape[$0] > 0 }, "\(name): cannot reduce over an empty dimension of shape \(shape)")
        let out = Reduction.reduce(self, over: axes, keepingDims: keepingDims, op: op, name: name)
        let keptShape = Reduction.keptShape(shape, axes)
        let x = detached()
        return Autograd.record(out, self) { g in
            let mask = Reduction.map(KILN_MAP_EQUAL, x, out.reshaped(keptShape))
            let ties = mask.sum(axes: axes, keepingDims: true)
            return mask * (g.reshaped(keptShape) / ties)
        }
    }

    private func extremum(axis a: Int, keepingDims: Bool, op: kiln_reduce_op, name: String) -> (values: Tensor, indices: Tensor) {
        if rank == 0 {
            let (v, i) = reshaped([1]).extremum(axis: 0, keepingDims: false, op: op, name: name)
            return (v.reshaped([]), i.reshaped([]))
        }
        let ax = axis(a, op: name)
        let (values, indices) = Reduction.argReduce(self, axis: ax, keepingDims: keepingDims, op: op, name: name)
        let inputShape = shape
        return (Autograd.record(values, self) { g in Reduction.scatter(g, at: indices, axis: ax, into: inputShape) }, indices)
    }

    private func argExtremum(axis a: Int?, keepingDims: Bool, op: kiln_reduce_op, name: String) -> Tensor {
        let x = detached()
        guard let a else {
            let flat = x.contiguousData().reshaped([count])
            let i = flat.extremum(axis: 0, keepingDims: false, op: op, name: name).indices
            return i.reshaped(keepingDims ? shape.map { _ in 1 } : [])
        }
        return x.extremum(axis: a, keepingDims: keepingDims, op: op, name: name).indices
    }
}

extension Reduction {
    /// Zeros of `shape` with `g` written at `indices` along `axis`: the adjoint of picking one
    /// element per output (`g` and `indices` have `shape` with `axis` removed or kept as 1).
    static func scatter(_ g: Tensor, at indices: Tensor, axis: Int, into shape: [Int]) -> Tensor {
        let out = Tensor(zeros: shape)
        let gc = g.contiguousData()
        let length = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        let outer = shape[..<axis].reduce(1, *)
        let po = out.floatPointer, pg = gc.floatPointer
        let pi = indices.storage.base.assumingMemoryBound(to: Int64.self) + indices.offset
        for o in 0..<outer {
            for i in 0..<inner {
                let k = o * inner + i
                po[(o * length + Int(pi[k])) * inner + i] = pg[k]
            }
        }
        return withExtendedLifetime((gc, indices)) { out }
    }
}
