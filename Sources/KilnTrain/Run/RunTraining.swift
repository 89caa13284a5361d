import Foundation
import Kiln
import KilnData
import KilnMetrics

extension TrainingRun {
    /// Trains for the settings' epochs (from where a resumed run stopped), writing the metrics
    /// log and checkpoints, evaluates on the test set after each epoch, and finally writes the
    /// report, all in the run's ``scope``. A run killed at any moment leaves its last checkpoint
    /// readable for ``resume(out:name:changes:)``.
    public func run() throws -> RunSummary {
        try scope.run(trainAndReport)
    }

    private func trainAndReport() throws -> RunSummary {
        if let path = restoredCheckpoint { throw RunError("the run of \(path) was restored for evaluation; start a new run to train") }
        guard checkpointEvery >= 0 else { throw RunError("checkpoint interval must be non-negative, got \(checkpointEvery)") }
        // Every process has checked the run folder before rank 0 creates it.
        try dataParallel?.communicator.barrier()
        let lead = dataParallel?.isLead ?? true
        let base = settings.optimizer.make(learningRate: settings.lr, weightDecay: settings.weightDecay)
        if !settings.parameterGroups.isEmpty { base.groups = try ParameterGroupSettings.groups(settings.parameterGroups, of: model) }
        let optimizer: any Optimizer = settings.orthogonalGradients ? Self.orthogonalized(base) : base
        let loader = DataLoader(data.train, batchSize: settings.batchSize, shuffle: true,
                                generator: RandomGenerator(seed: UInt64(settings.seed) &+ 1),
                                transforms: settings.augment.make(images: data.holdsImages))
        loader.sampler = dataParallel?.sampler
        let testLoader = DataLoader(data.test, batchSize: 1000)
        let stepsPerEpoch = (loader.batchCount + settings.gradientAccumulation - 1) / settings.gradientAccumulation
        let totalSteps = try RunLimits.totalSteps(epochs: settings.epochs, batchesPerEpoch: stepsPerEpoch)

        let smoothing = AnnealedValue(settings.appliedLabelSmoothing)
        let loss = settings.loss, weighting = settings.sampleWeighting.reweighting
        let trainer = Trainer(model: model, optimizer: optimizer,
                              loss: settings.labelSmoothingSchedule == nil ? loss.make(labelSmoothing: settings.appliedLabelSmoothing, weighting: weighting)
                                  : { outputs, targets in loss.make(labelSmoothing: smoothing.value, weighting: weighting)(outputs, targets) })
        if settings.appliedLabelSmoothing > 0 || settings.labelSmoothingSchedule != nil || weighting != nil { trainer.evaluationLoss = loss.make() }
        trainer.schedule = try settings.schedule.make(peak: settings.lr, steps: totalSteps)
        trainer.logEvery = settings.logEvery
        trainer.maxGradientNorm = settings.maxGradNorm
        trainer.accumulationSteps = settings.gradientAccumulation
        trainer.annealed = try annealedSettings(optimizer: base, labelSmoothing: smoothing, steps: totalSteps)
        trainer.metrics = Self.metrics(for: data)
        trainer.onNonFinite = onNonFinite
        trainer.showsProgress = showsProgress && lead
        trainer.dataParallel = dataParallel
        let checkpointing = Checkpointing(path: folder.checkpoint, everySteps: checkpointEvery,
                                          settings: StoredSettings(settings, customModel: isCustomModel, tabular: data.encoding).text)
        trainer.callbacks = lead ? [checkpointing] : []
        var monitor: ValidationMonitor?
        if let validation = data.validation {
            let patience = settings.earlyStoppingPatience
            let callback = ValidationMonitor(validation: validation, loss: settings.loss.make(), metrics: Array(Self.metrics(for: data).prefix(1)),
                                             patience: patience, keepsBest: patience != nil && settings.restoreBestWeights)
            checkpointing.amend = { $0.best = callback.checkpointBest }
            trainer.callbacks.append(callback)
            monitor = callback
        }

        if let (checkpoint, removed) = resumedCheckpoint {
            if !removed.isEmpty { note("removed \(removed.count) temporary file(s) of an interrupted write from \(folder.path)") }
            let resumedLog = try lead ? MetricsLog.resume(folder.log, at: checkpoint.progress) : nil
            try trainer.resume(from: checkpoint, records: resumedLog?.records ?? MetricsLog.records(folder.log, at: checkpoint.progress))
            monitor?.resume(trainer, records: trainer.records, checkpointBest: checkpoint.best)
            trainer.log = resumedLog?.log
            note("resuming \(folder.name) at step \(checkpoint.progress.step) (epoch \(checkpoint.progress.epoch + 1))")
        } else if lead {
            try folder.create()
            trainer.log = try MetricsLog(path: folder.log)
        }

        let modelName = isCustomModel ? "\(type(of: model))" : settings.model.rawValue
        note("training \(modelName) (\(model.parameterCount) parameters) on \(data.description), \(settings.epochs) epochs of "
             + "\(stepsPerEpoch) steps, \(Threads.count) thread\(Threads.count == 1 ? "" : "s")")
        if let balance = data.classBalance { note(balance) }
        let start = Date()
        try trainer.fit(loader, epochs: settings.epochs, evaluatingOn: testLoader)
        let seconds = Date().timeIntervalSince(start)
        if let monitor, let patience = monitor.patience, trainer.shouldStop, trainer.progress.epoch < settings.epochs {
            note("stopped early after epoch \(trainer.progress.epoch): validation loss "
                 + String(format: "%.4f", monitor.lastLoss) + " did not improve for \(patience) epochs")
        }
        let weightsEpoch = try restoreBestWeights(monitor, trainer, checkpointing)

        // Epochs are evaluated plainly; the final figures average mirrored test images when asked.
        if settings.testTimeFlip && data.holdsImages { trainer.predictor = Trainer.averagingMirroredImages(model) }
        let test = finalTestFigures(trainer, testLoader, restored: weightsEpoch != trainer.progress.epoch)
        let outcome: RunReport.Outcome
        if let encoding = data.encoding, encoding.isRegression {
            let predicted = encoding.targetValues(predict()), truth = encoding.targetValues(data.test.targets)
            outcome = .values(zip(truth, predicted).map { (truth: $0, predicted: $1) })
        } else {
            outcome = .classes(RunEvaluation(trainer: trainer, classes: data.classes), data.classNames)
        }
        if lead {
            try RunReport.write(to: folder.report, name: folder.name, model: modelName, settings: settings, records: trainer.records,
                                test: test, outcome: outcome, mirroredTest: trainer.predictor != nil, seconds: seconds,
                                classBalance: data.classBalance, weights: weightsLine(monitor, epoch: weightsEpoch, of: trainer.progress.epoch))
        }
        return RunSummary(folder: folder, test: test, records: trainer.records, parameters: model.parameterCount, seconds: seconds,
                          weightsEpoch: weightsEpoch)
    }

