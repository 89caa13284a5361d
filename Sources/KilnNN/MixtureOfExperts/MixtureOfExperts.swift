import Kiln

/// A sparse mixture-of-experts feed-forward layer: a router scores the experts for each token, a
/// ``ExpertGate`` chooses some of them, and each expert computes only the tokens it was given.
///
/// Each expert is a ``FeedForward`` network (an MLP with any activation, or a gated unit). A call
/// gathers the tokens expert by expert into one matrix, runs every expert's layers as one matrix
/// product per expert over its own rows (``groupedLinear(_:groupSizes:weights:biases:)``, no work for
/// tokens an expert was not chosen for), and adds each result back to its token weighted by the gate.
/// The backward pass runs through the same gather, gates and products. Optional parts:
///
/// - a capacity factor: each expert takes at most ⌈factor · assignments / experts⌉ tokens, in token
///   order; assignments beyond are dropped (the residual stream carries those tokens) and counted
///   in ``statistics``. Without one (the default) routing is dropless;
/// - shared experts (DeepSeekMoE): a dense network of `sharedExperts · hidden` units every token goes
///   through, added unweighted;
/// - load balancing (``ExpertBalancing``) and the router z-loss, whose training loss is
///   ``auxiliaryLoss`` after each call in training mode;
/// - at inference, experts switched off or forced on (Mixture of Tunable Experts) and routing to
///   one rank only (the weak activation of self-contrast decoding).
///
/// Parameters are named `router.weight`, `experts.0.0.weight` … (each expert as its ``FeedForward``
/// names it) and `shared.…`; the loss-free balancing bias is the buffer `expertBias`.
///
/// ```swift
/// let moe = MixtureOfExperts(dimension: 128, hidden: 256, configuration: .init(experts: 8, gate: .topK(2)))
/// let y = moe(x)              // [B, T, 128] → [B, T, 128]
/// let loss = task(y) + (moe.auxiliaryLoss ?? Tensor(0))
/// ```
public final class MixtureOfExperts: Module {
    /// What a mixture is made of, apart from its sizes.
    public struct Configuration: Sendable {
        /// The number of routed experts.
        public var experts: Int
        /// How tokens choose experts.
        public var gate: ExpertGate
        /// The network of each expert (not itself a mixture).
        public var expert: FeedForward
        /// Shared experts every token goes through, as one network `sharedExperts` times as wide as an expert.
        public var sharedExperts = 0
        /// How loads are kept even.
        public var balancing = ExpertBalancing.none
        /// The weight of the router z-loss in ``auxiliaryLoss``; 0 for none.
        public var zLossWeight: Float = 0
        /// The capacity factor, or nil for dropless routing.
        public var capacityFactor: Double?

        /// `experts` experts of kind `expert`, chosen by `gate`; change the other fields as needed.
        public init(experts: Int, gate: ExpertGate = .topK(2), expert: FeedForward = .gelu) {
            self.experts = experts
            self.gate = gate
            self.expert = expert
        }
    }

    /// The router, `Linear(dimension, experts)` without bias; nil for the stochastic gate.
    public let router: Linear?
    /// The routed experts.
    public let experts: [Module]
    /// The shared experts, or nil.
    public let shared: Module?
    /// The per-expert bias of loss-free balancing, added to the scores that choose experts.
    @Buffer public var expertBias: Tensor
    /// How tokens choose experts; may change between calls (to lower a dense-to-sparse temperature).
    public var gate: ExpertGate {
        didSet { gate.validate(experts: experts.count) }
    }
    /// How loads are kept even.
    public let balancing: ExpertBalancing
    /// The weight of the router z-loss.
    public let zLossWeight: Float
    /// The capacity factor, or nil for dropless routing.
    public let capacityFactor: Double?
    /// Experts that receive no token (switched off, Mixture of Tunable Experts).
    public var disabledExperts: Set<Int> = []
    /// Experts every token goes to (forced on, Mixture of Tunable Experts); under a top-k gate they
    /// take the first of the k places.
    public var forcedExperts: Set<Int> = []
    /// When set, each token goes to its expert of this rank alone (1 for the most probable), with
    /// weight 1: the weak activation of ``selfContrastLogits(strong:weak:beta:plausibility:)``.
    public var onlyRank: Int?
    /// The balancing and z-losses of the last call in training mode, to add to the objective; nil
    /// in evaluation mode or when the layer has none.
    public private(set) var auxiliaryLoss: Tensor?
    /// Routing figures summed over the calls in training mode since ``takeStatistics()``.
    public private(set) var statistics: RoutingStatistics
    /// Tokens that chose each expert since the last ``updateExpertBias()``.
    private var pendingLoads: [Int]
    private let parameterFreeActivation: Bool

