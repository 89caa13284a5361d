import Foundation
import Kiln
import KilnData
import KilnNN

/// A ``GPT`` language model with its tokenizer (characters by default, bytes or BPE tokens) and the
/// settings it was trained with: what a ``LanguageModelRun`` trains, and what its checkpoint
/// restores for sampling and evaluation. Losses are per token; bits per character are per character
/// of the text whatever the tokenizer (``ContextEvaluation/bitsPerCharacter``).
///
/// ```swift
/// let lm = try CharacterLanguageModel(checkpoint: "runs/charlm/checkpoint.safetensors")
/// print(try lm.sample(count: 200, prompt: "Q: ", sampler: Sampler(temperature: 0.8, generator: RandomGenerator(seed: 1))))
/// for result in try lm.evaluate(contextMultiples: [1, 2]) { print(result.context, result.bitsPerCharacter) }
/// ```
public struct CharacterLanguageModel {
    /// The network: token ids `[B, T]` to next-token logits `[B, T, vocabulary]`.
    public let model: GPT
    /// What the ids stand for.
    public let tokenizer: TextTokenizer
    /// The settings the model was built (and trained) with.
    public let settings: LanguageModelSettings

    /// A fresh model of `settings` over `tokenizer`'s ids, its weights drawn from `generator` as the anchor draws them.
    public init(settings: LanguageModelSettings, tokenizer: TextTokenizer, generator: RandomGenerator) {
        self.settings = settings
        self.tokenizer = tokenizer
        model = GPT(settings.configuration(vocabularySize: tokenizer.vocabularySize), generator: generator)
    }

    /// The model of the language-model checkpoint at `path`, with the tokenizer the run used (its
    /// file saved beside the checkpoint, ``LanguageModelSettings/tokenizer`` says which) and the
    /// settings it stores; in evaluation mode.
    public init(checkpoint path: String) throws {
        let checkpoint = try Checkpoint.read(path)
        if let name = checkpoint.firstNonFiniteTensor { throw RunError("\(path): checkpoint has non-finite weights in '\(name)'") }
        let settings = try StoredLanguageModel(checkpoint: checkpoint, at: path).settings
        let tokenizer = try TokenizerFile.read(settings.tokenizer, besideCheckpoint: path)
        self.init(settings: settings, tokenizer: tokenizer, generator: RandomGenerator(seed: 0))
        do {
            try model.load(stateDict: checkpoint.model)
        } catch {
            throw RunError("\(path) does not fit the model its settings and \(settings.tokenizer) vocabulary of "
                           + "\(tokenizer.vocabularySize) tokens describe: \(error)")
        }
        MixtureTraining.restoreGates(of: model, settings: settings, stepsDone: checkpoint.progress.step)
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
        /// The mean next-token cross-entropy, in nats.
        public let loss: Double
        /// The tokens scored and the characters of the text they hold (equal for the character tokenizer).
        public let scored: ScoredText
        /// Bits per character of the text: the total loss of the scored tokens over their characters,
        /// `loss · tokens / (characters · ln 2)`; `loss / ln 2` for the character tokenizer.
        public var bitsPerCharacter: Double { scored.bitsPerCharacter(loss: loss) }
    }

    /// The validation tokens the non-overlapping windows score (each window's targets) and the
    /// characters of their text, each counted in the token holding its first byte
    /// (``TextTokenizer/characterCount(of:)``).
    public struct ScoredText: Equatable, Sendable {
        /// The tokens scored.
        public let tokens: Int
        /// The characters they hold.
        public let characters: Int

        /// The tokens `windows` scores on validation, as `tokenizer` reads them.
        init(_ windows: NextTokenWindows, tokenizer: TextTokenizer) {
            tokens = windows.validationWindowCount * windows.context
            characters = tokenizer.characterCount(of: windows.validation[1...tokens])
        }

        /// Bits per character of a mean loss of `loss` nats per token.
        public func bitsPerCharacter(loss: Double) -> Double {
            loss * Double(tokens) / Double(characters) / log(2)
        }
    }

