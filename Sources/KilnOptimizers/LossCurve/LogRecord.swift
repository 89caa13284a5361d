/// One line of a training run's JSON Lines log: what was measured, when.
///
/// Kiln's trainer writes `{"kind":"step","step":120,"epoch":1,"loss":3.21,"lr":0.001,…}` for
/// training steps and `"kind":"epoch"` (or `"skipped"`) for its other records; ``RunLog`` reads
/// such lines, and logs of other tools that write `{"step":…,"lr":…,"loss":…}`.
public struct LogRecord: Sendable, Equatable {
    /// What the record describes: `step`, `epoch`, `skipped`, …
    public var kind: String
    /// The global optimizer step the record belongs to.
    public var step: Int
    /// The epoch (1-based) the record belongs to; 0 when the line names none.
    public var epoch: Int
    /// Named figures: loss, lr, accuracy, seconds, …
    public var values: [String: Double]

    /// A record of `kind` (`step`, `epoch`, `skipped`, …) at `step` in `epoch`, holding `values`.
    public init(kind: String, step: Int, epoch: Int, values: [String: Double]) {
        self.kind = kind
        self.step = step
        self.epoch = epoch
        self.values = values
    }

    /// The keys of a line that place a record rather than measure something.
    static let placeKeys: Set<String> = ["kind", "step", "epoch"]
}
