import Foundation
import KilnLab
import KilnTestSupport
import KilnTrain
import Testing

@Suite struct LanguageModelSearchTests {
    static func f(_ lambda: Double) -> Double { Foundation.log(lambda + 1e-5) + 1 / (lambda + 1e-5) }

    static func samples<A: LanguageModelArchitecture>(_: A.Type, seed: UInt64, count: Int) -> [A] {
        let generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in A.sample(generator: generator) }
    }

    @Test func theSameSeedSamplesTheSameList() {
        #expect(Self.samples(RecurrentLanguageModelArchitecture.self, seed: 3, count: 30)
                == Self.samples(RecurrentLanguageModelArchitecture.self, seed: 3, count: 30))
        #expect(Self.samples(TransformerLanguageModelArchitecture.self, seed: 3, count: 30)
                == Self.samples(TransformerLanguageModelArchitecture.self, seed: 3, count: 30))
        #expect(Self.samples(TransformerLanguageModelArchitecture.self, seed: 3, count: 30)
                != Self.samples(TransformerLanguageModelArchitecture.self, seed: 4, count: 30))
    }

    @Test func sampledChoicesAreValid() {
        let recurrent = Self.samples(RecurrentLanguageModelArchitecture.self, seed: 5, count: 200)
        #expect(Set(recurrent.map(\.cell)) == Set(RecurrentCellChoice.allCases))
        #expect(recurrent.allSatisfy { (1...3).contains($0.layers) && [32, 64, 128, 256].contains($0.hidden) && [16, 32, 64].contains($0.embedding) })
        let transformers = Self.samples(TransformerLanguageModelArchitecture.self, seed: 5, count: 200)
        #expect(transformers.allSatisfy { (1...4).contains($0.depth) && $0.width % $0.heads == 0 && [1, 2, 4].contains($0.mlpRatio) })
        #expect(Set(transformers.map(\.heads)) == [1, 2, 4, 8])
    }

    /// Builds each sampled model and checks its logits' shape and that it has hidden layers to read.
    func checkForward<A: LanguageModelArchitecture>(_ architecture: A) {
        let model = architecture.make(vocabularySize: 11, context: 6)
        let ids = Tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8], shape: [2, 6]).cast(to: .int64)
        let logits = withoutGradient { model(ids) }
        #expect(logits.shape == [2, 6, 11], "\(architecture)")
        #expect(logits.scalars.allSatisfy { $0.isFinite }, "\(architecture)")
        #expect(!architecture.hiddenLayers(of: model).isEmpty, "\(architecture)")
    }

    @Test func everySampledArchitectureBuildsAndRunsForward() {
        Self.samples(RecurrentLanguageModelArchitecture.self, seed: 7, count: 16).forEach(checkForward)
        Self.samples(TransformerLanguageModelArchitecture.self, seed: 7, count: 16).forEach(checkForward)
    }

    @Test func hiddenCovarianceReadsTheLastStateOfASequence() {
        // Hidden states [N = 4, T = 2, D = 2]; at the last step the units are a = (1, 2, 3, 4) and
        // b = (1, 3, 2, 4), correlated by 4/5: R has eigenvalues 9/5 and 1/5. The first step is
        // perfectly correlated and must not count.
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [1, 3, 2, 4], first: [Float] = [1, 2, 3, 4]
        let states = Tensor((0..<4).flatMap { i in [first[i], first[i], a[i], b[i]] }, shape: [4, 2, 2])
        let relu = ReLU()   // the identity on these positive states
        let probe = ArchitectureProbe(model: Sequential([relu]), inputs: states, labels: Tensor([0, 1, 0, 1], shape: [4]), hiddenLayers: [relu])
        expectClose(ArchitectureProxy.hiddenCovariance.score(probe), -(Self.f(1.8) + Self.f(0.2)), relative: 1e-6)
    }

    @Test func attentionConfidenceOfUniformCausalAttention() {
        // With the attention's weights zero every key scores alike: query i (of T = 5) spreads
        // 1/i over its i keys, so each head's confidence is H₅/5 and 2 blocks × 2 heads sum 4·H₅/5.
        let architecture = TransformerLanguageModelArchitecture(depth: 2, width: 8, heads: 2, mlpRatio: 1)
        let model = architecture.make(vocabularySize: 11, context: 5)
        for (_, parameter) in (model as! GPT).blocks.flatMap({ $0.attn.namedParameters() }) {
            parameter.value = Tensor(zeros: parameter.value.shape)
        }
        let ids = Tensor((0..<15).map { Float(($0 * 4) % 11) }, shape: [3, 5]).cast(to: .int64)
        let probe = ArchitectureProbe(model: model, inputs: ids, labels: ids, hiddenLayers: [])
        let harmonic = 1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0 + 1 / 5.0
        expectClose(ArchitectureProxy.attentionConfidence.score(probe), 4 * harmonic / 5, relative: 1e-6)
    }

    @Test func theLanguageModelProxiesScoreBothSpaces() throws {
        let ids = Tensor((0..<40).map { Float(($0 * 7) % 11) }, shape: [4, 10]).cast(to: .int64)
        let targets = Tensor((0..<40).map { Float(($0 * 7 + 7) % 11) }, shape: [4, 10]).cast(to: .int64)
        let architectures: [any LanguageModelArchitecture] = [
            RecurrentLanguageModelArchitecture(cell: .lstm, layers: 2, hidden: 8, embedding: 4),
            TransformerLanguageModelArchitecture(depth: 2, width: 8, heads: 2, mlpRatio: 2),
        ]
        for architecture in architectures {
            let model = architecture.make(vocabularySize: 11, context: 10)
            let probe = ArchitectureProbe(model: model, inputs: ids, labels: targets, hiddenLayers: architecture.hiddenLayers(of: model))
            for proxy in ArchitectureSpace.rnn.proxies {
                #expect(!proxy.score(probe).isNaN, "\(proxy) of \(architecture)")
            }
            #expect(ArchitectureProxy.params.score(probe) == Double(model.parameterCount))
        }
    }

    @Test func spacesAndProxiesAreChecked() {
        #expect(throws: ChoiceError.self) { try ArchitectureSpace(named: "lstm") }
        var settings = LanguageModelSearchSettings()
        #expect(settings.problem() == nil)
        settings.proxies = [.jacobianCovariance]
        #expect(settings.problem()?.hasPrefix("proxy jacob_cov does not apply to the rnn space") == true)
    }

    @Test func aSmallSearchTrainsAndReportsEveryCandidate() throws {
        let text = String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40)
        var settings = LanguageModelSearchSettings()
        (settings.space, settings.proxies, settings.count, settings.steps) = (.transformer, ArchitectureSpace.transformer.proxies, 3, 2)
        (settings.probeBatch, settings.context, settings.batchSize, settings.validationWindows, settings.threads) = (8, 8, 4, 4, 1)
        let result = try LanguageModelArchitectureSearch(settings: settings, text: text, source: "fox").run()
        #expect(result.candidates.count == 3)
        #expect(result.candidates.allSatisfy { $0.target < 0 && $0.scores.count == settings.proxies.count })
        #expect(result.csv.hasPrefix("depth,width,heads,mlp_ratio,minus_validation_loss,seconds,params,"))
        #expect(result.correlations.map(\.name) == settings.proxies.map(\.rawValue) + ["combined"])
    }
}
