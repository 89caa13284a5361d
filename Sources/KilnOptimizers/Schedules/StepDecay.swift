import Foundation

/// Multiplies the value by `gamma` every `stepSize` steps (PyTorch's `StepLR`):
/// `initial · gamma^⌊step / stepSize⌋`.
public struct StepDecay: Schedule {
    /// The value at step 0.
    public let initial: Double
    /// Steps between two decays.
    public let stepSize: Int
    /// The factor applied at each decay.
    public let gamma: Double

    /// Starts at `initial` and multiplies by `gamma` every `stepSize` steps.
    public init(initial: Double, stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepDecay: stepSize \(stepSize) must be positive")
        self.initial = initial
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func value(at step: Int) -> Double {
        initial * pow(gamma, Double(step / stepSize))
    }
}

/// Multiplies the value by `gamma` at each milestone step (PyTorch's `MultiStepLR`):
/// `initial · gamma^(number of milestones ≤ step)`. A milestone listed twice decays twice.
public struct MultiStepDecay: Schedule {
    /// The value at step 0.
    public let initial: Double
    /// The steps at which the value is multiplied by `gamma`, sorted.
    public let milestones: [Int]
    /// The factor applied at each milestone.
    public let gamma: Double

    /// Starts at `initial` and multiplies by `gamma` at each of `milestones`.
    public init(initial: Double, milestones: [Int], gamma: Double = 0.1) {
        precondition(milestones.allSatisfy { $0 >= 0 }, "MultiStepDecay: milestones \(milestones) must be non-negative")
        self.initial = initial
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    public func value(at step: Int) -> Double {
        let passed = milestones.prefix { $0 <= step }.count
        return initial * pow(gamma, Double(passed))
    }
}
