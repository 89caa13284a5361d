import Foundation
import Kiln
import KilnData
import KilnMetrics
import KilnNN
import KilnOptimizers

/// Fits a model with an optimizer and an optional schedule, evaluates it, and reports as it goes:
/// a live progress display, a JSON Lines metrics log, callbacks (checkpoints, early stopping).
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: AdamW(learningRate: 1e-3, weightDecay: 0.01),
///                       loss: { crossEntropy(logits: $0, labels: $1) })
/// trainer.schedule = AnySchedule(CosineAnnealing(peak: 1e-3, steps: 4690))
/// try trainer.fit(trainLoader, epochs: 10, evaluatingOn: testLoader)
/// ```
public final class Trainer {
    public let model: Module
    public let optimizer: any Optimizer
    /// The loss of a batch: model outputs and targets to a one-element tensor.
    public let loss: (Tensor, Tensor) -> Tensor
    /// How ``evaluate(_:)`` turns inputs into outputs; the model itself unless set (for example to
    /// test-time augmentation, ``averagingMirroredImages(_:)``).
    public var predictor: ((Tensor) -> Tensor)?
    /// The loss reported by ``evaluate(_:)``, when it differs from the training loss (say, without label smoothing).
    public var evaluationLoss: ((Tensor, Tensor) -> Tensor)?
    /// Sets the optimizer's learning rate before each step, when present.
    public var schedule: AnySchedule?
    /// The training objective of a batch when it needs more than `loss(model(inputs), targets)`:
    /// the model itself (for regularizers, auxiliary losses such as z-loss, or several calls).
    /// Evaluation still uses `loss` (or ``evaluationLoss``) on the model's outputs.
    public var objective: ((Module, Batch) -> Tensor)?
    /// When set, gradients are scaled together so their global norm is at most this (PyTorch's
    /// `clip_grad_norm_`); step records log the norm before clipping.
    public var maxGradientNorm: Double?
    /// Called with each step's gradients after the non-finite check and clipping, before the
    /// update: a place to inspect or change them.
    public var beforeUpdate: ((Trainer, inout Gradients) -> Void)?
    /// Other hyper-parameters that follow schedules, set before each step and logged in step records.
    public var annealed: [AnnealedSetting] = []
    /// Metrics computed on evaluation (fresh copies each time).
    public var metrics: [any Metric] = []
    public var callbacks: [any TrainerCallback] = []
    /// Where records are written, when present.
    public var log: MetricsLog?
    /// Steps per training-loss record in the log: each record, written at the last step of its
    /// interval, holds the mean loss of the interval's steps (so the logged curve sees every batch).
    public var logEvery = 10
    /// Whether to show progress on standard error.
    public var showsProgress = true
    /// Set by a callback to end training after the current epoch.
    public var shouldStop = false
    /// What a step whose loss or gradient norm is NaN or infinite does: stop training (the default) or skip the step.
    public var onNonFinite = NonFiniteAction.stop

    /// Where the run stands.
    public private(set) var progress = TrainingProgress()
    /// Every record of the run so far, as written to the log.
    public private(set) var records: [LogRecord] = []

    /// The sums behind the loss records not yet written, kept in checkpoints for an exact resume.
    private var running = RunningLosses()
    /// Whether the batches so far were a classifier's (logits and int64 labels), so the progress line shows accuracy.
    private var classifies = false
    private var dataGenerator: RandomGenerator?
    /// The data generator's state at the start of the epoch under way (or the next one, between epochs).
    private var epochStartDataState: RandomState?
    /// A state to restore into the data generator before the next epoch, after ``resume(from:records:)``.
    private var resumedDataState: RandomState?

    /// A trainer that fits `model` with `optimizer` to minimize `loss(outputs, targets)`, averaged over a batch.
    public init(model: Module, optimizer: any Optimizer, loss: @escaping (Tensor, Tensor) -> Tensor) {
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
    }

    // MARK: Training

    /// Trains until `epochs` epochs are complete (or a callback stops it), without evaluation.
    public func fit<Train: Dataset>(_ train: DataLoader<Train>, epochs: Int) throws {
        try fit(train, epochs: epochs, evaluatingOn: nil as DataLoader<Train>?)
    }

