import Foundation
@testable import KilnNN
import KilnTestSupport
import Testing

@Suite struct MixtureOfExpertsTests {
    /// A small mixture over 6 features, its router scaled up so that the choices are far from ties.
    private func mixture(_ configure: (inout MixtureOfExperts.Configuration) -> Void = { _ in }, experts: Int = 4,
                         expert: FeedForward = .gelu, routerScale: Float = 4) -> MixtureOfExperts {
        var c = MixtureOfExperts.Configuration(experts: experts, gate: .topK(2), expert: expert)
        configure(&c)
        let moe = MixtureOfExperts(dimension: 6, hidden: 5, configuration: c, generator: RandomGenerator(seed: 3))
        if let router = moe.router { router.weight = router.weight * routerScale }
        return moe
    }

    private let x = testTensor([2, 5, 6], seed: 7)

    /// Every expert on every token, weighted by the same gates: the dense reference of the sparse path.
    private func denseReference(_ moe: MixtureOfExperts, _ x: Tensor) -> Tensor {
        let tokens = x.reshaped([-1, 6])
        let gates = moe.route(tokens).gates
        var out = Tensor(zeros: tokens.shape)
        for (e, expert) in moe.experts.enumerated() { out = out + gates.slice(axis: 1, e..<(e + 1)) * expert(tokens) }
        if let shared = moe.shared { out = out + shared(tokens) }
        return out.reshaped(x.shape)
    }

    /// Expects the sparse path and the dense reference to agree in value and in every gradient.
    private func expectSparseEqualsDense(_ moe: MixtureOfExperts, sourceLocation: SourceLocation = #_sourceLocation) {
        let cotangent = testTensor(x.shape, seed: 11)
        let sparse = valueAndGradient(of: moe, at: [x]) { m, xs in (m(xs[0]) * cotangent).sum() }
        let dense = valueAndGradient(of: moe, at: [x]) { m, xs in (denseReference(m, xs[0]) * cotangent).sum() }
        expectClose([sparse.value.item], [dense.value.item], relative: 1e-5, absolute: 1e-6, sourceLocation: sourceLocation)
        expectClose(sparse.inputGradients[0].scalars, dense.inputGradients[0].scalars, relative: 1e-5, absolute: 1e-6,
                    sourceLocation: sourceLocation)
        #expect(sparse.gradients.byName.keys.sorted() == dense.gradients.byName.keys.sorted(), sourceLocation: sourceLocation)
        for (name, g) in dense.gradients.byName {
            expectClose(sparse.gradients[name]!.scalars, g.scalars, relative: 1e-5, absolute: 1e-6, sourceLocation: sourceLocation)
        }
    }

    @Test func sparsePathEqualsTheDenseReferenceForwardAndBackward() {
        expectSparseEqualsDense(mixture())
        expectSparseEqualsDense(mixture({ $0.capacityFactor = 0.75; $0.sharedExperts = 1 }))
        expectSparseEqualsDense(mixture({ $0.gate = .topK(3, renormalized: false) }, expert: .gated(.swish)))
        expectSparseEqualsDense(mixture({ $0.gate = .denseToSparse(temperature: 2, threshold: 0.2) }))
        expectSparseEqualsDense(mixture(expert: .mlp(activation: { PReLU() })))
    }

    @Test func capacityDropsAssignmentsBeyondItInTokenOrder() {
        let moe = mixture({ $0.capacityFactor = 0.5 })
        let routing = moe.route(x.reshaped([-1, 6]))
        // 10 tokens × 2 = 20 assignments over 4 experts: capacity ⌈0.5 · 20 / 4⌉ = 3.
        #expect(routing.chosenCounts.reduce(0, +) == 20)
        #expect(routing.groupSizes == routing.chosenCounts.map { min($0, 3) })
        #expect(routing.droppedAssignments == routing.chosenCounts.reduce(0) { $0 + max($1 - 3, 0) })
        #expect(routing.droppedAssignments > 0)
        var start = 0
        for size in routing.groupSizes {
            let group = Array(routing.dispatchedTokens[start..<(start + size)])
            #expect(group == group.sorted())
            start += size
        }
    }

    @Test func gradientsThroughGatherGatesAndExpertsMatchFiniteDifferences() {
        let moe = mixture({ $0.capacityFactor = 1 })
        let router = moe.router!.$weight
        let first = (moe.experts[1] as! Sequential).layers[0] as! Linear
        checkGradients([x.reshaped([-1, 6]), router.value, first.weight], eps: 1e-3) { xs in
            router.substitute = xs[1]
            first.$weight.substitute = xs[2]
            defer { router.substitute = nil; first.$weight.substitute = nil }
            return moe(xs[0])
        }
    }

