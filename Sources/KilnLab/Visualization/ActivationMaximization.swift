import Kiln
import KilnNN
import KilnOptimizers

/// Activation maximization: gradient ascent on an input `x` to maximize
/// `objective(x) − λ‖x‖² − μ·TV(x)` (``totalVariation(_:)``), keeping `x` in a range after every
/// step (projected ascent), as feature visualization does to see what a unit responds to.
///
/// Every row of a batch of inputs is its own ascent when the objective sums one term per row and
/// the model runs in evaluation mode (the optimizer's steps are elementwise). Freeze the model
/// (``Module/freeze()``) during the ascent, or the backward passes accumulate gradients on its parameters.
///
/// ```swift
/// let ascent = ActivationMaximization(steps: 200, l2: 1e-3, totalVariation: 0.05, range: -0.8...2.0)
/// let image = ascent.maximize(from: start) { x in net(x)[0..<1].slice(axis: 1, 3..<4).sum() }
/// ```
public struct ActivationMaximization {
    /// Optimizer steps.
    public var steps: Int
    /// λ, the weight of the squared L2 norm.
    public var l2: Float
    /// μ, the weight of the total-variation prior.
    public var totalVariationWeight: Float
    /// The range every element is clamped to after each step, or nil for none.
    public var range: ClosedRange<Float>?
    /// Makes the optimizer of one ascent, given the group holding the input.
    public var makeOptimizer: ([ParameterGroup]) -> Optimizer

    /// An ascent of `steps` optimizer steps with weights `l2` (λ) and `totalVariation` (μ), clamping
    /// to `range`, by an optimizer `optimizer` makes (Adam at learning rate 0.005 by default: each step moves a pixel by about that much).
    /// - Precondition: `steps ≥ 0`, `l2 ≥ 0`, `totalVariation ≥ 0`.
    public init(steps: Int, l2: Float, totalVariation: Float = 0, range: ClosedRange<Float>? = nil,
                optimizer: @escaping ([ParameterGroup]) -> Optimizer = { Adam(groups: $0, learningRate: 0.005) }) {
        precondition(steps >= 0 && l2 >= 0 && totalVariation >= 0,
                     "ActivationMaximization: needs steps, l2 and totalVariation ≥ 0, got \(steps), \(l2), \(totalVariation)")
        self.steps = steps
        self.l2 = l2
        totalVariationWeight = totalVariation
        self.range = range
        makeOptimizer = optimizer
    }

    /// The regularized objective `objective(x) − λ‖x‖² − μ·TV(x)` at `x`.
    public func regularized(_ objective: (Tensor) -> Tensor, at x: Tensor) -> Tensor {
        var value = objective(x) - l2 * (x * x).sum()
        if totalVariationWeight > 0 { value = value - totalVariationWeight * totalVariation(x) }
        return value
    }

    /// The input after ``steps`` steps of ascent on ``regularized(_:at:)`` from `start` (clamped to
    /// ``range`` first); `objective` returns a scalar.
    public func maximize(from start: Tensor, _ objective: (Tensor) -> Tensor) -> Tensor {
        let input = Parameter(wrappedValue: start.contiguous())
        let range = self.range
        func project() {
            guard let range else { return }
            input.update { x in for i in x.indices { x[i] = Swift.min(Swift.max(x[i], range.lowerBound), range.upperBound) } }
        }
        project()
        let optimizer = makeOptimizer([ParameterGroup([(name: "input", parameter: input)])])
        for _ in 0..<steps {
            let (_, ascent) = valueAndGradient(at: input.value) { x in regularized(objective, at: x) }
            let descent = -ascent
            optimizer.step { _, _ in descent }
            project()
        }
        return input.value.detached()
    }
}
