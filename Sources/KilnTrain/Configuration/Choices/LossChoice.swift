import Kiln
import KilnNN

/// The training loss, by name: cross-entropy for classification, MSE or Huber for regression.
public enum LossChoice: String, NamedChoice {
    /// Cross-entropy of logits `[N, classes]` against class labels `[N]`, with optional label smoothing.
    case crossEntropy = "cross_entropy"
    /// Mean squared error of outputs `[N, 1]` against standardized targets `[N]`.
    case mse
    /// Huber loss (δ = 1, in units of the targets' standard deviation) of outputs `[N, 1]` against standardized targets `[N]`.
    case huber

    public static let setting = "loss"

    /// Whether the loss fits regression (values) rather than classification.
    public var isRegression: Bool { self != .crossEntropy }

    /// The loss of `(outputs, targets)`, with `labelSmoothing` (PyTorch's `label_smoothing`)
    /// where the loss takes it; evaluation uses `labelSmoothing: 0`.
    public func make(labelSmoothing: Double = 0) -> (Tensor, Tensor) -> Tensor {
        switch self {
        case .crossEntropy:
            let smoothing = Float(labelSmoothing)
            return { KilnNN.crossEntropy(logits: $0, labels: $1, labelSmoothing: smoothing) }
        case .mse:
            return { mseLoss($0.reshaped([-1]), $1) }
        case .huber:
            return { huberLoss($0.reshaped([-1]), $1) }
        }
    }
}
