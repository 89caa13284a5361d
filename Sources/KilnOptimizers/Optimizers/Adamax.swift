import CKilnKernels
import Foundation
import KilnNN

/// Adamax, Adam with the infinity norm (Kingma & Ba 2015, §7.1), following `torch.optim.Adamax`:
///
///     g ← g + λθ
///     m ← β₁m + (1 − β₁)g,  u ← max(β₂u, |g| + ε)
///     θ ← θ − η/(1 − β₁ᵗ) · m / u
public final class Adamax: ParameterwiseOptimizer {
    /// The decay rates (β₁, β₂) of the first moment and of the infinity norm.
    public var betas: (Double, Double)
    /// The term ε added to the gradient's magnitude.
    public var epsilon: Double
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool

    /// Adamax with PyTorch's defaults: `betas` for the first moment and the infinity norm,
    /// `epsilon`, and L2 `weightDecay`.
    public init(groups: [ParameterGroup] = [], learningRate: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0, maximize: Bool = false) {
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "Adamax: betas \(betas) must lie in [0, 1)")
        self.betas = betas
        self.epsilon = epsilon
        self.maximize = maximize
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        ["exp_avg": StateBufferLayout(shape: shape), "exp_inf": StateBufferLayout(shape: shape)]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let p = kiln_adamax_params(
            weight_decay: Float(weightDecay), one_minus_beta1: Float(1 - betas.0), beta2: Float(betas.1),
            eps: Float(epsilon), neg_clr: Float(-(learningRate / (1 - pow(betas.0, Double(state.step))))),
            maximize: maximize ? 1 : 0)
        let m = state["exp_avg"], u = state["exp_inf"]
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            forEachChunk(count) { s, n in kiln_adamax_f32(theta + s, grad + s, m + s, u + s, n, p) }
        }
    }
}
