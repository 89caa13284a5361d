import Foundation

/// Cyclical learning rates (Smith 2017), as PyTorch's `CyclicLR`: the value climbs linearly from
/// `floor` to the cycle's top over `stepsUp` steps, falls back over `stepsDown` steps, and repeats.
///
/// With `L = stepsUp + stepsDown`, cycle `c = ⌊1 + step / L⌋` and `x = 1 + step / L − c`, the
/// value is `floor + (peak − floor) · s · a`, where `s = x / r` while `x ≤ r = stepsUp / L` and
/// `(x − 1) / (r − 1)` after, and the amplitude `a` depends on the ``Mode``.
public struct CyclicSchedule: Schedule {
    /// How the amplitude changes from cycle to cycle.
    public enum Mode: Sendable, Equatable {
        /// The same amplitude every cycle.
        case triangular
        /// The amplitude halves each cycle: `a = 1 / 2^(c − 1)`.
        case triangular2
        /// The amplitude decays every step: `a = gamma^step` (PyTorch's `exp_range`).
        case exponentialRange(gamma: Double)
    }

    /// The bottom of every cycle (PyTorch's `base_lr`).
    public let floor: Double
    /// The top of the first cycle (PyTorch's `max_lr`).
    public let peak: Double
    /// The steps of each rise (`step_size_up`).
    public let stepsUp: Int
    /// The steps of each fall (`step_size_down`).
    public let stepsDown: Int
    /// How the amplitude changes.
    public let mode: Mode

    /// Cycles between `floor` and `peak`, rising over `stepsUp` steps and falling over `stepsDown`.
    public init(floor: Double, peak: Double, stepsUp: Int, stepsDown: Int? = nil, mode: Mode = .triangular) {
        precondition(stepsUp > 0 && (stepsDown ?? 1) > 0, "CyclicSchedule: stepsUp \(stepsUp) and stepsDown \(stepsDown ?? stepsUp) must be positive")
        self.floor = floor
        self.peak = peak
        self.stepsUp = stepsUp
        self.stepsDown = stepsDown ?? stepsUp
        self.mode = mode
    }

    public func value(at step: Int) -> Double {
        let length = Double(stepsUp) + Double(stepsDown)
        let ratio = Double(stepsUp) / length
        let cycle = (1 + Double(step) / length).rounded(.down)
        let x = 1 + Double(step) / length - cycle
        let scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1)
        let height = (peak - floor) * scale
        switch mode {
        case .triangular: return floor + height
        case .triangular2: return floor + height * (1 / pow(2, cycle - 1))
        case .exponentialRange(let gamma): return floor + height * pow(gamma, Double(step))
        }
    }
}