    @Test func topKGateWeightsAreTheRenormalizedProbabilitiesOfTheChosen() {
        let routing = mixture().route(x.reshaped([-1, 6]))
        let p = routing.probabilities!.scalars, gates = routing.gates.scalars
        for t in 0..<10 {
            let row = Array(p[(t * 4)..<(t * 4 + 4)]), g = Array(gates[(t * 4)..<(t * 4 + 4)])
            let top = row.indices.sorted { row[$0] > row[$1] }.prefix(2)
            let sum = top.reduce(Float(0)) { $0 + row[$1] }
            expectClose(g, row.indices.map { top.contains($0) ? row[$0] / sum : 0 }, relative: 1e-6)
        }
    }

    @Test func disabledExpertsReceiveNoTokensAndForcedOnesReceiveAll() {
        let moe = mixture()
        moe.disabledExperts = [1, 3]
        let tokens = x.reshaped([-1, 6])
        let off = moe.route(tokens)
        #expect(off.groupSizes[1] == 0 && off.groupSizes[3] == 0)
        #expect(off.groupSizes == [10, 0, 10, 0])
        #expect(off.gates.slice(axis: 1, 1..<2).scalars.allSatisfy { $0 == 0 })
        moe.disabledExperts = []
        moe.forcedExperts = [2]
        let forced = moe.route(tokens)
        #expect(forced.groupSizes[2] == 10 && forced.chosenCounts.reduce(0, +) == 20)
    }

    @Test func denseToSparseGateBecomesTopOneAsTheTemperatureFalls() {
        let tokens = x.reshaped([-1, 6])
        // Unscaled router weights keep tanh and the sigmoid away from saturation, where float32 would tie them.
        for gate in [ExpertGate.denseToSparse(temperature: 1e-5, threshold: 0.01),
                     .activationDenseToSparse(.tanh, temperature: 1e-5, threshold: 0.01),
                     .activationDenseToSparse(.sigmoid, temperature: 1e-5, threshold: 0.01)] {
            let moe = mixture(routerScale: 1)
            moe.eval()
            moe.gate = .topK(1)
            let top1 = moe(tokens), top1Routing = moe.route(tokens)
            moe.gate = gate
            let cold = moe.route(tokens)
            #expect(cold.dispatchedTokens == top1Routing.dispatchedTokens && cold.groupSizes == top1Routing.groupSizes, "\(gate)")
            expectClose(cold.gates.scalars, top1Routing.gates.scalars, relative: 1e-6)
            expectClose(moe(tokens).scalars, top1.scalars, relative: 1e-6)
        }
        // A hot gate activates every expert.
        let hot = mixture({ $0.gate = .denseToSparse(temperature: 100, threshold: 0.01) }).route(tokens)
        #expect(hot.groupSizes == [10, 10, 10, 10])
    }

    @Test func lossFreeBalancingEvensSkewedLoadsWithoutChangingGateWeights() {
        // 1,024 tokens whose first feature is 1, and a router whose first column adds 0 … 2 to the
        // logits of experts 0 … 7: the loads start skewed toward the last experts.
        let n = 1024, d = 6
        var features = testTensor([n, d], seed: 5).scalars
        for t in 0..<n { features[t * d] = 1 }
        let tokens = Tensor(features, shape: [n, d])
        var c = MixtureOfExperts.Configuration(experts: 8, gate: .topK(2))
        c.balancing = .lossFree(rate: 1e-3)
        let moe = MixtureOfExperts(dimension: d, hidden: 4, configuration: c, generator: RandomGenerator(seed: 2))
        var w = moe.router!.weight.scalars
        for e in 0..<8 { w[e * d] = 2 * Float(e) / 7 }
        moe.router!.weight = Tensor(w, shape: [8, d])
        let routerBefore = moe.router!.weight.scalars
        let start = RoutingStatistics(experts: 8).adding(moe.route(tokens))
        #expect(start.maxOverMeanLoad > 1.5)
        var ratios: [Double] = []
        for _ in 0..<500 {
            _ = moe(tokens)
            ratios.append(moe.takeStatistics().maxOverMeanLoad)
            moe.updateExpertBias()
        }
        #expect(ratios.last! < 1.1)
        #expect(ratios.suffix(100).allSatisfy { $0 < 1.1 }, "load ratio over the last 100 updates: \(ratios.suffix(100).max()!)")
        #expect(moe.router!.weight.scalars == routerBefore)
        // The gate weights are the unbiased probabilities, renormalized over the experts the bias chose.
        let routing = moe.route(tokens)
        let p = routing.probabilities!.scalars, gates = routing.gates.scalars
        for t in stride(from: 0, to: n, by: 37) {
            let chosen = (0..<8).filter { gates[t * 8 + $0] > 0 }
            #expect(chosen.count == 2)
            let sum = chosen.reduce(Float(0)) { $0 + p[t * 8 + $1] }
            expectClose(chosen.map { gates[t * 8 + $0] }, chosen.map { p[t * 8 + $0] / sum }, relative: 1e-6)
        }
        #expect(moe.expertBias.scalars.contains { $0 != 0 })
    }

