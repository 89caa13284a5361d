import Foundation
import Kiln

/// A decoder-only transformer language model: token embedding, positions, pre-norm
/// ``TransformerBlock``s, a final norm and a linear head over the vocabulary.
///
/// With the default configuration it is the charlm anchor's `CharGPT`, parameter for parameter and
/// name for name (`tok_emb.weight`, `pos_emb.weight`, `blocks.0.ln1.weight`, `blocks.0.attn.qkv.weight`,
/// `blocks.0.mlp.0.weight`, `ln_f.weight`, `head.weight`, …), so its PyTorch `state_dict` loads with
/// ``Module/load(stateDict:strict:)``. Every linear weight and embedding starts as N(0, 0.02²), every
/// bias at zero, the norms at one (and zero), as the anchor initializes them.
///
/// ```swift
/// let model = GPT(GPT.Configuration(vocabularySize: 113), generator: RandomGenerator(seed: 0))
/// let logits = model(ids)     // ids: int64 [B, T] → [B, T, vocabulary]
/// ```
public final class GPT: Module {
    /// Where the model gets positions from.
    public enum PositionEncoding: Sendable, Equatable {
        /// A learned table `pos_emb` of `contextLength` vectors added to the token embeddings.
        case learned
        /// Vaswani's fixed sinusoids added to the token embeddings (``sinusoidalPositions(_:dimension:)``).
        case sinusoidal
        /// Rotary embeddings of queries and keys in every attention layer, with this base.
        case rotary(base: Double = 10_000)
        /// ALiBi biases in every attention layer.
        case alibi
        /// No positions (causal attention alone).
        case none
    }

    /// The shape of a ``GPT``; the defaults are the charlm anchor's, but for the vocabulary.
    public struct Configuration: Sendable {
        /// The number of token ids.
        public var vocabularySize: Int
        /// The longest sequence; it bounds the positions of a ``PositionEncoding/learned`` table.
        public var contextLength = 128
        /// The width of the residual stream.
        public var dimension = 128
        /// The number of blocks, at least one.
        public var layers = 4
        /// The number of attention heads, dividing ``dimension``.
        public var heads = 4
        /// Key/value heads for grouped-query attention, dividing ``heads``; nil for one per query head.
        public var keyValueHeads: Int? = nil
        /// Where positions come from.
        public var positions = PositionEncoding.learned
        /// The feed-forward network of each block.
        public var feedForward = FeedForward.gelu
        /// The feed-forward network's hidden size; nil for 4·``dimension``.
        public var hiddenDimension: Int? = nil
        /// The normalization before each branch and at the end.
        public var normalization = BlockNormalization.layerNorm()
        /// Whether attention and MLP projections have biases.
        public var bias = true
        /// The output gate of gated attention, if any.
        public var attentionGate: MultiHeadAttention.OutputGate? = nil
        /// What turns attention scores into weights (softmax in the anchor). A sigmoid without a bias
        /// gets `b = −log(contextLength)`, one constant as in the sigmoid-attention paper's language
        /// models, so cached decoding and longer evaluation contexts keep the bias training saw.
        public var attentionNormalizer = AttentionNormalizer.softmax
        /// Dropout on the embeddings, on each residual branch and on the attention weights (0: none, as in
        /// the anchor): one probability for all three, as nanoGPT's `dropout`. Masks come from the scope's
        /// generator at each call, as ``Dropout``'s without one.
        public var dropout: Float = 0
        /// Whether the head shares the token embedding's weight (then `head.weight` is `tok_emb.weight`).
        public var tiedHead = false

        /// The anchor's configuration for a vocabulary of `vocabularySize` tokens; change fields as needed.
        public init(vocabularySize: Int) {
            self.vocabularySize = vocabularySize
        }
    }

    /// The configuration the model was built from.
    public let configuration: Configuration
    /// The token embedding, `tok_emb`.
    public let tokenEmbedding: Embedding
    /// The learned positions, `pos_emb`, for ``PositionEncoding/learned``.
    public let positionEmbedding: Embedding?
    /// The blocks, `blocks.0`, `blocks.1`, ….
    public let blocks: [TransformerBlock]
    /// The final normalization, `ln_f`.
    public let finalNorm: Module
    /// The output projection, `head` (a view of the token embedding when tied).
    public let head: Module
    private let embeddingDropout: Dropout?

