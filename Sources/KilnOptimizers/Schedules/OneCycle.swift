import Foundation

/// The one-cycle policy (Smith & Topin 2019) with cosine annealing in two phases, as PyTorch's
/// `OneCycleLR(anneal_strategy: "cos", three_phase: false)`.
///
/// The value rises along a half cosine from `initial` to `peak` over the first
/// `pctStart · steps − 1` steps, then falls along a half cosine to `final` at step `steps − 1`,
/// and stays there. Annealing a momentum instead, pass a `peak` below `initial` and `final`
/// (PyTorch cycles momentum from 0.95 down to 0.85 and back).
public struct OneCycle: Schedule {
    /// The value at step 0.
    public let initial: Double
    /// The value at the end of the first phase.
    public let peak: Double
    /// The value at the last step, `steps − 1`.
    public let final: Double
    /// The number of steps in the cycle.
    public let steps: Int
    /// The fraction of the cycle spent rising.
    public let pctStart: Double

    /// A cycle of `steps` steps from `initial` up to `peak` and down to `final`.
    public init(initial: Double, peak: Double, final: Double, steps: Int, pctStart: Double = 0.3) {
        precondition(steps > 1, "OneCycle: steps \(steps) must be at least 2")
        precondition(pctStart * Double(steps) - 1 > 0 && pctStart < 1,
                     "OneCycle: pctStart \(pctStart) leaves no steps in one phase of \(steps)")
        self.initial = initial
        self.peak = peak
        self.final = final
        self.steps = steps
        self.pctStart = pctStart
    }

    /// PyTorch's parametrisation: from `maxValue / divFactor` up to `maxValue`, then down to
    /// `maxValue / (divFactor · finalDivFactor)`.
    public init(maxValue: Double, steps: Int, pctStart: Double = 0.3, divFactor: Double = 25,
                finalDivFactor: Double = 1e4) {
        precondition(divFactor > 0 && finalDivFactor > 0,
                     "OneCycle: divFactor \(divFactor) and finalDivFactor \(finalDivFactor) must be positive")
        let initial = maxValue / divFactor
        self.init(initial: initial, peak: maxValue, final: initial / finalDivFactor, steps: steps, pctStart: pctStart)
    }

    public func value(at step: Int) -> Double {
        let t = Double(min(step, steps - 1))
        let riseEnd = pctStart * Double(steps) - 1
        let fallEnd = Double(steps - 1)
        if t <= riseEnd {
            return peak + (initial - peak) * cosineFall(t / riseEnd)
        }
        return final + (peak - final) * cosineFall((t - riseEnd) / (fallEnd - riseEnd))
    }
}
