import KilnLab
import KilnTestSupport
import Testing

@Suite struct ActivationStatisticsTests {
    /// ReLU passes exactly the positive half of N(0, 1): activation ratio 1/2 (Sparsing Law's 1 − sparsity).
    @Test func reluOfStandardNormalInputsIsHalfActive() {
        let x = Tensor.normal([4096, 64], generator: RandomGenerator(seed: 3))
        let stats = ActivationStatistics(name: "relu", activations: relu(x))
        #expect(abs(stats.activationRatio - 0.5) <= 0.01)
        #expect(stats.deadChannelFraction == 0)
        // The active entries are |z| for z ~ N(0, 1): their median is Φ⁻¹(3/4).
        expectClose(stats.medianMagnitude, 0.674490, relative: 0.02)
    }

    /// Dead channels, the largest entries with their positions and the massive criterion, on a tensor built by hand.
    @Test func deadChannelsAndLargestEntriesAreFoundWithTheirPositions() {
        // [2, 3, 4]: channel 3 is always 0, every other entry 1 but two spikes.
        var values = [Float](repeating: 1, count: 24)
        for i in stride(from: 3, to: 24, by: 4) { values[i] = 0 }
        values[1 * 12 + 2 * 4 + 1] = -5000   // position [1, 2, 1]
        values[0 * 12 + 1 * 4 + 2] = 30       // position [0, 1, 2]
        let stats = ActivationStatistics(name: "x", activations: Tensor(values, shape: [2, 3, 4]), largestCount: 2, bins: 4)
        #expect(stats.deadChannelFraction == 0.25)
        #expect(stats.activationRatio == 18.0 / 24)
        #expect(stats.medianMagnitude == 1)
        #expect(stats.largest.map(\.position) == [[1, 2, 1], [0, 1, 2]])
        #expect(stats.largest.map(\.value) == [-5000, 30])
        #expect(stats.massive.map(\.ratioToMedian) == [5000])
        #expect(stats.histogram.counts.reduce(0, +) == 24 && stats.histogram.lower == -5000 && stats.histogram.upper == 30)
        #expect(stats.histogram.counts == [1, 0, 0, 23])
    }

    /// A threshold turns small magnitudes off: uniform magnitudes in [0, 1) above 0.25 are 3/4 of them.
    @Test func thresholdDecidesWhatCountsAsActive() {
        let x = Tensor.uniform([2000, 50], low: -1, high: 1, generator: RandomGenerator(seed: 5))
        let stats = ActivationStatistics(name: "u", activations: x, threshold: 0.25)
        #expect(abs(stats.activationRatio - 0.75) <= 0.01)
    }

    /// A head whose queries all look at position 0 is dormant; a head attending uniformly puts 1/(i+1)
    /// on position 0 from query i, whose mean over queries 1..<T is the closed form below.
    @Test func sinkWeightAndDormancyPerHead() {
        let t = 4
        var weights = [Float]()
        for head in 0..<2 {
            for i in 0..<t {
                for j in 0..<t {
                    if head == 0 { weights.append(j == 0 ? 1 : 0) } else { weights.append(j <= i ? 1 / Float(i + 1) : 0) }
                }
            }
        }
        let heads = AttentionSinkStatistics.heads(of: "attn", weights: Tensor(weights, shape: [1, 2, t, t]))
        #expect(heads[0].sinkWeight == 1 && heads[0].isDormant)
        expectClose(heads[1].sinkWeight, (1.0 / 2 + 1.0 / 3 + 1.0 / 4) / 3, relative: 1e-6)
        #expect(!heads[1].isDormant && heads[1].dormantFraction == 0)
    }

    /// On a small GPT the analysis observes every linear input, the residual stream and every head,
    /// in the shapes they had.
    @Test func analysisOfAGPTCoversLayersAndHeads() {
        var configuration = GPT.Configuration(vocabularySize: 11)
        (configuration.dimension, configuration.layers, configuration.heads, configuration.contextLength) = (16, 2, 2, 8)
        let model = GPT(configuration, generator: RandomGenerator(seed: 1))
        let ids = Tensor.randint([3, 8], high: 11, generator: RandomGenerator(seed: 2))
        let analysis = ActivationAnalysis(model: model, batches: [ids, ids])
        let names = analysis.layers.map(\.name)
        #expect(names.contains("blocks.1.mlp.2") && names.contains("residual before blocks.0") && names.contains("residual before ln_f"))
        #expect(analysis.layers.first { $0.name == "blocks.1.mlp.2" }!.shape == [6, 8, 64])
        #expect(analysis.heads.count == 4)
        #expect(analysis.tailTruncation.map(\.layer) == ["blocks.0.mlp.2", "blocks.1.mlp.2"])
        #expect(analysis.tailTruncation.allSatisfy { $0.ratio > 0 && $0.ratio < 1 })
    }
}

@Suite struct TailTruncationTests {
    /// With orthonormal columns ‖Σ_tail nᵢ‖² = Σ_tail aᵢ², a closed form to check CETT against; nothing is
    /// truncated at ε = 0, and the threshold found for a target is where CETT crosses it.
    @Test func cettMatchesTheClosedFormAndTheSearchReachesItsTarget() {
        let weight = Init.orthogonal([12, 6], generator: RandomGenerator(seed: 1))
        let a = Tensor.normal([40, 6], generator: RandomGenerator(seed: 2))
        let threshold: Float = 0.7
        let rows = a.scalars
        var expected = 0.0
        for t in 0..<40 {
            let row = rows[(t * 6)..<(t * 6 + 6)].map(Double.init)
            let tail = row.filter { abs($0) < Double(threshold) }.map { $0 * $0 }.reduce(0, +)
            expected += (tail / row.map { $0 * $0 }.reduce(0, +)).squareRoot() / 40
        }
        expectClose(TailTruncation.error(activations: a, weight: weight, threshold: threshold), expected, relative: 1e-5)
        #expect(TailTruncation.error(activations: a, weight: weight, threshold: 0) == 0)
        let found = TailTruncation.activationRatio(activations: a, weight: weight, target: 0.2)
        // CETT steps at each contribution; the threshold is where it crosses the target.
        #expect(TailTruncation.error(activations: a, weight: weight, threshold: found.threshold) < 0.2)
        #expect(TailTruncation.error(activations: a, weight: weight, threshold: found.threshold + 1e-5) >= 0.2)
        #expect(found.ratio > 0 && found.ratio < 1)
    }
}
