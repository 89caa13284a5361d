/// The sums a ``Trainer`` carries between log records: loss and gradient norm of the steps since
/// the last step record, and loss and correct predictions of the epoch under way. A checkpoint stores them, so a run resumed
/// in the middle of an interval or an epoch writes the same records as one never stopped.
///
/// The epoch's loss is a mean over batches weighted by ``Batch/weight``: their examples, or the
/// targets their masks count.
public struct RunningLosses: Equatable, Sendable {
    /// The summed loss of the updating steps since the last step record, and their count.
    public var unloggedLoss = 0.0, unloggedSteps = 0
    /// The summed global gradient norm of the updating steps since the last step record.
    public var unloggedGradientNorm = 0.0
    /// The summed loss × batch weight of the epoch under way, and its sample count.
    public var epochLossSum = 0.0, epochSamples = 0
    /// The summed batch weight of the epoch under way (its sample count for batches without a mask).
    public var epochLossWeight = 0.0
    /// The predictions of the epoch under way whose largest score was their label, and how many
    /// were checked (classifiers only, and only while the progress display shows accuracy).
    public var epochCorrect = 0, epochPredictions = 0
    /// Steps skipped so far because their loss or gradient norm was not finite.
    public var skippedSteps = 0

    /// Sums with nothing counted yet.
    public init() {}

    /// The mean training loss of the epoch so far (NaN before any sample, or when every step was skipped).
    public var epochLoss: Double { epochLossWeight == 0 ? .nan : epochLossSum / epochLossWeight }

    /// The training accuracy of the epoch so far (NaN before any prediction was checked).
    public var epochAccuracy: Double { epochPredictions == 0 ? .nan : Double(epochCorrect) / Double(epochPredictions) }

    /// Counts a batch of `samples` examples and `weight` (``Batch/weight``) with its `loss`, and
    /// the `predictions` checked on it (correct ones and all), if any.
    mutating func addBatch(loss: Double, weight: Double, samples: Int, predictions: (correct: Int, total: Int)?) {
        epochLossSum += loss * weight
        epochLossWeight += weight
        epochSamples += samples
        epochCorrect += predictions?.correct ?? 0
        epochPredictions += predictions?.total ?? 0
    }

    /// Counts an optimizer step with its mean `loss` and the global norm of its gradient.
    mutating func addStep(loss: Double, gradientNorm: Double) {
        unloggedLoss += loss
        unloggedGradientNorm += gradientNorm
        unloggedSteps += 1
    }

    /// The mean loss and gradient norm of the steps since the last record; starts a new interval.
    mutating func takeUnlogged() -> (loss: Double, gradientNorm: Double) {
        defer { unloggedLoss = 0; unloggedGradientNorm = 0; unloggedSteps = 0 }
        return (unloggedLoss / Double(unloggedSteps), unloggedGradientNorm / Double(unloggedSteps))
    }

    mutating func startEpoch() {
        epochLossSum = 0
        epochLossWeight = 0
        epochSamples = 0
        epochCorrect = 0
        epochPredictions = 0
    }

    /// The sums as checkpoint metadata entries (Doubles in their shortest exact form).
    var metadata: [String: String] {
        ["losses.unlogged_loss": "\(unloggedLoss)", "losses.unlogged_steps": "\(unloggedSteps)",
         "losses.unlogged_gradient_norm": "\(unloggedGradientNorm)",
         "losses.epoch_loss_sum": "\(epochLossSum)", "losses.epoch_samples": "\(epochSamples)",
         "losses.epoch_loss_weight": "\(epochLossWeight)", "losses.epoch_correct": "\(epochCorrect)",
         "losses.epoch_predictions": "\(epochPredictions)", "losses.skipped_steps": "\(skippedSteps)"]
    }

    /// The sums from checkpoint metadata; a checkpoint written before they were stored holds none
    /// (zeros), and one written before batches had weights counts its samples as weights and predictions.
    init(metadata: [String: String], path: String) throws(TensorFileError) {
        func count(_ key: String, absent: Int = 0) throws(TensorFileError) -> Int {
            guard let text = metadata[key] else { return absent }
            guard let v = Int(text), v >= 0 else { throw TensorFileError(path: path, reason: "metadata '\(key)' is not a count") }
            return v
        }
        func sum(_ key: String, absent: Double = 0) throws(TensorFileError) -> Double {
            guard let text = metadata[key] else { return absent }
            guard let v = Double(wholeText: text), v.isFinite else { throw TensorFileError(path: path, reason: "metadata '\(key)' is not a finite number") }
            return v
        }
        unloggedLoss = try sum("losses.unlogged_loss")
        unloggedSteps = try count("losses.unlogged_steps")
        unloggedGradientNorm = try sum("losses.unlogged_gradient_norm")
        epochLossSum = try sum("losses.epoch_loss_sum")
        epochSamples = try count("losses.epoch_samples")
        epochLossWeight = try sum("losses.epoch_loss_weight", absent: Double(epochSamples))
        epochCorrect = try count("losses.epoch_correct")
        epochPredictions = try count("losses.epoch_predictions", absent: epochSamples)
        skippedSteps = try count("losses.skipped_steps")
    }
}
