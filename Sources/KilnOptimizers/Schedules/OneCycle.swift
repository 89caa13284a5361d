import Foundation

/// The one-cycle policy (Smith & Topin 2019), as PyTorch's `OneCycleLR`.
///
/// Two phases: the value rises from `initial` to `peak` over the first `pctStart · steps − 1`
/// steps, then falls to `final` at step `steps − 1`. Three phases (`threePhase`, as PyTorch's
/// `three_phase=True`): it rises as before, falls back to `initial` at `2 · pctStart · steps − 2`,
/// then annihilates to `final` at `steps − 1`. Each phase follows ``Annealing``; the value stays
/// at `final` after the last step. Annealing a momentum instead, pass a `peak` below `initial`
/// and `final` (PyTorch cycles momentum from 0.95 down to 0.85 and back).
public struct OneCycle: Schedule {
    /// The curve of each phase from its start value to its end value.
    public enum Annealing: String, Sendable, CaseIterable {
        /// Half a cosine (PyTorch's `"cos"`).
        case cosine = "cos"
        /// A straight line (PyTorch's `"linear"`).
        case linear

        /// The value a fraction `pct` of the way from `start` to `end`, rounded as PyTorch computes it.
        func interpolate(from start: Double, to end: Double, _ pct: Double) -> Double {
            switch self {
            case .cosine: return end + (start - end) / 2 * (cos(Double.pi * pct) + 1)
            case .linear: return (end - start) * pct + start
            }
        }
    }

    /// The value at step 0.
    public let initial: Double
    /// The value at the end of the rise.
    public let peak: Double
    /// The value at the last step, `steps − 1`.
    public let final: Double
    /// The number of steps in the cycle.
    public let steps: Int
    /// The fraction of the cycle spent rising.
    public let pctStart: Double
    /// The curve of each phase.
    public let annealing: Annealing
    /// Whether the value falls back to `initial` before annihilating to `final`.
    public let threePhase: Bool

    /// A cycle of `steps` steps from `initial` up to `peak` and down to `final`.
    public init(initial: Double, peak: Double, final: Double, steps: Int, pctStart: Double = 0.3,
                annealing: Annealing = .cosine, threePhase: Bool = false) {
        precondition(steps > 1, "OneCycle: steps \(steps) must be at least 2")
        precondition(pctStart * Double(steps) - 1 > 0 && pctStart < 1,
                     "OneCycle: pctStart \(pctStart) leaves no steps in one phase of \(steps)")
        precondition(!threePhase || 2 * pctStart * Double(steps) - 2 < Double(steps - 1),
                     "OneCycle: pctStart \(pctStart) leaves no steps for the third phase of \(steps)")
        self.initial = initial
        self.peak = peak
        self.final = final
        self.steps = steps
        self.pctStart = pctStart
        self.annealing = annealing
        self.threePhase = threePhase
    }

    /// PyTorch's parametrisation: from `maxValue / divFactor` up to `maxValue`, then down to
    /// `maxValue / (divFactor · finalDivFactor)`.
    public init(maxValue: Double, steps: Int, pctStart: Double = 0.3, divFactor: Double = 25,
                finalDivFactor: Double = 1e4, annealing: Annealing = .cosine, threePhase: Bool = false) {
        precondition(divFactor > 0 && finalDivFactor > 0,
                     "OneCycle: divFactor \(divFactor) and finalDivFactor \(finalDivFactor) must be positive")
        let initial = maxValue / divFactor
        self.init(initial: initial, peak: maxValue, final: initial / finalDivFactor, steps: steps, pctStart: pctStart,
                  annealing: annealing, threePhase: threePhase)
    }

    public func value(at step: Int) -> Double {
        let t = Double(min(step, steps - 1))
        let riseEnd = pctStart * Double(steps) - 1
        let last = Double(steps - 1)
        if t <= riseEnd { return annealing.interpolate(from: initial, to: peak, t / riseEnd) }
        guard threePhase else { return annealing.interpolate(from: peak, to: final, (t - riseEnd) / (last - riseEnd)) }
        let fallEnd = 2 * pctStart * Double(steps) - 2
        if t <= fallEnd { return annealing.interpolate(from: peak, to: initial, (t - riseEnd) / (fallEnd - riseEnd)) }
        return annealing.interpolate(from: initial, to: final, (t - fallEnd) / (last - fallEnd))
    }
}
