/// How ``Tensor/padded(_:mode:)`` fills the new border.
public enum PaddingMode: Sendable, Equatable {
    /// Every new element is `value` (converted to the tensor's dtype).
    case constant(Float)
    /// The border mirrors the tensor without repeating the edge: `[1, 2, 3]` padded by 2 → `[3, 2, 1, 2, 3, 2, 1]`.
    case reflect
    /// The border repeats the edge element: `[1, 2, 3]` padded by 2 → `[1, 1, 1, 2, 3, 3, 3]`.
    case replicate
}

extension Tensor {
    /// This tensor with a border added to its last `widths.count` dimensions.
    ///
    /// `widths` lists `(before, after)` element counts in dimension order, outermost first, so
    /// `images.padded([(1, 1), (2, 2)])` pads height by 1 and width by 2 on both sides of an
    /// `[N, C, H, W]` batch. (PyTorch's `F.pad` lists the same numbers last dimension first:
    /// `F.pad(x, (2, 2, 1, 1))`.) Reflect padding needs each width smaller than its dimension;
    /// replicate padding needs non-empty dimensions.
    public func padded(_ widths: [(before: Int, after: Int)], mode: PaddingMode = .constant(0)) -> Tensor {
        precondition(widths.count <= rank, "pad: \(widths.count) widths for shape \(shape)")
        precondition(widths.allSatisfy { $0.before >= 0 && $0.after >= 0 }, "pad: negative width in \(widths) for shape \(shape)")
        let lead = rank - widths.count
        switch mode {
        case .constant(let value):
            return constantPadded(widths, lead: lead, value: value)
        case .reflect, .replicate:
            // One gather per padded dimension; its backward (index-add) folds the border gradients back.
            var out = self
            for (i, w) in widths.enumerated() where w.before > 0 || w.after > 0 {
                let ax = lead + i, n = shape[ax]
                let sources = (-w.before..<(n + w.after)).map { j in
                    if mode == .replicate { return Swift.min(Swift.max(j, 0), n - 1) }
                    return j < 0 ? -j : (j >= n ? 2 * (n - 1) - j : j)
                }
                if mode == .replicate {
                    precondition(n > 0, "pad: replicate padding of empty dimension \(ax) of shape \(shape)")
                } else {
                    precondition(w.before < n && w.after < n,
                                 "pad: reflect widths \(w) must be smaller than dimension \(ax) of shape \(shape)")
                }
                out = out.indexSelect(axis: ax, indices: Tensor(sources))
            }
            return out
        }
    }

    private func constantPadded(_ widths: [(before: Int, after: Int)], lead: Int, value: Float) -> Tensor {
        var outShape = shape
        for (i, w) in widths.enumerated() { outShape[lead + i] += w.before + w.after }
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        let n = out.count
        switch dtype {
        case .float32: out.storage.base.initializeMemory(as: Float.self, repeating: value, count: n)
        case .int64: out.storage.base.initializeMemory(as: Int.self, repeating: Int(value), count: n)
        case .bool: out.storage.base.initializeMemory(as: Bool.self, repeating: value != 0, count: n)
        }
        var interior = out
        for (i, w) in widths.enumerated() {
            interior = interior.slice(axis: lead + i, w.before..<(w.before + shape[lead + i]))
        }
        interior.writeValues(from: self)
        return Autograd.record(out, self) { g in
            var inside = g
            for (i, w) in widths.enumerated() {
                inside = inside.slice(axis: lead + i, w.before..<(w.before + g.shape[lead + i] - w.before - w.after))
            }
            return inside.contiguous()
        }
    }
}
