import Kiln

/// AWQ (Lin et al. 2024, "Activation-aware Weight Quantization"): before rounding, each input
/// channel `i` of a linear weight is scaled up by `sᵢ = s_X,i^α` (`s_X,i` the mean `|xᵢ|` on
/// calibration inputs) and the input scaled down by the same factor, so the channels that carry large
/// activations lose less to rounding; `α` is chosen on a grid in `[0, 1]` to minimize the output error
/// `‖x·Wᵀ − x·Ŵᵀ‖²` on the calibration inputs. `α = 0` is round to nearest, so the search never does worse.
///
/// ```swift
/// let awq = ActivationAwareQuantization(weight: layer.weight, inputs: calibration, scheme: QuantizationScheme(bits: 4))
/// layer.weight = awq.effectiveWeight
/// ```
public struct ActivationAwareQuantization {
    /// The exponent chosen.
    public let alpha: Double
    /// The per-input-channel scales `s` (normalized so that `max·min = 1`, as AWQ's reference code does).
    public let inputScales: [Float]
    /// The codes of `W·diag(s)`.
    public let quantized: QuantizedWeight
    /// `Q(W·diag(s))·diag(s)⁻¹`, the weight the layer computes with.
    public let effectiveWeight: Tensor
    /// The mean squared output error on the calibration inputs at the chosen `α`.
    public let outputError: Double
    /// The same error of round to nearest (`α = 0`).
    public let roundToNearestError: Double

    /// The search over `α ∈ {0, 1/grid, …, 1}` for `weight` `[out, in]` on `inputs` `[..., in]` under `scheme`.
    /// - Precondition: the inputs end in `in`; `grid ≥ 1`.
    public init(weight: Tensor, inputs: Tensor, scheme: QuantizationScheme, grid: Int = 20) {
        let width = weight.shape[1]
        precondition(weight.rank == 2 && inputs.shape.last == width && grid >= 1,
                     "ActivationAwareQuantization: weight \(weight.shape) and inputs \(inputs.shape) must be [out, in] and [..., in], grid \(grid) ≥ 1")
        let x = inputs.reshaped([-1, width]).detached(), w = weight.detached()
        let reference = linear(x, weight: w)
        let meanMagnitude = x.abs().mean(axes: [0])
        func candidate(_ alpha: Double) -> (scales: Tensor, quantized: QuantizedWeight, weight: Tensor, error: Double) {
            var s = Tensor.where(meanMagnitude .> Tensor(1e-4), meanMagnitude, Tensor(1e-4)).pow(Float(alpha))
            s = s / (s.max() * s.min()).sqrt()
            let q = QuantizedWeight(w * s, scheme: scheme)
            let effective = q.dequantized() / s
            let difference = reference - linear(x, weight: effective)
            return (s, q, effective, Double((difference * difference).mean().item))
        }
        let candidates = withoutGradient { (0...grid).map { candidate(Double($0) / Double(grid)) } }
        let best = candidates.indices.min { candidates[$0].error < candidates[$1].error }!
        alpha = Double(best) / Double(grid)
        inputScales = candidates[best].scales.scalars
        quantized = candidates[best].quantized
        effectiveWeight = candidates[best].weight
        outputError = candidates[best].error
        roundToNearestError = candidates[0].error
    }
}
