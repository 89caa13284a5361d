import Kiln
import Foundation

/// The Cauchy–Schwarz divergence between the distributions of two samples, `x` `[N, D]` and
/// `y` `[M, D]`, each smoothed by a Gaussian kernel density estimate of bandwidth σ:
///
///     D_CS(p, q) = −log( (∫pq)² / (∫p² · ∫q²) )
///
/// For Gaussian kernels N(0, σ²I) every integral is a mean of Gaussian kernels of variance 2σ²
/// over pairs of points, e.g. ∫pq = mean_ij G(x_i − y_j), and the kernels' normalizing constants
/// cancel, so D_CS = −2·log mean K_xy + log mean K_xx + log mean K_yy with K(u, v) = exp(−‖u − v‖²/(4σ²)).
/// The logs of means are taken with logsumexp, so far-apart samples give a large finite value.
/// The divergence is symmetric, non-negative (Cauchy–Schwarz) and 0 when x and y are the same sample.
public func cauchySchwarzDivergence(_ x: Tensor, _ y: Tensor, bandwidth sigma: Float = 1) -> Tensor {
    precondition(x.rank == 2 && y.rank == 2 && x.shape[1] == y.shape[1] && x.shape[0] > 0 && y.shape[0] > 0,
                 "cauchySchwarzDivergence: expects samples [N, D] and [M, D], got \(x.shape) and \(y.shape)")
    precondition(sigma > 0, "cauchySchwarzDivergence: bandwidth must be positive, got \(sigma)")
    func logMeanKernel(_ u: Tensor, _ v: Tensor) -> Tensor {
        let squared = (u * u).sum(axis: 1, keepingDims: true) + (v * v).sum(axis: 1).unsqueezed(0) - 2 * u.matmul(v.T)
        let logKernel = squared.clamped(min: 0) * (-1 / (4 * sigma * sigma))
        return logKernel.logSumExp() - Float(Foundation.log(Double(u.shape[0] * v.shape[0])))
    }
    return logMeanKernel(x, x) + logMeanKernel(y, y) - 2 * logMeanKernel(x, y)
}
