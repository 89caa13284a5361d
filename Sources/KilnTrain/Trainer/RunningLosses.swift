/// The sums a ``Trainer`` carries between log records: loss and gradient norm of the steps since
/// the last step record, and loss and correct predictions of the epoch under way. A checkpoint stores them, so a run resumed
/// in the middle of an interval or an epoch writes the same records as one never stopped.
public struct RunningLosses: Equatable, Sendable {
    /// The summed loss of the updating steps since the last step record, and their count.
    public var unloggedLoss = 0.0, unloggedSteps = 0
    /// The summed global gradient norm of the updating steps since the last step record.
    public var unloggedGradientNorm = 0.0
    /// The summed loss × batch size of the epoch under way, and its sample count.
    public var epochLossSum = 0.0, epochSamples = 0
    /// The samples of the epoch under way whose largest output was their label (classifiers only).
    public var epochCorrect = 0
    /// Steps skipped so far because their loss or gradient norm was not finite.
    public var skippedSteps = 0

    /// Sums with nothing counted yet.
    public init() {}

    /// The mean training loss of the epoch so far (NaN before any sample, or when every step was skipped).
    public var epochLoss: Double { epochSamples == 0 ? .nan : epochLossSum / Double(epochSamples) }

    /// The training accuracy of the epoch so far (NaN before any sample).
    public var epochAccuracy: Double { epochSamples == 0 ? .nan : Double(epochCorrect) / Double(epochSamples) }

    mutating func add(loss: Double, gradientNorm: Double, samples: Int, correct: Int) {
        unloggedLoss += loss
        unloggedGradientNorm += gradientNorm
        unloggedSteps += 1
        epochLossSum += loss * Double(samples)
        epochSamples += samples
        epochCorrect += correct
    }

    /// The mean loss and gradient norm of the steps since the last record; starts a new interval.
    mutating func takeUnlogged() -> (loss: Double, gradientNorm: Double) {
        defer { unloggedLoss = 0; unloggedGradientNorm = 0; unloggedSteps = 0 }
        return (unloggedLoss / Double(unloggedSteps), unloggedGradientNorm / Double(unloggedSteps))
    }

    mutating func startEpoch() {
        epochLossSum = 0
        epochSamples = 0
        epochCorrect = 0
    }

    /// The sums as checkpoint metadata entries (Doubles in their shortest exact form).
    var metadata: [String: String] {
        ["losses.unlogged_loss": "\(unloggedLoss)", "losses.unlogged_steps": "\(unloggedSteps)",
         "losses.unlogged_gradient_norm": "\(unloggedGradientNorm)",
         "losses.epoch_loss_sum": "\(epochLossSum)", "losses.epoch_samples": "\(epochSamples)",
         "losses.epoch_correct": "\(epochCorrect)", "losses.skipped_steps": "\(skippedSteps)"]
    }

    /// The sums from checkpoint metadata; a checkpoint written before they were stored holds none (zeros).
    init(metadata: [String: String], path: String) throws(TensorFileError) {
        func count(_ key: String) throws(TensorFileError) -> Int {
            guard let text = metadata[key] else { return 0 }
            guard let v = Int(text), v >= 0 else { throw TensorFileError(path: path, reason: "metadata '\(key)' is not a count") }
            return v
        }
        func sum(_ key: String) throws(TensorFileError) -> Double {
            guard let text = metadata[key] else { return 0 }
            guard let v = Double(wholeText: text), v.isFinite else { throw TensorFileError(path: path, reason: "metadata '\(key)' is not a finite number") }
            return v
        }
        unloggedLoss = try sum("losses.unlogged_loss")
        unloggedSteps = try count("losses.unlogged_steps")
        unloggedGradientNorm = try sum("losses.unlogged_gradient_norm")
        epochLossSum = try sum("losses.epoch_loss_sum")
        epochSamples = try count("losses.epoch_samples")
        epochCorrect = try count("losses.epoch_correct")
        skippedSteps = try count("losses.skipped_steps")
    }
}
