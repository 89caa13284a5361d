import CKilnKernels
import KilnNN

/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), following the
/// `lion-pytorch` reference:
///
///     θ ← θ(1 − ηλ)
///     c ← β₁m + (1 − β₁)g
///     θ ← θ − η·sign(c)
///     m ← β₂m + (1 − β₂)g
///
/// One state buffer (`exp_avg`); every coordinate moves by exactly η, or not at all, besides decay.
public final class Lion: ParameterwiseOptimizer {
    /// (β₁, β₂): the interpolation of the update direction and the decay of the momentum.
    public var betas: (Double, Double)
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool

    /// Lion with the paper's defaults (learning rate 1e-4, `betas` (0.9, 0.99)) and decoupled
    /// `weightDecay`.
    public init(groups: [ParameterGroup] = [], learningRate: Double = 1e-4, betas: (Double, Double) = (0.9, 0.99),
                weightDecay: Double = 0, maximize: Bool = false) {
        precondition((0...1).contains(betas.0) && (0...1).contains(betas.1), "Lion: betas \(betas) must lie in [0, 1]")
        self.betas = betas
        self.maximize = maximize
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        ["exp_avg": StateBufferLayout(shape: shape)]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let p = kiln_lion_params(lr: Float(learningRate), beta1: Float(betas.0), one_minus_beta1: Float(1 - betas.0),
                                 beta2: Float(betas.1), one_minus_beta2: Float(1 - betas.1),
                                 decay_factor: Float(1 - learningRate * weightDecay),
                                 maximize: maximize ? 1 : 0)
        let m = state["exp_avg"]
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            forEachChunk(count) { s, n in kiln_lion_f32(theta + s, grad + s, m + s, n, p) }
        }
    }
}
