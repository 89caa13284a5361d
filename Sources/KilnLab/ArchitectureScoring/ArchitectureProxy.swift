import Kiln
import KilnNN
import KilnTrain

/// A model at initialization and the batch a training-free proxy scores it on.
public struct ArchitectureProbe {
    /// The untrained model; proxies run it in training mode (batch statistics) unless they say
    /// otherwise, and leave its weights as they found them (batch normalization's running
    /// statistics do move: score a copy that will not be trained).
    public let model: Module
    /// A batch of inputs, `[N, …]`.
    public let inputs: Tensor
    /// Their int64 class labels: `[N]`, or `[N, T]` next tokens for a language model's `[N, T, V]` logits.
    public let labels: Tensor
    /// The model's hidden layers, in forward order: for classifiers, its nonlinearities (their inputs
    /// are the pre-activations NASWOT codes, their outputs the hidden layers W-PCA and hidden
    /// covariance read); for language models, the recurrent stack or the transformer blocks.
    public let hiddenLayers: [Module]

    /// A probe of `model` on `inputs` and `labels`, whose hidden layers are `hiddenLayers`.
    public init(model: Module, inputs: Tensor, labels: Tensor, hiddenLayers: [Module]) {
        precondition(inputs.shape.first == labels.shape.first && labels.rank >= 1,
                     "ArchitectureProbe: inputs \(inputs.shape) and labels \(labels.shape) must have labels for each example")
        self.model = model
        self.inputs = inputs
        self.labels = labels
        self.hiddenLayers = hiddenLayers
    }
}

/// The training-free proxies: each scores an untrained architecture so that a higher score
/// predicts a higher accuracy after training.
///
/// "Weights" below are the parameters of rank ≥ 2 (linear matrices and convolution kernels), the
/// layers the proxies' papers sum over; biases and normalization scales are left out.
public enum ArchitectureProxy: String, NamedChoice {
    /// Trainable parameters.
    case params
    /// Floating-point operations of one example's forward pass: 2 × the multiply-adds of the
    /// linear and convolution layers.
    case flops
    /// Σ ‖∂L/∂W‖₂ over the weights, L the batch's mean cross-entropy over every label (Abdelfattah et
    /// al., "Zero-Cost Proxies for Lightweight NAS", 2021).
    case gradNorm = "grad_norm"
    /// SNIP's connection sensitivity summed over the weights, Σ |W ⊙ ∂L/∂W| (Lee et al., 2019).
    case snip
    /// SynFlow (Tanaka et al., 2020): with every weight replaced by its absolute value and an
    /// input of ones, R = Σ f(1) and the score is Σ W ⊙ ∂R/∂W (data- and label-free; evaluation mode).
    /// A language model's input of ones is one window of token id 1 (its embedding's second row).
    case synflow
    /// NASWOT (Mellor et al., 2021): log |K_H| where K_H[i, j] counts the hidden units whose
    /// pre-activation sign two inputs share (N_A minus the Hamming distance of their binary codes).
    case naswot
    /// Jacobian covariance (Mellor et al., first version): ``CovarianceScore`` of the
    /// correlations between the examples' input gradients of Σ f(x).
    case jacobianCovariance = "jacob_cov"
    /// ``hiddenCovariance(_:)`` of the last hidden layer's outputs over the batch; a sequence model's
    /// hidden states `[N, T, D]` are read at the last position (the state after the whole window,
    /// as Serianni and Kalita read an RNN's).
    case hiddenCovariance = "hidden_cov"
    /// −κ of the neural tangent kernel (TE-NAS, Chen et al., 2021): Θ = J·Jᵀ from each of the
    /// batch's first 16 examples' parameter gradients of its summed outputs, κ = λ_max / λ_min.
    case ntk
    /// W-PCA (Training-free NAS for lightweight language models, 2024): parameter count × Σ over
    /// hidden layers of the principal components reaching 99 % of the layer's variance (a
    /// convolution's channels over all positions, a sequence model's features over all tokens).
    case wpca
    /// Attention confidence (Serianni and Kalita, 2023, after Voita et al., 2019): Σ over the
    /// transformer blocks' heads of the mean over examples and query positions of the head's
    /// largest attention weight; transformers only (NaN without attention).
    case attentionConfidence = "attn_conf"

    public static let setting = "proxy"

    /// The score of `probe`'s model; higher predicts better. NaN or −∞ where it is undefined
    /// (a singular kernel).
    public func score(_ probe: ArchitectureProbe) -> Double {
        switch self {
        case .params: Double(probe.model.parameterCount)
        case .flops: ModelCost.flops(of: probe.model, exampleShape: Array(probe.inputs.shape.dropFirst()))
        case .gradNorm: GradientProxies.gradientNorm(probe)
        case .snip: GradientProxies.snip(probe)
        case .synflow: GradientProxies.synflow(probe)
        case .naswot: ActivationProxies.naswot(probe)
        case .jacobianCovariance: JacobianProxies.jacobianCovariance(probe)
        case .hiddenCovariance: ActivationProxies.hiddenCovariance(probe)
        case .ntk: -JacobianProxies.ntkConditionNumber(probe, examples: 16)
        case .wpca: ActivationProxies.wpca(probe, threshold: 0.99)
        case .attentionConfidence: AttentionProxies.attentionConfidence(probe)
        }
    }
}