    @Test func lossFreeBiasMovesByTheSignOfTheLoadError() {
        #expect(ExpertBalancing.updatedBias([0, 0, 0, 0.5], loads: [4, 2, 3, 3], rate: 0.1) == [-0.1, 0.1, 0, 0.5])
    }

    @Test func switchBalanceLossIsOneWhenUniformAndFollowsItsFormula() {
        let uniform = Tensor(repeating: 0.25, shape: [3, 4])
        expectClose([switchBalanceLoss(probabilities: uniform, chosenCounts: [2, 2, 2, 2]).item], [1], relative: 1e-6)
        // E · Σ fᵢ Pᵢ with f = (3, 1, 0, 0)/4 and P = column means (0.5, 0.3, 0.1, 0.1).
        let p = Tensor([0.7, 0.1, 0.1, 0.1, 0.3, 0.5, 0.1, 0.1] as [Float], shape: [2, 4])
        expectClose([switchBalanceLoss(probabilities: p, chosenCounts: [3, 1, 0, 0]).item], [4 * (0.75 * 0.5 + 0.25 * 0.3)], relative: 1e-6)
    }

    @Test func auxiliaryLossesAppearInTrainingOnly() {
        let moe = mixture({ $0.balancing = .auxiliaryLoss(coefficient: 0.01); $0.zLossWeight = 1e-3 })
        let tokens = x.reshaped([-1, 6])
        _ = moe(tokens)
        let routing = moe.route(tokens)
        let expected = 0.01 * switchBalanceLoss(probabilities: routing.probabilities!, chosenCounts: routing.chosenCounts)
            + 1e-3 * (routing.logits!.logSumExp(axis: -1) * routing.logits!.logSumExp(axis: -1)).mean()
        expectClose([moe.auxiliaryLoss!.item], [expected.item], relative: 1e-5)
        expectClose([moe.mixtureAuxiliaryLoss!.item], [expected.item], relative: 1e-5)
        moe.eval()
        _ = moe(tokens)
        #expect(moe.auxiliaryLoss == nil)
    }

    @Test func statisticsCountLoadsEntropyAndDrops() {
        let moe = mixture({ $0.capacityFactor = 0.5 })
        _ = moe(x)
        let stats = moe.takeStatistics()
        let routing = moe.route(x.reshaped([-1, 6]))
        #expect(stats.tokens == 10 && stats.chosen == routing.chosenCounts && stats.dispatched == routing.groupSizes)
        expectClose(stats.droppedFraction, Double(routing.droppedAssignments) / 20, relative: 1e-12)
        expectClose(stats.maxOverMeanLoad, Double(routing.chosenCounts.max()!) / 5, relative: 1e-12)
        let p = routing.probabilities!.scalars.map(Double.init)
        expectClose(stats.meanEntropy, -p.reduce(0) { $0 + $1 * log($1) } / 10, relative: 1e-5)
        #expect(moe.takeStatistics().tokens == 0)
    }

    @Test func stochasticExpertsRouteEachTokenToOneRandomExpert() {
        let moe = mixture({ $0.gate = .stochastic })
        #expect(moe.router == nil)
        let tokens = testTensor([200, 6], seed: 3)
        let a = moe.route(tokens), b = moe.route(tokens)
        #expect(a.gates.sum(axis: 1).scalars.allSatisfy { $0 == 1 })
        #expect(a.groupSizes.allSatisfy { $0 > 30 })
        #expect(a.dispatchedTokens != b.dispatchedTokens)
        expectSparseEqualsDenseWithFixedDraws(moe, tokens)
    }

