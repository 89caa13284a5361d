import KilnOptimizers

/// A hyper-parameter other than the learning rate that follows a schedule: weight decay, label
/// smoothing, a loss coefficient, a dropout rate.
///
/// Before each step the ``Trainer`` sets it to the schedule's value at that step through
/// `apply`, and each step record logs the value under `name`:
///
/// ```swift
/// trainer.annealed = [AnnealedSetting("weight_decay", try ScheduleSpec.parse("cosine:peak=0.05,steps=4690")) {
///     optimizer.weightDecay = $0
/// }]
/// ```
public struct AnnealedSetting {
    /// The key of the value in step records.
    public let name: String
    /// The value at each step.
    public let schedule: AnySchedule
    /// Sets the hyper-parameter to a value.
    public let apply: (Double) -> Void

    /// A setting logged as `name` whose value at step `t` is `schedule(t)`, set through `apply`.
    public init(_ name: String, _ schedule: AnySchedule, apply: @escaping (Double) -> Void) {
        self.name = name
        self.schedule = schedule
        self.apply = apply
    }
}
