import Foundation
import Kiln
import KilnData
import KilnNN
import KilnOptimizers
import KilnTrain

/// The settings of a training-free search over character language models (`kiln lab nas --space
/// rnn|transformer`): sample candidates, score each with the proxies at initialization, train each
/// briefly on next-character prediction, and rank-correlate each proxy with minus the validation loss.
public struct LanguageModelSearchSettings: Sendable {
    /// The space sampled: ``ArchitectureSpace/rnn`` or ``ArchitectureSpace/transformer``.
    public var space = ArchitectureSpace.rnn
    /// Candidates sampled.
    public var count = 40
    /// The proxies computed (those of the space by default).
    public var proxies = ArchitectureSpace.rnn.proxies
    /// The proxies whose ranks are averaged into the combined score.
    public var combined: [ArchitectureProxy] = [.synflow, .snip, .hiddenCovariance]
    /// Windows in the batch the proxies score: more than the widest hidden state sampled (512 units),
    /// so that hidden covariance's correlation matrix is not singular for want of observations.
    public var probeBatch = 640
    /// Characters of each window (the models' context).
    public var context = 32
    /// Optimizer steps of each brief training.
    public var steps = 200
    /// Windows per training batch.
    public var batchSize = 32
    /// AdamW's peak learning rate (cosine annealing to zero).
    public var learningRate = 3e-3
    /// Validation windows each trained candidate is evaluated on (the first ones, non-overlapping).
    public var validationWindows = 512
    /// The seed of the sampling, the weights, the batches.
    public var seed: UInt64 = 0
    /// Threads each candidate runs on.
    public var threads = 2

    /// The defaults: 40 recurrent models, 200 steps of 32 windows of 32 characters.
    public init() {}

    /// One line for the first setting out of range, or nil.
    public func problem() -> String? {
        if space == .image { return "space: the language-model search takes rnn or transformer, got image" }
        if !(2...10_000).contains(count) { return "count must be from 2 to 10000 (a rank correlation needs two candidates), got \(count)" }
        if proxies.isEmpty { return "proxies: give at least one of \(space.proxies.map(\.rawValue).joined(separator: ", "))" }
        if let odd = (proxies + combined).first(where: { !space.proxies.contains($0) }) {
            return "proxy \(odd) does not apply to the \(space) space; use \(space.proxies.map(\.rawValue).joined(separator: ", "))"
        }
        if !(2...4096).contains(probeBatch) { return "probe batch must be from 2 to 4096, got \(probeBatch)" }
        if !(2...4096).contains(context) { return "context must be from 2 to 4096, got \(context)" }
        if !(1...1_000_000).contains(steps) { return "steps must be from 1 to 1000000, got \(steps)" }
        if !(1...65_536).contains(batchSize) { return "batch size must be from 1 to 65536, got \(batchSize)" }
        if !(learningRate > 0 && learningRate.isFinite) { return "lr must be positive, got \(learningRate)" }
        if validationWindows < 1 { return "validation windows must be positive, got \(validationWindows)" }
        if !(1...256).contains(threads) { return "threads must be from 1 to 256, got \(threads)" }
        return nil
    }
}

/// Samples, scores, briefly trains and ranks character language models of one space.
public struct LanguageModelArchitectureSearch {
    /// The settings of the search.
    public let settings: LanguageModelSearchSettings
    /// The corpus as character ids, split into training and validation windows.
    public let windows: NextTokenWindows
    /// The number of distinct characters.
    public let vocabularySize: Int

    /// A search on `text` (the first 90 % of its characters train, the rest validate, as the
    /// character anchor splits); settings out of range or a text too short for them are a ``RunError``.
    public init(settings: LanguageModelSearchSettings, text: String, source: String) throws {
        if let problem = settings.problem() { throw RunError(problem) }
        let vocabulary = CharacterVocabulary(of: text)
        let ids = try vocabulary.encode(text, source: source)
        windows = try NextTokenWindows(tokens: ids, context: settings.context, source: source)
        if windows.validationWindowCount < 1 || windows.train.count <= settings.context {
            throw RunError("\(source): \(ids.count) characters are too few for windows of \(settings.context)")
        }
        self.settings = settings
        vocabularySize = vocabulary.count
    }

