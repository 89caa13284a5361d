import Kiln

/// Multi-head self-attention over `[B, T, dimension]` sequences, with the parameter names of nanoGPT-style
/// PyTorch models.
///
/// - With as many key/value heads as query heads, one fused projection `qkv` (`[3·dimension, dimension]`,
///   queries, keys, values in that order) and the output projection `proj`: the `CausalSelfAttention` of
///   the charlm anchor. With fewer key/value heads (grouped-query attention, `keyValueHeads` dividing
///   `heads`), separate projections `q`, `k`, `v`, each key/value head shared by `heads / keyValueHeads`
///   consecutive query heads.
/// - Positions: ``Positions/rotary(_:)`` rotates queries and keys (after any cache offset),
///   ``Positions/alibi`` adds ALiBi's distance biases; learned or sinusoidal positions belong to the
///   embeddings and need nothing here.
/// - ``OutputGate``: gated attention (Qiu et al., "Gated Attention for Large Language Models", 2025),
///   `Y′ = SDPA(Q, K, V) ⊙ σ(X·W_g)` with `X` the layer's input, applied per head after attention and
///   before `proj`. Its weight is `gate.weight`, without bias as in the paper's formula.
/// - ``AttentionNormalizer``: softmax (``scaledDotProductAttention``) by default, or sigmoid, softplus
///   re-weighted or ReLU weights through ``attention(query:key:value:mask:normalizer:scale:)``.
/// - ``dropout``: attention weights dropped with this probability in training mode only (PyTorch's
///   `dropout_p`, nanoGPT's `attn_dropout`), masks from the scope's ``Random/default`` at each call.
///   Softmax attention with dropout takes the composed path: the fused kernel has no dropout.
/// - A ``KeyValueCache`` passed to ``forward(_:mask:cache:)`` receives the keys and values of the new
///   tokens, which then attend to every cached position (the causal mask aligned at the bottom right).
public final class MultiHeadAttention: Module {
    /// Where attention learns positions, if it does.
    public enum Positions: Sendable, Equatable {
        /// No positions in attention (they come with the embeddings, or there are none).
        case none
        /// Rotary embeddings of queries and keys.
        case rotary(RotaryEmbedding)
        /// ALiBi's linear distance biases, Press et al.'s slopes per head.
        case alibi
    }

    /// The gate of gated attention (Qiu et al. 2025), both head-specific.
    public enum OutputGate: Sendable, Equatable {
        /// One gate score per feature of each head: `W_g` is `[heads·headDimension, dimension]`.
        case elementwise
        /// One gate score per head, shared by its features: `W_g` is `[heads, dimension]`.
        case headwise
    }

    /// The fused query/key/value projection, when there are as many key/value heads as query heads.
    public let qkv: Linear?
    /// The separate query projection, with grouped key/value heads.
    public let q: Linear?
    /// The separate key projection, with grouped key/value heads.
    public let k: Linear?
    /// The separate value projection, with grouped key/value heads.
    public let v: Linear?
    /// The gate projection `W_g` of gated attention, or nil.
    public let gate: Linear?
    /// The output projection.
    public let proj: Linear

    /// The number of query heads.
    public let heads: Int
    /// The number of key/value heads (divides ``heads``).
    public let keyValueHeads: Int
    /// The size of each head.
    public let headDimension: Int
    /// Whether each position attends only to itself and earlier positions.
    public let isCausal: Bool
    /// Where positions enter.
    public let positions: Positions
    /// The output gate, or nil.
    public let outputGate: OutputGate?
    /// What turns scores into attention weights.
    public let normalizer: AttentionNormalizer
    /// The probability of dropping each attention weight in training mode (0: none).
    public let dropout: Float

    /// Attention over `dimension` features split into `heads` heads of `dimension / heads` features.
    ///
    /// - Parameters:
    ///   - keyValueHeads: the number of key/value heads (dividing `heads`); `heads` by default.
    ///   - bias: whether the projections have biases (the gate never has one).
    ///   - isCausal: whether positions see only earlier ones.
    ///   - positions: rotary embeddings or ALiBi, if any.
    ///   - gate: the output gate of gated attention, if any.
    ///   - normalizer: what turns scores into weights; softmax by default.
    ///   - dropout: the probability, in [0, 1), of dropping each attention weight in training mode.
    ///   - generator: where the projections' initial weights are drawn from.
    public init(dimension: Int, heads: Int, keyValueHeads: Int? = nil, bias: Bool = true, isCausal: Bool = true,
                positions: Positions = .none, gate: OutputGate? = nil, normalizer: AttentionNormalizer = .softmax,
                dropout: Float = 0, generator: RandomGenerator = Random.default) {
        precondition(dropout >= 0 && dropout < 1, "MultiHeadAttention: dropout \(dropout) outside [0, 1)")
        let keyValueHeads = keyValueHeads ?? heads
        precondition(heads > 0 && dimension % heads == 0 && keyValueHeads > 0 && heads % keyValueHeads == 0,
                     "MultiHeadAttention: \(heads) heads must divide dimension \(dimension), and \(keyValueHeads) key/value heads must divide \(heads)")
        let headDimension = dimension / heads
        if case .rotary(let rotary) = positions {
            precondition(rotary.dimension == headDimension,
                         "MultiHeadAttention: rotary dimension \(rotary.dimension) must equal the head dimension \(headDimension)")
        }
        let keyValueDimension = keyValueHeads * headDimension
        if keyValueHeads == heads {
            qkv = Linear(dimension, 3 * dimension, bias: bias, generator: generator)
            (q, k, v) = (nil, nil, nil)
        } else {
            qkv = nil
            q = Linear(dimension, dimension, bias: bias, generator: generator)
            k = Linear(dimension, keyValueDimension, bias: bias, generator: generator)
            v = Linear(dimension, keyValueDimension, bias: bias, generator: generator)
        }
        self.gate = gate.map { Linear(dimension, $0 == .elementwise ? dimension : heads, bias: false, generator: generator) }
        proj = Linear(dimension, dimension, bias: bias, generator: generator)
        self.heads = heads
        self.keyValueHeads = keyValueHeads
        self.headDimension = headDimension
        self.isCausal = isCausal
        self.positions = positions
        outputGate = gate
        self.normalizer = normalizer
        self.dropout = dropout
        super.init()
    }

