import Kiln

/// How a loss turns its per-element values into the tensor it returns (PyTorch's `reduction`).
public enum LossReduction: Sendable, Equatable {
    /// The per-element losses, unreduced.
    case none
    /// The mean over all elements.
    case mean
    /// The sum over all elements.
    case sum
    /// The sum divided by the size of the first dimension: PyTorch's `batchmean`, which makes
    /// ``klDivergence(_:_:logTarget:reduction:)`` the true KL divergence averaged over the batch.
    case batchMean

    /// Reduces per-element `losses` as this case says.
    public func apply(to losses: Tensor) -> Tensor {
        switch self {
        case .none: losses
        case .mean: losses.mean()
        case .sum: losses.sum()
        case .batchMean: losses.sum() / Float(losses.rank == 0 ? 1 : losses.shape[0])
        }
    }
}
