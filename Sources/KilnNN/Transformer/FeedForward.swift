import Kiln

/// The position-wise feed-forward network of a transformer block.
public enum FeedForward: Sendable {
    /// `Linear(dimension, hidden)` → activation → `Linear(hidden, dimension)`, a ``Sequential`` named as
    /// PyTorch's `nn.Sequential` of the same layers (`0.weight`, `0.bias`, `2.weight`, `2.bias`), the
    /// `mlp` of the charlm anchor. `activation` makes a fresh module of the catalogue (`GELU()`, `ReLU()`,
    /// `SquaredReLU()`, …) for each block.
    case mlp(activation: @Sendable () -> Module)
    /// Shazeer's gated units without biases, ``GatedFeedForward`` (`w`, `v`, `w2`): SwiGLU, GeGLU or ReGLU.
    case gated(GatedFeedForward.Gate)
    /// A sparse ``MixtureOfExperts`` whose experts have the hidden size asked of the network.
    indirect case mixture(MixtureOfExperts.Configuration)

    /// The anchor's MLP, with exact GELU.
    public static let gelu = FeedForward.mlp(activation: { GELU() })

    /// The network for `dimension` features through `hidden`, with biases (for ``mlp(activation:)``)
    /// unless `bias` is false, its weights drawn from `generator`; for a mixture, `hidden` is each expert's.
    public func make(dimension: Int, hidden: Int, bias: Bool = true, generator: RandomGenerator = Random.default) -> Module {
        switch self {
        case .mlp(let activation):
            return Sequential([Linear(dimension, hidden, bias: bias, generator: generator), activation(),
                               Linear(hidden, dimension, bias: bias, generator: generator)])
        case .gated(let gate):
            return GatedFeedForward(inputSize: dimension, hiddenSize: hidden, gate: gate, generator: generator)
        case .mixture(let configuration):
            return MixtureOfExperts(dimension: dimension, hidden: hidden, configuration: configuration, bias: bias, generator: generator)
        }
    }
}
