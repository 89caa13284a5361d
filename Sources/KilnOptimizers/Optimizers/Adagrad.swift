import CKilnKernels
import KilnNN

/// Adagrad, following `torch.optim.Adagrad`:
///
///     η̃ ← η / (1 + (t − 1)·lr_decay)
///     g ← g + λθ
///     s ← s + g²                      (s starts at initial_accumulator_value)
///     θ ← θ − η̃ g / (√s + ε)
public final class Adagrad: ParameterwiseOptimizer {
    /// The decay of the learning rate with the step count.
    public var learningRateDecay: Double
    /// The starting value of the squared-gradient sum.
    public let initialAccumulatorValue: Double
    /// The term ε added to the denominator.
    public var epsilon: Double
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool

    /// Adagrad with PyTorch's defaults: the step shrinks as `lr / (1 + (t − 1)·learningRateDecay)`,
    /// the accumulator starts at `initialAccumulatorValue`, `epsilon` joins the denominator, and
    /// `weightDecay` is L2.
    public init(groups: [ParameterGroup] = [], learningRate: Double = 1e-2, learningRateDecay: Double = 0,
                weightDecay: Double = 0, initialAccumulatorValue: Double = 0, epsilon: Double = 1e-10,
                maximize: Bool = false) {
        precondition(learningRateDecay >= 0 && initialAccumulatorValue >= 0,
                     "Adagrad: learningRateDecay \(learningRateDecay) and initialAccumulatorValue \(initialAccumulatorValue) must not be negative")
        self.learningRateDecay = learningRateDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        self.maximize = maximize
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        ["sum": StateBufferLayout(shape: shape, initialValue: Float(initialAccumulatorValue))]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let decayed = learningRate / (1 + Double(state.step - 1) * learningRateDecay)
        let p = kiln_adagrad_params(clr: Float(decayed), eps: Float(epsilon), weight_decay: Float(weightDecay),
                                    maximize: maximize ? 1 : 0)
        let sum = state["sum"]
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            forEachChunk(count) { s, n in kiln_adagrad_f32(theta + s, grad + s, sum + s, n, p) }
        }
    }
}
