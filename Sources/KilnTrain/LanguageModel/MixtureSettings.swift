import KilnNN

/// How the experts of a mixture-of-experts language model are chosen, by name (``ExpertGate``).
public enum ExpertGateChoice: String, NamedChoice {
    /// Softmax, the top-k experts, their weights renormalized.
    case topk
    /// The dense-to-sparse gate: tempered softmax, experts above the threshold.
    case denseToSparse = "dense_to_sparse"
    /// The activation dense-to-sparse gate with tanh before the tempered softmax.
    case tanhDenseToSparse = "tanh_dense_to_sparse"
    /// The activation dense-to-sparse gate with a sigmoid before the tempered softmax.
    case sigmoidDenseToSparse = "sigmoid_dense_to_sparse"
    /// THOR's stochastic experts, trained with the consistency loss.
    case stochastic

    public static let setting = "router"
}

/// How the loads of a mixture-of-experts language model are kept even, by name (``ExpertBalancing``).
public enum ExpertBalancingChoice: String, NamedChoice {
    /// Nothing beyond the gate.
    case none
    /// The Switch Transformer's auxiliary loss.
    case auxLoss = "aux_loss"
    /// Auxiliary-loss-free balancing by a per-expert selection bias.
    case lossFree = "loss_free"

    public static let setting = "balancing"
}

/// The mixture of experts that replaces every MLP of a language model (`kiln lm train --moe`),
/// stored with the run under the key `moe`.
public struct MixtureSettings: Equatable, Sendable, Codable {
    /// Routed experts per layer.
    public var experts = 8
    /// Experts per token, for the top-k gate.
    public var topK = 2
    /// How experts are chosen.
    public var router = ExpertGateChoice.topk
    /// How loads are kept even.
    public var balancing = ExpertBalancingChoice.lossFree
    /// The coefficient of the Switch balance loss (`aux_loss` balancing).
    public var balanceCoefficient = 0.01
    /// The step of the loss-free bias per optimizer step (`loss_free` balancing).
    public var biasRate = 1e-3
    /// The weight of the router z-loss; 0 for none.
    public var zLoss = 1e-3
    /// Each expert takes at most ⌈factor · assignments / experts⌉ tokens; nil for dropless routing.
    public var capacityFactor: Double?
    /// Shared experts every token goes through.
    public var sharedExperts = 0
    /// The temperature of the dense-to-sparse gates at the first step.
    public var temperature = 1.0
    /// The temperature the dense-to-sparse gates reach, linearly, at the last step; nil to keep ``temperature``.
    public var finalTemperature: Double?
    /// The weight below which the dense-to-sparse gates leave an expert out.
    public var threshold = 0.05
    /// THOR's consistency weight α (`stochastic` router).
    public var consistency = 1.0

    /// 8 experts, top-2, auxiliary-loss-free balancing with z-loss 0.001, dropless.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case experts, topK = "top_k", router, balancing, balanceCoefficient = "balance_coefficient", biasRate = "bias_rate"
        case zLoss = "z_loss", capacityFactor = "capacity_factor", sharedExperts = "shared_experts", temperature
        case finalTemperature = "final_temperature", threshold, consistency
    }

    /// What is wrong with the settings, in one line, or nil.
    public func problem() -> String? {
        if experts < 1 || experts > 1024 { return "experts must be in 1...1024, got \(experts)" }
        if topK < 1 || topK > experts { return "top_k must be in 1...\(experts) (the experts), got \(topK)" }
        for (name, value) in [("balance_coefficient", balanceCoefficient), ("bias_rate", biasRate), ("z_loss", zLoss), ("consistency", consistency)]
        where !(value >= 0 && value.isFinite) {
            return "\(name) must be non-negative and finite, got \(value)"
        }
        if let capacityFactor, !(capacityFactor > 0 && capacityFactor.isFinite) { return "capacity_factor must be positive, got \(capacityFactor)" }
        if sharedExperts < 0 || sharedExperts > 64 { return "shared_experts must be in 0...64, got \(sharedExperts)" }
        for (name, value) in [("temperature", temperature), ("final_temperature", finalTemperature ?? 1)] where !(value > 0 && value.isFinite) {
            return "\(name) must be positive and finite, got \(value)"
        }
        if !(threshold >= 0 && threshold <= 1) { return "threshold must be in [0, 1], got \(threshold)" }
        return nil
    }

    /// The gate at `temperature`.
    func gate(temperature: Double) -> ExpertGate {
        let t = Float(temperature), threshold = Float(self.threshold)
        return switch router {
        case .topk: .topK(topK)
        case .denseToSparse: .denseToSparse(temperature: t, threshold: threshold)
        case .tanhDenseToSparse: .activationDenseToSparse(.tanh, temperature: t, threshold: threshold)
        case .sigmoidDenseToSparse: .activationDenseToSparse(.sigmoid, temperature: t, threshold: threshold)
        case .stochastic: .stochastic
        }
    }

    /// The dense-to-sparse temperature at step `step` of `steps`: linear from ``temperature`` to ``finalTemperature``.
    func temperature(atStep step: Int, of steps: Int) -> Double {
        guard let final = finalTemperature else { return temperature }
        return temperature + (final - temperature) * Double(step) / Double(max(steps - 1, 1))
    }

    /// Each mixture layer's configuration, its experts of kind `expert`.
    func configuration(expert: FeedForward) -> MixtureOfExperts.Configuration {
        var c = MixtureOfExperts.Configuration(experts: experts, gate: gate(temperature: temperature), expert: expert)
        c.sharedExperts = sharedExperts
        c.balancing = switch balancing {
        case .none: .none
        case .auxLoss: .auxiliaryLoss(coefficient: Float(balanceCoefficient))
        case .lossFree: .lossFree(rate: Float(biasRate))
        }
        c.zLossWeight = Float(zLoss)
        c.capacityFactor = capacityFactor
        return c
    }
}
