import Kiln
import KilnNN
import KilnTrain

/// The search spaces of `kiln lab nas`: image classifiers on Fashion-MNIST, or recurrent or
/// transformer character language models on the fortunes corpus.
public enum ArchitectureSpace: String, NamedChoice {
    /// MLPs and CNNs (``ArchitectureFamily``) scored against test accuracy.
    case image
    /// Recurrent character models (``RecurrentLanguageModelArchitecture``) scored against validation loss.
    case rnn
    /// GPT character models (``TransformerLanguageModelArchitecture``) scored against validation loss.
    case transformer

    public static let setting = "space"

    /// The proxies that apply to the space's models: for images every one but attention
    /// confidence; for the language models those that need neither a differentiable input
    /// (Jacobian covariance), nor sign codes of pre-activations (NASWOT), nor a count of linear
    /// and convolution work (FLOPs), with attention confidence for the transformers.
    public var proxies: [ArchitectureProxy] {
        let language: [ArchitectureProxy] = [.params, .gradNorm, .snip, .synflow, .hiddenCovariance, .ntk, .wpca]
        return switch self {
        case .image: ArchitectureProxy.allCases.filter { $0 != .attentionConfidence }
        case .rnn: language
        case .transformer: language + [.attentionConfidence]
        }
    }
}

/// The recurrent cells the ``ArchitectureSpace/rnn`` space samples.
public enum RecurrentCellChoice: String, NamedChoice {
    /// Elman RNN with tanh.
    case rnnTanh = "rnn_tanh"
    /// Elman RNN with ReLU.
    case rnnReLU = "rnn_relu"
    /// Long short-term memory.
    case lstm
    /// Gated recurrent unit.
    case gru

    public static let setting = "cell"

    /// A batch-first stack of `layers` cells from `input` to `hidden` features.
    func make(input: Int, hidden: Int, layers: Int) -> RecurrentLayer {
        switch self {
        case .rnnTanh: RNN(inputSize: input, hiddenSize: hidden, layers: layers, nonlinearity: .tanh, batchFirst: true)
        case .rnnReLU: RNN(inputSize: input, hiddenSize: hidden, layers: layers, nonlinearity: .relu, batchFirst: true)
        case .lstm: LSTM(inputSize: input, hiddenSize: hidden, layers: layers, batchFirst: true)
        case .gru: GRU(inputSize: input, hiddenSize: hidden, layers: layers, batchFirst: true)
        }
    }
}

/// A character language model of an ``ArchitectureSpace/rnn`` or ``ArchitectureSpace/transformer``
/// search: token ids `[B, T]` to next-token logits `[B, T, vocabulary]`.
public protocol LanguageModelArchitecture: SampledArchitecture, Equatable {
    /// A draw from the space, each choice uniform, from `generator`.
    static func sample(generator: RandomGenerator) -> Self
    /// The model over `vocabularySize` tokens and windows of `context`, its weights drawn from the current generator.
    func make(vocabularySize: Int, context: Int) -> Module
    /// The modules of `model` whose outputs `[B, T, D]` are its hidden states, in forward order
    /// (the probe's ``ArchitectureProbe/hiddenLayers``).
    func hiddenLayers(of model: Module) -> [Module]
}

/// Embedding → a stack of recurrent cells → linear head: the recurrent space, after NAS-Bench-NLP's
/// choices of cell, depth, hidden and embedding size.
public struct RecurrentLanguageModelArchitecture: LanguageModelArchitecture {
    /// The cell of every layer.
    public var cell: RecurrentCellChoice
    /// Stacked recurrent layers.
    public var layers: Int
    /// Units of each layer's state.
    public var hidden: Int
    /// Features of the token embedding.
    public var embedding: Int

    /// The choices sampled.
    static let layerChoices = [1, 2, 3], hiddenChoices = [32, 64, 128, 256], embeddingChoices = [16, 32, 64]

    /// The model with these choices.
    public init(cell: RecurrentCellChoice, layers: Int, hidden: Int, embedding: Int) {
        (self.cell, self.layers, self.hidden, self.embedding) = (cell, layers, hidden, embedding)
    }

    public static func sample(generator: RandomGenerator) -> Self {
        var g = generator
        return Self(cell: RecurrentCellChoice.allCases.randomElement(using: &g)!, layers: layerChoices.randomElement(using: &g)!,
             hidden: hiddenChoices.randomElement(using: &g)!, embedding: embeddingChoices.randomElement(using: &g)!)
    }

    public func make(vocabularySize: Int, context: Int) -> Module {
        Sequential([Embedding(vocabularySize, embedding), cell.make(input: embedding, hidden: hidden, layers: layers),
                    Linear(hidden, vocabularySize)])
    }

    public func hiddenLayers(of model: Module) -> [Module] { model.namedModules().map(\.module).filter { $0 is RecurrentLayer } }

    public var familyName: String { "rnn" }
    public var columns: [(name: String, value: String)] {
        [("cell", cell.rawValue), ("layers", "\(layers)"), ("hidden", "\(hidden)"), ("embedding", "\(embedding)")]
    }
    /// `lstm 2×128 emb 32`.
    public var description: String { "\(cell) \(layers)×\(hidden) emb \(embedding)" }
}

/// A ``GPT`` with learned positions: the transformer space of depth, width, heads and MLP ratio.
public struct TransformerLanguageModelArchitecture: LanguageModelArchitecture {
    /// Blocks.
    public var depth: Int
    /// The model dimension.
    public var width: Int
    /// Attention heads (dividing the width).
    public var heads: Int
    /// The feed-forward hidden size over the width.
    public var mlpRatio: Int

    /// The choices sampled; heads are drawn among those dividing the width.
    static let depthChoices = [1, 2, 3, 4], widthChoices = [32, 64, 128], headChoices = [1, 2, 4, 8], ratioChoices = [1, 2, 4]

    /// The model with these choices.
    public init(depth: Int, width: Int, heads: Int, mlpRatio: Int) {
        (self.depth, self.width, self.heads, self.mlpRatio) = (depth, width, heads, mlpRatio)
    }

    public static func sample(generator: RandomGenerator) -> Self {
        var g = generator
        let width = widthChoices.randomElement(using: &g)!
        return Self(depth: depthChoices.randomElement(using: &g)!, width: width,
                    heads: headChoices.filter { width % $0 == 0 }.randomElement(using: &g)!,
                    mlpRatio: ratioChoices.randomElement(using: &g)!)
    }

    public func make(vocabularySize: Int, context: Int) -> Module {
        var configuration = GPT.Configuration(vocabularySize: vocabularySize)
        (configuration.contextLength, configuration.layers, configuration.dimension) = (context, depth, width)
        (configuration.heads, configuration.hiddenDimension) = (heads, mlpRatio * width)
        return GPT(configuration)
    }

    /// The GELU of each block's feed-forward network: its outputs `[B, T, ratio·width]` are the
    /// feed-forward hidden states W-PCA reads (blocks are called inside ``GPT`` without hooks).
    public func hiddenLayers(of model: Module) -> [Module] { model.namedModules().map(\.module).filter { $0 is GELU } }

    public var familyName: String { "transformer" }
    public var columns: [(name: String, value: String)] {
        [("depth", "\(depth)"), ("width", "\(width)"), ("heads", "\(heads)"), ("mlp_ratio", "\(mlpRatio)")]
    }
    /// `gpt 3×128 h4 mlp×2`.
    public var description: String { "gpt \(depth)×\(width) h\(heads) mlp×\(mlpRatio)" }
}
