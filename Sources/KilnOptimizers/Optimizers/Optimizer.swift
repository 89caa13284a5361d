import KilnNN

/// Updates parameters from their gradients, keeping per-parameter state (moments, step counts).
///
/// An optimizer works over ``ParameterGroup``s, each with its own learning-rate scale and
/// weight decay. Two ways to drive it:
///
/// ```swift
/// // Functional: gradients by parameter path.
/// let (loss, grads) = valueAndGradient(of: model) { m in loss(m) }
/// optimizer.update(model, along: grads)
///
/// // Accumulated: gradients left on the parameters by backward().
/// loss.backward()
/// optimizer.step()
/// optimizer.zeroGradients()
/// ```
///
/// A group's learning rate is `learningRate × group.learningRateScale`, so a schedule that sets
/// ``learningRate`` each step moves every group and keeps their ratios.
///
/// Every hyper-parameter (learning rate, weight decay, betas, ε, momentum) is a `Double`, as
/// `torch.optim` keeps Python floats: scalar factors such as `1 − β₂` and the bias corrections are
/// computed in `Double` and rounded once to the `Float` of the kernels, and a ``Schedule``'s value
/// sets ``learningRate`` without conversion.
public protocol Optimizer: AnyObject {
    /// The base learning rate; schedules set it before each step.
    var learningRate: Double { get set }

    /// The parameters this optimizer updates, in groups.
    var groups: [ParameterGroup] { get set }

    /// Applies one update to every trainable parameter of ``groups`` for which `gradient`
    /// returns a tensor (parameters without one are left alone, as PyTorch skips `grad is None`).
    func step(gradients gradient: (_ name: String, _ parameter: Parameter) -> Tensor?)

    /// The per-parameter state by name: `state.<parameter path>.<buffer>` (PyTorch's buffer names,
    /// such as `exp_avg`) and `state.<parameter path>.step`.
    func stateDict() -> [String: Tensor]

    /// Restores state saved by ``stateDict()``; everything is checked before anything changes.
    func load(stateDict: [String: Tensor]) throws(OptimizerStateError)
}

extension Optimizer {
    /// One update from the gradients accumulated on the parameters by `backward()`.
    /// - Precondition: the optimizer has parameter groups.
    public func step() {
        precondition(!groups.isEmpty, "\(type(of: self)).step(): no parameters; pass groups at creation or use update(_:along:)")
        step { _, parameter in parameter.gradient }
    }

    /// Clears the gradient accumulated on every parameter of ``groups`` (PyTorch's `optimizer.zero_grad()`),
    /// without walking a module tree as ``Module/zeroGradients()`` does.
    public func zeroGradients() {
        for group in groups { for (_, parameter) in group.parameters { parameter.zeroGradient() } }
    }

    /// One update of `model` from gradients by parameter path, as `valueAndGradient(of:)` returns them.
    ///
    /// An optimizer created without groups takes all of the model's parameters as one group here.
    public func update(_ model: Module, along gradients: Gradients) {
        if groups.isEmpty { groups = ParameterGroup.groups(of: model) }
        step { name, _ in gradients[name] }
    }
}
