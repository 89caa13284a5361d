import Foundation

/// Polynomial decay from `peak` to `floor` over `steps` steps (PyTorch's `PolynomialLR` when
/// `floor` is 0): `floor + (peak − floor) · (1 − step / steps)^power`, then `floor`.
public struct PolynomialDecay: Schedule {
    /// The value at step 0.
    public let peak: Double
    /// The value from `steps` on.
    public let floor: Double
    /// The step at which the value reaches `floor`.
    public let steps: Int
    /// The exponent of the decay; 1 is linear.
    public let power: Double

    /// Decays from `peak` to `floor` over `steps` steps with exponent `power`.
    public init(peak: Double, floor: Double = 0, steps: Int, power: Double = 1) {
        precondition(steps > 0, "PolynomialDecay: steps \(steps) must be positive")
        precondition(power > 0, "PolynomialDecay: power \(power) must be positive")
        self.peak = peak
        self.floor = floor
        self.steps = steps
        self.power = power
    }

    public func value(at step: Int) -> Double {
        let remaining = 1 - phaseFraction(step, start: 0, length: steps)
        return floor + (peak - floor) * pow(remaining, power)
    }
}

/// Linear decay to zero, the worst-case optimal schedule of Defazio et al. (2023):
/// `peak · (1 − step / steps)`, exactly 0 from `steps` on.
public struct LinearDecay: Schedule {
    /// The value at step 0.
    public let peak: Double
    /// The step at which the value reaches exactly 0.
    public let steps: Int

    /// Decays linearly from `peak` at step 0 to 0 at `steps`.
    public init(peak: Double, steps: Int) {
        precondition(steps > 0, "LinearDecay: steps \(steps) must be positive")
        self.peak = peak
        self.steps = steps
    }

    public func value(at step: Int) -> Double {
        step >= steps ? 0 : peak * Double(steps - step) / Double(steps)
    }
}
