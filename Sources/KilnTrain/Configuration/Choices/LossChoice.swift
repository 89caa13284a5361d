import Kiln
import KilnNN

/// The training loss, by name: cross-entropy or a metric made a loss (AnyLoss) for classification,
/// MSE or Huber for regression.
public enum LossChoice: String, NamedChoice {
    /// Cross-entropy of logits `[N, classes]` against class labels `[N]`, with optional label smoothing.
    case crossEntropy = "cross_entropy"
    /// 1 − accuracy of the soft confusion matrix (``anyLoss(logits:labels:metric:amplification:)``).
    case accuracy
    /// 1 − F1 of the soft confusion matrix: of class 1 with two classes, else the one-vs-rest macro average.
    case f1
    /// 1 − balanced accuracy of the soft confusion matrix, as ``f1``.
    case balancedAccuracy = "balanced_accuracy"
    /// 1 − geometric mean of the true positive and true negative rates, as ``f1``.
    case geometricMean = "geometric_mean"
    /// 1 − Matthews' correlation of the soft confusion matrix, as ``f1``.
    case mcc
    /// Mean squared error of outputs `[N, 1]` against standardized targets `[N]`.
    case mse
    /// Huber loss (δ = 1, in units of the targets' standard deviation) of outputs `[N, 1]` against standardized targets `[N]`.
    case huber

    public static let setting = "loss"

    /// Whether the loss fits regression (values) rather than classification.
    public var isRegression: Bool { self == .mse || self == .huber }

    /// The confusion metric a metric loss optimizes; nil for the others.
    public var metric: ConfusionMetric? {
        switch self {
        case .accuracy: .accuracy
        case .f1: .f1
        case .balancedAccuracy: .balancedAccuracy
        case .geometricMean: .geometricMean
        case .mcc: .matthewsCorrelation
        case .crossEntropy, .mse, .huber: nil
        }
    }

    /// Whether the loss is a mean of per-sample losses, which a ``SampleWeightingChoice`` can reweight
    /// (the metric losses are functions of the whole batch).
    public var isPerSample: Bool { metric == nil }

    /// The loss of `(outputs, targets)`, with `labelSmoothing` (PyTorch's `label_smoothing`)
    /// where the loss takes it (cross-entropy only), and the per-sample losses combined by
    /// `weighting` instead of their mean; evaluation uses neither.
    ///
    /// - Precondition: `weighting` is nil unless ``isPerSample``.
    public func make(labelSmoothing: Double = 0, weighting: LossReweighting? = nil) -> (Tensor, Tensor) -> Tensor {
        precondition(weighting == nil || isPerSample, "LossChoice.make: loss \(self) is not a mean of per-sample losses to reweight")
        let reduction: LossReduction = weighting == nil ? .mean : .none
        func combined(_ losses: Tensor) -> Tensor { weighting?.weightedLoss(losses) ?? losses }
        switch self {
        case .crossEntropy:
            let smoothing = Float(labelSmoothing)
            return { combined(KilnNN.crossEntropy(logits: $0, labels: $1, labelSmoothing: smoothing, reduction: reduction)) }
        case .accuracy, .f1, .balancedAccuracy, .geometricMean, .mcc:
            let metric = metric!
            return { anyLoss(logits: $0, labels: $1, metric: metric) }
        case .mse:
            return { combined(mseLoss($0.reshaped([-1]), $1, reduction: reduction)) }
        case .huber:
            return { combined(huberLoss($0.reshaped([-1]), $1, reduction: reduction)) }
        }
    }
}
