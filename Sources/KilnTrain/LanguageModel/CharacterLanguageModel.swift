import Foundation
import Kiln
import KilnData
import KilnNN

/// A character-level ``GPT`` with its vocabulary and the settings it was trained with: what a
/// ``LanguageModelRun`` trains, and what its checkpoint restores for sampling and evaluation.
///
/// ```swift
/// let lm = try CharacterLanguageModel(checkpoint: "runs/charlm/checkpoint.safetensors")
/// print(try lm.sample(count: 200, prompt: "Q: ", sampler: Sampler(temperature: 0.8, generator: RandomGenerator(seed: 1))))
/// for result in try lm.evaluate(contextMultiples: [1, 2]) { print(result.context, result.bitsPerCharacter) }
/// ```
public struct CharacterLanguageModel {
    /// The network: token ids `[B, T]` to next-token logits `[B, T, vocabulary]`.
    public let model: GPT
    /// The characters the ids stand for.
    public let vocabulary: CharacterVocabulary
    /// The settings the model was built (and trained) with.
    public let settings: LanguageModelSettings

    /// A fresh model of `settings` over `vocabulary`, its weights drawn from `generator` as the anchor draws them.
    public init(settings: LanguageModelSettings, vocabulary: CharacterVocabulary, generator: RandomGenerator) {
        self.settings = settings
        self.vocabulary = vocabulary
        model = GPT(settings.configuration(vocabularySize: vocabulary.count), generator: generator)
    }

    /// The model of the language-model checkpoint at `path`, with the vocabulary saved beside it
    /// (`vocabulary.json`) and the settings it stores; in evaluation mode.
    public init(checkpoint path: String) throws {
        let checkpoint = try Checkpoint.read(path)
        if let name = checkpoint.firstNonFiniteTensor { throw RunError("\(path): checkpoint has non-finite weights in '\(name)'") }
        let settings = try StoredLanguageModel(checkpoint: checkpoint, at: path).settings
        let vocabulary = try VocabularyFile.read(VocabularyFile.path(besideCheckpoint: path))
        self.init(settings: settings, vocabulary: vocabulary, generator: RandomGenerator(seed: 0))
        do {
            try model.load(stateDict: checkpoint.model)
        } catch {
            throw RunError("\(path) does not fit the model its settings and vocabulary of \(vocabulary.count) characters describe: \(error)")
        }
        model.eval()
    }

    // MARK: Loss

    /// Next-token cross-entropy of logits `[B, T, V]` against targets `[B, T]`, the mean over all B·T positions.
    public static func nextTokenLoss(_ logits: Tensor, _ targets: Tensor) -> Tensor {
        crossEntropy(logits: logits.reshaped([-1, logits.shape[logits.rank - 1]]), labels: targets.reshaped([-1]))
    }

    /// The mean next-token loss over every window `windows` validates with, in batches of
    /// `batchSize` windows, through `trainer`'s evaluation (evaluation mode, no gradients).
    public static func validationLoss(_ windows: NextTokenWindows, batchSize: Int, trainer: Trainer) -> Double {
        let all = windows.validationBatch(windows: 0..<windows.validationWindowCount)
        let loader = DataLoader(TensorDataset(inputs: all.inputs, targets: all.targets), batchSize: batchSize, prefetch: false)
        return trainer.evaluate(loader)["loss"] ?? .nan
    }

    // MARK: Evaluation

    /// The validation loss at a multiple of the training context.
    public struct ContextEvaluation: Equatable, Sendable {
        /// The multiple of the training context.
        public let multiple: Int
        /// The tokens of each window: `multiple` times the training context.
        public let context: Int
        /// The non-overlapping validation windows scored.
        public let windows: Int
        /// The mean next-character cross-entropy, in nats.
        public let loss: Double
        /// The loss in bits per character, `loss / ln 2`.
        public var bitsPerCharacter: Double { loss / log(2) }
    }

