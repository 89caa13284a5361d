import Kiln

/// The normalization of a transformer block.
public enum BlockNormalization: Sendable, Equatable {
    /// ``LayerNorm`` with weight and bias.
    case layerNorm(eps: Float = 1e-5)
    /// ``RMSNorm`` with weight; a nil `eps` is `Float`'s machine epsilon, as in PyTorch.
    case rmsNorm(eps: Float? = nil)

    /// The normalization layer over `dimension` features.
    public func make(_ dimension: Int) -> Module {
        switch self {
        case .layerNorm(let eps): LayerNorm(dimension, eps: eps)
        case .rmsNorm(let eps): RMSNorm(dimension, eps: eps)
        }
    }
}

/// A pre-norm transformer block: `x + Dropout(Attn(N₁(x)))`, then `x + Dropout(MLP(N₂(x)))`, with the
/// names of the charlm anchor's `Block`: `ln1`, `attn`, `ln2`, `mlp`.
///
/// Dropout here acts on the branch outputs (nanoGPT's residual dropout); attention weights are dropped
/// by the attention layer itself (``MultiHeadAttention/dropout``).
public final class TransformerBlock: Module {
    /// The normalization before attention.
    public let ln1: Module
    /// The self-attention.
    public let attn: MultiHeadAttention
    /// The normalization before the feed-forward network.
    public let ln2: Module
    /// The feed-forward network.
    public let mlp: Module
    /// The dropout on each branch's output before it is added back (residual dropout), or nil.
    public let dropout: Dropout?

    /// A block around `attention` and `mlp` (which map `[B, T, dimension]` to the same), normalized by
    /// `normalization`, dropping branch outputs with probability `dropout` in training (masks from
    /// `generator`, or the scope's generator at each call when nil).
    public init(attention: MultiHeadAttention, mlp: Module, normalization: BlockNormalization = .layerNorm(),
                dropout: Float = 0, generator: RandomGenerator? = nil) {
        ln1 = normalization.make(attention.dimension)
        attn = attention
        ln2 = normalization.make(attention.dimension)
        self.mlp = mlp
        self.dropout = dropout > 0 ? Dropout(dropout, generator: generator) : nil
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { forward(x, mask: .none, cache: nil) }

    /// The block on `x` `[B, T, dimension]`, attention under `mask` and continuing `cache` when given.
    public func forward(_ x: Tensor, mask: AttentionMask, cache: KeyValueCache?) -> Tensor {
        let x = x + dropped(attn.forward(ln1(x), mask: mask, cache: cache))
        return x + dropped(mlp(ln2(x)))
    }

    private func dropped(_ branch: Tensor) -> Tensor { dropout.map { $0(branch) } ?? branch }
}
