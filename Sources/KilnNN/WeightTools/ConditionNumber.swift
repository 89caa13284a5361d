import Kiln

// The condition number of a weight, `κ(W) = σ_max / σ_min`, and its logarithm as a differentiable penalty.
//
// "Lipschitz Constant Meets Condition Number" (Feng et al. 2025) shows that heavily pruned weight
// matrices become ill-conditioned and that a large κ, more than a small Lipschitz bound, makes such
// networks fragile; it trains with its own differentiable condition-number constraint (TSCNC), which
// is not what this file computes. ``logConditionNumberPenalty(_:)`` is named for what it is:
// `log κ(W) = log σ_max − log σ_min`, 0 exactly when all singular values are equal (a scaled
// orthogonal matrix) and positive otherwise, from an exact singular value decomposition, so that its
// gradient `u₁v₁ᵀ/σ₁ − u_k v_kᵀ/σ_k` is exact too.
//
// A weight of rank > 2 (a convolution kernel) is read as the matrix `[out, everything else]`.

/// `κ(W) = σ_max / σ_min` over the `min(rows, columns)` singular values; infinite when W is rank-deficient.
public func conditionNumber(_ weight: Tensor) -> Float {
    let s = withoutGradient { weightMatrix(weight, op: "conditionNumber").singularValues() }.scalars
    return s.first! / s.last!
}

/// `log κ(W) = log σ_max − log σ_min`, differentiable with respect to `weight`.
///
/// Its gradient is well defined when σ_max and σ_min are simple (not repeated) and σ_min > 0; at an
/// orthogonal matrix, its minimum, every singular value is repeated.
public func logConditionNumberPenalty(_ weight: Tensor) -> Tensor {
    let s = weightMatrix(weight, op: "logConditionNumberPenalty").singularValues()
    return s[0].log() - s[s.shape[0] - 1].log()
}

/// The sum of ``logConditionNumberPenalty(_:)`` over every trainable parameter of rank ≥ 2 in `model`
/// (the weight matrices and kernels, not the biases).
public func logConditionNumberPenalty(of model: Module) -> Tensor {
    model.parameters().filter { !$0.isFrozen && $0.value.rank >= 2 }
        .map { logConditionNumberPenalty($0.value) }
        .reduce(Tensor(0), +)
}

private func weightMatrix(_ weight: Tensor, op: String) -> Tensor {
    precondition(weight.rank >= 2 && weight.count > 0, "\(op): expects a weight of rank ≥ 2, got \(weight.shape)")
    return weight.rank == 2 ? weight : weight.reshaped([weight.shape[0], -1])
}
