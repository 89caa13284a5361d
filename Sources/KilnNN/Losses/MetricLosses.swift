import Kiln

/// A classification metric computed from a confusion matrix, which ``anyLoss(probabilities:targets:metric:amplification:)``
/// turns into the loss 1 − metric.
public enum ConfusionMetric: Sendable, Equatable {
    /// (TP + TN) / (TP + FN + FP + TN).
    case accuracy
    /// 2·TP / (2·TP + FN + FP), the harmonic mean of precision and recall.
    case f1
    /// (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP): recall weighs β times as much as precision.
    case fBeta(Float)
    /// (TPR + TNR) / 2 with TPR = TP / (TP + FN) and TNR = TN / (TN + FP).
    case balancedAccuracy
    /// √(TPR · TNR).
    case geometricMean
    /// Matthews' correlation (TP·TN − FP·FN) / √((TP + FP)(TP + FN)(TN + FP)(TN + FN)), in [−1, 1]:
    /// its loss 1 − MCC lies in [0, 2].
    case matthewsCorrelation

    /// The metric of confusion counts of any common shape (one per class, or scalars), elementwise.
    ///
    /// Each denominator is kept from 1e-7, as is the product under a square root, so that a class
    /// absent from a batch gives a finite value and gradient.
    public func value(of counts: SoftConfusion) -> Tensor {
        let (tp, fn, fp, tn) = (counts.truePositives, counts.falseNegatives, counts.falsePositives, counts.trueNegatives)
        func ratio(_ a: Tensor, _ b: Tensor) -> Tensor { a / b.clamped(min: Self.floor) }
        switch self {
        case .accuracy:
            return ratio(tp + tn, tp + fn + fp + tn)
        case .f1:
            return ratio(2 * tp, 2 * tp + fn + fp)
        case .fBeta(let beta):
            precondition(beta > 0 && beta.isFinite, "anyLoss: F-beta needs a positive finite beta, got \(beta)")
            let b2 = beta * beta
            return ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp)
        case .balancedAccuracy:
            return (ratio(tp, tp + fn) + ratio(tn, tn + fp)) / 2
        case .geometricMean:
            return (ratio(tp, tp + fn) * ratio(tn, tn + fp)).clamped(min: Self.floor).sqrt()
        case .matthewsCorrelation:
            let spread = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)).clamped(min: Self.floor).sqrt()
            return (tp * tn - fp * fn) / spread
        }
    }

    private static let floor: Float = 1e-7
}

/// The confusion matrix made differentiable (Han et al. 2024, "AnyLoss: Transforming Classification
/// Metrics into Loss Functions"): counts summed from amplified probabilities A(p) instead of hard
/// predictions, so TP + FN = Σy and FP + TN = Σ(1 − y) exactly.
public struct SoftConfusion {
    /// Σ y·A(p).
    public let truePositives: Tensor
    /// Σ y·(1 − A(p)).
    public let falseNegatives: Tensor
    /// Σ (1 − y)·A(p).
    public let falsePositives: Tensor
    /// Σ (1 − y)·(1 − A(p)).
    public let trueNegatives: Tensor

    /// The soft counts of positive-class `probabilities` against 0/1 `targets` of the same shape,
    /// summed over axis 0: scalars for `[N]`, one count per class for `[N, C]` (one-vs-rest).
    ///
    /// `amplification` is the paper's L in A(p) = 1 / (1 + e^(−L(p − 0.5))); the paper's 73 maps
    /// p = 0.6 to 0.999325 and p = 0.4 to 0.000675.
    public init(probabilities: Tensor, targets: Tensor, amplification: Float = 73) {
        precondition(probabilities.shape == targets.shape && (probabilities.rank == 1 || probabilities.rank == 2),
                     "SoftConfusion: probabilities \(probabilities.shape) and targets \(targets.shape) must share a shape [N] or [N, C]")
        let a = amplified(probabilities, amplification: amplification)
        let notA = 1 - a, notY = 1 - targets
        truePositives = (targets * a).sum(axis: 0)
        falseNegatives = (targets * notA).sum(axis: 0)
        falsePositives = (notY * a).sum(axis: 0)
        trueNegatives = (notY * notA).sum(axis: 0)
    }
}

/// AnyLoss's approximation function A(p) = 1 / (1 + e^(−L(p − 0.5))): it pushes probabilities
/// towards 0 or 1 while keeping a gradient, with A(0.5) = 0.5.
///
/// The gradient L·A·(1 − A) is steep near 0.5 and vanishes away from it (about 2·10⁻⁸ at p = 0.2
/// for L = 73), so a probability pushed far to the wrong side early in training stays there.
public func amplified(_ probabilities: Tensor, amplification: Float = 73) -> Tensor {
    precondition(amplification > 0 && amplification.isFinite, "amplified: L must be positive and finite, got \(amplification)")
    return ((probabilities - 0.5) * amplification).sigmoid()
}

/// AnyLoss (Han et al. 2024): 1 − metric of the soft confusion matrix of positive-class
/// `probabilities` `[N]` against 0/1 float `targets` `[N]`, or one-vs-rest with `[N, C]` of both,
/// where the metric is averaged over the classes (the macro average; the paper treats binary tasks).
public func anyLoss(probabilities: Tensor, targets: Tensor, metric: ConfusionMetric, amplification: Float = 73) -> Tensor {
    let counts = SoftConfusion(probabilities: probabilities, targets: targets, amplification: amplification)
    return 1 - metric.value(of: counts).mean()
}

/// AnyLoss of class `logits` `[N, C]` against int64 `labels` `[N]`, on the softmax probabilities.
///
/// With two classes, class 1 is the positive class and the loss is the paper's binary one
/// (softmax of two logits is the sigmoid of their difference); with more, it is one-vs-rest
/// with the metric averaged over the classes.
public func anyLoss(logits: Tensor, labels: Tensor, metric: ConfusionMetric, amplification: Float = 73) -> Tensor {
    precondition(logits.rank == 2 && labels.dtype == .int64 && labels.shape == [logits.shape[0]],
                 "anyLoss: logits must be [N, C] with int64 labels [N], got \(logits.shape) and \(labels.dtype) \(labels.shape)")
    let classes = logits.shape[1]
    let probabilities = logits.softmax(axis: 1), targets = labels.oneHot(classes: classes)
    guard classes == 2 else {
        return anyLoss(probabilities: probabilities, targets: targets, metric: metric, amplification: amplification)
    }
    return anyLoss(probabilities: probabilities.select(axis: 1, 1), targets: targets.select(axis: 1, 1), metric: metric, amplification: amplification)
}
