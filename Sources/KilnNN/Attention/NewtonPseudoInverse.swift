/// The Moore–Penrose pseudo-inverse of the matrices on the last two axes by Newton–Raphson
/// iteration (Ben-Israel & Cohen 1966), as SOFT computes it in the forward pass:
///
///     X₀ = α·Aᵀ,   Xₖ₊₁ = 2Xₖ − Xₖ·A·Xₖ
///
/// converges to `A⁺` for `0 < α < 2/σ₁(A)²`, quadratically once close. SOFT takes the bound's
/// estimate `α = 2/(‖A‖₁·‖A‖∞)`; as in the authors' implementation it is shrunk by 0.9 here, because
/// at equality (`A = I`, or a kernel matrix whose rows sum alike) the iteration stalls at zero.
/// Built from matrix products, so the gradient is that of the iterations performed.
///
/// On an exactly singular matrix, float rounding leaves small components in its null spaces that
/// each further step doubles: take no more iterations than convergence needs. SOFT's kernel
/// matrices among distinct landmarks are positive definite and have no such components.
///
/// `a` is `[..., M, N]`; the result is `[..., N, M]`.
public func newtonPseudoInverse(_ a: Tensor, iterations: Int = 20) -> Tensor {
    precondition(a.rank >= 2, "newtonPseudoInverse: needs a matrix, got \(a.shape)")
    precondition(iterations >= 0, "newtonPseudoInverse: iterations must not be negative, got \(iterations)")
    let rows = a.rank - 2, columns = a.rank - 1
    let magnitude = a.abs()
    let maxColumnSum = magnitude.sum(axis: rows, keepingDims: true).max(axes: [columns], keepingDims: true)
    let maxRowSum = magnitude.sum(axis: columns, keepingDims: true).max(axes: [rows], keepingDims: true)
    var x = a.transposed() * (0.9 * 2 / (maxColumnSum * maxRowSum))
    for _ in 0..<iterations { x = 2 * x - x.matmul(a).matmul(x) }
    return x
}