    /// Trains until `epochs` epochs are complete (or a callback stops it), evaluating on `test` after each epoch.
    ///
    /// Throws a ``DivergenceError`` at the first non-finite step when ``onNonFinite`` is `.stop`,
    /// and any error of the log or a callback (a checkpoint that cannot be written) as it happens.
    public func fit<Train: Dataset, Test: Dataset>(_ train: DataLoader<Train>, epochs: Int,
                                                   evaluatingOn test: DataLoader<Test>? = nil) throws {
        dataGenerator = train.generator
        while progress.epoch < epochs && !shouldStop {
            if let state = resumedDataState {
                train.generator.state = state
                resumedDataState = nil
            }
            epochStartDataState = train.generator.state
            if progress.batchInEpoch == 0 { running.startEpoch() }
            let batches = train.epoch(skipping: progress.batchInEpoch)
            let display = showsProgress ? ProgressDisplay(total: train.batchCount, label: "epoch \(progress.epoch + 1)/\(epochs)") : nil
            let epochStart = ProgressDisplay.now()
            model.train()
            for batch in batches {
                let value = try step(batch)
                display?.update(completed: progress.batchInEpoch, samples: running.epochSamples,
                                figures: classifies ? ["loss": running.epochLoss, "acc": running.epochAccuracy] : ["loss": running.epochLoss])
                for callback in callbacks { try callback.trainer(self, didFinishStepWithLoss: value) }
            }
            display?.finish()
            progress.epoch += 1
            progress.batchInEpoch = 0
            epochStartDataState = train.generator.state
            var values = ["train_loss": running.epochLoss, "seconds": ProgressDisplay.now() - epochStart]
            if let test {
                for (k, v) in evaluate(test) { values["test_" + k] = v }
            }
            for callback in callbacks { values.merge(try callback.figures(forEpochOf: self)) { $1 } }
            let record = LogRecord(kind: "epoch", step: progress.step, epoch: progress.epoch, values: values)
            try append(record)
            for callback in callbacks { try callback.trainer(self, didFinishEpoch: record) }
        }
    }

    /// One optimizer step on `batch`; returns its loss.
    ///
    /// A loss or global gradient norm that is NaN or infinite throws a ``DivergenceError`` before
    /// anything changes, or, when ``onNonFinite`` is `.skip`, leaves the weights and optimizer
    /// state as they are, counts the step in ``skippedSteps`` and logs a `skipped` record.
    @discardableResult
    public func step(_ batch: Batch) throws -> Double {
        if let schedule { optimizer.learningRate = schedule(progress.step) }
        var annealedValues: [String: Double] = [:]
        for setting in annealed {
            let value = setting.schedule(progress.step)
            setting.apply(value)
            annealedValues[setting.name] = value
        }
        var outputs: Tensor?
        let (value, computed) = valueAndGradient(of: model) { m in
            if let objective { return objective(m, batch) }
            let out = m(batch.inputs)
            outputs = out
            return loss(out, batch.targets)
        }
        var gradients = computed
        let lossValue = Double(value.item)
        let gradientNorm = gradients.globalNorm
        if let divergence = divergence(loss: lossValue, gradientNorm: gradientNorm) {
            guard onNonFinite == .skip else { throw divergence }
            running.skippedSteps += 1
            try append(LogRecord(kind: "skipped", step: progress.step, epoch: progress.epoch + 1,
                                 values: ["skipped_steps": Double(running.skippedSteps)]))
        } else {
            if let maxGradientNorm { _ = clipGradientNorm(&gradients, maxNorm: maxGradientNorm) }
            beforeUpdate?(self, &gradients)
            optimizer.update(model, along: gradients)
            let correct = outputs.flatMap { Self.correctPredictions($0, batch.targets) }
            if correct != nil { classifies = true }
            running.add(loss: lossValue, gradientNorm: gradientNorm, samples: batch.inputs.shape[0], correct: correct ?? 0)
        }
        if (progress.step + 1) % logEvery == 0 && running.unloggedSteps > 0 {
            let (meanLoss, meanNorm) = running.takeUnlogged()
            let values = annealedValues.merging(["loss": meanLoss, "grad_norm": meanNorm, "lr": optimizer.learningRate]) { $1 }
            try append(LogRecord(kind: "step", step: progress.step, epoch: progress.epoch + 1, values: values))
        }
        progress.step += 1
        progress.batchInEpoch += 1
        return lossValue
    }

