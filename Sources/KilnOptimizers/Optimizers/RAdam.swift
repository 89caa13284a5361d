import CKilnKernels
import Foundation
import KilnNN

/// RAdam, Adam with a rectified adaptive step (Liu et al. 2020), following `torch.optim.RAdam`:
///
///     g ← g + λθ                      (decoupled instead: θ ← θ(1 − ηλ))
///     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  m̂ = m / (1 − β₁ᵗ)
///     ρ∞ = 2/(1 − β₂) − 1,  ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
///     ρₜ > 5: rₜ = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)),
///             θ ← θ − η m̂ · √(1 − β₂ᵗ)/(√v + ε) · rₜ
///     else:   θ ← θ − η m̂
///
/// While the variance of the adaptive step is intractable (ρₜ ≤ 5, the first steps) the update is
/// momentum SGD with bias correction.
public final class RAdam: ParameterwiseOptimizer {
    /// The decay rates (β₁, β₂) of the first and second moment averages.
    public var betas: (Double, Double)
    /// The term ε added to the denominator.
    public var epsilon: Double
    /// Whether weight decay shrinks the parameter (as AdamW) instead of joining the gradient.
    public var decoupledWeightDecay: Bool
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool

    /// RAdam with PyTorch's defaults: `betas`, `epsilon`, and `weightDecay` (L2, or decoupled
    /// with `decoupledWeightDecay`).
    public init(groups: [ParameterGroup] = [], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false,
                maximize: Bool = false) {
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "RAdam: betas \(betas) must lie in [0, 1)")
        self.betas = betas
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
        self.maximize = maximize
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        ["exp_avg": StateBufferLayout(shape: shape), "exp_avg_sq": StateBufferLayout(shape: shape)]
    }

    /// The rectification rₜ at step `t`, or nil while ρₜ ≤ 5 and the adaptive step is not taken.
    public func rectification(atStep t: Int) -> Double? {
        let (beta2, step) = (betas.1, Double(t))
        let biasCorrection2 = 1 - pow(beta2, step)
        let rhoInfinity = 2 / (1 - beta2) - 1
        let rho = rhoInfinity - 2 * step * pow(beta2, step) / biasCorrection2
        guard rho > 5 else { return nil }
        return pow((rho - 4) * (rho - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho), 0.5)
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let t = Double(state.step), lr = learningRate
        let p = kiln_radam_params(
            weight_decay: decoupledWeightDecay ? 0 : Float(weightDecay),
            decay_factor: decoupledWeightDecay ? Float(1 - lr * weightDecay) : 1,
            one_minus_beta1: Float(1 - betas.0), beta2: Float(betas.1), one_minus_beta2: Float(1 - betas.1),
            eps: Float(epsilon), bias_correction1: Float(1 - pow(betas.0, t)), lr: Float(lr),
            bias_correction2_sqrt: Float(pow(1 - pow(betas.1, t), 0.5)),
            rect: Float(rectification(atStep: state.step) ?? 0), maximize: maximize ? 1 : 0)
        let m = state["exp_avg"], v = state["exp_avg_sq"]
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            forEachChunk(count) { s, n in kiln_radam_f32(theta + s, grad + s, m + s, v + s, n, p) }
        }
    }
}
