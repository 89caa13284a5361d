import Kiln
import KilnData
import KilnMetrics
import KilnOptimizers

/// The held-out validation examples of a run, watched after each epoch: it evaluates the model
/// on them and adds the figures to the epoch record (`val_loss`, and the task's main metric:
/// `val_accuracy`, or `val_mae` in the targets' units). With a `patience`, it stops training
/// early, once the loss has not fallen below its lowest value for `patience` epochs.
///
/// When `keepsBest`, it also keeps a copy of the weights of the epoch with the lowest validation
/// loss (``best``), for the run to end with: Keras' `EarlyStopping(restore_best_weights=True)`,
/// except that a run that trains all its epochs also ends with them. Ties keep the earlier epoch.
final class ValidationMonitor: TrainerCallback {
    let validation: DataLoader<TensorDataset>
    /// The loss of the validation examples (the training loss without label smoothing).
    let loss: (Tensor, Tensor) -> Tensor
    /// The figures reported besides the loss, fresh copies each epoch.
    let metrics: [any Metric]
    /// Epochs without a lower validation loss after which training stops; nil never stops.
    let patience: Int?
    /// Whether the weights of the best epoch are kept.
    let keepsBest: Bool
    /// The validation loss of the last epoch.
    private(set) var lastLoss = Double.nan
    /// Epochs since the best one (or since the first, before any finite loss).
    private(set) var epochsWithoutImprovement = 0
    /// The epoch (1-based) with the lowest validation loss so far, its loss, and its weights when ``keepsBest``.
    private(set) var best: (epoch: Int, loss: Double, weights: [String: Tensor]?)?

    init(validation: TensorDataset, loss: @escaping (Tensor, Tensor) -> Tensor, metrics: [any Metric], patience: Int?, keepsBest: Bool) {
        self.validation = DataLoader(validation, batchSize: 1000)
        self.loss = loss
        self.metrics = metrics
        self.patience = patience
        self.keepsBest = keepsBest
    }

    func figures(forEpochOf trainer: Trainer) throws -> [String: Double] {
        let evaluator = Trainer(model: trainer.model, optimizer: SGD(learningRate: 0), loss: loss)
        evaluator.metrics = metrics
        var figures: [String: Double] = [:]
        for (k, v) in evaluator.evaluate(validation) { figures["val_" + k] = v }
        observe(figures["val_loss"] ?? .nan, epoch: trainer.progress.epoch, model: trainer.model)
        if hasRunOutOfPatience { trainer.shouldStop = true }
        return figures
    }

    /// Counts the validation loss of `epoch`, keeping `model`'s weights when it is the lowest yet.
    private func observe(_ value: Double, epoch: Int, model: Module?) {
        lastLoss = value
        if value < best?.loss ?? .infinity {
            best = (epoch, value, keepsBest ? model?.stateDict() : nil)
            epochsWithoutImprovement = 0
        } else {
            epochsWithoutImprovement += 1
        }
    }

    /// Continues from a run's earlier epoch `records` (those with a `val_loss`) and the best weights its
    /// checkpoint kept (`checkpointBest`), so that the count and the best epoch go on as without
    /// the interruption. Sets `trainer.shouldStop` when the run had already run out of patience
    /// at an epoch's end.
    func resume(_ trainer: Trainer, records: [LogRecord], checkpointBest: (epoch: Int, model: [String: Tensor])?) {
        for record in records where record.kind == "epoch" {
            if let value = record.values["val_loss"] { observe(value, epoch: record.epoch, model: nil) }
        }
        if let kept = checkpointBest, kept.epoch == best?.epoch { best?.weights = kept.model }
        if hasRunOutOfPatience && trainer.progress.batchInEpoch == 0 { trainer.shouldStop = true }
    }

    /// Whether training should stop: the loss has not fallen for `patience` epochs.
    var hasRunOutOfPatience: Bool { patience.map { epochsWithoutImprovement >= $0 } ?? false }

    /// What a checkpoint keeps of this callback: the best epoch and its weights.
    var checkpointBest: (epoch: Int, model: [String: Tensor])? {
        guard let best, let weights = best.weights else { return nil }
        return (best.epoch, weights)
    }
}