    /// Steps skipped so far because their loss or gradient norm was not finite (``NonFiniteAction/skip``).
    public var skippedSteps: Int { running.skippedSteps }

    /// How many rows of classifier `outputs` `[N, C]` have their largest score at the int64 label
    /// in `targets` `[N]`; nil for outputs or targets of other shapes or types.
    static func correctPredictions(_ outputs: Tensor, _ targets: Tensor) -> Int? {
        guard outputs.rank == 2, targets.dtype == .int64, targets.shape == [outputs.shape[0]] else { return nil }
        let predicted = withoutGradient { outputs.argmax(axis: 1) }
        return zip(predicted.integers, targets.integers).count { $0 == $1 }
    }

    private func divergence(loss: Double, gradientNorm norm: Double) -> DivergenceError? {
        let at = (step: progress.step, epoch: progress.epoch + 1)
        if !loss.isFinite { return DivergenceError(step: at.step, epoch: at.epoch, quantity: .loss, value: loss) }
        if !norm.isFinite { return DivergenceError(step: at.step, epoch: at.epoch, quantity: .gradientNorm, value: norm) }
        return nil
    }

    // MARK: Evaluation

    /// The mean loss and each metric over `loader`, in evaluation mode without gradients.
    public func evaluate<D: Dataset>(_ loader: DataLoader<D>) -> [String: Double] {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var metrics = self.metrics
        for i in metrics.indices { metrics[i].reset() }
        var lossSum = 0.0, count = 0
        let loss = evaluationLoss ?? self.loss
        withoutGradient {
            for batch in loader.epoch() {
                let outputs = predictor?(batch.inputs) ?? model(batch.inputs)
                let n = batch.inputs.shape[0]
                lossSum += Double(loss(outputs, batch.targets).item) * Double(n)
                count += n
                for i in metrics.indices { metrics[i].update(outputs, targets: batch.targets) }
            }
        }
        var result = ["loss": lossSum / Double(max(count, 1))]
        for metric in metrics { result[metric.name] = metric.compute() }
        lastEvaluation = metrics
        return result
    }

    /// The metrics of the last evaluation, with their accumulated state (for reports).
    public private(set) var lastEvaluation: [any Metric] = []

    /// A predictor that averages the model's outputs on each image and its left-right mirror
    /// (`[N, C, H, W]` inputs): horizontal-flip test-time augmentation.
    public static func averagingMirroredImages(_ model: Module) -> (Tensor) -> Tensor {
        { x in
            precondition(x.rank == 4, "averagingMirroredImages: expects [N, C, H, W] images, got \(x.shape)")
            let mirrored = x.indexSelect(axis: 3, indices: Tensor(Array((0..<x.shape[3]).reversed())))
            return (model(x) + model(mirrored)) * 0.5
        }
    }

    // MARK: Checkpoints

    /// A checkpoint of the run as it stands, storing `settings` (``Checkpoint/settings``).
    public func checkpoint(settings: String? = nil) -> Checkpoint {
        Checkpoint(model: model.stateDict(), optimizer: optimizer.stateDict(), progress: progress, losses: running,
                   dataRandomState: epochStartDataState ?? dataGenerator?.state ?? RandomState(seed: 0),
                   modelRandomState: Random.default.state, settings: settings)
    }

    /// Continues from `checkpoint`: weights, optimizer state, random states, progress and the
    /// running loss sums. Log records after the checkpoint are dropped (they are recomputed).
    public func resume(from checkpoint: Checkpoint, records earlier: [LogRecord] = []) throws {
        try model.load(stateDict: checkpoint.model)
        if optimizer.groups.isEmpty { optimizer.groups = ParameterGroup.groups(of: model) }
        try optimizer.load(stateDict: checkpoint.optimizer)
        progress = checkpoint.progress
        running = checkpoint.losses
        resumedDataState = checkpoint.dataRandomState
        epochStartDataState = checkpoint.dataRandomState
        Random.default.state = checkpoint.modelRandomState
        records = earlier.filter { $0.precedes(progress) }
    }

    private func append(_ record: LogRecord) throws(LogError) {
        records.append(record)
        try log?.write(record)
    }
}
