import Foundation
import KilnLab
import KilnTestSupport
import KilnTrain
import Testing

@Suite struct ArchitectureScoringTests {
    /// Columns 1–4 of the 8 × 8 Sylvester–Hadamard matrix: zero-mean, orthogonal, of equal norm.
    static let hadamardColumns: [[Float]] = (1...4).map { j in (0..<8).map { i in (i & j).nonzeroBitCount % 2 == 0 ? 1 : -1 } }

    static func matrix(columns: [[Float]]) -> Tensor {
        Tensor((0..<columns[0].count).flatMap { i in columns.map { $0[i] } }, shape: [columns[0].count, columns.count])
    }

    static func f(_ lambda: Double) -> Double { Foundation.log(lambda + 1e-5) + 1 / (lambda + 1e-5) }

    @Test func hiddenCovarianceOfTheIdentityIsMinusFour() {
        let identity = Tensor([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] as [Float], shape: [4, 4])
        #expect(String(format: "%.4f", CovarianceScore.score(correlation: identity)) == "-4.0000")
        // Four uncorrelated units: R = I₄.
        let states = Self.matrix(columns: Self.hadamardColumns)
        expectClose(hiddenCovariance(states), -4 * Self.f(1), relative: 1e-9)
    }

    @Test func hiddenCovarianceIgnoresTheScaleOfAUnit() {
        var columns = Self.hadamardColumns
        // Units 0 and 1 correlated by 1/√2: eigenvalues 1 ± 1/√2, 1, 1.
        columns[1] = zip(columns[0], columns[1]).map { $0 + $1 }
        let rho = 1 / 2.0.squareRoot()
        let expected = -(Self.f(1 + rho) + Self.f(1 - rho) + 2 * Self.f(1))
        expectClose(hiddenCovariance(Self.matrix(columns: columns)), expected, relative: 1e-6)
        columns[1] = columns[1].map { $0 * 7 + 3 }
        expectClose(hiddenCovariance(Self.matrix(columns: columns)), expected, relative: 1e-6)
    }

    @Test func jacobianCovarianceOfALinearModelSeesOneDirection() {
        // Every example's input gradient of Σ f(x) = Σ Wx + b is the column sums of W: the three
        // rows correlate perfectly, so R = 11ᵀ with eigenvalues 3, 0, 0.
        let model = Linear(4, 3, generator: RandomGenerator(seed: 4))
        let probe = ArchitectureProbe(model: model, inputs: testTensor([3, 4], seed: 2), labels: Tensor([0, 1, 2], shape: [3]), hiddenLayers: [])
        expectClose(ArchitectureProxy.jacobianCovariance.score(probe), -(Self.f(3) + 2 * Self.f(0)), relative: 1e-3)
    }

    @Test func naswotIsTheLogDeterminantOfTheCodeKernel() {
        // Codes (1, 0, 1) and (1, 1, 0) agree in 1 of 3 units: K = [[3, 1], [1, 3]], det 8.
        let relu = ReLU()
        let probe = ArchitectureProbe(model: Sequential([relu]), inputs: Tensor([1, -1, 2, 3, 2, -1] as [Float], shape: [2, 3]),
                                      labels: Tensor([0, 1], shape: [2]), hiddenLayers: [relu])
        expectClose(ArchitectureProxy.naswot.score(probe), Foundation.log(8), relative: 1e-6)
    }

    @Test func synflowConservesTheFlowThroughEachLayer() {
        // With positive weights and an input of ones, each layer's Σ W ⊙ ∂R/∂W equals R (the
        // paper's conservation of synaptic saliency), so two layers score 2R.
        let first = Linear(3, 4, bias: false, generator: RandomGenerator(seed: 1))
        let second = Linear(4, 2, bias: false, generator: RandomGenerator(seed: 2))
        let model = Sequential([first, ReLU(), second])
        let before = first.weight.scalars
        let flow = second.weight.abs().matmul(first.weight.abs().matmul(Tensor(ones: [3, 1]))).sum().item
        let probe = ArchitectureProbe(model: model, inputs: testTensor([5, 3]), labels: Tensor([0, 1, 0, 1, 0], shape: [5]), hiddenLayers: [])
        expectClose(ArchitectureProxy.synflow.score(probe), 2 * Double(flow), relative: 1e-5)
        #expect(first.weight.scalars == before)
    }

    @Test func gradientNormAndSnipOfASoftmaxRegression() {
        // ∂L/∂W = (softmax(XWᵀ + b) − Y)ᵀ X / N for the mean cross-entropy.
        let model = Linear(3, 4, generator: RandomGenerator(seed: 6))
        let x = testTensor([5, 3], seed: 9), labels = Tensor([3, 0, 1, 1, 2], shape: [5])
        let error = withoutGradient { model(x).softmax(axis: -1) - labels.oneHot(classes: 4) }
        let gradient = error.transposed().matmul(x) / 5
        let probe = ArchitectureProbe(model: model, inputs: x, labels: labels, hiddenLayers: [])
        expectClose(ArchitectureProxy.gradNorm.score(probe), Double(gradient.norm().item), relative: 1e-5)
        expectClose(ArchitectureProxy.snip.score(probe), Double((model.weight * gradient).abs().sum().item), relative: 1e-5)
    }

