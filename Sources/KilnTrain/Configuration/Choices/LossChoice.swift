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

    /// The loss of `(outputs, targets)`, with `labelSmoothing` (PyTorch's `label_smoothing`)
    /// where the loss takes it (cross-entropy only); evaluation uses `labelSmoothing: 0`.
    public func make(labelSmoothing: Double = 0) -> (Tensor, Tensor) -> Tensor {
        switch self {
        case .crossEntropy:
            let smoothing = Float(labelSmoothing)
            return { KilnNN.crossEntropy(logits: $0, labels: $1, labelSmoothing: smoothing) }
        case .accuracy, .f1, .balancedAccuracy, .geometricMean, .mcc:
            let metric = metric!
            return { anyLoss(logits: $0, labels: $1, metric: metric) }
        case .mse:
            return { mseLoss($0.reshaped([-1]), $1) }
        case .huber:
            return { huberLoss($0.reshaped([-1]), $1) }
        }
    }
}
