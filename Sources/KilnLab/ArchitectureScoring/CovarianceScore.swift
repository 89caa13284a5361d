import Foundation
import Kiln

/// The score both covariance proxies give a correlation matrix R with eigenvalues λᵢ:
/// −Σᵢ [ln(λᵢ + k) + 1/(λᵢ + k)], k = 1e-5.
///
/// Each term is smallest (≈ 1) at λ = 1, so the score is highest when the variables are
/// uncorrelated (R = I gives −n) and falls as correlations make eigenvalues differ from 1. Mellor
/// et al. ("Neural Architecture Search without Training", first version, 2020) apply it to the
/// correlations between examples' input Jacobians; Serianni and Kalita ("Training-free Neural
/// Architecture Search for RNNs and Transformers", 2023) to the correlations between hidden units
/// (``hiddenCovariance(_:)``).
public enum CovarianceScore {
    /// The k of the score.
    public static let k = 1e-5

    /// The score of a correlation matrix with eigenvalues `eigenvalues`.
    public static func score(eigenvalues: [Double]) -> Double {
        -eigenvalues.reduce(0) { $0 + Foundation.log($1 + k) + 1 / ($1 + k) }
    }

    /// The score of a symmetric positive semi-definite `[n, n]` correlation matrix (whose
    /// eigenvalues are its singular values).
    public static func score(correlation: Tensor) -> Double {
        precondition(correlation.rank == 2 && correlation.shape[0] == correlation.shape[1],
                     "CovarianceScore.score: expects a square matrix, got \(correlation.shape)")
        return score(eigenvalues: withoutGradient { correlation.detached().singularValues().scalars.map(Double.init) })
    }

    /// The eigenvalues of the correlation matrix among the rows of `variables` (`[V, M]`: V
    /// variables observed M times; NumPy's `corrcoef(variables)`), largest first. A row that
    /// never varies has no correlation and is left out, so V′ ≤ V eigenvalues are returned.
    public static func correlationEigenvalues(of variables: Tensor) -> [Double] {
        precondition(variables.rank == 2, "correlationEigenvalues: expects [variables, observations], got \(variables.shape)")
        return withoutGradient {
            let centered = variables.detached() - variables.detached().mean(axis: 1, keepingDims: true)
            let norms = centered.norm(axis: 1).scalars
            let varying = norms.indices.filter { norms[$0] > 1e-12 * Float(variables.shape[1]).squareRoot() }
            if varying.isEmpty { return [] }
            let rows = centered.indexSelect(axis: 0, indices: Tensor(varying))
            // R = Z·Zᵀ with unit rows Z: its eigenvalues are Z's squared singular values.
            let z = rows / rows.norm(axis: 1, keepingDims: true)
            return SpectrumCounts.squaredSingularValues(of: z, padTo: varying.count)
        }
    }
}

/// The hidden covariance of Serianni and Kalita (2023): the ``CovarianceScore`` of the
/// correlation matrix between the hidden units of `hiddenStates` (`[N, D]`: D units over N
/// inputs). Higher predicts a better trained model. Rescaling a unit leaves it unchanged; a unit
/// that never varies is left out.
public func hiddenCovariance(_ hiddenStates: Tensor) -> Double {
    precondition(hiddenStates.rank == 2, "hiddenCovariance: expects hidden states [N, D], got \(hiddenStates.shape)")
    return CovarianceScore.score(eigenvalues: CovarianceScore.correlationEigenvalues(of: hiddenStates.transposed().contiguous()))
}

/// Spectra of data matrices computed the cheaper way round.
enum SpectrumCounts {
    /// The squared singular values of `a` (`[m, n]`), largest first, padded with zeros to
    /// `padTo` values: from the smaller Gram matrix (`aᵀa` or `a·aᵀ`, whose eigenvalues are its
    /// singular values) when `a` is far from square, else from `a` itself.
    static func squaredSingularValues(of a: Tensor, padTo count: Int) -> [Double] {
        let (m, n) = (a.shape[0], a.shape[1])
        let values: [Double]
        if max(m, n) > 4 * min(m, n) {
            let gram = m > n ? a.transposed().matmul(a) : a.matmul(a.transposed())
            values = gram.singularValues().scalars.map(Double.init)
        } else {
            values = a.singularValues().scalars.map { Double($0) * Double($0) }
        }
        return values + Array(repeating: 0, count: max(0, count - values.count))
    }

    /// The fewest leading principal components of the rows of `h` (`[observations, features]`)
    /// whose variance reaches `threshold` of the total; 0 when nothing varies.
    static func principalComponents(of h: Tensor, reaching threshold: Double) -> Int {
        let centered = h - h.mean(axis: 0, keepingDims: true)
        let variances = squaredSingularValues(of: centered, padTo: 0)
        let total = variances.reduce(0, +)
        guard total > 0 else { return 0 }
        var sum = 0.0
        for (i, v) in variances.enumerated() {
            sum += v
            if sum >= threshold * total { return i + 1 }
        }
        return variances.count
    }
}