    @Test func ntkConditionNumberOfALinearModel() {
        // f(x) = Wx with 3 outputs: example i's gradient of Σ f is 1 ⊗ xᵢ, so Θ = 3·X·Xᵀ = diag(3, 12).
        let model = Linear(2, 3, bias: false, generator: RandomGenerator(seed: 3))
        let probe = ArchitectureProbe(model: model, inputs: Tensor([1, 0, 0, 2] as [Float], shape: [2, 2]),
                                      labels: Tensor([0, 1], shape: [2]), hiddenLayers: [])
        expectClose(ArchitectureProxy.ntk.score(probe), -4, relative: 1e-5)
    }

    @Test func wpcaCountsThePrincipalComponentsReachingTheThreshold() {
        // A hidden layer whose units vary as 100 : 1 : 0.001 needs one component for 99 %;
        // 100 : 10 : 1 needs two. The model has 3·2 + 2 = 8 parameters.
        for (scales, components) in [([10, 1, 0.001.squareRoot()], 1.0), ([10, 10.0.squareRoot(), 1], 2.0)] {
            let columns = zip(Self.hadamardColumns.prefix(3), scales).map { column, scale in column.map { 1000 + $0 * Float(scale) } }
            let relu = ReLU()
            let probe = ArchitectureProbe(model: Sequential([relu, Linear(3, 2)]), inputs: Self.matrix(columns: columns),
                                          labels: Tensor(Array(repeating: 0, count: 8), shape: [8]), hiddenLayers: [relu])
            #expect(ArchitectureProxy.wpca.score(probe) == 8 * components)
        }
    }

    @Test func flopsCountTwiceTheMultiplyAdds() {
        // Conv 1 → 2 channels, 3 × 3, on 5 × 5 with same padding: 25 · 2 · 9 = 450; linear 50 → 3: 150.
        let model = Sequential([Conv2d(1, 2, kernelSize: 3, padding: .same), Flatten(), Linear(50, 3)])
        #expect(ModelCost.flops(of: model, exampleShape: [1, 5, 5]) == 1200)
        #expect(model.isTraining)
    }

    @Test func rankCombinationAveragesRanks() {
        #expect(RankCombination.meanRanks([[1, 2, 3, 3], [4, 3, 2, 1]]) == [2.5, 2.5, 2.75, 2.25])
        #expect(RankCombination.meanRanks([[.nan, 1, 2]]) == [1, 2, 3])
    }

    @Test func correlationsAgainstAccuracy() {
        let architecture = CandidateArchitecture(family: .mlp, depth: 1, width: 16, activation: .relu, norm: .none)
        var settings = ArchitectureSearchSettings()
        (settings.proxies, settings.combined) = ([.params, .flops], [])
        // params ranks the accuracies exactly; flops reverses them with one tie: x = (3, 2, 2, 1), y = (1, 2, 3, 4).
        let candidates = [(1.0, 3.0, 0.1), (2, 2, 0.2), (3, 2, 0.3), (4, 1, 0.4)].map { params, flops, accuracy in
            ArchitectureSearchResult.Candidate(architecture: architecture, scores: [.params: params, .flops: flops], target: accuracy)
        }
        let correlations = ArchitectureSearchResult(settings: settings, candidates: candidates).correlations
        expectClose(correlations[0].kendall, 1, relative: 1e-12)
        expectClose(correlations[0].spearman, 1, relative: 1e-12)
        // τ-b: 5 discordant pairs, 1 tie in x, 6 pairs: −5/√(5·6); ρ of ranks (4, 2.5, 2.5, 1) and (1, 2, 3, 4): −0.9487.
        expectClose(correlations[1].kendall, -5 / 30.0.squareRoot(), relative: 1e-6)
        expectClose(correlations[1].spearman, -0.9486832980505138, relative: 1e-6)
    }

    @Test func sampledCandidatesStayInTheirFamily() throws {
        let generator = RandomGenerator(seed: 9)
        for _ in 0..<50 {
            let c = CandidateArchitecture.sample(from: [.mlp, .cnn], generator: generator)
            let model = try c.make(inputShape: [1, 8, 8], classes: 4)
            #expect(c.hiddenLayers(of: model).count == c.depth)
            #expect(c.family == .mlp ? (1...4).contains(c.depth) : (1...3).contains(c.depth))
        }
    }

    @Test func aSmallSearchScoresTrainsAndReportsEveryCandidate() throws {
        let (train, test) = SyntheticImages.split(train: 64, test: 32)
        var settings = ArchitectureSearchSettings()
        (settings.count, settings.steps, settings.batchSize, settings.probeBatch, settings.threads) = (4, 3, 16, 16, 1)
        let result = try ArchitectureSearch(settings: settings, train: train, test: test).run()
        #expect(result.candidates.count == 4)
        #expect(result.candidates.allSatisfy { $0.scores.count == ArchitectureSpace.image.proxies.count })
        #expect(result.correlations.map(\.name) == ArchitectureSpace.image.proxies.map(\.rawValue) + ["combined"])
        #expect(result.csv.split(separator: "\n").count == 5)
        #expect(result.table.hasPrefix("| proxy | Kendall τ | Spearman ρ | τ within mlp ("))
        #expect(result.svg.hasPrefix("<svg"))
        settings.count = 1
        #expect(throws: RunError.self) { try ArchitectureSearch(settings: settings, train: train, test: test) }
    }
}
