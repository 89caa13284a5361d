import Foundation

/// Warm-up, stable, decay (WSD): a linear ramp to `peak`, a long constant phase at `peak`, and a
/// decay to `floor` over the last `decayFraction` of the `steps` steps.
///
/// With `D = round(decayFraction · steps)` decay steps starting at `S = steps − D`:
/// the value ramps as in ``Warmup`` for `step < warmup`, is exactly `peak` for
/// `warmup ≤ step < S`, follows `floor + (peak − floor) · shape(u)` with `u = (step − S) / D`,
/// and is `floor` from `steps` on.
public struct WarmupStableDecay: Schedule {
    /// The shape of the final decay, as a function of its progress `u` from 0 to 1.
    public enum DecayShape: String, Sendable, CaseIterable {
        /// `1 − u`.
        case linear
        /// `(1 + cos(π u)) / 2`.
        case cosine
        /// `1 − √u`, the shape Hägele et al. (2024) found best for cool-downs.
        case sqrt = "1-sqrt"

        func fraction(_ u: Double) -> Double {
            switch self {
            case .linear: return 1 - u
            case .cosine: return cosineFall(u)
            case .sqrt: return 1 - u.squareRoot()
            }
        }
    }

    /// The value of the stable phase.
    public let peak: Double
    /// The value from `steps` on.
    public let floor: Double
    /// The step at which the decay reaches `floor`.
    public let steps: Int
    /// Length of the warm-up ramp in steps.
    public let warmup: Int
    /// Fraction of `peak` the warm-up starts from.
    public let warmupStartFactor: Double
    /// The number of decay steps at the end.
    public let decaySteps: Int
    /// The shape of the decay.
    public let shape: DecayShape

    /// Warms up over `warmup` steps, holds `peak`, and decays to `floor` over the last
    /// `decayFraction` of `steps`.
    public init(peak: Double, floor: Double = 0, steps: Int, warmup: Int = 0, warmupStartFactor: Double = 0,
                decayFraction: Double = 0.2, shape: DecayShape = .linear) {
        let decaySteps = Int((decayFraction * Double(steps)).rounded())
        precondition(steps > 0, "WarmupStableDecay: steps \(steps) must be positive")
        precondition(decayFraction > 0 && decayFraction <= 1 && decaySteps > 0,
                     "WarmupStableDecay: decayFraction \(decayFraction) gives no decay steps out of \(steps)")
        precondition(warmup >= 0 && warmup <= steps - decaySteps,
                     "WarmupStableDecay: warmup \(warmup) overlaps the decay starting at step \(steps - decaySteps)")
        precondition(warmupStartFactor >= 0 && warmupStartFactor <= 1,
                     "WarmupStableDecay: warmupStartFactor \(warmupStartFactor) is outside [0, 1]")
        self.peak = peak
        self.floor = floor
        self.steps = steps
        self.warmup = warmup
        self.warmupStartFactor = warmupStartFactor
        self.decaySteps = decaySteps
        self.shape = shape
    }

    /// The first step of the decay.
    public var decayStart: Int { steps - decaySteps }

    public func value(at step: Int) -> Double {
        if step < warmup { return peak * linearRamp(step, steps: warmup, startFactor: warmupStartFactor) }
        if step < decayStart { return peak }
        if step >= steps { return floor }
        let u = phaseFraction(step, start: decayStart, length: decaySteps)
        return floor + (peak - floor) * shape.fraction(u)
    }
}
