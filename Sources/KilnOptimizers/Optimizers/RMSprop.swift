import CKilnKernels
import KilnNN

/// RMSprop, following `torch.optim.RMSprop`:
///
///     g ← g + λθ
///     s ← αs + (1 − α)g²
///     centered: ḡ ← αḡ + (1 − α)g, d ← √(s − ḡ²) + ε; else d ← √s + ε
///     momentum: b ← μb + g/d, θ ← θ − ηb; else θ ← θ − ηg/d
public final class RMSprop: ParameterwiseOptimizer {
    /// The smoothing constant α of the squared-gradient average.
    public var alpha: Double
    /// The term ε added to the denominator.
    public var epsilon: Double
    /// The momentum factor μ (0: none).
    public var momentum: Double
    /// Whether to normalize by an estimate of the gradient's variance instead of its second moment.
    public var centered: Bool
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool

    /// RMSprop with PyTorch's defaults: smoothing `alpha`, `epsilon` in the denominator, L2
    /// `weightDecay`, optional `momentum`, and the `centered` variant.
    public init(groups: [ParameterGroup] = [], learningRate: Double = 1e-2, alpha: Double = 0.99,
                epsilon: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0,
                centered: Bool = false, maximize: Bool = false) {
        precondition(alpha >= 0 && momentum >= 0, "RMSprop: alpha \(alpha) and momentum \(momentum) must not be negative")
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.maximize = maximize
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        var layout = ["square_avg": StateBufferLayout(shape: shape)]
        if momentum > 0 { layout["momentum_buffer"] = StateBufferLayout(shape: shape) }
        if centered { layout["grad_avg"] = StateBufferLayout(shape: shape) }
        return layout
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let p = kiln_rmsprop_params(lr: Float(learningRate), alpha: Float(alpha), one_minus_alpha: Float(1 - alpha),
                                    eps: Float(epsilon), weight_decay: Float(weightDecay), momentum: Float(momentum),
                                    maximize: maximize ? 1 : 0)
        let square = state["square_avg"]
        let average = centered ? state["grad_avg"] : nil
        let buffer = momentum > 0 ? state["momentum_buffer"] : nil
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            forEachChunk(count) { s, n in
                kiln_rmsprop_f32(theta + s, grad + s, square + s, average.map { $0 + s }, buffer.map { $0 + s }, n, p)
            }
        }
    }
}
