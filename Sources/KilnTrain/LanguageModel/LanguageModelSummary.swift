/// The wall time of each training step a process ran, as the charlm anchor times them: batch
/// sampling, forward, loss, backward and the optimizer step; validation outside.
struct StepTimes {
    /// Tokens per second of each step, in order, with the step's 1-based number.
    private(set) var tokensPerSecond: [(step: Int, value: Double)] = []

    var count: Int { tokensPerSecond.count }

    /// Records step `step` (1-based), which took `seconds` for `tokensPerStep` tokens.
    mutating func add(step: Int, seconds: Double, tokensPerStep: Double) {
        tokensPerSecond.append((step, tokensPerStep / seconds))
    }

    /// The median tokens per second of the last `steps` steps.
    func recentMedian(_ steps: Int) -> Double { median(tokensPerSecond.suffix(steps).map(\.value)) }
}

/// The median of `values` (the mean of the middle two for an even count), NaN when empty.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted(), middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// What a ``LanguageModelRun`` reports: the charlm anchor's figures and the run's log.
public struct LanguageModelSummary {
    /// The run's folder.
    public let folder: RunFolder
    /// Optimizer steps taken in all, before and after any resume.
    public let steps: Int
    /// Every record of the metrics log.
    public let records: [LogRecord]
    /// The median tokens per second over steps 20 to N (1-based) that this process ran, as the
    /// anchor reports speed; NaN when it ran none of them.
    public let medianTokensPerSecond: Double
    /// Steps whose time makes ``medianTokensPerSecond``.
    public let timedSteps: Int
    /// The model's parameter count.
    public let parameters: Int
    /// Wall time of training in this process, validation included.
    public let seconds: Double

    init(folder: RunFolder, steps: Int, records: [LogRecord], timed: StepTimes, parameters: Int, seconds: Double) {
        self.folder = folder
        self.steps = steps
        self.records = records
        let counted = timed.tokensPerSecond.filter { $0.step >= 20 }.map(\.value)
        medianTokensPerSecond = median(counted)
        timedSteps = counted.count
        self.parameters = parameters
        self.seconds = seconds
    }

    /// The validation losses logged, by the number of steps done.
    public var validationCurve: [(steps: Int, loss: Double)] {
        records.filter { $0.kind == "validation" }.compactMap { r in r.values["val_loss"].map { (r.step + 1, $0) } }
    }

    /// The last validation loss, if any.
    public var validationLoss: Double? { validationCurve.last?.loss }
}
