import KilnOptimizers
/// A predicted loss curve beside a real run of the same schedule.
///
/// The final loss is the mean of the last `finalRecords` logged losses (each log record is
/// itself a mean over the trainer's logging interval, so per-batch noise averages out), and the
/// prediction is averaged over the same steps.
public struct LossCurveComparison: Sendable, Equatable {
    /// The observations compared: those at or past the warm-up and within the predicted steps.
    public let observed: [LossObservation]
    /// The real run's final loss and the prediction over the same steps.
    public let finalLoss: Double, predictedFinalLoss: Double
    /// The steps the final loss averages.
    public let finalSteps: ClosedRange<Int>
    /// The mean of `|predicted − observed| / observed` over every compared observation.
    public let meanRelativeError: Double

    /// `(predicted − real) / real` of the final loss.
    public var finalRelativeError: Double { (predictedFinalLoss - finalLoss) / finalLoss }

    /// Compares `predicted` (one loss per step from 0) with a real run's `observations`, skipping
    /// those before `warmupSteps`; `nil` when no observation falls within the predicted steps.
    public init?(predicted: [Double], observations: [LossObservation], warmupSteps: Int = 0, finalRecords: Int = 20) {
        precondition(finalRecords > 0, "finalRecords must be positive, got \(finalRecords)")
        observed = observations.filter { $0.step >= warmupSteps && $0.step < predicted.count }
        guard let first = observed.suffix(finalRecords).first, let last = observed.last else { return nil }
        let tail = observed.suffix(finalRecords)
        finalSteps = first.step...last.step
        finalLoss = tail.map(\.loss).reduce(0, +) / Double(tail.count)
        predictedFinalLoss = tail.map { predicted[$0.step] }.reduce(0, +) / Double(tail.count)
        meanRelativeError = observed.map { abs(predicted[$0.step] - $0.loss) / $0.loss }.reduce(0, +) / Double(observed.count)
    }
}
