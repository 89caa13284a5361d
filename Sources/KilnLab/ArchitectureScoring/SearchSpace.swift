import Kiln
import KilnNN
import KilnTrain

/// What an architecture search samples: a description, the family it belongs to, and its choices
/// as the columns of the candidates' CSV.
public protocol SampledArchitecture: Sendable, CustomStringConvertible {
    /// The family's name, for the correlations within a family.
    var familyName: String { get }
    /// The choices by column name, in column order (the same names for every candidate of a space).
    var columns: [(name: String, value: String)] { get }
}

/// The families of architectures `kiln lab nas` samples in the ``ArchitectureSpace/image`` space.
public enum ArchitectureFamily: String, NamedChoice {
    /// Multilayer perceptrons (``MLPArchitecture``): 1–4 hidden layers of one width.
    case mlp
    /// Convolutional networks (``CNNArchitecture``): 1–3 blocks of one channel count, max pooling.
    case cnn

    public static let setting = "family"

    /// The depths sampled.
    var depths: ClosedRange<Int> { self == .mlp ? 1...4 : 1...3 }
    /// The widths (units or channels) sampled.
    var widths: [Int] { self == .mlp ? [16, 32, 64, 128, 256, 512] : [4, 8, 16, 32] }
    /// The normalizations sampled.
    var normalizations: [NormalizationChoice] { self == .mlp ? [.none, .batch, .layer] : [.none, .batch] }
    /// The activations sampled, in both families.
    static let activations: [ActivationChoice] = [.relu, .gelu, .tanh, .sigmoid, .silu, .leakyReLU]
}

/// One point of the search space: a family, its depth and width, activation and normalization.
public struct CandidateArchitecture: SampledArchitecture, Equatable {
    /// MLP or CNN.
    public var family: ArchitectureFamily
    /// Hidden layers (MLP) or convolution blocks (CNN).
    public var depth: Int
    /// Units per hidden layer or channels per block.
    public var width: Int
    /// The nonlinearity of every hidden layer.
    public var activation: ActivationChoice
    /// The normalization after every hidden linear layer or convolution.
    public var norm: NormalizationChoice

    /// The candidate with these choices.
    public init(family: ArchitectureFamily, depth: Int, width: Int, activation: ActivationChoice, norm: NormalizationChoice) {
        self.family = family
        self.depth = depth
        self.width = width
        self.activation = activation
        self.norm = norm
    }

    /// A candidate drawn uniformly: the family from `families`, then each choice of that family.
    public static func sample(from families: [ArchitectureFamily], generator: RandomGenerator) -> CandidateArchitecture {
        precondition(!families.isEmpty, "CandidateArchitecture.sample: no family to sample from")
        var g = generator
        let family = families.randomElement(using: &g)!
        return CandidateArchitecture(family: family, depth: Int.random(in: family.depths, using: &g),
                                     width: family.widths.randomElement(using: &g)!,
                                     activation: ArchitectureFamily.activations.randomElement(using: &g)!,
                                     norm: family.normalizations.randomElement(using: &g)!)
    }

    public var familyName: String { family.rawValue }
    public var columns: [(name: String, value: String)] {
        [("family", family.rawValue), ("depth", "\(depth)"), ("width", "\(width)"), ("activation", activation.rawValue), ("norm", norm.rawValue)]
    }

    /// `mlp 3×256 gelu batch`.
    public var description: String { "\(family) \(depth)×\(width) \(activation) \(norm)" }

    /// The model for inputs of `inputShape` (`[C, H, W]` images for the CNN) and `classes` classes,
    /// its weights drawn from the current generator.
    public func make(inputShape: [Int], classes: Int) throws(RunError) -> Sequential {
        switch family {
        case .mlp:
            var mlp = MLPArchitecture()
            (mlp.hidden, mlp.norm) = (Array(repeating: width, count: depth), norm)
            return mlp.make(features: inputShape.reduce(1, *), classes: classes, activation: activation)
        case .cnn:
            guard inputShape.count == 3, inputShape[1] == inputShape[2] else {
                throw RunError("the cnn family needs square images [C, H, W], got inputs of shape \(inputShape)")
            }
            var cnn = CNNArchitecture()
            (cnn.channels, cnn.norm, cnn.dense, cnn.dropout) = (Array(repeating: width, count: depth), norm, 0, 0)
            return try cnn.make(imageChannels: inputShape[0], side: inputShape[1], classes: classes, activation: activation)
        }
    }

    /// The modules of `model` that are this candidate's activation: its hidden layers.
    public func hiddenLayers(of model: Module) -> [Module] {
        let kind = ObjectIdentifier(type(of: activation.make()))
        return model.namedModules().map(\.module).filter { ObjectIdentifier(type(of: $0)) == kind }
    }
}