    /// A mixture over `dimension` features whose experts have `hidden` units (with biases unless
    /// `bias` is false, for MLP experts), drawn from `generator`.
    public init(dimension: Int, hidden: Int, configuration c: Configuration, bias: Bool = true,
                generator: RandomGenerator = Random.default) {
        precondition(c.experts >= 1 && dimension >= 1 && hidden >= 1 && c.sharedExperts >= 0,
                     "MixtureOfExperts: \(c.experts) experts, dimension \(dimension), hidden \(hidden) and \(c.sharedExperts) shared experts")
        if case .mixture = c.expert { preconditionFailure("MixtureOfExperts: an expert cannot itself be a mixture") }
        if let factor = c.capacityFactor { precondition(factor > 0 && factor.isFinite, "MixtureOfExperts: capacity factor \(factor) must be positive") }
        c.gate.validate(experts: c.experts)
        router = c.gate.hasRouter ? Linear(dimension, c.experts, bias: false, generator: generator) : nil
        let experts = (0..<c.experts).map { _ in c.expert.make(dimension: dimension, hidden: hidden, bias: bias, generator: generator) }
        self.experts = experts
        shared = c.sharedExperts > 0 ? c.expert.make(dimension: dimension, hidden: hidden * c.sharedExperts, bias: bias, generator: generator) : nil
        expertBias = Tensor(zeros: [c.experts])
        gate = c.gate
        balancing = c.balancing
        zLossWeight = c.zLossWeight
        capacityFactor = c.capacityFactor
        statistics = RoutingStatistics(experts: c.experts)
        pendingLoads = Array(repeating: 0, count: c.experts)
        parameterFreeActivation = experts.allSatisfy { ($0 as? Sequential)?.layers[1].parameters().isEmpty ?? true }
        super.init()
    }

    public override var extraDescription: String {
        "experts=\(experts.count), gate=\(gate), balancing=\(balancing)" + (capacityFactor.map { ", capacity_factor=\($0)" } ?? "")
    }

    /// `x` `[..., dimension]` through the mixture, same shape.
    public override func forward(_ x: Tensor) -> Tensor {
        let d = x.shape.last ?? 0
        let tokens = x.reshaped([-1, d])
        let routing = route(tokens)
        if isTraining {
            statistics.add(routing)
            for e in pendingLoads.indices { pendingLoads[e] += routing.chosenCounts[e] }
            auxiliaryLoss = auxiliaryLoss(of: routing)
        } else {
            auxiliaryLoss = nil
        }
        var out = combine(tokens, routing)
        if let shared { out = out + shared(tokens) }
        return out.reshaped(x.shape)
    }

    /// Where the rows of `tokens` `[N, dimension]` go under the current gate, bias and inference settings.
    public func route(_ tokens: Tensor) -> ExpertRouting {
        let e = experts.count
        precondition(disabledExperts.union(forcedExperts).allSatisfy { (0..<e).contains($0) } && !disabledExperts.isSuperset(of: 0..<e),
                     "MixtureOfExperts: disabled \(disabledExperts.sorted()) and forced \(forcedExperts.sorted()) experts must lie in 0..<\(e), "
                     + "and not all be disabled")
        var bias = [Float](repeating: 0, count: e)
        if case .lossFree = balancing { bias = expertBias.scalars }
        let rules = RoutingRules(selectionBias: bias, disabled: disabledExperts, forced: forcedExperts, capacityFactor: capacityFactor,
                                 onlyRank: onlyRank)
        return ExpertRouting(logits: router.map { $0(tokens) }, tokens: tokens.shape[0], experts: e, gate: gate, rules: rules,
                             generator: Random.default)
    }

