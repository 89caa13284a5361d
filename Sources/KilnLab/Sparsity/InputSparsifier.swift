import CKilnKernels
import Kiln

/// How sparse inference chooses which inputs of a linear layer `y = W(m ⊙ x)` to keep.
public enum SparsityMethod: String, CaseIterable, Sendable {
    /// The k inputs of largest `|xᵢ|` in each token: TEAL's magnitude criterion as an exact top-k
    /// (TEAL itself calibrates one magnitude threshold per layer).
    case magnitude
    /// WINA (Weight Informed Neuron Activation): the k inputs of largest `|xᵢ|·‖W[:,i]‖₂`, the
    /// magnitude weighted by the norm of the weight column it multiplies, on the layer as it is.
    case wina
    /// WINA after its tensor-wise orthogonalization of the layer (``WINAOrthogonalization``): the criterion
    /// of ``wina`` on the rotated input `Vᵀx` and weight `WV`, whose column norms are `W`'s singular values.
    /// ``SparseInference`` rotates the layer; a sparsifier given a weight applies WINA's rule to it.
    case winaOrthogonal = "wina-orthogonal"
    /// CHESS's channel-wise thresholds: input `i` is kept when `|xᵢ| > τᵢ`, with `τᵢ` the quantile of
    /// `|xᵢ|` at the target sparsity on calibration data, so each channel is off that often.
    case chess
    /// Spark Transformer's statistical top-k: in each token, the inputs above `mean(x) + std(x)·Φ⁻¹(1 − k/d)`,
    /// the threshold that leaves k of d Gaussian values, found in linear time without sorting.
    case statistical
}

/// The mask of one linear layer's inputs for sparse inference: which of the `d` inputs each token keeps.
///
/// ```swift
/// let sparsifier = InputSparsifier(method: .wina, sparsity: 0.5, weight: layer.weight)
/// let y = layer(x * sparsifier.mask(x))
/// ```
public struct InputSparsifier: Sendable {
    /// The rule that chooses the kept inputs.
    public let method: SparsityMethod
    /// The target fraction of inputs set to zero.
    public let sparsity: Double
    /// The number of inputs `d`.
    public let width: Int
    /// The inputs a top-k method keeps per token, `round((1 − sparsity)·d)`.
    public let keep: Int
    /// WINA's column norms `‖W[:,i]‖₂`, or nil.
    public let columnNorms: [Float]?
    /// CHESS's per-channel thresholds `τᵢ`, or nil.
    public let thresholds: [Float]?

    /// The sparsifier of a linear layer with `weight` `[out, in]` dropping a fraction `sparsity` of its
    /// inputs by `method`; CHESS calibrates its thresholds on `calibration` `[..., in]`, the layer's inputs on
    /// sample data.
    /// - Precondition: `0 ≤ sparsity < 1`; `calibration` is given for ``SparsityMethod/chess``, with `in` channels.
    public init(method: SparsityMethod, sparsity: Double, weight: Tensor, calibration: Tensor? = nil) {
        precondition(weight.rank == 2, "InputSparsifier: weight must be [out, in], got \(weight.shape)")
        precondition(sparsity >= 0 && sparsity < 1, "InputSparsifier: sparsity \(sparsity) must be in [0, 1)")
        let width = weight.shape[1]
        self.method = method
        self.sparsity = sparsity
        self.width = width
        keep = Int(((1 - sparsity) * Double(width)).rounded())
        columnNorms = method == .wina || method == .winaOrthogonal ? (weight * weight).sum(axes: [0]).sqrt().scalars : nil
        if method == .chess {
            guard let calibration, calibration.shape.last == width else {
                preconditionFailure("InputSparsifier: CHESS needs calibration inputs [..., \(width)], got \(calibration?.shape.description ?? "none")")
            }
            let magnitudes = calibration.abs().reshaped([-1, width]).transposed().contiguous().scalars
            let rows = magnitudes.count / width
            thresholds = (0..<width).map { i in sortedQuantile(magnitudes[(i * rows)..<((i + 1) * rows)].sorted(), sparsity) }
        } else {
            thresholds = nil
        }
    }

    /// Φ⁻¹(1 − k/d), the statistical top-k's distance from the mean in standard deviations.
    var standardScore: Float { Float(Tensor.standardNormalQuantile(1 - Double(keep) / Double(width))) }

    /// The mask of `x` `[..., in]`: 1 for the kept inputs, 0 for the dropped ones, in `x`'s shape.
    public func mask(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == width, "InputSparsifier.mask: input \(x.shape) must end in \(width)")
        return withoutGradient {
            switch method {
            case .magnitude, .wina, .winaOrthogonal:
                var scores = x.abs()
                if let columnNorms { scores = scores * Tensor(columnNorms) }
                var mask = Tensor(zeros: x.shape)
                var keys = [Int32](repeating: 0, count: width)
                scores.withUnsafeFloats { s in
                    mask.withUnsafeMutableFloats { m in
                        kiln_top_k_mask_f32(s.baseAddress, s.count / width, width, keep, m.baseAddress, &keys)
                    }
                }
                return mask
            case .chess:
                return Tensor.where(x.abs() .> Tensor(thresholds!), Tensor(1), Tensor(0))
            case .statistical:
                if keep == width { return Tensor(zeros: x.shape) + 1 }
                let mean = x.mean(axes: [-1], keepingDims: true)
                let std = ((x - mean) * (x - mean)).mean(axes: [-1], keepingDims: true).sqrt()
                return Tensor.where(x .> mean + std * standardScore, Tensor(1), Tensor(0))
            }
        }
    }
}
