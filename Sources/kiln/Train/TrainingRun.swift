import ArgumentParser
import Foundation
import KilnMetrics
import KilnTrain

/// One `kiln train` run: data, model, optimizer and schedule from settings; training with
/// progress, log and checkpoints; the test evaluation and the report.
struct TrainingRun {
    let settings: TrainSettings
    let folder: RunFolder
    /// The checkpoint to continue from, when resuming.
    let resumeFrom: Checkpoint?
    let json: Bool
    /// Steps between checkpoints (0: only after each epoch).
    let checkpointEvery: Int
    let onNonFinite: NonFiniteAction

    /// Trains and returns the final summary (test metrics, paths, time).
    func run() throws -> [String: Any] {
        if let threads = settings.threads {
            try RunLimits.check(threads: threads)
            Threads.count = threads
        }
        if resumeFrom == nil { try folder.checkAbsent() }
        Random.seed(UInt64(settings.seed))
        let data = try RunData.load(settings)
        try DataFit.check(settings, inputShape: data.inputShape, classes: data.classes, train: data.train, test: data.test, source: data.source)
        let name = folder.name

        let model = RunModels.make(settings, data: data)
        let optimizer = RunOptimizers.make(settings.optimizer, learningRate: settings.lr, weightDecay: settings.weightDecay)
        let loader = DataLoader(data.train, batchSize: settings.batchSize, shuffle: true,
                                generator: RandomGenerator(seed: UInt64(settings.seed) &+ 1),
                                transforms: RunData.augmentations(settings.augment, images: data.inputShape.count == 3))
        let testLoader = DataLoader(data.test, batchSize: 1000)
        let totalSteps = try RunLimits.totalSteps(epochs: settings.epochs, batchesPerEpoch: loader.batchCount)

        let smoothing = Float(settings.labelSmoothing)
        let trainer = Trainer(model: model, optimizer: optimizer) { crossEntropy(logits: $0, labels: $1, labelSmoothing: smoothing) }
        if smoothing > 0 { trainer.evaluationLoss = { crossEntropy(logits: $0, labels: $1) } }
        trainer.schedule = try RunSchedules.make(settings.schedule, peak: settings.lr, steps: totalSteps)
        trainer.metrics = RunMetrics.make(classes: data.classes)
        trainer.onNonFinite = onNonFinite
        trainer.callbacks = [Checkpointing(path: folder.checkpoint, everySteps: checkpointEvery, settings: settings.stored)]

        if let checkpoint = resumeFrom {
            do {
                try model.load(stateDict: checkpoint.model)
            } catch {
                throw CommandError("\(folder.checkpoint) does not fit the model built for \(data.source): \(error)")
            }
            let (log, earlier) = try MetricsLog.resume(folder.log, at: checkpoint.progress)
            try trainer.resume(from: checkpoint, records: earlier)
            trainer.log = log
            FileHandle.standardError.write(Data("resuming \(name) at step \(checkpoint.progress.step) (epoch \(checkpoint.progress.epoch + 1))\n".utf8))
        } else {
            try folder.create()
            trainer.log = try MetricsLog(path: folder.log)
        }

        FileHandle.standardError.write(Data("training \(settings.model) (\(model.parameterCount) parameters) on \(data.description), \(settings.epochs) epochs of \(loader.batchCount) steps, \(Threads.count) threads\n".utf8))
        let start = Date()
        try trainer.fit(loader, epochs: settings.epochs, evaluatingOn: testLoader)
        let seconds = Date().timeIntervalSince(start)

        // Epochs are evaluated plainly; the final figures average mirrored test images when asked.
        if settings.testTimeFlip && data.inputShape.count == 3 { trainer.predictor = Trainer.averagingMirroredImages(model) }
        let test = finalTestFigures(trainer, testLoader)
        let evaluation = RunEvaluation(trainer: trainer, classes: data.classes)
        try RunReport.write(to: folder.report, name: name, settings: settings, records: trainer.records,
                            test: test, evaluation: evaluation, classNames: data.classNames, seconds: seconds)

        if !json {
            let figures: [Double] = ["test_accuracy", "test_loss", "test_f1_macro", "test_expected_calibration_error"].map { test[$0] ?? .nan }
            print(String(format: "test accuracy %.4f  loss %.4f  macro F1 %.4f  ECE %.4f", figures[0], figures[1], figures[2], figures[3]))
            print("run folder \(folder.path): checkpoint.safetensors, metrics.jsonl, report.html (\(String(format: "%.1f", seconds)) s)")
        }
        var summary: [String: Any] = ["run": folder.path, "seconds": (seconds * 10).rounded() / 10, "epochs": settings.epochs,
                                      "model": settings.model, "parameters": model.parameterCount]
        for (k, v) in test where v.isFinite && k.hasPrefix("test_") { summary[k] = (v * 1e6).rounded() / 1e6 }
        let epochs = trainer.records.filter { $0.kind == "epoch" }
        let epochSeconds = epochs.compactMap { $0.values["seconds"] }
        summary["epoch_seconds"] = epochSeconds.map { ($0 * 1000).rounded() / 1000 }
        summary["test_accuracy_per_epoch"] = epochs.compactMap { $0.values["test_accuracy"] }.map { ($0 * 1e4).rounded() / 1e4 }
        if epochSeconds.count > 1 { summary["median_epoch_seconds_2_to_N"] = Timing.median(Array(epochSeconds.dropFirst())) }
        summary["peak_rss_mib"] = Double(MemoryBench.peakResidentKiB()) / 1024
        return summary
    }
}

/// The test figures of the last epoch record, or a fresh evaluation when the trainer predicts
/// differently from its epochs (test-time augmentation) or ran no epoch.
private func finalTestFigures<D: Dataset>(_ trainer: Trainer, _ loader: DataLoader<D>) -> [String: Double] {
    if trainer.predictor == nil, let last = trainer.records.last(where: { $0.kind == "epoch" }) { return last.values }
    var figures: [String: Double] = [:]
    for (k, v) in trainer.evaluate(loader) { figures["test_" + k] = v }
    return figures
}
