import Foundation

/// Cosine power annealing (sharpDARTS, Hundt et al. 2019): a cosine whose shape is bent by a
/// power `base`, falling faster than a cosine early and slower late when `base > 1`.
///
/// With `c = (1 + cos(π · step / steps)) / 2` the value is
/// `floor + (peak − floor) · (base^c − 1) / (base − 1)`, and `floor` from `steps` on.
/// As `base → 1` the fraction tends to `c`, so `base == 1` is plain ``CosineAnnealing``; the
/// fraction is computed as `expm1(c · ln base) / expm1(ln base)`, which stays accurate near 1.
public struct CosinePowerAnnealing: Schedule {
    /// The value at step 0.
    public let peak: Double
    /// The value from `steps` on.
    public let floor: Double
    /// The step at which the value reaches `floor`.
    public let steps: Int
    /// The base of the power (the paper's exponent order, e.g. 10); 1 gives a plain cosine.
    public let base: Double

    /// Anneals from `peak` to `floor` over `steps` steps along a cosine bent by `base`.
    public init(peak: Double, floor: Double = 0, steps: Int, base: Double = 10) {
        precondition(steps > 0, "CosinePowerAnnealing: steps \(steps) must be positive")
        precondition(base > 0, "CosinePowerAnnealing: base \(base) must be positive")
        self.peak = peak
        self.floor = floor
        self.steps = steps
        self.base = base
    }

    public func value(at step: Int) -> Double {
        let c = cosineFall(phaseFraction(step, start: 0, length: steps))
        let logBase = log1p(base - 1)
        let fraction = logBase == 0 ? c : expm1(c * logBase) / expm1(logBase)
        return floor + (peak - floor) * fraction
    }
}
