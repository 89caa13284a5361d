import CKilnKernels
import Foundation
import KilnNN

/// Adam, following `torch.optim.Adam` (with `amsgrad` its AMSGrad variant):
///
///     g ← g + λθ                      (AdamW instead: θ ← θ(1 − ηλ))
///     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
///     v̂ ← max(v̂, v) with AMSGrad, else v
///     θ ← θ − η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
///
/// Scalar factors are computed in `Double` as PyTorch computes them in Python.
public class Adam: ParameterwiseOptimizer {
    /// The decay rates (β₁, β₂) of the first and second moment averages.
    public var betas: (Double, Double)
    /// The term ε added to the denominator.
    public var epsilon: Double
    /// Whether to use the maximum of past second moments (AMSGrad).
    public var amsgrad: Bool
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool
    let decoupledWeightDecay: Bool

    /// Adam with PyTorch's defaults: `betas`, `epsilon`, L2 `weightDecay` (added to the
    /// gradient), and optionally `amsgrad`.
    public convenience init(groups: [ParameterGroup] = [], learningRate: Double = 1e-3,
                            betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) {
        self.init(groups: groups, learningRate: learningRate, betas: betas, epsilon: epsilon,
                  weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize, decoupled: false)
    }

    init(groups: [ParameterGroup], learningRate: Double, betas: (Double, Double), epsilon: Double,
         weightDecay: Double, amsgrad: Bool, maximize: Bool, decoupled: Bool) {
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "\(Self.self): betas \(betas) must lie in [0, 1)")
        self.betas = betas
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.maximize = maximize
        self.decoupledWeightDecay = decoupled
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        var layout = ["exp_avg": StateBufferLayout(shape: shape), "exp_avg_sq": StateBufferLayout(shape: shape)]
        if amsgrad { layout["max_exp_avg_sq"] = StateBufferLayout(shape: shape) }
        return layout
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let t = Double(state.step), lr = learningRate
        let p = kiln_adam_params(
            weight_decay: decoupledWeightDecay ? 0 : Float(weightDecay),
            decay_factor: decoupledWeightDecay ? Float(1 - lr * weightDecay) : 1,
            one_minus_beta1: Float(1 - betas.0), beta2: Float(betas.1), one_minus_beta2: Float(1 - betas.1),
            eps: Float(epsilon), step_size: Float(lr / (1 - pow(betas.0, t))),
            bias_correction2_sqrt: Float((1 - pow(betas.1, t)).squareRoot()), maximize: maximize ? 1 : 0)
        let m = state["exp_avg"], v = state["exp_avg_sq"], vmax = amsgrad ? state["max_exp_avg_sq"] : nil
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            forEachChunk(count) { s, n in
                kiln_adam_f32(theta + s, grad + s, m + s, v + s, vmax.map { $0 + s }, n, p)
            }
        }
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter), following `torch.optim.AdamW`:
/// the parameter shrinks by θ ← θ(1 − ηλ) before the Adam step instead of λθ joining the gradient.
public final class AdamW: Adam {
    /// AdamW with PyTorch's defaults, including its decoupled `weightDecay` of 0.01.
    public init(groups: [ParameterGroup] = [], learningRate: Double = 1e-3,
                betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) {
        super.init(groups: groups, learningRate: learningRate, betas: betas, epsilon: epsilon,
                   weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize, decoupled: true)
    }
}
