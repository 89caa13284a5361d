import CKilnKernels
import Foundation
import KilnNN

/// NAdam, Adam with Nesterov momentum (Dozat 2016), following `torch.optim.NAdam`:
///
///     g ← g + λθ                      (decoupled instead: θ ← θ(1 − ηλ))
///     μₜ = β₁(1 − ½·0.96^(tψ)),  Πₜ = μ₁⋯μₜ          (ψ = momentumDecay)
///     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  d = √(v / (1 − β₂ᵗ)) + ε
///     θ ← θ − η(1 − μₜ)/(1 − Πₜ) · g/d − η μₜ₊₁/(1 − Πₜμₜ₊₁) · m/d
///
/// The product Πₜ is state (`mu_product`), kept in `Float` as PyTorch keeps it.
public final class NAdam: ParameterwiseOptimizer {
    /// The decay rates (β₁, β₂) of the first and second moment averages.
    public var betas: (Double, Double)
    /// The term ε added to the denominator.
    public var epsilon: Double
    /// The momentum decay ψ of the schedule μₜ.
    public var momentumDecay: Double
    /// Whether weight decay shrinks the parameter (as AdamW) instead of joining the gradient.
    public var decoupledWeightDecay: Bool
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool

    /// NAdam with PyTorch's defaults: `betas`, `epsilon`, `weightDecay` (L2, or decoupled with
    /// `decoupledWeightDecay`), and the momentum schedule's `momentumDecay` ψ.
    public init(groups: [ParameterGroup] = [], learningRate: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0, momentumDecay: Double = 4e-3,
                decoupledWeightDecay: Bool = false, maximize: Bool = false) {
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "NAdam: betas \(betas) must lie in [0, 1)")
        precondition(momentumDecay >= 0, "NAdam: momentumDecay \(momentumDecay) is negative")
        self.betas = betas
        self.epsilon = epsilon
        self.momentumDecay = momentumDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.maximize = maximize
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        ["exp_avg": StateBufferLayout(shape: shape), "exp_avg_sq": StateBufferLayout(shape: shape),
         "mu_product": StateBufferLayout(shape: [], initialValue: 1)]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let t = Double(state.step), lr = learningRate
        let mu = betas.0 * (1 - 0.5 * pow(0.96, t * momentumDecay))
        let muNext = betas.0 * (1 - 0.5 * pow(0.96, (t + 1) * momentumDecay))
        let product = state["mu_product"]
        product.pointee *= Float(mu)
        let muProduct = Double(product.pointee)
        let p = kiln_nadam_params(
            weight_decay: decoupledWeightDecay ? 0 : Float(weightDecay),
            decay_factor: decoupledWeightDecay ? Float(1 - lr * weightDecay) : 1,
            one_minus_beta1: Float(1 - betas.0), beta2: Float(betas.1), one_minus_beta2: Float(1 - betas.1),
            eps: Float(epsilon), bias_correction2: Float(1 - pow(betas.1, t)),
            grad_coefficient: Float(-lr * (1 - mu) / (1 - muProduct)),
            exp_avg_coefficient: Float(-lr * muNext / (1 - muProduct * muNext)), maximize: maximize ? 1 : 0)
        let m = state["exp_avg"], v = state["exp_avg_sq"]
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            forEachChunk(count) { s, n in kiln_nadam_f32(theta + s, grad + s, m + s, v + s, n, p) }
        }
    }
}