    /// Runs the search; `progress` receives one line per candidate.
    public func run(progress: (String) -> Void = { _ in }) throws -> ArchitectureSearchResult {
        switch settings.space {
        case .rnn: try run(RecurrentLanguageModelArchitecture.self, progress: progress)
        case .transformer: try run(TransformerLanguageModelArchitecture.self, progress: progress)
        case .image: throw RunError("space: the language-model search takes rnn or transformer, got image")
        }
    }

    private func run<A: LanguageModelArchitecture>(_: A.Type, progress: (String) -> Void) throws -> ArchitectureSearchResult {
        let sampler = RandomGenerator(seed: settings.seed)
        let probe = windows.trainingBatch(size: settings.probeBatch, generator: RandomGenerator(seed: settings.seed &+ 1))
        let validation = windows.validationBatch(windows: 0..<min(settings.validationWindows, windows.validationWindowCount))
        var result = ArchitectureSearchResult(proxies: settings.proxies, combined: settings.combined, families: [settings.space.rawValue],
                                              targetName: "minus_validation_loss")
        for index in 0..<settings.count {
            let candidate = A.sample(generator: sampler)
            let start = Date()
            let weightsSeed = settings.seed &* 1_000_003 &+ UInt64(index) &+ 11
            let scope = ExecutionScope(threads: settings.threads, generator: RandomGenerator(seed: weightsSeed))
            let scores = scope.with(generator: RandomGenerator(seed: weightsSeed)).run { () -> [ArchitectureProxy: Double] in
                let model = candidate.make(vocabularySize: vocabularySize, context: settings.context)
                let probe = ArchitectureProbe(model: model, inputs: probe.inputs, labels: probe.targets, hiddenLayers: candidate.hiddenLayers(of: model))
                return Dictionary(uniqueKeysWithValues: settings.proxies.map { ($0, $0.score(probe)) })
            }
            let scoringSeconds = Date().timeIntervalSince(start)
            let loss = scope.run { () -> Double in
                let model = candidate.make(vocabularySize: vocabularySize, context: settings.context)
                train(model, generator: RandomGenerator(seed: weightsSeed &+ 1))
                model.eval()
                return withoutGradient {
                    Double(CharacterLanguageModel.nextTokenLoss(model(validation.inputs), validation.targets).item)
                }
            }
            // A diverged training ranks last.
            result.candidates.append(.init(architecture: candidate, scores: scores, target: loss.isFinite ? -loss : -.infinity,
                                           scoringSeconds: scoringSeconds, seconds: Date().timeIntervalSince(start)))
            progress(String(format: "%2d/%d %@: validation loss %.4f (scored in %.1f s, %.1f s in all)",
                            index + 1, settings.count, candidate.description, loss, scoringSeconds, Date().timeIntervalSince(start)))
        }
        return result
    }

    /// ``LanguageModelSearchSettings/steps`` AdamW steps on random training windows, the rate
    /// annealed by a cosine to zero, gradients clipped to norm 1 (as language models are trained).
    private func train(_ model: Module, generator: RandomGenerator) {
        let optimizer = AdamW(learningRate: settings.learningRate, weightDecay: 1e-2)
        let schedule = CosineAnnealing(peak: settings.learningRate, steps: settings.steps)
        model.train()
        for step in 0..<settings.steps {
            let batch = windows.trainingBatch(size: settings.batchSize, generator: generator)
            var (_, gradients) = valueAndGradient(of: model) { m in CharacterLanguageModel.nextTokenLoss(m(batch.inputs), batch.targets) }
            _ = clipGradientNorm(&gradients, maxNorm: 1)
            optimizer.learningRate = schedule(step)
            optimizer.update(model, along: gradients)
        }
    }
}
