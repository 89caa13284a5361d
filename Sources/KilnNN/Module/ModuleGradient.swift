import Kiln

/// Gradients of a loss with respect to a model's trainable parameters, by parameter path.
public struct Gradients {
    /// Gradient per parameter path; frozen or unused parameters are absent.
    public var byName: [String: Tensor]

    /// Gradients keyed by parameter path, none by default.
    public init(_ byName: [String: Tensor] = [:]) { self.byName = byName }

    public subscript(name: String) -> Tensor? {
        get { byName[name] }
        set { byName[name] = newValue }
    }
}

/// The value of `loss(model)` and its gradient with respect to each trainable parameter.
///
/// Parameters that do not affect the loss get a zero gradient; frozen parameters none.
public func valueAndGradient<M: Module>(of model: M, _ loss: (M) -> Tensor) -> (value: Tensor, gradients: Gradients) {
    valueAndGradient(of: model, parameters: model.namedParameters(), loss)
}

/// The value of `loss(model)` and its gradient with respect to each trainable one of `parameters`,
/// the model's ``Module/namedParameters()`` looked up once by the caller: a training loop calling
/// this every step then does not walk the module tree each time.
///
/// Parameters are handled as in ``valueAndGradient(of:_:)``; frozen ones are skipped as they stand now.
public func valueAndGradient<M: Module>(of model: M, parameters: [(name: String, parameter: Parameter)],
                                        _ loss: (M) -> Tensor) -> (value: Tensor, gradients: Gradients) {
    let parameters = parameters.filter { !$0.parameter.isFrozen }
    for (_, p) in parameters { p.zeroGradient() }
    let value = loss(model)
    precondition(value.count == 1, "valueAndGradient: the loss must have one element, not shape \(value.shape)")
    if value.requiresGradient { value.backward() }
    var grads = Gradients()
    for (name, p) in parameters {
        grads[name] = p.gradient ?? Tensor(zeros: p.value.shape)
        p.zeroGradient()
    }
    return (value.detached(), grads)
}

/// The value of `loss(model, inputs)` and, from one backward pass, its gradient with respect to each
/// trainable parameter of `model` and to each of `inputs` (for saliency maps, adversarial examples,
/// gradient penalties).
///
/// Parameters are handled as in ``valueAndGradient(of:_:)``; inputs are not changed and their gradients
/// have their shapes (zeros for an input the loss does not use).
///
/// ```swift
/// let (loss, grads, inputGrads) = valueAndGradient(of: model, at: [images]) { m, xs in
///     crossEntropy(logits: m(xs[0]), labels: labels)
/// }
/// ```
public func valueAndGradient<M: Module>(of model: M, at inputs: [Tensor], _ loss: (M, [Tensor]) -> Tensor)
    -> (value: Tensor, gradients: Gradients, inputGradients: [Tensor]) {
    let leaves = inputs.map { $0.detached().requiringGradient() }
    let (value, gradients) = valueAndGradient(of: model) { m in loss(m, leaves) }
    return (value, gradients, leaves.map { $0.grad ?? Tensor(zeros: $0.shape) })
}
