import Foundation
import Kiln
import KilnData
import KilnNN
import KilnTrain

/// How long a model trains on a pruned set.
public enum PruningBudget: String, NamedChoice {
    /// As many epochs as on the full set, so fewer steps (the Data Diet's comparison).
    case epochs
    /// As many optimizer steps as on the full set, so more passes over the kept examples.
    case steps

    public static let setting = "budget"
}

/// The settings of a data-pruning experiment (`kiln lab prune`): score the training set with
/// short runs, keep a fraction of it by score, train a fresh model on what is kept, and compare
/// its test accuracy with the full set and with a random subset of the same size.
public struct DataPruningSettings: Sendable {
    /// The model trained (the reference MLP or CNN of `kiln train`).
    public var model = ModelChoice.mlp
    /// The score examples are ranked by.
    public var score = PruningScore.el2n
    /// Which end of the ranking is kept.
    public var keep = KeptExamples.hard
    /// The fractions of the training set kept, each in (0, 1).
    public var fractions = [0.3, 0.5, 0.7, 0.9]
    /// How many seeds (`seed`, `seed + 1`, …) repeat everything, scoring included.
    public var seeds = 3
    /// The first seed.
    public var seed: UInt64 = 0
    /// Epochs of each final training on the full set.
    public var epochs = 8
    /// How training on a pruned set is budgeted.
    public var budget = PruningBudget.epochs
    /// Independent short trainings the scores are averaged over, as the Data Diet's 10.
    public var scoringRuns = 10
    /// Epochs of each scoring training (forgetting events need at least 2).
    public var scoringEpochs = 1
    /// Clusters of the prototype metric's k-means.
    public var clusters = 10
    /// Examples per batch.
    public var batchSize = 128
    /// AdamW's peak learning rate (cosine annealing to zero).
    public var learningRate = 1e-3
    /// Threads each training runs on.
    public var threads = 2

    /// The experiment's defaults: the MLP, EL2N averaged over 10 scoring runs, keep the hard examples, 3 seeds of 8 epochs.
    public init() {}

    /// One line for the first setting out of range, or nil.
    public func problem() -> String? {
        if fractions.isEmpty { return "fractions: give at least one fraction kept" }
        if let bad = fractions.first(where: { !($0 > 0 && $0 < 1) }) { return "fractions must each be in (0, 1), got \(bad)" }
        if !(1...100).contains(seeds) { return "seeds must be from 1 to 100, got \(seeds)" }
        if !(1...1000).contains(epochs) { return "epochs must be from 1 to 1000, got \(epochs)" }
        if !(1...100).contains(scoringRuns) { return "scoring runs must be from 1 to 100, got \(scoringRuns)" }
        if !(1...1000).contains(scoringEpochs) { return "scoring epochs must be from 1 to 1000, got \(scoringEpochs)" }
        if score == .forgetting && scoringEpochs < 2 {
            return "score forgetting needs scoring epochs of at least 2 (an event is a change between two presentations), got \(scoringEpochs)"
        }
        if !(1...10_000).contains(clusters) { return "clusters must be from 1 to 10000, got \(clusters)" }
        if !(1...65_536).contains(batchSize) { return "batch size must be from 1 to 65536, got \(batchSize)" }
        if !(learningRate > 0 && learningRate.isFinite) { return "lr must be positive, got \(learningRate)" }
        if !(1...256).contains(threads) { return "threads must be from 1 to 256, got \(threads)" }
        return nil
    }

    /// The name of the scored series: `el2n, keep hard`.
    public var scoredName: String { "\(score.rawValue), keep \(keep.rawValue)" }
}

/// Scores a training set and compares training on kept fractions of it with training on random
/// subsets of the same size (Paul et al.'s and Sorscher et al.'s experiment).
public struct DataPruningRun {
    /// The settings of the experiment.
    public let settings: DataPruningSettings
    /// The examples scored, pruned and trained on.
    public let train: TensorDataset
    /// The examples every trained model is tested on.
    public let test: TensorDataset
    /// One more than the largest label.
    let classes: Int

    /// An experiment on `train` (inputs and int64 labels) evaluated on `test`; settings out of
    /// range, or a dataset too small for them, are a ``RunError``.
    public init(settings: DataPruningSettings, train: TensorDataset, test: TensorDataset) throws(RunError) {
        if let problem = settings.problem() { throw RunError(problem) }
        if settings.score == .prototype && train.count < settings.clusters {
            throw RunError("clusters: \(settings.clusters) clusters for \(train.count) training examples")
        }
        if let smallest = settings.fractions.min(), Int((smallest * Double(train.count)).rounded()) < 1 {
            throw RunError("fractions: keeping \(smallest) of \(train.count) examples keeps none")
        }
        guard train.targets.dtype == .int64, train.targets.rank == 1, test.targets.dtype == .int64 else {
            throw RunError("data pruning needs int64 class labels [N], got \(train.targets.dtype) \(train.targets.shape)")
        }
        classes = max(train.targets.integers.max() ?? 0, test.targets.integers.max() ?? 0) + 1
        self.settings = settings
        self.train = train
        self.test = test
    }

