import Kiln

// The condition number of a weight, `κ(W) = σ_max / σ_min`, and a differentiable penalty on it.
//
// "Lipschitz Constant Meets Condition Number" shows that heavily pruned weight matrices become
// ill-conditioned and that a large κ, more than a small Lipschitz bound, makes such networks fragile;
// it adds differentiable condition-number constraints to training. The exact form of the paper's
// constraint is not reproduced here. ``conditionNumberPenalty(_:)`` is a documented surrogate with the
// same aim: `log κ(W) = log σ_max − log σ_min`, which is 0 exactly when all singular values are equal
// (a scaled orthogonal matrix) and positive otherwise, computed from an exact singular value
// decomposition so that its gradient `u₁v₁ᵀ/σ₁ − u_k v_kᵀ/σ_k` is exact too.
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
public func conditionNumberPenalty(_ weight: Tensor) -> Tensor {
    let s = weightMatrix(weight, op: "conditionNumberPenalty").singularValues()
    return s[0].log() - s[s.shape[0] - 1].log()
}

/// The sum of ``conditionNumberPenalty(_:)`` over every trainable parameter of rank ≥ 2 in `model`
/// (the weight matrices and kernels, not the biases).
public func conditionNumberPenalty(of model: Module) -> Tensor {
    model.parameters().filter { !$0.isFrozen && $0.value.rank >= 2 }
        .map { conditionNumberPenalty($0.value) }
        .reduce(Tensor(0), +)
}

private func weightMatrix(_ weight: Tensor, op: String) -> Tensor {
    precondition(weight.rank >= 2 && weight.count > 0, "\(op): expects a weight of rank ≥ 2, got \(weight.shape)")
    return weight.rank == 2 ? weight : weight.reshaped([weight.shape[0], -1])
}