    /// The validation loss and bits per character over the non-overlapping validation windows of
    /// `multiple` times the training context, for each of `contextMultiples` (length
    /// extrapolation), reading the corpus the settings name. Batches hold
    /// ``LanguageModelSettings/evalBatchSize`` / `multiple` windows (at least one), the same tokens
    /// per batch at every length.
    ///
    /// A multiple above 1 is an error for learned positions, which have no vector past the
    /// training context; rotary, ALiBi, sinusoidal and no positions reach any length.
    public func evaluate(contextMultiples: [Int]) throws -> [ContextEvaluation] {
        for multiple in contextMultiples {
            guard multiple >= 1 else { throw RunError("context multiple must be at least 1, got \(multiple)") }
            if multiple > 1 && !settings.positions.extrapolates {
                throw RunError("learned positions cannot extrapolate: the model holds \(settings.context) position vectors and cannot "
                               + "read \(multiple * settings.context) tokens (rotary, alibi, sinusoidal and none positions can)")
            }
        }
        let tokens = try Self.corpusTokens(settings, vocabulary: vocabulary)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0), loss: Self.nextTokenLoss)
        trainer.showsProgress = false
        return try contextMultiples.map { multiple in
            let windows = try NextTokenWindows(tokens: tokens, context: multiple * settings.context, trainFraction: settings.trainFraction,
                                               source: settings.corpus)
            let loss = Self.validationLoss(windows, batchSize: max(1, settings.evalBatchSize / multiple), trainer: trainer)
            return ContextEvaluation(multiple: multiple, context: windows.context, windows: windows.validationWindowCount, loss: loss)
        }
    }

    /// The corpus the settings name cut into next-token windows of the training context, split as in training.
    public func windows() throws -> NextTokenWindows {
        try NextTokenWindows(tokens: Self.corpusTokens(settings, vocabulary: vocabulary), context: settings.context,
                             trainFraction: settings.trainFraction, source: settings.corpus)
    }

    /// The token ids of the corpus `settings` name, by `vocabulary`; a character outside it is an
    /// error (the corpus changed since training).
    static func corpusTokens(_ settings: LanguageModelSettings, vocabulary: CharacterVocabulary) throws -> [Int] {
        let corpus = try TextCorpus(directory: settings.corpus)
        return try vocabulary.encode(corpus.text, source: settings.corpus)
    }

    // MARK: Sampling

    /// `count` characters generated after `prompt` (by default a newline, or the vocabulary's first
    /// character when it has none), drawn by `sampler` with the model's key/value cache.
    ///
    /// With learned positions the model reads the last `context` characters at each step (see
    /// ``generate(model:prompt:count:sampler:)``). A prompt character outside the vocabulary is an
    /// error naming it.
    public func sample(count: Int, prompt: String? = nil, sampler: Sampler) throws -> String {
        guard count >= 0 else { throw RunError("the number of characters to generate must be non-negative, got \(count)") }
        let text = prompt ?? (vocabulary.id(of: "\n") != nil ? "\n" : String(vocabulary.characters[0]))
        let ids = try vocabulary.encode(text, source: "prompt")
        guard !ids.isEmpty else { throw RunError("the prompt must hold at least one character") }
        if count == 0 { return "" }
        let tokens = generate(model: model, prompt: Tensor(ids, shape: [1, ids.count]), count: count, sampler: sampler)
        return vocabulary.decode(Array(tokens.integers.dropFirst(ids.count)))
    }

    /// A sampler at `temperature` (or annealed from `annealing.maximum` to `annealing.minimum` with
    /// `annealing.decay`, ``TemperatureSchedule/exploratoryAnnealing(maximum:minimum:decay:)``),
    /// keeping the `topK` most likely and the `topP` nucleus, drawing from a generator seeded with
    /// `seed`; values out of range are an error naming them.
    public static func sampler(temperature: Double = 1, annealing: (maximum: Double, minimum: Double, decay: Double)? = nil,
                               topK: Int? = nil, topP: Double? = nil, seed: Int = 0) throws -> Sampler {
        guard temperature >= 0 && temperature.isFinite else { throw RunError("temperature must be finite and at least 0, got \(temperature)") }
        if let topK, topK < 1 { throw RunError("top-k must be at least 1, got \(topK)") }
        if let topP, !(topP > 0 && topP <= 1) { throw RunError("top-p must be in (0, 1], got \(topP)") }
        guard seed >= 0 else { throw RunError("seed must be non-negative, got \(seed)") }
        var schedule = TemperatureSchedule.constant(Float(temperature))
        if let a = annealing {
            guard a.minimum >= 0 && a.maximum >= a.minimum && a.maximum.isFinite && a.decay > 0 && a.decay.isFinite else {
                throw RunError("annealed temperature needs 0 ≤ minimum \(a.minimum) ≤ maximum \(a.maximum) and a positive decay, got \(a.decay)")
            }
            schedule = .exploratoryAnnealing(maximum: Float(a.maximum), minimum: Float(a.minimum), decay: Float(a.decay))
        }
        return Sampler(schedule: schedule, topK: topK, topP: topP.map(Float.init), generator: RandomGenerator(seed: UInt64(seed)))
    }
}

/// The settings a language-model checkpoint stores, as its metadata entry `settings`:
/// `{"language_model": {...}}` (``LanguageModelSettings`` without `threads`).
struct StoredLanguageModel: Codable, Equatable {
    var settings: LanguageModelSettings

    enum CodingKeys: String, CodingKey { case settings = "language_model" }

    init(_ settings: LanguageModelSettings) {
        var kept = settings
        kept.threads = nil
        self.settings = kept
    }

    /// The settings stored in `checkpoint`, read from `path`.
    init(checkpoint: Checkpoint, at path: String) throws(RunError) {
        guard let text = checkpoint.settings,
              let stored = try? JSONDecoder().decode(StoredLanguageModel.self, from: Data(text.utf8)) else {
            throw RunError("\(path) is not a language-model checkpoint: its metadata holds no language_model settings")
        }
        if let problem = stored.settings.problem() { throw RunError("\(path): stored settings are invalid: \(problem)") }
        self = stored
    }

    /// The metadata entry: one line of JSON with sorted keys.
    var text: String {
        guard let text = sortedJSON(self) else { preconditionFailure("StoredLanguageModel: settings hold a non-finite number") }
        return text
    }
}
