import Foundation
import Kiln
import KilnData
import KilnMetrics

extension TrainingRun {
    /// Trains for the settings' epochs (from where a resumed run stopped), writing the metrics
    /// log and checkpoints, evaluates on the test set after each epoch, and finally writes the
    /// report. A run killed at any moment leaves its last checkpoint readable for
    /// ``resume(out:name:changes:)``.
    public func run() throws -> RunSummary {
        if let path = restoredCheckpoint { throw RunError("the run of \(path) was restored for evaluation; start a new run to train") }
        guard checkpointEvery >= 0 else { throw RunError("checkpoint interval must be non-negative, got \(checkpointEvery)") }
        let optimizer = settings.optimizer.make(learningRate: settings.lr, weightDecay: settings.weightDecay)
        let loader = DataLoader(data.train, batchSize: settings.batchSize, shuffle: true,
                                generator: RandomGenerator(seed: UInt64(settings.seed) &+ 1),
                                transforms: settings.augment.make(images: data.holdsImages))
        let testLoader = DataLoader(data.test, batchSize: 1000)
        let totalSteps = try RunLimits.totalSteps(epochs: settings.epochs, batchesPerEpoch: loader.batchCount)

        let trainer = Trainer(model: model, optimizer: optimizer, loss: settings.loss.make(labelSmoothing: settings.labelSmoothing))
        if settings.labelSmoothing > 0 { trainer.evaluationLoss = settings.loss.make() }
        trainer.schedule = try settings.schedule.make(peak: settings.lr, steps: totalSteps)
        trainer.metrics = Self.metrics(for: data)
        trainer.onNonFinite = onNonFinite
        trainer.showsProgress = showsProgress
        trainer.callbacks = [Checkpointing(path: folder.checkpoint, everySteps: checkpointEvery,
                                           settings: StoredSettings(settings, customModel: isCustomModel, tabular: data.encoding).text)]
        var stopping: ValidationStopping?
        if let patience = settings.earlyStoppingPatience, let validation = data.validation {
            stopping = ValidationStopping(validation: validation, loss: settings.loss.make(), patience: patience)
            trainer.callbacks.append(stopping!)
        }

        if let (checkpoint, removed) = resumedCheckpoint {
            if !removed.isEmpty { note("removed \(removed.count) temporary file(s) of an interrupted write from \(folder.path)") }
            let (log, earlier) = try MetricsLog.resume(folder.log, at: checkpoint.progress)
            try trainer.resume(from: checkpoint, records: earlier)
            trainer.log = log
            note("resuming \(folder.name) at step \(checkpoint.progress.step) (epoch \(checkpoint.progress.epoch + 1))")
        } else {
            try folder.create()
            trainer.log = try MetricsLog(path: folder.log)
        }

        let modelName = isCustomModel ? "\(type(of: model))" : settings.model.rawValue
        note("training \(modelName) (\(model.parameterCount) parameters) on \(data.description), \(settings.epochs) epochs of "
             + "\(loader.batchCount) steps, \(Threads.count) threads")
        if let balance = data.classBalance { note(balance) }
        let start = Date()
        try trainer.fit(loader, epochs: settings.epochs, evaluatingOn: testLoader)
        let seconds = Date().timeIntervalSince(start)
        if let stopping, trainer.shouldStop, trainer.progress.epoch < settings.epochs {
            note("stopped early after epoch \(trainer.progress.epoch): validation loss "
                 + String(format: "%.4f", stopping.losses.last ?? .nan) + " did not improve for \(stopping.patience) epochs")
        }

        // Epochs are evaluated plainly; the final figures average mirrored test images when asked.
        if settings.testTimeFlip && data.holdsImages { trainer.predictor = Trainer.averagingMirroredImages(model) }
        let test = finalTestFigures(trainer, testLoader)
        let outcome: RunReport.Outcome
        if let encoding = data.encoding, encoding.isRegression {
            let predicted = encoding.targetValues(predict()), truth = encoding.targetValues(data.test.targets)
            outcome = .values(zip(truth, predicted).map { (truth: $0, predicted: $1) })
        } else {
            outcome = .classes(RunEvaluation(trainer: trainer, classes: data.classes), data.classNames)
        }
        try RunReport.write(to: folder.report, name: folder.name, model: modelName, settings: settings, records: trainer.records,
                            test: test, outcome: outcome, mirroredTest: trainer.predictor != nil, seconds: seconds,
                            classBalance: data.classBalance)
        return RunSummary(folder: folder, test: test, records: trainer.records, parameters: model.parameterCount, seconds: seconds)
    }

    /// The test figures of the last epoch record, or a fresh evaluation when the trainer predicts
    /// differently from its epochs (test-time augmentation) or ran no epoch.
    private func finalTestFigures<D: Dataset>(_ trainer: Trainer, _ loader: DataLoader<D>) -> [String: Double] {
        if trainer.predictor == nil, let last = trainer.records.last(where: { $0.kind == "epoch" }) { return last.values }
        var figures: [String: Double] = [:]
        for (k, v) in trainer.evaluate(loader) { figures["test_" + k] = v }
        return figures
    }
}
