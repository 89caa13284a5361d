import Foundation

/// How attention turns query–key scores into weights; ``attention(query:key:value:mask:normalizer:scale:)``
/// applies it. Every normalizer gives zero weight to the pairs a mask hides.
///
/// Here `n` is the number of keys `Tk`. Under a causal or padding mask, `n` stays `Tk` for
/// ``sigmoid(bias:)`` and ``relu``, whose papers fix it to the sequence length rather than count the
/// keys each query sees; ``softplusReweighted(power:)`` uses the count of visible keys, row by row.
public enum AttentionNormalizer: Equatable, Sendable, CustomStringConvertible {
    /// `softmax(s)`: ``scaledDotProductAttention(query:key:value:mask:scale:dropout:generator:implementation:)``.
    case softmax
    /// `σ(s + b)` elementwise, unnormalized (Ramapuram et al. 2024, "Theory, Analysis, and Best
    /// Practices for Sigmoid Self-Attention"); `bias` nil is their default `b = −log n`, which makes
    /// each weight `1/(n + 1)` where all scores are 0. As in their causal language models, `n` is the
    /// sequence length `Tk` for every query, not the number of keys a causal query sees.
    case sigmoid(bias: Float? = nil)
    /// Length-scaled softplus attention with re-weighting (Gao & Spratling 2025, "Softplus Attention
    /// with Re-weighting Boosts Length Extrapolation in Large Language Models"). First stage: weights
    /// `softplus(log_d(Nᵢ) · s)` over the `Nᵢ` keys query `i` sees (`d` the head dimension),
    /// ℓ₁-normalized per row. Second stage (sharpening): each weight raised to `power` and the row
    /// ℓ₁-normalized again, so weights above the row's others grow relative to them; `power` 1 is the
    /// first stage alone. Rows that see a key sum to 1.
    case softplusReweighted(power: Float = 3)
    /// `relu(s) / n` (Wortsman et al. 2023, "Replacing softmax with ReLU in Vision Transformers",
    /// who divide by the sequence length `n`).
    case relu

    /// The names of the normalizers, as settings and the command line spell them.
    public static let names = ["softmax", "sigmoid", "softplus_reweighted", "relu"]

    /// The normalizer called `name` (one of ``names``) with its default parameters.
    public init(named name: String) throws(UnknownAttentionNormalizer) {
        switch name {
        case "softmax": self = .softmax
        case "sigmoid": self = .sigmoid()
        case "softplus_reweighted": self = .softplusReweighted()
        case "relu": self = .relu
        default: throw UnknownAttentionNormalizer(name: name)
        }
    }

    /// The normalizer's name (one of ``names``), without its parameters.
    public var name: String {
        switch self {
        case .softmax: "softmax"
        case .sigmoid: "sigmoid"
        case .softplusReweighted: "softplus_reweighted"
        case .relu: "relu"
        }
    }

    public var description: String {
        switch self {
        case .sigmoid(let bias?): "sigmoid(bias: \(bias))"
        case .softplusReweighted(let power): "softplus_reweighted(power: \(power))"
        default: name
        }
    }
}

/// A name that is no ``AttentionNormalizer``: one line naming it and the valid names.
public struct UnknownAttentionNormalizer: Error, Equatable, CustomStringConvertible {
    /// The name given.
    public let name: String

    /// The error of an unknown normalizer `name`.
    public init(name: String) { self.name = name }

    public var description: String {
        "attention normalizer \"\(name.oneLine)\" is not one of \(AttentionNormalizer.names.joined(separator: ", "))"
    }
}