    /// The routed experts' sum for `tokens` `[N, dimension]`: gathered expert by expert, one product
    /// per expert and layer, added back weighted by the gates.
    func combine(_ tokens: Tensor, _ routing: ExpertRouting) -> Tensor {
        let zeros = Tensor(zeros: tokens.shape)
        guard !routing.dispatchedTokens.isEmpty else { return zeros }
        let order = Tensor(routing.dispatchedTokens)
        let rows = tokens.indexSelect(axis: 0, indices: order)
        let outputs = expertOutputs(rows, groupSizes: routing.groupSizes)
        let weights = routing.gates.reshaped([-1]).indexSelect(axis: 0, indices: Tensor(routing.dispatchedSlots))
        return zeros.indexAdd(axis: 0, indices: order, source: outputs * weights.unsqueezed(1))
    }

    /// Each group of `rows` through its expert.
    private func expertOutputs(_ rows: Tensor, groupSizes: [Int]) -> Tensor {
        if let gated = experts as? [GatedFeedForward] {
            let h = groupedLinear(rows, groupSizes: groupSizes, weights: gated.map(\.w))
            let v = groupedLinear(rows, groupSizes: groupSizes, weights: gated.map(\.v))
            return groupedLinear(gated[0].gateActivation(h) * v, groupSizes: groupSizes, weights: gated.map(\.w2))
        }
        let layers = experts.map { ($0 as! Sequential).layers }
        let first = layers.map { $0[0] as! Linear }, second = layers.map { $0[2] as! Linear }
        let h = groupedLinear(rows, groupSizes: groupSizes, weights: first.map(\.weight), biases: biases(first))
        let activated = parameterFreeActivation
            ? layers[0][1](h)
            : Tensor.concatenate(zip(layers, h.split(sizes: groupSizes, axis: 0)).map { $0[1]($1) }, axis: 0)
        return groupedLinear(activated, groupSizes: groupSizes, weights: second.map(\.weight), biases: biases(second))
    }

    private func biases(_ layers: [Linear]) -> [Tensor]? {
        layers[0].bias == nil ? nil : layers.map { $0.bias!.value }
    }

    /// The balancing loss and z-loss of `routing`, or nil when the layer has neither.
    private func auxiliaryLoss(of routing: ExpertRouting) -> Tensor? {
        var loss: Tensor?
        if case .auxiliaryLoss(let coefficient) = balancing, let p = routing.probabilities {
            loss = coefficient * switchBalanceLoss(probabilities: p, chosenCounts: routing.chosenCounts)
        }
        if zLossWeight > 0, let logits = routing.logits {
            let z = routerZLoss(logits: logits, weight: zLossWeight)
            loss = loss.map { $0 + z } ?? z
        }
        return loss
    }

    /// Moves the loss-free balancing bias by the loads of the calls in training mode since the last
    /// update (``ExpertBalancing/lossFree(rate:)``); call it after each optimizer step. Does nothing
    /// under other balancing.
    public func updateExpertBias() {
        defer { pendingLoads = Array(repeating: 0, count: experts.count) }
        guard case .lossFree(let rate) = balancing, pendingLoads.contains(where: { $0 > 0 }) else { return }
        expertBias = Tensor(ExpertBalancing.updatedBias(expertBias.scalars, loads: pendingLoads, rate: rate))
    }

    /// The routing statistics gathered since the last call, which starts them afresh.
    public func takeStatistics() -> RoutingStatistics {
        defer { statistics = RoutingStatistics(experts: experts.count) }
        return statistics
    }
}

extension Module {
    /// Every ``MixtureOfExperts`` in the module tree, in order.
    public var mixtureLayers: [MixtureOfExperts] { namedModules().compactMap { $0.module as? MixtureOfExperts } }

    /// The sum of the ``MixtureOfExperts/auxiliaryLoss`` of every mixture in the tree after a call in
    /// training mode, or nil when none has one.
    public var mixtureAuxiliaryLoss: Tensor? {
        mixtureLayers.compactMap(\.auxiliaryLoss).reduce(nil) { sum, loss in sum.map { $0 + loss } ?? loss }
    }
}
