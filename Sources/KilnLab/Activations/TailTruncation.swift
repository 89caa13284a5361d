import Kiln

/// The activation ratio of any activation function by CETT, the cumulative error of tail truncation
/// (Zhang et al. 2024, "ReLU² Wins"), the threshold rule under the Sparsing Law's performance-aware
/// sparsity: neuron `i` of a token contributes `nᵢ = aᵢ·W[:,i]` to the layer's output `W·a`; the
/// neurons with `‖nᵢ‖ < ε` are the tail, and
/// `CETT(ε) = mean over tokens of ‖Σ_tail nᵢ‖ / ‖Σᵢ nᵢ‖`.
/// The ε at which CETT reaches a target (the Sparsing Law picks the target where perplexity rises by
/// p%; 0.2 is ReLU² Wins' choice) counts a neuron as active when `‖nᵢ‖ ≥ ε`.
public enum TailTruncation {
    /// CETT of activations `a` `[..., d]` entering a linear layer of weight `[out, d]`, truncated at `threshold`.
    public static func error(activations a: Tensor, weight: Tensor, threshold: Float) -> Double {
        let (x, contributions) = prepare(a, weight)
        return error(x, weight, contributions, threshold)
    }

    /// The ε at which CETT crosses `target` (the largest with CETT below it, found by bisection over
    /// `[0, largest ‖nᵢ‖]`; CETT grows with ε in steps), and the fraction of neurons with `‖nᵢ‖ ≥ ε`
    /// there: the activation ratio.
    /// - Precondition: `0 < target < 1`; the activations end in `d`, the weight is `[out, d]`.
    public static func activationRatio(activations a: Tensor, weight: Tensor, target: Double = 0.2) -> (threshold: Float, ratio: Double) {
        precondition(target > 0 && target < 1, "TailTruncation: target CETT \(target) must be in (0, 1)")
        let (x, contributions) = prepare(a, weight)
        var (low, high) = (Float(0), contributions.max().item)
        for _ in 0..<30 {
            let middle = (low + high) / 2
            if error(x, weight, contributions, middle) < target { low = middle } else { high = middle }
        }
        let active = (contributions .>= Tensor(low)).sum().integers[0]
        return (low, Double(active) / Double(contributions.count))
    }

    /// Rows `[N, d]` of the activations and the magnitudes `‖nᵢ‖ = |aᵢ|·‖W[:,i]‖` of their contributions.
    private static func prepare(_ a: Tensor, _ weight: Tensor) -> (Tensor, Tensor) {
        precondition(weight.rank == 2 && a.shape.last == weight.shape[1],
                     "TailTruncation: activations \(a.shape) must end in the weight's \(weight.shape) input width")
        let x = a.reshaped([-1, weight.shape[1]]).detached()
        let norms = withoutGradient { (weight * weight).sum(axes: [0]).sqrt() }
        return (x, withoutGradient { x.abs() * norms })
    }

    private static func error(_ x: Tensor, _ weight: Tensor, _ contributions: Tensor, _ threshold: Float) -> Double {
        withoutGradient {
            let tail = Tensor.where(contributions .< Tensor(threshold), x, Tensor(0))
            func norms(_ t: Tensor) -> Tensor { let y = linear(t, weight: weight.detached()); return (y * y).sum(axes: [1]).sqrt() }
            let full = norms(x)
            let ratios = norms(tail) / Tensor.where(full .> Tensor(0), full, Tensor(1))
            return Double(ratios.mean().item)
        }
    }
}
