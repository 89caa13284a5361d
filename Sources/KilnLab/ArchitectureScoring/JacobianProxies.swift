import Kiln
import KilnNN

/// The proxies read from Jacobians: of the outputs with respect to the inputs (Jacobian
/// covariance) and to the parameters (the neural tangent kernel's condition number).
enum JacobianProxies {
    /// ``CovarianceScore`` of the correlations between the examples' gradients ∂(Σ f(x))/∂x.
    static func jacobianCovariance(_ probe: ArchitectureProbe) -> Double {
        probe.model.train()
        let (_, _, inputGradients) = valueAndGradient(of: probe.model, at: [probe.inputs]) { m, xs in m(xs[0]).sum() }
        let jacobians = inputGradients[0].reshaped([probe.inputs.shape[0], -1])
        return CovarianceScore.score(eigenvalues: CovarianceScore.correlationEigenvalues(of: jacobians))
    }

    /// λ_max / λ_min of Θ = J·Jᵀ, row i of J the gradient of example i's summed outputs with
    /// respect to every trainable parameter, over a batch of the first `examples` examples (each
    /// row from its own backward pass through that batch, as TE-NAS does); +∞ when Θ is singular.
    static func ntkConditionNumber(_ probe: ArchitectureProbe, examples: Int) -> Double {
        let n = min(examples, probe.inputs.shape[0])
        let batch = probe.inputs.slice(axis: 0, 0..<n)
        probe.model.train()
        let rows = (0..<n).map { i -> Tensor in
            let (_, gradients) = valueAndGradient(of: probe.model) { m in m(batch).slice(axis: 0, i..<(i + 1)).sum() }
            return Tensor.concatenate(gradients.byName.keys.sorted().map { gradients.byName[$0]!.reshaped([-1]) })
        }
        return withoutGradient {
            let j = Tensor.stack(rows)
            let eigenvalues = j.matmul(j.transposed()).singularValues().scalars.map(Double.init)
            guard let largest = eigenvalues.first, let smallest = eigenvalues.last, smallest > 0 else { return .infinity }
            return largest / smallest
        }
    }
}
