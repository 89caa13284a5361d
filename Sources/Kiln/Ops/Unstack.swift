/// Splitting a tensor into the slices along one axis, with one shared gradient buffer.
extension Tensor {
    /// The slices along `axis`, that dimension removed: the inverse of ``stack(_:axis:)``
    /// (PyTorch's `torch.unbind`). Each slice is a view.
    ///
    /// Unlike `n` separate ``select(axis:_:)`` calls, whose backward rules each build a gradient of
    /// the whole tensor, the slices write their gradients into one buffer, so the backward pass
    /// costs one pass over the tensor however many slices there are. Recurrent layers use this to
    /// walk the time steps of an input projection computed for the whole sequence at once.
    public func unstacked(axis a: Int = 0) -> [Tensor] {
        let ax = axis(a, op: "unstack")
        let views = (0..<shape[ax]).map { i in withoutGradient { detached().select(axis: ax, i) } }
        guard Autograd.needsRecording(self) else { return views }
        let collector = SliceGradients(shape: shape, axis: ax)
        // The hub node passes the assembled gradient on to this tensor once every slice has run
        // (slices are recorded after the hub, so the backward pass visits them first).
        let hub = Autograd.record(detached(), self) { _ in collector.take() }
        return views.enumerated().map { i, view in
            Autograd.record(view, [hub]) { g in [collector.add(g, at: i)] }
        }
    }
}

/// The gradient of an unstacked tensor, assembled slice by slice during one backward pass.
private final class SliceGradients {
    let shape: [Int], axis: Int
    private var buffer: Tensor?

    init(shape: [Int], axis: Int) {
        self.shape = shape
        self.axis = axis
    }

    /// Writes slice `index`'s gradient into the buffer. Returns a free zero view of the whole shape
    /// for the first slice, which wakes the hub node, and nil for the others.
    func add(_ g: Tensor, at index: Int) -> Tensor? {
        let first = buffer == nil
        if first { buffer = Tensor(zeros: shape) }
        buffer!.assign(g.unsqueezed(axis), axis: axis, index..<(index + 1))
        return first ? Tensor(0).expanded(to: shape) : nil
    }

    /// The assembled gradient; the buffer is handed over and forgotten.
    func take() -> Tensor {
        defer { buffer = nil }
        return buffer ?? Tensor(zeros: shape)
    }
}
