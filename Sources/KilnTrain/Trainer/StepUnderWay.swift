import KilnNN
import KilnOptimizers

/// The batches of the optimizer step a ``Trainer`` is gathering: one batch without gradient
/// accumulation, up to ``Trainer/accumulationSteps`` with it. The step's gradient is the mean of
/// its batches' gradients and its loss the mean of their losses, each batch weighted by
/// ``Batch/weight`` (so the step is that of one batch holding all their examples); a batch
/// skipped for a non-finite loss or gradient is left out.
struct StepUnderWay {
    /// Batches that make one optimizer step.
    let batchesPerStep: Int
    /// Batches of the step so far, skipped ones included.
    private(set) var batches = 0
    /// The gradients of a step of one batch, or the mean of a full group, once known.
    private var gradients: Gradients?
    /// The global gradient norm of a step of one batch, computed for its non-finite check.
    private var norm: Double?
    private var accumulator: GradientAccumulator
    private var lossSum = 0.0, lossWeight = 0.0
    /// The loss of the last skipped batch, reported for a step all of whose batches were skipped.
    private var skippedLoss = Double.nan

    /// A step of `batchesPerStep` batches (at least 1), none gathered yet.
    init(batchesPerStep: Int) {
        precondition(batchesPerStep >= 1, "Trainer: accumulationSteps must be at least 1, got \(batchesPerStep)")
        self.batchesPerStep = batchesPerStep
        accumulator = GradientAccumulator(microBatches: batchesPerStep)
    }

    /// Whether the step has all its batches.
    var isComplete: Bool { batches >= batchesPerStep }

    /// Adds a batch's gradients (whose global norm is `norm`) and loss with the batch's `weight`.
    mutating func add(_ batchGradients: Gradients, norm batchNorm: Double, loss: Double, weight: Double) {
        batches += 1
        if batchesPerStep == 1 {
            // One batch: its own gradient, norm and loss, untouched by weighting.
            gradients = batchGradients
            norm = batchNorm
            lossSum = loss
            lossWeight = 1
        } else if weight > 0 {
            // A batch whose mask counts no target (weight 0) adds nothing to the mean.
            gradients = accumulator.add(batchGradients, weight: weight)
            lossSum += loss * weight
            lossWeight += weight
        }
    }

    /// Counts a batch left out for its non-finite `loss` (or gradient).
    mutating func skip(loss: Double) {
        batches += 1
        skippedLoss = loss
    }

    /// The step's mean gradient (nil when every batch was skipped), its global norm when already
    /// known, and its mean loss (the last skipped batch's when there is no gradient); starts the next step.
    mutating func take() -> (gradients: Gradients?, norm: Double?, loss: Double) {
        defer { self = StepUnderWay(batchesPerStep: batchesPerStep) }
        let mean = gradients ?? accumulator.takeMean()
        return (mean, norm, mean == nil ? skippedLoss : lossSum / lossWeight)
    }
}
