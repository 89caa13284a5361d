import Foundation

/// Half a cosine from `peak` down to `floor` over `steps` steps — the closed form of PyTorch's
/// `CosineAnnealingLR`: `floor + (peak − floor) · (1 + cos(π · step / steps)) / 2`.
///
/// From `steps` on the value stays at `floor`; PyTorch's scheduler would climb back up instead.
public struct CosineAnnealing: Schedule {
    /// The value at step 0.
    public let peak: Double
    /// The value from `steps` on.
    public let floor: Double
    /// The step at which the value reaches `floor`.
    public let steps: Int

    /// Anneals from `peak` at step 0 to `floor` at `steps`.
    public init(peak: Double, floor: Double = 0, steps: Int) {
        precondition(steps > 0, "CosineAnnealing: steps \(steps) must be positive")
        self.peak = peak
        self.floor = floor
        self.steps = steps
    }

    public func value(at step: Int) -> Double {
        floor + (peak - floor) * cosineFall(phaseFraction(step, start: 0, length: steps))
    }
}
