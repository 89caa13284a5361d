import Foundation
import Kiln
import KilnData
import KilnNN
import KilnTrain

/// The settings of a training-free architecture search (`kiln lab nas`): sample candidates, score
/// each with every proxy at initialization, train each briefly, and see how well each proxy
/// ranks the trained accuracies.
public struct ArchitectureSearchSettings: Sendable {
    /// Candidates sampled.
    public var count = 40
    /// The families sampled from.
    public var families: [ArchitectureFamily] = [.mlp, .cnn]
    /// The proxies computed, each reported against accuracy.
    public var proxies = ArchitectureSpace.image.proxies
    /// The proxies whose ranks are averaged into the combined score (Abdelfattah et al.'s vote).
    public var combined: [ArchitectureProxy] = [.synflow, .jacobianCovariance, .snip]
    /// Examples in the batch the proxies score.
    public var probeBatch = 128
    /// Optimizer steps of each brief training.
    public var steps = 150
    /// Examples per training batch.
    public var batchSize = 128
    /// AdamW's peak learning rate (cosine annealing to zero).
    public var learningRate = 1e-3
    /// Test examples each trained candidate is evaluated on (the first ones).
    public var testExamples = 10_000
    /// The seed of the sampling, the weights, the batches.
    public var seed: UInt64 = 0
    /// Threads each candidate runs on.
    public var threads = 2

    /// The defaults: 40 MLPs and CNNs, every proxy, 150 training steps of 128 examples.
    public init() {}

    /// One line for the first setting out of range, or nil.
    public func problem() -> String? {
        if !(2...10_000).contains(count) { return "count must be from 2 to 10000 (a rank correlation needs two candidates), got \(count)" }
        if families.isEmpty { return "families: give at least one of \(ArchitectureFamily.names.joined(separator: ", "))" }
        if proxies.isEmpty { return "proxies: give at least one of \(ArchitectureSpace.image.proxies.map(\.rawValue).joined(separator: ", "))" }
        if (proxies + combined).contains(.attentionConfidence) { return "proxy attn_conf needs attention layers; the image families have none" }
        if !(2...4096).contains(probeBatch) { return "probe batch must be from 2 to 4096, got \(probeBatch)" }
        if !(1...1_000_000).contains(steps) { return "steps must be from 1 to 1000000, got \(steps)" }
        if !(1...65_536).contains(batchSize) { return "batch size must be from 1 to 65536, got \(batchSize)" }
        if !(learningRate > 0 && learningRate.isFinite) { return "lr must be positive, got \(learningRate)" }
        if testExamples < 1 { return "test examples must be positive, got \(testExamples)" }
        if !(1...256).contains(threads) { return "threads must be from 1 to 256, got \(threads)" }
        return nil
    }
}

/// Samples, scores, briefly trains and ranks architectures on a classification dataset.
public struct ArchitectureSearch {
    /// The settings of the search.
    public let settings: ArchitectureSearchSettings
    /// The examples the proxies' batch and the brief trainings draw from.
    public let train: TensorDataset
    /// The examples every trained candidate is tested on (the first ``ArchitectureSearchSettings/testExamples``).
    public let test: TensorDataset
    let classes: Int

    /// A search on `train` (inputs and int64 labels `[N]`) evaluated on `test`; settings out of
    /// range or data too small for them are a ``RunError``.
    public init(settings: ArchitectureSearchSettings, train: TensorDataset, test: TensorDataset) throws(RunError) {
        if let problem = settings.problem() { throw RunError(problem) }
        guard train.targets.dtype == .int64, train.targets.rank == 1, test.targets.dtype == .int64 else {
            throw RunError("architecture search needs int64 class labels [N], got \(train.targets.dtype) \(train.targets.shape)")
        }
        if train.count < settings.probeBatch { throw RunError("probe batch: \(settings.probeBatch) examples asked, the training set has \(train.count)") }
        self.settings = settings
        self.train = train
        self.test = test.count > settings.testExamples
            ? TensorDataset(inputs: test.inputs.slice(axis: 0, 0..<settings.testExamples), targets: test.targets.slice(axis: 0, 0..<settings.testExamples))
            : test
        classes = max(train.targets.integers.max() ?? 0, test.targets.integers.max() ?? 0) + 1
    }

    /// Runs the search; `progress` receives one line per candidate.
    public func run(progress: (String) -> Void = { _ in }) throws -> ArchitectureSearchResult {
        let sampler = RandomGenerator(seed: settings.seed)
        let probeRows = Array(Tensor.randomPermutation(train.count, generator: RandomGenerator(seed: settings.seed &+ 1)).integers.prefix(settings.probeBatch))
        let (probeInputs, probeLabels) = train.batch(at: probeRows)
        var result = ArchitectureSearchResult(settings: settings)
        for index in 0..<settings.count {
            let candidate = CandidateArchitecture.sample(from: settings.families, generator: sampler)
            let start = Date()
            let weightsSeed = settings.seed &* 1_000_003 &+ UInt64(index) &+ 11
            let scope = ExecutionScope(threads: settings.threads, generator: RandomGenerator(seed: weightsSeed))
            let inputShape = Array(train.inputs.shape.dropFirst())
            // Scored on one copy (the proxies' forward passes move batch-norm statistics), trained from an identical one.
            let scores = try scope.with(generator: RandomGenerator(seed: weightsSeed)).run { () throws -> [ArchitectureProxy: Double] in
                let model = try candidate.make(inputShape: inputShape, classes: classes)
                let probe = ArchitectureProbe(model: model, inputs: probeInputs, labels: probeLabels, hiddenLayers: candidate.hiddenLayers(of: model))
                return Dictionary(uniqueKeysWithValues: settings.proxies.map { ($0, $0.score(probe)) })
            }
            let scoringSeconds = Date().timeIntervalSince(start)
            let accuracy = try scope.run { () throws -> Double in
                let model = try candidate.make(inputShape: inputShape, classes: classes)
                ShortTraining(steps: settings.steps, batchSize: settings.batchSize, learningRate: settings.learningRate)
                    .fit(model, on: train, rows: Array(0..<train.count), generator: RandomGenerator(seed: weightsSeed &+ 1))
                return ShortTraining.accuracy(of: model, on: test)
            }
            let entry = ArchitectureSearchResult.Candidate(architecture: candidate, scores: scores, target: accuracy,
                                                           scoringSeconds: scoringSeconds, seconds: Date().timeIntervalSince(start))
            result.candidates.append(entry)
            progress(String(format: "%2d/%d %@: accuracy %.4f (scored in %.1f s, %.1f s in all)",
                            index + 1, settings.count, candidate.description, accuracy, scoringSeconds, entry.seconds))
        }
        return result
    }
}
