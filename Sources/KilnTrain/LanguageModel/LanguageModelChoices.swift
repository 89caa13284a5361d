import KilnData
import KilnNN

/// Where a language model's positions come from, by name (``GPT/PositionEncoding``).
public enum PositionChoice: String, NamedChoice {
    /// A learned table of `context` vectors, as the charlm anchor; it cannot reach past `context`.
    case learned
    /// Fixed sinusoids added to the token embeddings.
    case sinusoidal
    /// Rotary embeddings of queries and keys (base 10,000).
    case rotary
    /// ALiBi's linear distance biases.
    case alibi
    /// No positions: causal attention alone.
    case none

    public static let setting = "positions"

    /// The model's position encoding.
    var encoding: GPT.PositionEncoding {
        switch self {
        case .learned: .learned
        case .sinusoidal: .sinusoidal
        case .rotary: .rotary()
        case .alibi: .alibi
        case .none: .none
        }
    }

    /// Whether the model can read sequences longer than the context it was trained on.
    public var extrapolates: Bool { self != .learned }
}

/// The normalization of a language model's blocks, by name.
public enum BlockNormChoice: String, NamedChoice {
    /// ``LayerNorm`` with weight and bias (eps 1e-5), as the anchor.
    case layer
    /// ``RMSNorm`` with weight.
    case rms

    public static let setting = "norm"

    var normalization: BlockNormalization {
        switch self {
        case .layer: .layerNorm()
        case .rms: .rmsNorm()
        }
    }
}

/// A gated feed-forward network (Shazeer's GLU variants, ``GatedFeedForward``) in place of the MLP.
public enum GatedUnitChoice: String, NamedChoice {
    /// Swish-gated (SwiGLU).
    case swiglu
    /// GELU-gated (GeGLU).
    case geglu
    /// ReLU-gated (ReGLU).
    case reglu

    public static let setting = "glu"

    var gate: GatedFeedForward.Gate {
        switch self {
        case .swiglu: .swish
        case .geglu: .gelu
        case .reglu: .relu
        }
    }
}

/// The output gate of gated attention (Qiu et al. 2025), by name (``MultiHeadAttention/OutputGate``).
public enum AttentionGateChoice: String, NamedChoice {
    /// One gate score per feature of each head.
    case elementwise
    /// One gate score per head.
    case headwise

    public static let setting = "gate"

    var gate: MultiHeadAttention.OutputGate {
        switch self {
        case .elementwise: .elementwise
        case .headwise: .headwise
        }
    }
}

/// What turns attention scores into weights, by the names of ``AttentionNormalizer/names``.
public enum AttentionNormalizerChoice: String, NamedChoice {
    /// Softmax, as the anchor.
    case softmax
    /// Sigmoid attention with the bias `−log(context)` (``AttentionNormalizer/sigmoid(bias:)``).
    case sigmoid
    /// Length-scaled softplus with re-weighting, power 3 (``AttentionNormalizer/softplusReweighted(power:)``).
    case softplusReweighted = "softplus_reweighted"
    /// ReLU divided by the sequence length (``AttentionNormalizer/relu``).
    case relu

    public static let setting = "normalizer"

    var normalizer: AttentionNormalizer {
        switch self {
        case .softmax: .softmax
        case .sigmoid: .sigmoid()
        case .softplusReweighted: .softplusReweighted()
        case .relu: .relu
        }
    }
}

/// What a language model reads its text as, by name: characters, bytes or byte-level BPE tokens
/// (``TextTokenizer``).
public enum TokenizerChoice: String, NamedChoice {
    /// One token per character (code point) of the corpus, as the anchor.
    case character
    /// One token per UTF-8 byte: 256 tokens.
    case byte
    /// Byte-level BPE (``BytePairTokenizer``), its merges learned from the training text only.
    case bpe

    public static let setting = "tokenizer"

    /// The vocabulary of a BPE tokenizer when the settings name none: the bytes and 256 merges.
    public static let defaultVocabularySize = 512

    /// The tokenizer of `text`: the characters of all of it (the anchor's `sorted(set(text))`), the
    /// bytes, or the merges learned from its training part up to `vocabularySize` tokens (fewer when
    /// no pair repeats), which must lie in ``BytePairTokenizer/vocabularySizes``.
    func make(_ text: LanguageModelText, vocabularySize: Int) -> TextTokenizer {
        switch self {
        case .character: .characters(CharacterVocabulary(of: text.whole))
        case .byte: .bytes
        case .bpe: .bytePairs(BytePairTokenizer(training: Array(text.training.utf8), vocabularySize: vocabularySize))
        }
    }
}
