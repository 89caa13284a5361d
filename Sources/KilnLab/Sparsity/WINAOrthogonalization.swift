import Kiln
import KilnNN

/// WINA's tensor-wise orthogonalization of a linear layer (Chen et al., "WINA: Weight Informed Neuron
/// Activation for Accelerating Large Language Model Inference", 2025). WINA's mask is the best k-subset
/// for the output error `‖Wx − W(m⊙x)‖` when the columns of `W` are orthogonal, so the paper makes them
/// so without changing the network's function: with the singular value decomposition `W = UΣVᵀ`, the
/// weight becomes `Ŵ = WV = UΣ`, whose columns are orthogonal (`ŴᵀŴ = Σ²`, column norms the singular
/// values), and the layer's input becomes `x̂ = Vᵀx`, so that `Ŵx̂ = Wx`.
///
/// The rotation `Vᵀ` has to be absorbed into the computation that produces the layer's input, which is
/// possible only where that computation ends in a linear map. In a pre-norm transformer block the
/// MLP's first layer (`mlp.0`) and the attention's input projection (`attn.qkv`) read a LayerNorm's
/// output `γ⊙n + β`; `Vᵀ` joins that affine map, which becomes `n ↦ Vᵀdiag(γ)·n + Vᵀβ`
/// (``absorbingModule(of:in:)`` names it). Here the rotation is applied at the layer's input, by a
/// forward pre-hook, which is the same product. (The paper carries the rotation further, into the
/// residual stream by SliceGPT's computational invariance, so that it costs nothing at inference.) A layer
/// reading a nonlinearity's output, like the MLP's second layer after GELU, cannot be rotated —
/// `GELU(Vᵀz) ≠ Vᵀ·GELU(z)` — and the paper keeps such layers as they are.
///
/// ```swift
/// let orthogonal = WINAOrthogonalization(weight: mlp0.weight)
/// let y = orthogonal.applied(to: mlp0) { mlp0(x) }   // equals mlp0(x), with orthogonal columns inside
/// ```
public struct WINAOrthogonalization: Sendable {
    /// `V` `[in, in]`, the right singular vectors of the weight.
    public var rotation: Tensor { Tensor(rotationValues, shape: [rotatedWeightShape[1], rotatedWeightShape[1]]) }
    /// `Ŵ = WV` `[out, in]`, whose columns are orthogonal.
    public var rotatedWeight: Tensor { Tensor(rotatedWeightValues, shape: rotatedWeightShape) }
    // Held as values, so that the transformation is Sendable as the sparsifiers are.
    private let rotationValues: [Float]
    private let rotatedWeightValues: [Float]
    private let rotatedWeightShape: [Int]

    /// The orthogonalization of a layer with `weight` `[out, in]`.
    /// - Precondition: `out ≥ in`, so that `V` is square (a layer widening or keeping its width).
    public init(weight: Tensor) {
        precondition(weight.rank == 2 && weight.shape[0] >= weight.shape[1],
                     "WINAOrthogonalization: needs a weight [out, in] with out ≥ in, got \(weight.shape)")
        let v = weight.singularValueDecomposition().v
        rotationValues = v.scalars
        rotatedWeightValues = withoutGradient { weight.detached().matmul(v).scalars }
        rotatedWeightShape = weight.shape
    }

    /// The rotated input `x̂ = Vᵀx` of inputs `x` `[..., in]` (rows: `x·V`).
    public func rotated(_ x: Tensor) -> Tensor {
        let v = rotation
        return withoutGradient { x.matmul(v) }
    }

    /// Runs `body` with `layer` holding the rotated weight `Ŵ`, then gives it back its weight.
    public func withRotatedWeight<R>(of layer: Linear, during body: () throws -> R) rethrows -> R {
        let weight = layer.weight
        layer.weight = rotatedWeight
        defer { layer.weight = weight }
        return try body()
    }

    /// Runs `body` with `layer` orthogonalized — weight `Ŵ`, input rotated to `x̂`, then passed through
    /// `transform` (such as a mask) — and restores it after: the layer's function is unchanged without `transform`.
    public func applied<R>(to layer: Linear, then transform: @escaping (Tensor) -> Tensor = { $0 },
                           during body: () throws -> R) rethrows -> R {
        let handle = layer.addForwardPreHook { _, inputs in [transform(rotated(inputs[0]))] }
        defer { handle.remove() }
        return try withRotatedWeight(of: layer, during: body)
    }

    /// The path of the module whose output the linear layer at `path` reads and whose affine map absorbs
    /// the rotation — a transformer block's `ln2` for `mlp.0`, `ln1` for `attn.qkv` — or nil when the
    /// layer reads something else, such as an activation, and the rotation cannot be absorbed.
    public static func absorbingModule(of path: String, in model: Module) -> String? {
        let parts = path.split(separator: ".").map(String.init)
        guard parts.count >= 2 else { return nil }
        let blockPath = parts.dropLast(2).joined(separator: ".")
        guard let block = model.module(at: blockPath) as? TransformerBlock else { return nil }
        let norm: String
        switch parts.suffix(2) {
        case ["mlp", "0"] where (block.mlp as? Sequential)?.layers.first is Linear: norm = "ln2"
        case ["attn", "qkv"]: norm = "ln1"
        default: return nil
        }
        return blockPath.isEmpty ? norm : "\(blockPath).\(norm)"
    }
}
