import Foundation
import Kiln
import KilnNN

/// The spectrum of one matrix summarized as in Li et al. 2025 ("How Instruction and Reasoning Data
/// shape Post-Training: Data Quality through the Lens of Layer-wise Gradients"): its nuclear norm,
/// the size of an update, and its effective rank, how many directions the update spreads over.
public struct SpectralSummary: Sendable, Equatable {
    /// ‖G‖_* = Σⱼ σⱼ over the min(m, n) singular values.
    public var nuclearNorm: Double
    /// exp(−Σⱼ σ̃ⱼ ln σ̃ⱼ) with σ̃ⱼ = σⱼ / Σₖ σₖ (Roy and Vetterli's effective rank), between 1 and
    /// min(m, n); 0 for a zero matrix, which spreads over no direction.
    public var effectiveRank: Double

    /// The summary of a float matrix `[m, n]`.
    public init(of matrix: Tensor) {
        self.init(singularValues: withoutGradient { matrix.detached().singularValues() }.scalars.map(Double.init))
    }

    /// The summary of a matrix with the given singular values (any order, none negative).
    public init(singularValues: [Double]) {
        precondition(singularValues.allSatisfy { $0 >= 0 }, "SpectralSummary: singular values must not be negative, got \(singularValues)")
        let total = singularValues.reduce(0, +)
        nuclearNorm = total
        guard total > 0 else {
            effectiveRank = 0
            return
        }
        let entropy = singularValues.reduce(0.0) { sum, s in
            let p = s / total
            return p > 0 ? sum - p * Foundation.log(p) : sum
        }
        effectiveRank = Foundation.exp(entropy)
    }
}

/// The nuclear norm Σⱼ σⱼ of a float matrix, differentiable where its singular values are distinct
/// and nonzero (the gradient is U·Vᵀ).
public func nuclearNorm(_ matrix: Tensor) -> Tensor { matrix.singularValues().sum() }

extension Gradients {
    /// The ``SpectralSummary`` of every gradient of rank ≥ 2 by parameter path: the layer-wise
    /// gradient spectra of Li et al. 2025. A kernel `[out, in, k…]` is read as the matrix
    /// `[out, in·k…]`; biases and other vectors are left out.
    public var spectra: [String: SpectralSummary] {
        byName.filter { $0.value.rank >= 2 }.mapValues { g in SpectralSummary(of: g.reshaped([g.shape[0], -1])) }
    }
}