    /// A model of `configuration`, its weights drawn from `generator` as the anchor draws them.
    public init(_ configuration: Configuration, generator: RandomGenerator = Random.default) {
        let c = configuration
        precondition(c.vocabularySize > 0 && c.contextLength > 0 && c.layers > 0,
                     "GPT: vocabulary \(c.vocabularySize), context \(c.contextLength) and \(c.layers) layers must be positive")
        precondition(c.heads > 0 && c.dimension % c.heads == 0, "GPT: \(c.heads) heads must divide dimension \(c.dimension)")
        self.configuration = c
        tokenEmbedding = Embedding(c.vocabularySize, c.dimension, generator: generator)
        positionEmbedding = c.positions == .learned ? Embedding(c.contextLength, c.dimension, generator: generator) : nil
        let attentionPositions: MultiHeadAttention.Positions = switch c.positions {
        case .rotary(let base): .rotary(RotaryEmbedding(dimension: c.dimension / c.heads, base: base))
        case .alibi: .alibi
        case .learned, .sinusoidal, .none: .none
        }
        let normalizer: AttentionNormalizer = switch c.attentionNormalizer {
        case .sigmoid(nil): .sigmoid(bias: -Foundation.log(Float(c.contextLength)))
        default: c.attentionNormalizer
        }
        blocks = (0..<c.layers).map { _ in
            let attention = MultiHeadAttention(dimension: c.dimension, heads: c.heads, keyValueHeads: c.keyValueHeads, bias: c.bias,
                                               positions: attentionPositions, gate: c.attentionGate,
                                               normalizer: normalizer, dropout: c.dropout, generator: generator)
            let mlp = c.feedForward.make(dimension: c.dimension, hidden: c.hiddenDimension ?? 4 * c.dimension, bias: c.bias,
                                         generator: generator)
            return TransformerBlock(attention: attention, mlp: mlp, normalization: c.normalization, dropout: c.dropout)
        }
        finalNorm = c.normalization.make(c.dimension)
        head = c.tiedHead ? TiedHead(tokenEmbedding.$weight) : Linear(c.dimension, c.vocabularySize, bias: false, generator: generator)
        embeddingDropout = c.dropout > 0 ? Dropout(c.dropout) : nil
        super.init()
        initializeAsAnchor(generator: generator)
    }

    /// PyTorch's names: `tok_emb`, `pos_emb`, `blocks.i`, `ln_f`, `head`.
    public override var namedChildren: [(name: String, module: Module)] {
        var children: [(name: String, module: Module)] = [("tok_emb", tokenEmbedding)]
        if let positionEmbedding { children.append(("pos_emb", positionEmbedding)) }
        children += blocks.enumerated().map { ("blocks.\($0.offset)", $0.element) }
        children += [("ln_f", finalNorm), ("head", head)]
        if let embeddingDropout { children.append(("drop", embeddingDropout)) }
        return children
    }

    /// Logits `[B, T, vocabulary]` for token ids `[B, T]` (int64).
    public override func forward(_ ids: Tensor) -> Tensor { logits(ids, cache: nil) }

    /// An empty cache for generating with ``logits(_:cache:)``, reserving room for `capacity` positions.
    public func makeCache(capacity: Int = 0) -> TransformerCache { TransformerCache(layers: blocks.count, capacity: capacity) }

    /// Logits `[B, T, vocabulary]` for token ids `[B, T]` that continue the positions in `cache` (when
    /// given), whose keys and values are appended to it.
    public func logits(_ ids: Tensor, cache: TransformerCache?) -> Tensor {
        precondition(ids.rank == 2 && ids.dtype == .int64, "GPT: ids must be int64 [B, T], got \(ids.dtype) \(ids.shape)")
        let offset = cache?.count ?? 0, length = ids.shape[1]
        var x = tokenEmbedding(ids)
        switch configuration.positions {
        case .learned:
            precondition(offset + length <= configuration.contextLength,
                         "GPT: positions up to \(offset + length) exceed the learned context length \(configuration.contextLength)")
            x = x + positionEmbedding!(Tensor.arange(offset, offset + length))
        case .sinusoidal:
            x = x + sinusoidalPositions(offset..<(offset + length), dimension: configuration.dimension)
        case .rotary, .alibi, .none:
            break
        }
        if let embeddingDropout { x = embeddingDropout(x) }
        for (i, block) in blocks.enumerated() { x = block.forward(x, mask: .none, cache: cache?.layers[i]) }
        return head(finalNorm(x))
    }

    /// N(0, 0.02²) for every linear weight and embedding, zero biases: the anchor's initialization.
    private func initializeAsAnchor(generator: RandomGenerator) {
        func normal(_ p: Parameter) { p.value = Init.normal(p.value.shape, std: 0.02, generator: generator) }
        for (_, module) in namedModules() {
            switch module {
            case let linear as Linear:
                normal(linear.$weight)
                if let bias = linear.bias { bias.value = Init.zeros(bias.value.shape) }
            case let embedding as Embedding:
                normal(embedding.$weight)
            case let gated as GatedFeedForward:
                [gated.$w, gated.$v, gated.$w2].forEach(normal)
            default:
                break
            }
        }
    }
}

/// The output projection of a tied model: logits are features times the token embedding's weight,
/// shared (one parameter, listed under `tok_emb.weight` and saved under both names as PyTorch does).
private final class TiedHead: Module {
    let weight: Parameter

    init(_ weight: Parameter) {
        self.weight = weight
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { linear(x, weight: weight.value) }
}