    /// Loads the weights of the best validation epoch into the model, when early stopping kept
    /// them and the run ended later, and writes them to the checkpoint (which keeps the last
    /// epoch's progress and optimizer state). Returns the epoch whose weights the model holds.
    private func restoreBestWeights(_ monitor: ValidationMonitor?, _ trainer: Trainer, _ checkpointing: Checkpointing) throws -> Int {
        let last = trainer.progress.epoch
        guard let best = monitor?.best, let weights = best.weights, best.epoch != last else { return last }
        try model.load(stateDict: weights)
        if dataParallel?.isLead ?? true { try checkpointing.save(trainer) }
        note("restored the weights of epoch \(best.epoch), the lowest validation loss " + String(format: "%.4f", best.loss))
        return best.epoch
    }

    /// Which epoch's weights the run ended with and why, for the report of a run with early stopping (else nil).
    private func weightsLine(_ monitor: ValidationMonitor?, epoch: Int, of last: Int) -> String? {
        guard monitor?.patience != nil else { return nil }
        guard let best = monitor?.best else { return "epoch \(epoch), the last" }
        let loss = String(format: "%.4f", best.loss)
        guard best.epoch == epoch else { return "epoch \(epoch), the last (epoch \(best.epoch) had the lowest validation loss, \(loss))" }
        return epoch == last ? "epoch \(epoch), the last, with the lowest validation loss \(loss)"
            : "epoch \(epoch) of \(last), restored for its lowest validation loss \(loss)"
    }

    /// The test figures of the last epoch record, or a fresh evaluation when the model's weights
    /// are not the last epoch's (`restored`), when the trainer predicts differently from its epochs
    /// (test-time augmentation) or when it ran no epoch.
    private func finalTestFigures<D: Dataset>(_ trainer: Trainer, _ loader: DataLoader<D>, restored: Bool) -> [String: Double] {
        if trainer.predictor == nil, !restored, let last = trainer.records.last(where: { $0.kind == "epoch" }) { return last.values }
        var figures: [String: Double] = [:]
        for (k, v) in trainer.evaluate(loader) { figures["test_" + k] = v }
        return figures
    }
}

/// A value a training loss reads at every step, set by an ``AnnealedSetting``.
final class AnnealedValue {
    var value: Double
    init(_ value: Double) { self.value = value }
}

extension TrainingRun {
    /// The weight decay and label smoothing schedules of the settings, as the trainer applies them.
    func annealedSettings(optimizer: any Optimizer, labelSmoothing: AnnealedValue, steps: Int) throws -> [AnnealedSetting] {
        var annealed: [AnnealedSetting] = []
        if let choice = settings.weightDecaySchedule {
            guard let decaying = optimizer as? ParameterwiseOptimizer else {
                throw RunError("weight_decay_schedule needs an optimizer with a weight decay; \(settings.optimizer.rawValue) has none")
            }
            let schedule = try choice.make(peak: settings.weightDecay, steps: steps)
            try Self.checkRange(schedule, steps: steps, setting: "weight_decay_schedule", valid: 0...Double.greatestFiniteMagnitude)
            annealed.append(AnnealedSetting("weight_decay", schedule) { decaying.weightDecay = $0 })
        }
        if let choice = settings.labelSmoothingSchedule {
            let schedule = try choice.make(peak: settings.appliedLabelSmoothing, steps: steps)
            try Self.checkRange(schedule, steps: steps, setting: "label_smoothing_schedule", valid: 0...0.999_999)
            annealed.append(AnnealedSetting("label_smoothing", schedule) { labelSmoothing.value = $0 })
        }
        return annealed
    }

    /// `optimizer` stepping along orthogonalized gradients (its concrete type opened for ``OrthoGrad``).
    private static func orthogonalized<O: Optimizer>(_ optimizer: O) -> any Optimizer { OrthoGrad(optimizer) }

    /// Fails unless `schedule` stays within `valid` over the run's steps.
    private static func checkRange(_ schedule: AnySchedule, steps: Int, setting: String, valid: ClosedRange<Double>) throws {
        for step in 0..<steps where !valid.contains(schedule(step)) {
            throw RunError("\(setting) gives \(schedule(step)) at step \(step), outside [\(valid.lowerBound), \(valid.upperBound)]")
        }
    }
}