    /// The validation loss and bits per character over the non-overlapping validation windows of
    /// `multiple` times the training context, for each of `contextMultiples` (length
    /// extrapolation), reading the corpus the settings name, split and tokenized as the run did
    /// (``LanguageModelText``). Batches hold
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
        let text = try LanguageModelText(settings)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0), loss: Self.nextTokenLoss)
        trainer.showsProgress = false
        return try contextMultiples.map { multiple in
            let windows = try text.windows(tokenizer, context: multiple * settings.context, source: settings.corpus)
            let loss = Self.validationLoss(windows, batchSize: max(1, settings.evalBatchSize / multiple), trainer: trainer)
            return ContextEvaluation(multiple: multiple, context: windows.context, windows: windows.validationWindowCount, loss: loss,
                                     scored: ScoredText(windows, tokenizer: tokenizer))
        }
    }

    /// The corpus the settings name, split and tokenized as in training (``LanguageModelText``), cut
    /// into next-token windows of the training context.
    public func windows() throws -> NextTokenWindows {
        try LanguageModelText(settings).windows(tokenizer, context: settings.context, source: settings.corpus)
    }

    // MARK: Sampling

    /// The text of `count` tokens (characters with the character tokenizer) generated after `prompt`
    /// (by default a newline, or the vocabulary's first character when it has none), drawn by
    /// `sampler` with the model's key/value cache. Bytes that end cut off or invalid in UTF-8
    /// read as U+FFFD (``TextTokenizer/decode(_:)``).
    ///
    /// With learned positions the model reads the last `context` tokens at each step (see
    /// ``generate(model:prompt:count:sampler:)``). A prompt character outside a character
    /// vocabulary is an error naming it. With `selfContrast`, a mixture-of-experts model decodes by
    /// self-contrast (``generateSelfContrast(model:prompt:count:sampler:beta:plausibility:weakRank:)``).
    public func sample(count: Int, prompt: String? = nil, sampler: Sampler,
                       selfContrast: (beta: Float, plausibility: Float, weakRank: Int)? = nil) throws -> String {
        guard count >= 0 else { throw RunError("the number of tokens to generate must be non-negative, got \(count)") }
        let ids = try tokenizer.encode(prompt ?? defaultPrompt, source: "prompt")
        guard !ids.isEmpty else { throw RunError("the prompt must hold at least one character") }
        if count == 0 { return "" }
        let start = Tensor(ids, shape: [1, ids.count])
        guard let contrast = selfContrast else {
            return tokenizer.decode(Array(generate(model: model, prompt: start, count: count, sampler: sampler).integers.dropFirst(ids.count)))
        }
        guard let experts = model.mixtureLayers.map(\.experts.count).min() else {
            throw RunError("self-contrast decoding needs a mixture-of-experts model (trained with --moe)")
        }
        guard contrast.beta >= 0 && contrast.beta.isFinite && contrast.plausibility >= 0 && contrast.plausibility <= 1
              && (1...experts).contains(contrast.weakRank) else {
            throw RunError("self-contrast needs beta ≥ 0, plausibility in [0, 1] and a weak rank in 1...\(experts), "
                           + "got beta \(contrast.beta), plausibility \(contrast.plausibility), rank \(contrast.weakRank)")
        }
        let tokens = generateSelfContrast(model: model, prompt: start, count: count, sampler: sampler, beta: contrast.beta,
                                          plausibility: contrast.plausibility, weakRank: contrast.weakRank)
        return tokenizer.decode(Array(tokens.integers.dropFirst(ids.count)))
    }

    /// A newline, or the first character of a character vocabulary without one.
    private var defaultPrompt: String {
        guard case .characters(let vocabulary) = tokenizer, vocabulary.id(of: "\n") == nil else { return "\n" }
        return String(vocabulary.characters[0])
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

    /// The settings stored in `checkpoint`, read from `path`. A setting the checkpoint does not hold
    /// (one added after it was written) takes its default, so older runs still sample, evaluate and resume.
    init(checkpoint: Checkpoint, at path: String) throws(RunError) {
        self.init(try LanguageModelSettings(checkpointMetadata: checkpoint.settings, at: path))
    }

    /// The settings of the metadata `text`, each key it lacks taken from `defaults`; nil unless `text`
    /// is a JSON object holding a `language_model` object of valid types.
    static func decoded(_ text: String, overDefaults defaults: LanguageModelSettings) -> StoredLanguageModel? {
        guard let base = sortedJSON(StoredLanguageModel(defaults)),
              let baseObject = try? JSONSerialization.jsonObject(with: Data(base.utf8)) as? [String: Any],
              let defaultSettings = baseObject[CodingKeys.settings.rawValue] as? [String: Any],
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let storedSettings = object[CodingKeys.settings.rawValue] as? [String: Any] else { return nil }
        let merged = [CodingKeys.settings.rawValue: defaultSettings.merging(storedSettings) { _, stored in stored }]
        guard let data = try? JSONSerialization.data(withJSONObject: merged) else { return nil }
        return try? JSONDecoder().decode(StoredLanguageModel.self, from: data)
    }

    /// The metadata entry: one line of JSON with sorted keys.
    var text: String {
        guard let text = sortedJSON(self) else { preconditionFailure("StoredLanguageModel: settings hold a non-finite number") }
        return text
    }
}

extension LanguageModelSettings {
    /// The settings a language-model checkpoint stores in its metadata entry `settings` (`text`, `nil`
    /// when the checkpoint has none), read from `path`. A setting the checkpoint does not hold (one
    /// added after it was written) takes its default, so older runs still sample, evaluate and resume.
    /// - Throws: ``RunError`` naming `path` when the text is not such an entry or a setting is invalid.
    public init(checkpointMetadata text: String?, at path: String) throws(RunError) {
        guard let text, let stored = StoredLanguageModel.decoded(text, overDefaults: LanguageModelSettings()) else {
            throw RunError("\(path) is not a language-model checkpoint: its metadata holds no language_model settings")
        }
        if let problem = stored.settings.problem() { throw RunError("\(path): stored settings are invalid: \(problem)") }
        self = stored.settings
    }
}
