import Foundation
import Kiln
import KilnData
import KilnMetrics
import KilnNN
import KilnOptimizers

/// Fits a model with an optimizer and an optional schedule, evaluates it, and reports as it goes:
/// a live progress display, a JSON Lines metrics log, callbacks (checkpoints, early stopping).
///
/// Batches may hold several inputs, passed to the model's multi-input call, and a mask weighing
/// their targets (``Batch``): sequence batches of `[B, T]` token ids with `[B, T]` targets train
/// with a loss that flattens the `[B, T, V]` outputs, and a padded batch's mask goes to
/// ``maskedLoss``. With ``accumulationSteps`` above 1 the optimizer steps once per group of
/// batches, on their mean gradient.
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
    /// The loss of a batch that has a ``Batch/mask``, in training and evaluation: outputs, targets
    /// and the mask's weights to the weighted mean over the targets,
    /// `Σ mask · loss / Σ mask`. A batch with a mask needs it (or, in training, ``objective``).
    ///
    /// ```swift
    /// trainer.maskedLoss = { logits, tokens, mask in   // [B, T, V], [B, T], [B, T]
    ///     let losses = crossEntropy(logits: logits.reshaped([-1, vocabulary]), labels: tokens.reshaped([-1]), reduction: .none)
    ///     return (losses * mask.reshaped([-1])).sum() / mask.sum()
    /// }
    /// ```
    public var maskedLoss: ((_ outputs: Tensor, _ targets: Tensor, _ mask: Tensor) -> Tensor)?
    /// How ``evaluate(_:)`` turns inputs into outputs; the model itself unless set (for example to
    /// test-time augmentation, ``averagingMirroredImages(_:)``). For batches of one input only.
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
    /// Batches whose gradients make one optimizer step (gradient accumulation, the
    /// `gradient_accumulation_steps` of Hugging Face's trainer); 1 by default.
    ///
    /// The step follows the mean gradient of its batches, each weighted by ``Batch/weight`` (its
    /// examples, or the targets its mask counts), so N batches of B examples step as one batch of
    /// N·B would. Schedules, ``TrainingProgress/step``, step records, checkpoint intervals and
    /// step callbacks count optimizer steps; the progress display counts batches. Clipping,
    /// ``beforeUpdate`` and the logged gradient norm see the mean gradient. Each epoch starts a new
    /// group: its last, partial group (fewer batches left than N) makes one step on the mean of
    /// its batches, so an epoch of `b` batches takes ⌈b / N⌉ steps. A batch whose loss or gradient
    /// is not finite stops training, or with ``NonFiniteAction/skip`` is left out of its step (and
    /// counted in ``skippedSteps``).
    ///
    /// Checkpoints are taken at step boundaries only (``checkpoint(settings:)`` refuses one in the
    /// middle of a group), where no gradient is pending, so a resumed run is exactly the run
    /// never stopped. Change it only between steps.
    public var accumulationSteps = 1 {
        didSet {
            precondition(underWay.batches == 0, "Trainer.accumulationSteps: changed with \(underWay.batches) batches of a step pending")
            underWay = StepUnderWay(batchesPerStep: accumulationSteps)
        }
    }
    /// Metrics computed on evaluation (fresh copies each time).
    public var metrics: [any Metric] = []
    public var callbacks: [any TrainerCallback] = []
    /// Where records are written, when present.
    public var log: MetricsLog?
    /// Steps per training-loss record in the log: each record, written at the last step of its
    /// interval, holds the mean loss of the interval's steps (so the logged curve sees every batch).
    public var logEvery = 10
    /// Whether to show progress on standard error (with the training accuracy of classifiers, whose
    /// argmax is computed only then).
    public var showsProgress = true
    /// The processes this trainer trains with, each on its own shard of every batch (nil: this
    /// process alone); see ``DataParallel``. Set it before the first step.
    public var dataParallel: DataParallel?
    /// Set by a callback to end training after the current epoch.
    public var shouldStop = false
    /// What a step whose loss or gradient norm is NaN or infinite does: stop training (the default) or skip the step.
    public var onNonFinite = NonFiniteAction.stop

    /// The generator that draws the training batches, whose state checkpoints store
    /// (``Checkpoint/dataRandomState``) and ``resume(from:records:)`` restores.
    /// ``fit(_:epochs:evaluatingOn:)`` sets it to its loader's and stores the state at the start of
    /// the epoch under way, from which the loader replays the epoch. A caller that draws batches
    /// itself for ``step(_:)`` sets it (before resuming): checkpoints then store its state as it
    /// stands, between steps.
    public var dataGenerator: RandomGenerator?

    /// Where the run stands.
    public private(set) var progress = TrainingProgress()
    /// Every record of the run so far, as written to the log.
    public private(set) var records: [LogRecord] = []

    /// The sums behind the loss records not yet written, kept in checkpoints for an exact resume.
    private var running = RunningLosses()
    /// Whether the batches so far were a classifier's (logits and int64 labels), so the progress line shows accuracy.
    private var classifies = false
    /// The batches of the optimizer step being gathered.
    private var underWay = StepUnderWay(batchesPerStep: 1)
    /// The values of ``annealed`` at the step being gathered, for its record.
    private var annealedValues: [String: Double] = [:]
    /// Whether the processes of ``dataParallel`` have checked their models and taken rank 0's weights.
    private var replicasAgree = false
    /// The loss of the last optimizer step, for the step callbacks.
    private var lastStepLoss = Double.nan
    /// In ``fit(_:epochs:evaluatingOn:)``, the data generator's state at the start of the epoch under
    /// way (or the next one, between epochs); nil when batches are drawn step by step.
    private var epochStartDataState: RandomState?
    /// A state to restore into the data generator before the next epoch, after ``resume(from:records:)``.
    private var resumedDataState: RandomState?
    /// The model's parameters by path, looked up at the first step (as an optimizer takes its groups
    /// once) so that steps do not walk the module tree.
    private lazy var modelParameters = model.namedParameters()

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
    /// Throws a ``DivergenceError`` at the first non-finite batch when ``onNonFinite`` is `.stop`,
    /// and any error of the log or a callback (a checkpoint that cannot be written) as it happens.
    public func fit<Train: Dataset, Test: Dataset>(_ train: DataLoader<Train>, epochs: Int,
                                                   evaluatingOn test: DataLoader<Test>? = nil) throws {
        dataGenerator = train.generator
        while progress.epoch < epochs && !shouldStop {
            if let state = resumedDataState {
                train.generator.state = state
                resumedDataState = nil
            }
            try dataParallel?.agree(on: train.generator)
            epochStartDataState = train.generator.state
            if progress.batchInEpoch == 0 { running.startEpoch() }
            let batches = train.epoch(skipping: progress.batchInEpoch)
            let display = showsProgress ? ProgressDisplay(total: train.batchCount, label: "epoch \(progress.epoch + 1)/\(epochs)") : nil
            let epochStart = ProgressDisplay.now()
            model.train()
            for batch in batches {
                let stepsBefore = progress.step
                try step(batch)
                display?.update(completed: progress.batchInEpoch, samples: running.epochSamples,
                                figures: classifies ? ["loss": running.epochLoss, "acc": running.epochAccuracy] : ["loss": running.epochLoss])
                if progress.step > stepsBefore { try finishedStep() }
            }
            if try finishAccumulatedStep() { try finishedStep() }
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

    /// Trains on `batch`: computes its loss and gradient and, when it completes a group of
    /// ``accumulationSteps`` batches (every batch by default), takes the optimizer step. Returns
    /// the batch's loss.
    ///
    /// A loss or global gradient norm that is NaN or infinite throws a ``DivergenceError`` before
    /// anything changes, or, when ``onNonFinite`` is `.skip`, leaves the batch out (a step of one
    /// batch then leaves the weights and optimizer state as they are), counts it in
    /// ``skippedSteps`` and logs a `skipped` record.
    @discardableResult
    public func step(_ batch: Batch) throws -> Double {
        if let schedule { optimizer.learningRate = schedule(progress.step) }
        annealedValues = [:]
        for setting in annealed {
            let value = setting.schedule(progress.step)
            setting.apply(value)
            annealedValues[setting.name] = value
        }
        if let dataParallel, !replicasAgree {
            try dataParallel.synchronize(model)
            replicasAgree = true
        }
        var outcome = compute(batch)
        if let dataParallel { outcome = try dataParallel.combine(outcome) }
        let lossValue = outcome.loss
        let gradientNorm = outcome.gradients.globalNorm
        if let divergence = divergence(loss: lossValue, gradientNorm: gradientNorm) {
            guard onNonFinite == .skip else { throw divergence }
            running.skippedSteps += 1
            underWay.skip(loss: lossValue)
            try append(LogRecord(kind: "skipped", step: progress.step, epoch: progress.epoch + 1,
                                 values: ["skipped_steps": Double(running.skippedSteps)]))
        } else {
            underWay.add(outcome.gradients, norm: gradientNorm, loss: lossValue, weight: outcome.weight)
            if outcome.predictions != nil { classifies = true }
            running.addBatch(loss: lossValue, weight: outcome.weight, samples: outcome.samples, predictions: outcome.predictions)
        }
        progress.batchInEpoch += 1
        if underWay.isComplete { try takeStep() }
        return lossValue
    }

    /// The loss, gradients and counts of `batch` on this process; an empty batch (a process's
    /// share of a last global batch too small to reach it) gives zero gradients and weight.
    private func compute(_ batch: Batch) -> BatchOutcome {
        guard batch.size > 0 else {
            let zeros = modelParameters.filter { !$0.parameter.isFrozen }.map { ($0.name, Tensor(zeros: $0.parameter.value.shape)) }
            return BatchOutcome(loss: 0, gradients: Gradients(Dictionary(uniqueKeysWithValues: zeros)), weight: 0, samples: 0, predictions: nil)
        }
        var outputs: Tensor?
        let (value, gradients) = valueAndGradient(of: model, parameters: modelParameters) { m in
            if let objective { return objective(m, batch) }
            let out = m(batch.allInputs)
            outputs = out
            return loss(of: out, on: batch, plain: loss)
        }
        // Data parallelism sums the counts of every process, whichever shows progress.
        let predictions = showsProgress || dataParallel != nil ? outputs.flatMap { Self.correctPredictions($0, batch.targets, mask: batch.mask) } : nil
        return BatchOutcome(loss: Double(value.item), gradients: gradients, weight: batch.weight, samples: batch.size, predictions: predictions)
    }

    /// Takes the optimizer step on the batches of a group not yet complete (fewer than
    /// ``accumulationSteps``: the end of the data), as ``fit(_:epochs:evaluatingOn:)`` does at the
    /// end of each epoch. Returns whether there were any.
    @discardableResult
    public func finishAccumulatedStep() throws -> Bool {
        guard underWay.batches > 0 else { return false }
        try takeStep()
        return true
    }

    /// Takes the optimizer step on the batches gathered: clips and inspects their mean gradient,
    /// updates, counts the step and writes its record when due.
    private func takeStep() throws {
        let (mean, norm, stepLoss) = underWay.take()
        if var gradients = mean {
            let gradientNorm = norm ?? gradients.globalNorm
            if let maxGradientNorm { _ = clipGradientNorm(&gradients, maxNorm: maxGradientNorm) }
            beforeUpdate?(self, &gradients)
            optimizer.update(model, along: gradients)
            running.addStep(loss: stepLoss, gradientNorm: gradientNorm)
        }
        if (progress.step + 1) % logEvery == 0 && running.unloggedSteps > 0 {
            let (meanLoss, meanNorm) = running.takeUnlogged()
            let values = annealedValues.merging(["loss": meanLoss, "grad_norm": meanNorm, "lr": optimizer.learningRate]) { $1 }
            try append(LogRecord(kind: "step", step: progress.step, epoch: progress.epoch + 1, values: values))
        }
        progress.step += 1
        lastStepLoss = stepLoss
    }

    /// Tells the callbacks that a step is done.
    private func finishedStep() throws {
        for callback in callbacks { try callback.trainer(self, didFinishStepWithLoss: lastStepLoss) }
    }

    /// The loss of `outputs` on `batch`: ``maskedLoss`` for a batch with a mask, else `plain`.
    private func loss(of outputs: Tensor, on batch: Batch, plain: (Tensor, Tensor) -> Tensor) -> Tensor {
        guard let mask = batch.mask else { return plain(outputs, batch.targets) }
        guard let maskedLoss else {
            preconditionFailure("Trainer: a batch with a mask needs maskedLoss (or an objective in training) to weigh its targets")
        }
        return maskedLoss(outputs, batch.targets, mask)
    }

    /// Batches skipped so far because their loss or gradient norm was not finite
    /// (``NonFiniteAction/skip``): steps, unless gradients are accumulated.
    public var skippedSteps: Int { running.skippedSteps }

    /// How many predictions of classifier `outputs` have their largest score at the int64 label in
    /// `targets`, and how many were checked: outputs `[N, C]` against labels `[N]`, or sequence
    /// outputs `[B, T, V]` against `[B, T]` (scores along the last axis, labels shaped like the
    /// outputs without it); with a `mask`, only the positions it weighs above 0. Nil for outputs or
    /// targets of other shapes or types.
    static func correctPredictions(_ outputs: Tensor, _ targets: Tensor, mask: Tensor? = nil) -> (correct: Int, total: Int)? {
        guard outputs.rank >= 2, targets.dtype == .int64, targets.shape == Array(outputs.shape.dropLast()) else { return nil }
        let predicted = withoutGradient { outputs.argmax(axis: outputs.rank - 1) }.integers
        let labels = targets.integers
        guard let counted = mask?.scalars.map({ $0 > 0 }) else {
            return (zip(predicted, labels).count { $0 == $1 }, labels.count)
        }
        return (labels.indices.count { counted[$0] && predicted[$0] == labels[$0] }, counted.count { $0 })
    }

    private func divergence(loss: Double, gradientNorm norm: Double) -> DivergenceError? {
        let at = (step: progress.step, epoch: progress.epoch + 1)
        if !loss.isFinite { return DivergenceError(step: at.step, epoch: at.epoch, quantity: .loss, value: loss) }
        if !norm.isFinite { return DivergenceError(step: at.step, epoch: at.epoch, quantity: .gradientNorm, value: norm) }
        return nil
    }

    // MARK: Evaluation

    /// The mean loss and each metric over `loader`, in evaluation mode without gradients.
    ///
    /// The loss is the mean over batches weighted by ``Batch/weight``: over examples, or over the
    /// targets masks count (a batch with a mask is scored by ``maskedLoss``). Metrics see
    /// classifier rows: a sequence batch's `[B, T, V]` scores and `[B, T]` labels as `[B·T, V]` and
    /// `[B·T]`, only the positions a mask counts (``metricRows(_:_:)``).
    public func evaluate<D: Dataset>(_ loader: DataLoader<D>) -> [String: Double] {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var metrics = self.metrics
        for i in metrics.indices { metrics[i].reset() }
        var lossSum = 0.0, weightSum = 0.0
        let loss = evaluationLoss ?? self.loss
        withoutGradient {
            for batch in loader.epoch() {
                let outputs: Tensor
                if let predictor {
                    precondition(batch.allInputs.count == 1, "Trainer.evaluate: the predictor takes one input, the batch has \(batch.allInputs.count)")
                    outputs = predictor(batch.inputs)
                } else {
                    outputs = model(batch.allInputs)
                }
                let weight = batch.weight
                lossSum += Double(self.loss(of: outputs, on: batch, plain: loss).item) * weight
                weightSum += weight
                if !metrics.isEmpty, let (rows, labels) = Self.metricRows(outputs, batch) {
                    for i in metrics.indices { metrics[i].update(rows, targets: labels) }
                }
            }
        }
        var result = ["loss": weightSum == 0 ? lossSum : lossSum / weightSum]
        for metric in metrics { result[metric.name] = metric.compute() }
        lastEvaluation = metrics
        return result
    }

    /// The outputs and targets of `batch` as metrics take them: when the targets are int64 labels
    /// shaped like the outputs without their last axis (class scores along it), `[…, C]` scores and `[…]`
    /// labels become rows `[M, C]` and `[M]`, keeping only the positions the batch's mask weighs
    /// above 0 (nil when it counts none); other outputs and targets as they are.
    static func metricRows(_ outputs: Tensor, _ batch: Batch) -> (outputs: Tensor, targets: Tensor)? {
        let targets = batch.targets
        guard outputs.rank >= 2, targets.dtype == .int64, targets.shape == Array(outputs.shape.dropLast()),
              outputs.rank > 2 || batch.mask != nil else {
            return (outputs, targets)
        }
        let rows = outputs.reshaped([-1, outputs.shape[outputs.rank - 1]]), labels = targets.reshaped([-1])
        guard let mask = batch.mask?.scalars else { return (rows, labels) }
        let kept = mask.indices.filter { mask[$0] > 0 }
        guard !kept.isEmpty else { return nil }
        if kept.count == mask.count { return (rows, labels) }
        let indices = Tensor(kept)
        return (rows.indexSelect(axis: 0, indices: indices), labels.indexSelect(axis: 0, indices: indices))
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
    /// - Precondition: no batch of an accumulated step is pending (``accumulationSteps``):
    ///   checkpoints are taken between optimizer steps, as ``Checkpointing`` does.
    public func checkpoint(settings: String? = nil) -> Checkpoint {
        precondition(underWay.batches == 0, "Trainer.checkpoint: \(underWay.batches) of \(accumulationSteps) batches of a step "
                     + "are pending; checkpoint between optimizer steps")
        return Checkpoint(model: model.stateDict(), optimizer: optimizer.stateDict(), progress: progress, losses: running,
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
        underWay = StepUnderWay(batchesPerStep: accumulationSteps)
        // A data generator already known continues from the checkpoint's state at once; the
        // loader of the next fit does from the start of its next epoch.
        resumedDataState = checkpoint.dataRandomState
        if let dataGenerator {
            dataGenerator.state = checkpoint.dataRandomState
            epochStartDataState = nil
        } else {
            epochStartDataState = checkpoint.dataRandomState
        }
        Random.default.state = checkpoint.modelRandomState
        records = earlier.filter { $0.precedes(progress) }
    }

    private func append(_ record: LogRecord) throws(LogError) {
        records.append(record)
        try log?.write(record)
    }
}
