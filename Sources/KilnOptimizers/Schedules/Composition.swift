/// A linear warm-up in front of another schedule.
///
/// For `step < steps` the value ramps linearly from `startFactor · base(0)` towards `base(0)`:
/// `base(0) · (startFactor + (1 − startFactor) · step / steps)`. From `step == steps` on, the base
/// schedule runs from its own step 0: the value is `base(step − steps)`, so a decay given
/// `T` steps ends `steps + T` steps into the run.
///
/// This is PyTorch's `SequentialLR([LinearLR(start_factor:, total_iters: steps), base],
/// milestones: [steps])`; on a constant base it is `LinearLR` alone. The default `startFactor`
/// of 0 starts the ramp at 0, which `LinearLR` does not allow.
public struct Warmup<Base: Schedule>: Schedule {
    /// The schedule that runs after the warm-up.
    public let base: Base
    /// Length of the ramp in steps.
    public let steps: Int
    /// Fraction of `base(0)` the ramp starts from.
    public let startFactor: Double

    /// A ramp over `steps` steps from `startFactor · base(0)`, then `base` shifted by `steps`.
    public init(_ base: Base, steps: Int, startFactor: Double = 0) {
        precondition(steps >= 0, "Warmup: steps \(steps) is negative")
        precondition(startFactor >= 0 && startFactor <= 1, "Warmup: startFactor \(startFactor) is outside [0, 1]")
        self.base = base
        self.steps = steps
        self.startFactor = startFactor
    }

    public func value(at step: Int) -> Double {
        if step >= steps { return base.value(at: step - steps) }
        return base.value(at: 0) * linearRamp(step, steps: steps, startFactor: startFactor)
    }
}

/// The factor of a linear warm-up at `step`: from `startFactor` at step 0 towards 1 at `steps`.
@inline(__always)
func linearRamp(_ step: Int, steps: Int, startFactor: Double) -> Double {
    startFactor + (1 - startFactor) * Double(step) / Double(steps)
}

/// One schedule until a boundary step, another after it (PyTorch's `SequentialLR` with one milestone).
///
/// The value is `first(step)` for `step < boundary` and `second(step − boundary)` after: the
/// second schedule starts from its own step 0 at the boundary.
public struct Chained<First: Schedule, Second: Schedule>: Schedule {
    /// The schedule before the boundary.
    public let first: First
    /// The schedule from the boundary on, restarted at its step 0.
    public let second: Second
    /// The first step that takes its value from `second`.
    public let boundary: Int

    /// `first` for steps before `boundary`, then `second` from its step 0.
    public init(_ first: First, _ second: Second, boundary: Int) {
        precondition(boundary >= 0, "Chained: boundary \(boundary) is negative")
        self.first = first
        self.second = second
        self.boundary = boundary
    }

    public func value(at step: Int) -> Double {
        step < boundary ? first.value(at: step) : second.value(at: step - boundary)
    }
}

/// Another schedule's values multiplied by a constant factor.
public struct Scaled<Base: Schedule>: Schedule {
    /// The schedule being scaled.
    public let base: Base
    /// The factor applied to every value.
    public let factor: Double

    /// `factor · base(step)`.
    public init(_ base: Base, by factor: Double) {
        self.base = base
        self.factor = factor
    }

    public func value(at step: Int) -> Double { factor * base.value(at: step) }
}

extension Schedule {
    /// This schedule behind a linear warm-up of `steps` steps starting at `startFactor` times its
    /// first value; see ``Warmup`` for the exact semantics.
    public func withWarmup(steps: Int, startFactor: Double = 0) -> Warmup<Self> {
        Warmup(self, steps: steps, startFactor: startFactor)
    }

    /// This schedule until `boundary`, then `next` from its own step 0.
    public func followed<Next: Schedule>(by next: Next, at boundary: Int) -> Chained<Self, Next> {
        Chained(self, next, boundary: boundary)
    }

    /// This schedule with every value multiplied by `factor`.
    public func scaled(by factor: Double) -> Scaled<Self> {
        Scaled(self, by: factor)
    }
}
