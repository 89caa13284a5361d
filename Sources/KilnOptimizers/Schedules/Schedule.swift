import Foundation

/// A value that changes with the training step: a learning rate, a weight decay, a temperature,
/// a loss weight — anything annealed over a run.
///
/// Steps are 0-based: `value(at: 0)` is the value used for the first update. Values are `Double`,
/// the type of every optimizer hyper-parameter, so a schedule's value sets one without conversion.
///
/// ```swift
/// let schedule = CosineAnnealing(peak: 1e-3, floor: 1e-5, steps: 4_490).withWarmup(steps: 200)
/// optimizer.learningRate = schedule(step)
/// ```
public protocol Schedule: Sendable {
    /// The value at `step` (0-based, non-negative), in `Double`.
    func value(at step: Int) -> Double
}

extension Schedule {
    /// The value at `step` (0-based).
    public func callAsFunction(_ step: Int) -> Double {
        precondition(step >= 0, "Schedule: step \(step) is negative")
        return value(at: step)
    }

    /// The values at steps `0..<count`, in `Double`.
    public func values(count: Int) -> [Double] {
        precondition(count >= 0, "Schedule.values: count \(count) is negative")
        return (0..<count).map { value(at: $0) }
    }
}

/// A schedule whose concrete type is hidden, as built by ``ScheduleSpec/parse(_:)``.
public struct AnySchedule: Schedule {
    /// The wrapped schedule.
    public let base: any Schedule

    /// Wraps `base`.
    public init(_ base: any Schedule) {
        if let erased = base as? AnySchedule {
            self.base = erased.base
        } else {
            self.base = base
        }
    }

    public func value(at step: Int) -> Double { base.value(at: step) }
}

/// The position of `step` inside a phase of `length` steps that starts at `start`, as a fraction
/// in [0, 1] (0 before the phase, 1 at its end and after).
@inline(__always)
func phaseFraction(_ step: Int, start: Int, length: Int) -> Double {
    if step <= start { return 0 }
    if step >= start + length { return 1 }
    return Double(step - start) / Double(length)
}

/// Half a cosine from 1 (at `fraction` 0) down to 0 (at `fraction` 1).
@inline(__always)
func cosineFall(_ fraction: Double) -> Double {
    (1 + cos(Double.pi * fraction)) / 2
}
