import Kiln

/// How a ``MixtureOfExperts`` turns its router's logits into the experts each token goes to and
/// their gate weights.
public enum ExpertGate: Sendable, Equatable {
    /// The pointwise function the activation dense-to-sparse gate applies before its softmax.
    public enum Activation: String, Sendable, Equatable, CaseIterable {
        /// tanh.
        case tanh
        /// The logistic sigmoid.
        case sigmoid
    }

    /// Softmax over every expert; each token goes to the `k` most probable (Shazeer et al. 2017, the
    /// Switch Transformer for `k = 1`), weighted by their probabilities, renormalized over the `k`
    /// chosen to sum to 1 when `renormalized` (Mixtral's gate) or left as they are.
    case topK(Int, renormalized: Bool = true)
    /// The dense-to-sparse gate: weights `softmax(logits / temperature)`, and each token goes to
    /// every expert whose weight is at least `threshold`, weighted as it is. A high temperature
    /// activates every expert; as the temperature falls toward 0 the softmax becomes one-hot and the
    /// gate becomes top-1 (Nguyen, Akbarian & Ho, "Is Temperature Sample Efficient for Softmax
    /// Gaussian Mixture of Experts?", 2024). Lower ``MixtureOfExperts/gate`` over training to sparsify.
    case denseToSparse(temperature: Float, threshold: Float)
    /// The same paper's activation dense-to-sparse gate: the router's linear output goes through
    /// `activation` before the tempered softmax, `softmax(σ(logits) / temperature)`, which decouples
    /// the temperature from the router's weights; experts are chosen by `threshold` as above.
    case activationDenseToSparse(Activation, temperature: Float, threshold: Float)
    /// THOR's stochastic experts (Zuo et al., "Taming Sparsely Activated Transformer with Stochastic
    /// Experts", 2022): no router; each token goes to one expert drawn uniformly at random, in training
    /// and inference, with weight 1. Train with ``consistencyRegularizedLoss(_:_:labels:weight:)``.
    case stochastic

    /// Whether the gate has a router (every gate but ``stochastic``).
    public var hasRouter: Bool { self != .stochastic }

    /// Stops with a message naming the gate when its numbers are out of range for `experts` experts.
    func validate(experts: Int) {
        switch self {
        case .topK(let k, _):
            precondition(k >= 1 && k <= experts, "MixtureOfExperts: top-k \(k) must lie in 1...\(experts) experts")
        case .denseToSparse(let t, let threshold), .activationDenseToSparse(_, let t, let threshold):
            precondition(t > 0 && t.isFinite && threshold >= 0 && threshold <= 1,
                         "MixtureOfExperts: dense-to-sparse temperature \(t) must be positive and threshold \(threshold) in [0, 1]")
        case .stochastic:
            break
        }
    }

    /// The gate probabilities `[N, E]` of router logits `[N, E]` (nil for ``stochastic``).
    func probabilities(_ logits: Tensor) -> Tensor {
        switch self {
        case .topK: logits.softmax(axis: -1)
        case .denseToSparse(let t, _): logits.softmax(axis: -1, temperature: t)
        case .activationDenseToSparse(let activation, let t, _):
            (activation == .tanh ? logits.tanh() : logits.sigmoid()).softmax(axis: -1, temperature: t)
        case .stochastic: preconditionFailure("ExpertGate.probabilities: the stochastic gate has no router")
        }
    }
}
