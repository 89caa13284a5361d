import Kiln

/// Dynamic loss-based sample reweighting of Sow et al. 2025 ("Dynamic Loss-Based Sample Reweighting
/// for Improved Large Language Model Pretraining").
///
/// The per-sample losses ℓ of a batch are min-max rescaled to l̃ ∈ [−δ, δ]; a strategy maps l̃ to a
/// score f(l̃); the weights are softmax(f(l̃)/r) with temperature r, so they are positive and sum to 1;
/// and the loss is Σ wᵢ·ℓᵢ. Weights are constants: no gradient flows through them.
public enum LossReweighting: Sendable, Equatable {
    /// f(l̃) = min(l̃ + δ, δ): low-loss samples are down-weighted, the upper half shares the largest
    /// weight (the paper's best strategy).
    case linUpper
    /// f(l̃) = 1 − l̃²/δ²: mid-range losses weigh most, both extremes least.
    case quadratic
    /// f(l̃) = |l̃|: both extremes weigh most.
    case extremes

    /// The weights of `losses` (a float tensor of per-sample losses, any shape), detached, in its shape.
    ///
    /// When all losses are equal the weights are uniform.
    public func weights(for losses: Tensor, delta: Float = 1, temperature: Float = 1) -> Tensor {
        precondition(delta > 0 && temperature > 0,
                     "LossReweighting: delta and temperature must be positive, got \(delta) and \(temperature)")
        precondition(losses.count > 0, "LossReweighting: needs at least one loss, got shape \(losses.shape)")
        return withoutGradient {
            let l = losses.detached()
            let low = l.min(), span = Swift.max(l.max().item - low.item, 1e-6)
            let scaled = (l - low) * (2 * delta / span) - delta
            let score: Tensor
            switch self {
            case .linUpper: score = (scaled + delta).clamped(max: delta)
            case .quadratic: score = 1 - scaled * scaled / (delta * delta)
            case .extremes: score = scaled.abs()
            }
            let logits = score / temperature
            return (logits - logits.logSumExp()).exp()
        }
    }

    /// Σ wᵢ·ℓᵢ with the weights of ``weights(for:delta:temperature:)``; the gradient reaches `losses`
    /// scaled by the (constant) weights.
    public func weightedLoss(_ losses: Tensor, delta: Float = 1, temperature: Float = 1) -> Tensor {
        (weights(for: losses, delta: delta, temperature: temperature) * losses).sum()
    }
}
