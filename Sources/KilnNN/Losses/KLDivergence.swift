import Kiln

/// The Kullback–Leibler divergence KL(target ‖ input) with PyTorch's `kl_div` semantics.
///
/// `input` holds log-probabilities; `target` holds probabilities, or log-probabilities when
/// `logTarget`. Each element is t·(log t − input) (0 where t = 0), or eᵗ·(t − input) for log targets.
/// PyTorch's default `.mean` averages over every element; `.batchMean` (sum over the batch size)
/// gives the divergence per sample.
///
/// - Precondition: `input` and `target` have the same shape.
public func klDivergence(_ input: Tensor, _ target: Tensor, logTarget: Bool = false,
                         reduction: LossReduction = .mean) -> Tensor {
    precondition(input.shape == target.shape, "klDivergence: input \(input.shape) and target \(target.shape) differ in shape")
    let losses: Tensor
    if logTarget {
        losses = target.exp() * (target - input)
    } else {
        // log of 1 where t = 0, so t·log t and its gradient stay finite there.
        let safeLog = Tensor.where(target .== 0, Tensor(1), target).log()
        losses = target * (safeLog - input)
    }
    return reduction.apply(to: losses)
}

/// The KL divergence as a callable value (PyTorch's `KLDivLoss`).
public struct KLDivLoss {
    public var logTarget: Bool
    public var reduction: LossReduction
    /// The divergence with `reduction`, taking targets as log-probabilities when `logTarget`; PyTorch's defaults.
    public init(reduction: LossReduction = .mean, logTarget: Bool = false) {
        self.reduction = reduction
        self.logTarget = logTarget
    }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        klDivergence(input, target, logTarget: logTarget, reduction: reduction)
    }
}
