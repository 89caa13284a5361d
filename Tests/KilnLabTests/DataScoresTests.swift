import Foundation
import KilnLab
import KilnTrain
import KilnTestSupport
import Testing

@Suite struct DataScoresTests {
    @Test func el2nOfTheIssueExample() {
        let logits = Tensor([2, 1, 0.1] as [Float], shape: [1, 3])
        let e = [2.0, 1.0, 0.1].map(Foundation.exp), total = e.reduce(0, +)
        let p = e.map { $0 / total }
        let expected = ((p[0] - 1) * (p[0] - 1) + p[1] * p[1] + p[2] * p[2]).squareRoot()
        let el2n = ExampleScores.el2n(logits: logits, labels: Tensor([0], shape: [1]))
        expectClose(Double(el2n[0]), expected, relative: 1e-6)
        #expect(String(format: "%.4f", el2n[0]) == "0.4298")
    }

    @Test func grandAtTheLogitsIsEL2N() {
        let logits = testTensor([6, 5], seed: 3, scale: 3)
        let labels = Tensor([0, 4, 2, 2, 1, 3], shape: [6])
        expectClose(ExampleScores.logitGradientNorms(logits: logits, labels: labels),
                    ExampleScores.el2n(logits: logits, labels: labels), relative: 1e-5)
    }

    @Test func grandOfALinearClassifierFactorsIntoErrorAndInput() {
        // ∂ℓ/∂W = (p − y)·xᵀ and ∂ℓ/∂b = p − y, so ‖∇θ ℓ‖ = ‖p − y‖·√(‖x‖² + 1) = EL2N·√(‖x‖² + 1).
        let model = Linear(3, 4, generator: RandomGenerator(seed: 5))
        let x = testTensor([5, 3], seed: 8), labels = Tensor([1, 0, 3, 2, 1], shape: [5])
        let el2n = ExampleScores.el2n(logits: withoutGradient { model(x) }, labels: labels)
        let inputNorms = x.norm(axis: 1).scalars
        let expected = zip(el2n, inputNorms).map { $0 * ($1 * $1 + 1).squareRoot() }
        expectClose(ExampleScores.gradientNorms(model: model, inputs: x, labels: labels), expected, relative: 1e-5)
    }

    @Test func forgettingCountsCorrectToWrongChanges() {
        var events = ForgettingEvents(count: 3)
        // Example 0: right, wrong, right, wrong → 2 events. Example 1: wrong, right, right → 0.
        // Example 2: never right → +∞.
        events.record(indices: [0, 1, 2], correct: [true, false, false])
        events.record(indices: [0, 1], correct: [false, true])
        events.record(indices: [2, 0, 1], correct: [false, true, true])
        events.record(indices: [0], correct: [false])
        #expect(events.events == [2, 0, 0])
        #expect(events.scores == [2, 0, .infinity])
    }

    @Test func prototypeDistanceIsCosineDistanceToTheClusterDirection() {
        // Two groups of directions, at 0°/±30° and 90°/±30°... kept apart: each centroid is its
        // group's mean direction, so the outer points are 30° from it and the middle one 0°.
        let angles: [Double] = [-30, 0, 30, 150, 180, 210]
        let points = angles.flatMap { [Float(cos($0 * .pi / 180)) * 2, Float(sin($0 * .pi / 180)) * 2] }
        let clusters = PrototypeDistance(embeddings: Tensor(points, shape: [6, 2]), clusters: 2, generator: RandomGenerator(seed: 1))
        let far = Float(1 - cos(Double.pi / 6))
        expectClose(clusters.distances, [far, 0, far, far, 0, far], relative: 1e-5, absolute: 1e-6)
        #expect(clusters.assignments[0] == clusters.assignments[2] && clusters.assignments[3] == clusters.assignments[5])
        #expect(clusters.assignments[0] != clusters.assignments[3])
    }

    @Test func keptExamplesComeFromTheAskedEnd() {
        let scores: [Float] = [0.5, 0.9, 0.1, 0.9, 0.3]
        #expect(KeptExamples.hard.select(scores, fraction: 0.4) == [1, 3])
        #expect(KeptExamples.hard.select(scores, fraction: 0.6) == [0, 1, 3])
        #expect(KeptExamples.easy.select(scores, fraction: 0.4) == [2, 4])
        let random = randomSubset(of: 100, fraction: 0.3, generator: RandomGenerator(seed: 2))
        #expect(random.count == 30 && Set(random).count == 30 && random == random.sorted() && random.allSatisfy { (0..<100).contains($0) })
    }

    @Test func settingsOutOfRangeAreOneLine() {
        var settings = DataPruningSettings()
        settings.fractions = [0.5, 1]
        #expect(settings.problem() == "fractions must each be in (0, 1), got 1.0")
        settings = DataPruningSettings()
        (settings.score, settings.scoringEpochs) = (.forgetting, 1)
        #expect(settings.problem()?.hasPrefix("score forgetting needs scoring epochs of at least 2") == true)
        #expect(throws: ChoiceError.self) { try PruningScore(named: "loss") }
    }

    @Test(arguments: PruningScore.allCases)
    func aSmallPruningRunTrainsEveryModel(_ score: PruningScore) throws {
        let (train, test) = SyntheticImages.split(train: 96, test: 32)
        var settings = DataPruningSettings()
        (settings.score, settings.fractions, settings.seeds, settings.epochs) = (score, [0.5], 2, 1)
        (settings.scoringRuns, settings.scoringEpochs, settings.clusters, settings.batchSize, settings.threads) = (2, 2, 3, 32, 1)
        let result = try DataPruningRun(settings: settings, train: train, test: test).run()
        #expect(result.entries.count == 2 * 3)
        #expect(result.entries.allSatisfy { (0...1).contains($0.accuracy) })
        #expect(result.table.contains("| 50 % |"))
        #expect(result.svg.hasPrefix("<svg"))
    }
}

/// Small labelled images whose class sets the mean brightness of one quadrant, so a model can learn them.
enum SyntheticImages {
    static func split(train: Int, test: Int, side: Int = 8) -> (TensorDataset, TensorDataset) {
        (make(train, side: side, seed: 1), make(test, side: side, seed: 2))
    }

    static func make(_ count: Int, side: Int, seed: UInt64) -> TensorDataset {
        let labels = (0..<count).map { $0 % 4 }
        var pixels = testTensor([count, 1, side, side], seed: seed, scale: 0.5).scalars
        let half = side / 2
        for (n, label) in labels.enumerated() {
            for r in 0..<half { for c in 0..<half {
                pixels[n * side * side + (r + half * (label / 2)) * side + c + half * (label % 2)] += 2
            } }
        }
        return TensorDataset(inputs: Tensor(pixels, shape: [count, 1, side, side]), targets: Tensor(labels, shape: [count]))
    }
}
