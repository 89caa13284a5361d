/// The user-facing autodiff API: leaves, `backward()`, and the functional entry points.
extension Tensor {
    /// Whether a gradient flows to or through this tensor.
    public var requiresGradient: Bool { gradNode != nil }

    /// Whether this tensor is a leaf whose gradient is kept by ``backward(_:)``.
    public var isLeaf: Bool { gradNode?.isLeaf ?? true }

    /// This tensor as a new leaf that requires a gradient (PyTorch's `requires_grad_()`).
    public func requiringGradient() -> Tensor {
        precondition(dtype == .float32, "requiringGradient: only float tensors have gradients, not \(dtype)")
        var leaf = self
        leaf.gradNode = GradNode(shape: shape)
        return leaf
    }

    /// The same values, cut from the graph.
    public func detached() -> Tensor {
        var t = self
        t.gradNode = nil
        return t
    }

    /// The gradient accumulated on this leaf by ``backward(_:)``, if any.
    public var grad: Tensor? { gradNode?.isLeaf == true ? gradNode?.grad : nil }

    /// Clears the accumulated gradient of this leaf.
    public func zeroGradient() { if gradNode?.isLeaf == true { gradNode?.grad = nil } }

    /// Back-propagates from this tensor, accumulating gradients on the leaves it depends on.
    ///
    /// - Parameter seed: the gradient of this tensor; defaults to 1 for a one-element tensor.
    public func backward(_ seed: Tensor? = nil) {
        guard let node = gradNode else { preconditionFailure("backward: tensor does not require a gradient") }
        precondition(seed != nil || count == 1, "backward: a seed is needed for a tensor of shape \(shape)")
        Autograd.backward(from: node, seed: seed ?? Tensor(repeating: 1, shape: shape))
    }
}

/// The value of `f` at `inputs` and its gradient with respect to each input.
///
/// `f` must return a one-element tensor. Inputs are not changed; the gradients have their shapes.
///
/// ```swift
/// let (y, grads) = valueAndGradient(at: [x]) { xs in (xs[0] * xs[0]).sum() }
/// ```
public func valueAndGradient(at inputs: [Tensor], of f: ([Tensor]) -> Tensor) -> (value: Tensor, gradients: [Tensor]) {
    let leaves = inputs.map { $0.detached().requiringGradient() }
    let value = f(leaves)
    precondition(value.count == 1, "valueAndGradient: the function must return one element, not shape \(value.shape)")
    if value.gradNode != nil { value.backward() }
    let grads = leaves.map { $0.gradNode!.grad ?? Tensor(zeros: $0.shape) }
    return (value.detached(), grads)
}

/// The value of `f` at `x` and its gradient.
public func valueAndGradient(at x: Tensor, of f: (Tensor) -> Tensor) -> (value: Tensor, gradient: Tensor) {
    let (value, grads) = valueAndGradient(at: [x]) { f($0[0]) }
    return (value, grads[0])
}

/// The gradient of `f` at `x`.
public func gradient(at x: Tensor, of f: (Tensor) -> Tensor) -> Tensor {
    valueAndGradient(at: x, of: f).gradient
}
