/// The loss sums a ``Trainer`` carries between log records: those of the steps since the last
/// step record, and those of the epoch under way. A checkpoint stores them, so a run resumed
/// in the middle of an interval or an epoch writes the same records as one never stopped.
public struct RunningLosses: Equatable, Sendable {
    /// The summed loss of the updating steps since the last step record, and their count.
    public var unloggedLoss = 0.0, unloggedSteps = 0
    /// The summed loss × batch size of the epoch under way, and its sample count.
    public var epochLossSum = 0.0, epochSamples = 0
    /// Steps skipped so far because their loss or gradient norm was not finite.
    public var skippedSteps = 0

    public init() {}

    /// The mean training loss of the epoch so far (NaN before any sample, or when every step was skipped).
    public var epochLoss: Double { epochSamples == 0 ? .nan : epochLossSum / Double(epochSamples) }

    mutating func add(loss: Double, samples: Int) {
        unloggedLoss += loss
        unloggedSteps += 1
        epochLossSum += loss * Double(samples)
        epochSamples += samples
    }

    /// The mean loss of the steps since the last record; starts a new interval.
    mutating func takeUnloggedLoss() -> Double {
        defer { unloggedLoss = 0; unloggedSteps = 0 }
        return unloggedLoss / Double(unloggedSteps)
    }

    mutating func startEpoch() {
        epochLossSum = 0
        epochSamples = 0
    }

    /// The sums as checkpoint metadata entries (Doubles in their shortest exact form).
    var metadata: [String: String] {
        ["losses.unlogged_loss": "\(unloggedLoss)", "losses.unlogged_steps": "\(unloggedSteps)",
         "losses.epoch_loss_sum": "\(epochLossSum)", "losses.epoch_samples": "\(epochSamples)",
         "losses.skipped_steps": "\(skippedSteps)"]
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
        epochLossSum = try sum("losses.epoch_loss_sum")
        epochSamples = try count("losses.epoch_samples")
        skippedSteps = try count("losses.skipped_steps")
    }
}
