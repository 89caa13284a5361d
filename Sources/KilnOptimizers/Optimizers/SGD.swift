import CKilnKernels
import KilnNN

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight
/// decay, following `torch.optim.SGD`:
///
///     g ← g + λθ
///     b ← g on the first step, else μb + (1 − τ)g
///     g ← g + μb (Nesterov) or b
///     θ ← θ − ηg
public final class SGD: ParameterwiseOptimizer {
    /// The momentum factor μ (0: plain SGD).
    public var momentum: Double
    /// The dampening τ of the gradient added to the momentum buffer.
    public var dampening: Double
    /// Whether to use Nesterov momentum.
    public var nesterov: Bool
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool

    /// SGD with PyTorch's defaults: optional `momentum` with `dampening` or `nesterov`, and L2
    /// `weightDecay`.
    public init(groups: [ParameterGroup] = [], learningRate: Double = 1e-3, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        precondition(momentum >= 0, "SGD: momentum \(momentum) is negative")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.maximize = maximize
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        momentum == 0 ? [:] : ["momentum_buffer": StateBufferLayout(shape: shape)]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let buffer = momentum == 0 ? nil : state["momentum_buffer"]
        let p = kiln_sgd_params(lr: Float(learningRate), momentum: Float(momentum), dampening: Float(dampening),
                                weight_decay: Float(weightDecay), nesterov: nesterov ? 1 : 0, maximize: maximize ? 1 : 0,
                                first_step: state.step == 1 ? 1 : 0)
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            forEachChunk(count) { s, n in kiln_sgd_f32(theta + s, grad + s, buffer.map { $0 + s }, n, p) }
        }
    }
}
