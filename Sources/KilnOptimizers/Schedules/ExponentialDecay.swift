import Foundation

/// Multiplies the value by `gamma` every step (PyTorch's `ExponentialLR`): `initial · gamma^step`.
public struct ExponentialDecay: Schedule {
    /// The value at step 0.
    public let initial: Double
    /// The factor applied at each step.
    public let gamma: Double

    /// Starts at `initial` and multiplies by `gamma` every step.
    public init(initial: Double, gamma: Double) {
        self.initial = initial
        self.gamma = gamma
    }

    public func value(at step: Int) -> Double {
        initial * pow(gamma, Double(step))
    }
}
