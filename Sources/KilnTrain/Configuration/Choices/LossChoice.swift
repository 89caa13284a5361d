import Kiln
import KilnNN

/// The training loss of a classifier, by name.
public enum LossChoice: String, NamedChoice {
    /// Cross-entropy of logits `[N, classes]` against class labels `[N]`, with optional label smoothing.
    case crossEntropy = "cross_entropy"

    public static let setting = "loss"

    /// The loss of `(outputs, targets)`, with `labelSmoothing` (PyTorch's `label_smoothing`)
    /// where the loss takes it; evaluation uses `labelSmoothing: 0`.
    public func make(labelSmoothing: Double = 0) -> (Tensor, Tensor) -> Tensor {
        switch self {
        case .crossEntropy:
            let smoothing = Float(labelSmoothing)
            return { KilnNN.crossEntropy(logits: $0, labels: $1, labelSmoothing: smoothing) }
        }
    }
}