    /// The model dimension.
    public var dimension: Int { heads * headDimension }

    /// Self-attention of `x` `[B, T, dimension]` with the layer's own mask (causal or none).
    public override func forward(_ x: Tensor) -> Tensor { forward(x, mask: .none, cache: nil) }

    /// `x`, or `x` and a mask.
    public override var inputArity: ClosedRange<Int> { 1...2 }

    /// Self-attention of `inputs[0]` under the mask `inputs[1]`, if given: bool `[B, T]` marks real (true)
    /// and padding keys, any other bool tensor broadcastable to `[B, heads, T, T]` the pairs allowed, and
    /// a float tensor is added to the scores. The layer's causality and ALiBi biases apply as well.
    public override func forward(_ inputs: [Tensor]) -> Tensor {
        guard inputs.count == 2 else { return forward(inputs[0]) }
        let extra = inputs[1]
        let mask: AttentionMask = switch (extra.dtype, extra.rank) {
        case (.bool, 2): .keyPadding(extra)
        case (.bool, _): AttentionMask(allowed: extra)
        default: AttentionMask(additive: extra)
        }
        return forward(inputs[0], mask: mask, cache: nil)
    }

    /// Self-attention of `x` `[B, T, dimension]` under `mask` (combined with the layer's causality and
    /// ALiBi biases), continuing `cache` when given: its positions come first, and `x`'s keys and
    /// values are appended to it.
    public func forward(_ x: Tensor, mask: AttentionMask, cache: KeyValueCache?) -> Tensor {
        let (batch, length) = (x.shape[0], x.shape[1])
        let (query, key, value, mask) = prepare(x, mask: mask, cache: cache)
        var y = attention(query: query, key: key, value: value, mask: mask, normalizer: normalizer,
                          dropout: isTraining ? dropout : 0).transposed(1, 2)
        if let gate {
            let scores = gate(x).reshaped([batch, length, heads, outputGate == .elementwise ? headDimension : 1])
            y = y * scores.sigmoid()
        }
        return proj(y.reshaped([batch, length, dimension]))
    }

    /// The attention weights `[B, heads, T, T]` of self-attention over `x` `[B, T, dimension]` under the
    /// layer's own mask (causality, ALiBi): row `i` of head `h` says how much query `i` takes from each key.
    ///
    /// The lab reads attention sinks from them. They are the weights ``forward(_:mask:cache:)`` applies,
    /// obtained by attending over the identity matrix as values.
    public func attentionWeights(_ x: Tensor) -> Tensor {
        let (query, key, _, mask) = prepare(x, mask: .none, cache: nil)
        let keys = key.shape[2]
        let identity = Tensor.where(Tensor.tril(rows: keys, columns: keys) .& Tensor.triu(rows: keys, columns: keys), Tensor(1), Tensor(0))
        return attention(query: query, key: key, value: identity.expanded(to: [x.shape[0], keyValueHeads, keys, keys]),
                         mask: mask, normalizer: normalizer)
    }

    /// Queries, keys and values after positions (the keys and values continuing `cache`), and `mask`
    /// joined with the layer's causality and ALiBi biases.
    private func prepare(_ x: Tensor, mask: AttentionMask, cache: KeyValueCache?) -> (Tensor, Tensor, Tensor, AttentionMask) {
        precondition(x.rank == 3 && x.shape[2] == dimension,
                     "MultiHeadAttention: input \(x.shape) must be [B, T, \(dimension)]")
        let length = x.shape[1]
        var (query, key, value) = project(x)
        let offset = cache?.count ?? 0
        if case .rotary(let rotary) = positions {
            let angles = rotary.angles(positions: offset..<(offset + length))
            (query, key) = (rotary.rotate(query, by: angles), rotary.rotate(key, by: angles))
        }
        if let cache { (key, value) = cache.append(keys: key, values: value) }
        var mask = mask
        mask.isCausal = (mask.isCausal || isCausal) && length > 1   // a single query sees every key either way
        if positions == .alibi {
            let bias = ALiBi.bias(heads: heads, queries: length, keys: key.shape[2])
            mask.additive = mask.additive.map { $0 + bias } ?? bias
        }
        return (query, key, value, mask)
    }

    /// Queries `[B, heads, T, D]`, keys and values `[B, keyValueHeads, T, D]`.
    private func project(_ x: Tensor) -> (Tensor, Tensor, Tensor) {
        let (batch, length) = (x.shape[0], x.shape[1])
        func split(_ t: Tensor, _ count: Int) -> Tensor {
            t.reshaped([batch, length, count, headDimension]).transposed(1, 2)
        }
        if let qkv {
            let parts = qkv(x).split(size: dimension, axis: 2)
            return (split(parts[0], heads), split(parts[1], heads), split(parts[2], heads))
        }
        return (split(q!(x), heads), split(k!(x), keyValueHeads), split(v!(x), keyValueHeads))
    }

    public override var extraDescription: String {
        "heads=\(heads), key_value_heads=\(keyValueHeads), head_dim=\(headDimension), causal=\(PythonText.bool(isCausal))"
    }
}