    /// The stochastic path against the reference with the same draws (the scope's generator reseeded).
    private func expectSparseEqualsDenseWithFixedDraws(_ moe: MixtureOfExperts, _ tokens: Tensor) {
        let sparse = Random.withGenerator(RandomGenerator(seed: 9)) { moe(tokens) }
        let dense = Random.withGenerator(RandomGenerator(seed: 9)) { denseReference(moe, tokens.reshaped([1, 200, 6])) }
        expectClose(sparse.scalars, dense.reshaped([200, 6]).scalars, relative: 1e-5, absolute: 1e-6)
    }

    @Test func consistencyLossIsCrossEntropyForAgreeingPassesAndAddsSymmetricDivergence() {
        let a = testTensor([4, 5], seed: 1), b = testTensor([4, 5], seed: 2), labels = Tensor([0, 3, 1, 4])
        expectClose([consistencyRegularizedLoss(a, a, labels: labels, weight: 3).item], [crossEntropy(logits: a, labels: labels).item],
                    relative: 1e-6)
        let pa = a.softmax(axis: -1), pb = b.softmax(axis: -1)
        let kl = ((pa * (pa.log() - pb.log())).sum() + (pb * (pb.log() - pa.log())).sum()) / 4 / 2
        let expected = 0.5 * (crossEntropy(logits: a, labels: labels) + crossEntropy(logits: b, labels: labels) + 2 * kl)
        expectClose([consistencyRegularizedLoss(a, b, labels: labels, weight: 2).item], [expected.item], relative: 1e-5)
        checkGradients([a, b]) { xs in consistencyRegularizedLoss(xs[0], xs[1], labels: labels, weight: 2) }
    }

    @Test func selfContrastAmplifiesTheStrongPassAmongPlausibleTokens() {
        let strong = Tensor([2, 1, -3] as [Float], shape: [1, 3]), weak = Tensor([1, 2, 0] as [Float], shape: [1, 3])
        let scores = selfContrastLogits(strong: strong, weak: weak, beta: 0.5, plausibility: 0.1).scalars
        // p_strong ∝ (e², e, e⁻³): the last is below a tenth of the largest.
        #expect(scores[0] == 1.5 * 2 - 0.5 * 1 && scores[1] == 1.5 * 1 - 0.5 * 2 && scores[2] == -.infinity)
    }

    @Test func weakActivationRoutesEachTokenToItsExpertOfThatRank() {
        let moe = mixture()
        moe.onlyRank = 2
        let routing = moe.route(x.reshaped([-1, 6]))
        let p = routing.probabilities!.scalars
        #expect(routing.chosenCounts.reduce(0, +) == 10)
        for t in 0..<10 {
            let row = Array(p[(t * 4)..<(t * 4 + 4)])
            let second = row.indices.sorted { row[$0] > row[$1] }[1]
            #expect(routing.gates.scalars[t * 4 + second] == 1)
        }
    }

    @Test func gptWithMixtureLayersTrainsAndGeneratesWithSelfContrast() {
        var c = GPT.Configuration(vocabularySize: 11)
        (c.layers, c.dimension, c.heads, c.contextLength, c.hiddenDimension) = (2, 8, 2, 8, 6)
        var mixture = MixtureOfExperts.Configuration(experts: 4, gate: .topK(2))
        mixture.balancing = .lossFree(rate: 1e-3)
        c.feedForward = .mixture(mixture)
        let model = GPT(c, generator: RandomGenerator(seed: 1))
        #expect(model.mixtureLayers.count == 2)
        #expect(model.stateDict().keys.contains("blocks.1.mlp.experts.3.2.weight"))
        #expect(model.stateDict().keys.contains("blocks.0.mlp.expertBias"))
        let ids = Tensor((0..<16).map { $0 % 11 }, shape: [2, 8])
        #expect(model(ids).shape == [2, 8, 11])
        let tokens = generateSelfContrast(model: model, prompt: Tensor([1, 2], shape: [1, 2]), count: 10,
                                          sampler: Sampler(temperature: 0, generator: RandomGenerator(seed: 1)))
        #expect(tokens.shape == [1, 12])
        #expect(model.mixtureLayers.allSatisfy { $0.onlyRank == nil })
    }
}

extension RoutingStatistics {
    /// These statistics with `routing` added.
    func adding(_ routing: ExpertRouting) -> RoutingStatistics {
        var copy = self
        copy.add(routing)
        return copy
    }
}
