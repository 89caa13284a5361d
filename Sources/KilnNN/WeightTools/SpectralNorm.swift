import Kiln

/// Spectral normalization (Miyato et al., 2018): the layer's weight is `W / σ(W)`, with the largest
/// singular value `σ` estimated by power iteration, as PyTorch's
/// `torch.nn.utils.parametrizations.spectral_norm`.
///
/// The weight is viewed as a matrix `[size of dim, everything else]`. Persistent vectors `u` and `v`
/// start as normalized normal draws refined by 15 power iterations; each training forward pass runs
/// `powerIterations` more (`u ← Wv / ‖Wv‖`, then `v ← Wᵀu / ‖Wᵀu‖`, norms floored at `eps`), evaluation
/// passes none. Then `σ = uᵀ W v` with `u`, `v` held constant, so gradients flow through `W` only.
///
/// Names follow PyTorch's `torch.nn.utils.spectral_norm`: parameter `weight_orig`, buffers `weight_u`
/// and `weight_v`. A state dict of the parametrizations version loads after renaming
/// `parametrizations.weight.original` to `weight_orig` and `parametrizations.weight.0._u` / `._v` to
/// `weight_u` / `weight_v`.
public final class SpectralNormalized<Layer: Module>: Reparameterized<Layer> {
    /// The unnormalized weight, named `<parameter>_orig`.
    public let original: Parameter
    /// The left singular vector estimate `[rows]`, named `<parameter>_u`.
    public let u: Buffer
    /// The right singular vector estimate `[columns]`, named `<parameter>_v`.
    public let v: Buffer
    public let powerIterations: Int
    public let eps: Float
    /// The dimension that becomes the rows of the matrix (1 for transposed convolutions in PyTorch).
    public let dim: Int

    /// Wraps `layer`, normalizing its parameter `name` (rank ≥ 2).
    public init(_ layer: Layer, parameter name: String = "weight", powerIterations: Int = 1, eps: Float = 1e-12,
                dim: Int = 0, generator: RandomGenerator = Random.default) {
        let w = Self.parameter(name, of: layer).value.detached()
        precondition(w.rank >= 2 && dim >= -w.rank && dim < w.rank,
                     "SpectralNormalized: parameter '\(name)' of shape \(w.shape) has no dimension \(dim) to keep apart")
        precondition(powerIterations > 0, "SpectralNormalized: powerIterations must be positive, got \(powerIterations)")
        self.powerIterations = powerIterations
        self.eps = eps
        self.dim = dim < 0 ? dim + w.rank : dim
        original = Parameter(wrappedValue: w)
        let matrix = Self.matrix(w, dim: self.dim)
        u = Buffer(wrappedValue: Self.normalized(Tensor.normal([matrix.shape[0]], generator: generator), eps: eps))
        v = Buffer(wrappedValue: Self.normalized(Tensor.normal([matrix.shape[1]], generator: generator), eps: eps))
        super.init(layer, parameter: name)
        iterate(matrix, times: 15)
    }

    /// `W / σ(W)`, after `powerIterations` steps of power iteration when training.
    public override func computeWeight() -> Tensor {
        let w = original.value
        let matrix = Self.matrix(w, dim: dim)
        if isTraining { iterate(matrix.detached(), times: powerIterations) }
        let sigma = u.wrappedValue.matmul(matrix.matmul(v.wrappedValue))
        return w / sigma
    }

    public override var ownParameters: [(name: String, parameter: Parameter)] {
        super.ownParameters + [("\(parameterName)_orig", original)]
    }

    public override var ownBuffers: [(name: String, buffer: Buffer)] {
        super.ownBuffers + [("\(parameterName)_u", u), ("\(parameterName)_v", v)]
    }

    /// Power iteration on the persistent `u`, `v`.
    private func iterate(_ matrix: Tensor, times: Int) {
        withoutGradient {
            for _ in 0..<times {
                u.wrappedValue = Self.normalized(matrix.matmul(v.wrappedValue), eps: eps)
                v.wrappedValue = Self.normalized(u.wrappedValue.matmul(matrix), eps: eps)
            }
        }
    }

    /// The weight as a `[size of dim, rest]` matrix.
    private static func matrix(_ w: Tensor, dim: Int) -> Tensor {
        let moved = dim == 0 ? w : w.permuted([dim] + (0..<w.rank).filter { $0 != dim })
        return moved.reshaped([moved.shape[0], -1])
    }

    /// `x / max(‖x‖, eps)`.
    private static func normalized(_ x: Tensor, eps: Float) -> Tensor {
        x / Swift.max(x.norm().item, eps)
    }
}
