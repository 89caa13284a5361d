/// What a finished ``TrainingRun`` reports: the final test figures, the log records and the time taken.
public struct RunSummary {
    /// The run folder.
    public let folder: RunFolder
    /// The final test figures (`test_accuracy`, `test_loss`, `test_f1_macro`,
    /// `test_expected_calibration_error`), as the report shows them.
    public let test: [String: Double]
    /// Every record of the run, the epochs before a resume included (`step`, `epoch`, `skipped`).
    public let records: [LogRecord]
    /// The model's parameter count.
    public let parameters: Int
    /// Wall-clock seconds of this process's training (evaluation included, report excluded).
    public let seconds: Double
    /// The epoch (1-based) whose weights the run ended with: the last, or with early stopping
    /// (``TrainSettings/restoreBestWeights``) the one of lowest validation loss.
    public let weightsEpoch: Int

    /// The epoch records, in order.
    public var epochs: [LogRecord] { records.filter { $0.kind == "epoch" } }
}