    /// Runs every seed; `progress` receives one line per finished training.
    public func run(progress: (String) -> Void = { _ in }) throws -> DataPruningResult {
        var result = DataPruningResult(settings: settings)
        for s in 0..<settings.seeds {
            let seed = settings.seed + UInt64(s)
            let scoringStart = Date()
            let scores = try self.scores(seed: seed)
            let scoringSeconds = Date().timeIntervalSince(scoringStart)
            progress(String(format: "seed %llu: scored by %d runs in %.0f s (%.1f s per run)", seed, settings.scoringRuns,
                            scoringSeconds, scoringSeconds / Double(settings.scoringRuns)))
            let full = try trainAndTest(rows: Array(0..<train.count), seed: seed, fullRows: train.count)
            result.entries.append(.init(method: "full", fraction: 1, seed: seed, accuracy: full))
            progress("seed \(seed): full data \(Self.percent(full))")
            for fraction in settings.fractions {
                let kept = settings.keep.select(scores, fraction: fraction)
                let scored = try trainAndTest(rows: kept, seed: seed, fullRows: train.count)
                let randomRows = randomSubset(of: train.count, fraction: fraction, generator: RandomGenerator(seed: seed &+ 7_919))
                let random = try trainAndTest(rows: randomRows, seed: seed, fullRows: train.count)
                result.entries.append(.init(method: settings.scoredName, fraction: fraction, seed: seed, accuracy: scored))
                result.entries.append(.init(method: "random", fraction: fraction, seed: seed, accuracy: random))
                progress("seed \(seed): keep \(fraction) — \(settings.scoredName) \(Self.percent(scored)), random \(Self.percent(random))")
            }
        }
        return result
    }

    /// The score of every training example, from `scoringRuns` short trainings seeded from `seed`.
    public func scores(seed: UInt64) throws -> [Float] {
        var total = [Float](repeating: 0, count: train.count)
        let steps = ShortTraining.steps(epochs: settings.scoringEpochs, rows: train.count, batchSize: settings.batchSize)
        let training = ShortTraining(steps: steps, batchSize: settings.batchSize, learningRate: settings.learningRate)
        for r in 0..<settings.scoringRuns {
            let runSeed = seed &* 1_000_003 &+ UInt64(r) &+ 1
            let scope = ExecutionScope(threads: settings.threads, generator: RandomGenerator(seed: runSeed))
            let runScores = try scope.run { () throws -> [Float] in
                let model = try makeModel()
                var forgetting = ForgettingEvents(count: train.count)
                let labels = train.targets
                training.fit(model, on: train, rows: Array(0..<train.count), generator: RandomGenerator(seed: runSeed &+ 1)) { indices, logits in
                    guard settings.score == .forgetting else { return }
                    let y = labels.indexSelect(axis: 0, indices: Tensor(indices))
                    forgetting.record(indices: indices, correct: Correctness.of(logits, y))
                }
                switch settings.score {
                case .el2n:
                    var values: [Float] = []
                    ShortTraining.forEachBatch(of: model, on: train) { _, logits, y in values += ExampleScores.el2n(logits: logits, labels: y) }
                    return values
                case .grand:
                    return ExampleScores.gradientNorms(model: model, inputs: train.inputs, labels: train.targets)
                case .forgetting:
                    return forgetting.scores
                case .prototype:
                    let embeddings = penultimateFeatures(of: model)
                    return PrototypeDistance(embeddings: embeddings, clusters: settings.clusters,
                                             generator: RandomGenerator(seed: runSeed &+ 2)).distances
                }
            }
            for i in total.indices { total[i] += runScores[i] }
        }
        // Forgetting counts add up over runs; the other scores are averaged.
        return settings.score == .forgetting ? total : total.map { $0 / Float(settings.scoringRuns) }
    }

    /// The inputs of `model`'s last layer for every training example, `[N, D]`.
    func penultimateFeatures(of model: Module) -> Tensor {
        guard let last = (model as? Sequential)?.layers.last else { preconditionFailure("penultimateFeatures: expects a Sequential model") }
        var parts: [Tensor] = []
        let hook = last.addForwardHook { _, inputs, _ in parts.append(inputs[0].reshaped([inputs[0].shape[0], -1])) }
        defer { hook.remove() }
        ShortTraining.forEachBatch(of: model, on: train) { _, _, _ in }
        return Tensor.concatenate(parts, axis: 0)
    }

    /// Test accuracy of a fresh model seeded by `seed` and trained on `rows`.
    func trainAndTest(rows: [Int], seed: UInt64, fullRows: Int) throws -> Double {
        let scope = ExecutionScope(threads: settings.threads, generator: RandomGenerator(seed: seed))
        return try scope.run { () throws -> Double in
            let model = try makeModel()
            let budgetRows = settings.budget == .epochs ? rows.count : fullRows
            let steps = ShortTraining.steps(epochs: settings.epochs, rows: budgetRows, batchSize: settings.batchSize)
            ShortTraining(steps: steps, batchSize: settings.batchSize, learningRate: settings.learningRate)
                .fit(model, on: train, rows: rows, generator: RandomGenerator(seed: seed &+ 104_729))
            return ShortTraining.accuracy(of: model, on: test)
        }
    }

    func makeModel() throws -> Module {
        try settings.model.make(inputShape: Array(train.inputs.shape.dropFirst()), classes: classes, settings: TrainSettings())
    }

    static func percent(_ accuracy: Double) -> String { String(format: "%.2f %%", 100 * accuracy) }
}
