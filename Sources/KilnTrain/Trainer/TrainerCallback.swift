/// Hooks into a ``Trainer``'s loop: after each step, and after each epoch's evaluation (before
/// and after its record is written). An error thrown by a callback ends training with that error.
public protocol TrainerCallback: AnyObject {
    /// Called after every optimizer step with that step's training loss: the weighted mean over its
    /// batches under gradient accumulation, NaN or infinite for a step whose batches were all skipped.
    func trainer(_ trainer: Trainer, didFinishStepWithLoss loss: Double) throws
    /// Called after every epoch's evaluation, before its record is written: figures to add to the
    /// record (a validation loss, say), by key.
    func figures(forEpochOf trainer: Trainer) throws -> [String: Double]
    /// Called after every epoch with its summary record (training loss, test metrics).
    func trainer(_ trainer: Trainer, didFinishEpoch record: LogRecord) throws
}

extension TrainerCallback {
    public func trainer(_ trainer: Trainer, didFinishStepWithLoss loss: Double) throws {}
    public func figures(forEpochOf trainer: Trainer) throws -> [String: Double] { [:] }
    public func trainer(_ trainer: Trainer, didFinishEpoch record: LogRecord) throws {}
}

/// Stops training when a monitored figure has not improved for `patience` epochs.
public final class EarlyStopping: TrainerCallback {
    /// The epoch-record key watched, such as `test_loss` or `test_accuracy`.
    public let monitor: String
    /// Whether larger values are better (accuracy) or smaller (loss).
    public let maximize: Bool
    /// Epochs without improvement tolerated.
    public let patience: Int
    /// The least change that counts as an improvement.
    public let minimumDelta: Double
    public private(set) var best: Double?
    private var epochsWithoutImprovement = 0

    /// Stops after `patience` epochs in which `monitor` (a key of the epoch record) did not improve by
    /// more than `minimumDelta` (rising when `maximize`, else falling).
    public init(monitor: String = "test_loss", maximize: Bool = false, patience: Int = 3, minimumDelta: Double = 0) {
        self.monitor = monitor
        self.maximize = maximize
        self.patience = patience
        self.minimumDelta = minimumDelta
    }

    public func trainer(_ trainer: Trainer, didFinishEpoch record: LogRecord) throws {
        guard let value = record.values[monitor] else { return }
        let improved = best.map { maximize ? value > $0 + minimumDelta : value < $0 - minimumDelta } ?? true
        if improved {
            best = value
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
            if epochsWithoutImprovement >= patience { trainer.shouldStop = true }
        }
    }
}

/// Writes a checkpoint every `everySteps` steps and after every epoch, after syncing the
/// trainer's log to disk (so the log always holds every record the checkpoint has passed).
///
/// A checkpoint holding a NaN or infinite value ends training with a ``DivergenceError``, and a
/// failed write (a full disk) with its error; the previous checkpoint stays as it was.
public final class Checkpointing: TrainerCallback {
    public let path: String
    public let everySteps: Int
    /// Settings stored in each checkpoint (``Checkpoint/settings``).
    public var settings: String?
    /// Adds to each checkpoint what the trainer does not hold (the best weights so far), before it is written.
    public var amend: ((inout Checkpoint) -> Void)?

    /// Checkpoints to `path` every `everySteps` steps (0: only after each epoch), storing `settings`.
    public init(path: String, everySteps: Int = 200, settings: String? = nil) {
        self.path = path
        self.everySteps = everySteps
        self.settings = settings
    }

    public func trainer(_ trainer: Trainer, didFinishStepWithLoss loss: Double) throws {
        if everySteps > 0 && trainer.progress.step % everySteps == 0 { try save(trainer) }
    }

    public func trainer(_ trainer: Trainer, didFinishEpoch record: LogRecord) throws { try save(trainer) }

    func save(_ trainer: Trainer) throws {
        var checkpoint = trainer.checkpoint(settings: settings)
        amend?(&checkpoint)
        if let name = checkpoint.firstNonFiniteTensor {
            // The step after the last one taken is where the run stands (epoch 1-based, as in the log).
            let at = trainer.progress
            throw DivergenceError(step: at.step - 1, epoch: at.batchInEpoch == 0 ? at.epoch : at.epoch + 1, quantity: .tensor(name))
        }
        try trainer.log?.sync()
        try checkpoint.write(to: path)
    }
}
