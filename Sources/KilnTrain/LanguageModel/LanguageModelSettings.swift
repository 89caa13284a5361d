import KilnData
import KilnNN
import KilnOptimizers

/// Everything a language-model run can be told. The defaults are the charlm anchor (workload 3):
/// a 4-layer, 4-head, 128-wide GPT with learned positions over 128 characters of the fortunes
/// corpus, trained for 1,000 steps of 32 windows with AdamW (β = 0.9, 0.95; weight decay 0.1 on
/// matrices only), a 100-step warm-up and a cosine from 1e-3 to 1e-4, and validated every 250 steps.
///
/// Stored in the checkpoint as JSON with snake-case keys (`layers`, `min_lr`, `eval_every`, …),
/// so that the run can be resumed, sampled and evaluated without being told them again.
public struct LanguageModelSettings: Equatable, Sendable, Codable {
    /// The folder whose text files make the corpus (``TextCorpus/init(directory:)``).
    public var corpus = TextCorpus.fortunesDirectory
    /// The fraction of the characters that train; the rest validate.
    public var trainFraction = 0.9

    /// Transformer blocks.
    public var layers = 4
    /// Attention heads, dividing ``dimension``.
    public var heads = 4
    /// The width of the residual stream.
    public var dimension = 128
    /// The tokens of a training window.
    public var context = 128
    /// Where positions come from.
    public var positions = PositionChoice.learned
    /// The normalization before each branch and at the end.
    public var norm = BlockNormChoice.layer
    /// The activation of the MLP (when ``glu`` is nil).
    public var activation = ActivationChoice.gelu
    /// A gated feed-forward network in place of the MLP, or nil.
    public var glu: GatedUnitChoice?
    /// The output gate of gated attention, or nil.
    public var gate: AttentionGateChoice?
    /// What turns attention scores into weights.
    public var normalizer = AttentionNormalizerChoice.softmax
    /// What the text is read as: characters (as the anchor), bytes or byte-level BPE tokens.
    public var tokenizer = TokenizerChoice.character
    /// The vocabulary of the BPE tokenizer, the 256 bytes and the merges learned from the training
    /// text; nil for ``TokenizerChoice/defaultVocabularySize``. Only ``TokenizerChoice/bpe`` takes it.
    public var vocabularySize: Int?
    /// The probability of dropout on the embeddings, each residual branch and the attention weights,
    /// one for all as in nanoGPT (``GPT/Configuration/dropout``); 0 in the anchor.
    public var dropout = 0.0
    /// The hidden width of each MLP (of each expert under ``moe``); nil for 4·``dimension``, divided by
    /// the top-k under ``moe`` so that a token meets as many expert weights as in the dense model.
    public var hidden: Int?
    /// A mixture of experts in place of every MLP, or nil.
    public var moe: MixtureSettings?

    /// Optimizer steps.
    public var steps = 1000
    /// Windows per step.
    public var batchSize = 32
    /// Batches of ``batchSize`` windows whose mean gradient makes one step (``Trainer/accumulationSteps``):
    /// steps of `batchSize × gradientAccumulation` windows.
    public var gradientAccumulation = 1
    /// The peak learning rate.
    public var lr = 1e-3
    /// The learning rate the cosine ends at.
    public var minLR = 1e-4
    /// Steps of the linear warm-up, which reaches `lr` at its last step: `lr·(s + 1)/warmup`.
    public var warmup = 100
    /// AdamW's decoupled weight decay, on parameters of rank 2 and more only.
    public var weightDecay = 0.1
    /// A schedule in place of the anchor's warm-up and cosine: a named one sized to the run with
    /// `lr` as its peak, or a spec (``ScheduleSpec``); nil for the anchor's.
    public var schedule: ScheduleChoice?
    /// Seeds the model's weights; the training windows are drawn from a generator seeded with `seed + 1`.
    public var seed = 0
    /// Steps between validations (also after the last step).
    public var evalEvery = 250
    /// Windows per validation batch.
    public var evalBatchSize = 64
    /// Steps summed up by each step record of the metrics log.
    public var logEvery = 10
    /// Threads for kernels and BLAS; nil for the caller's. Not stored: it says how a run ran, not what it computed.
    public var threads: Int?

    /// The anchor's settings.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case corpus, trainFraction = "train_fraction", layers, heads, dimension, context, positions, norm, activation, glu, gate, normalizer
        case steps, batchSize = "batch_size", lr, minLR = "min_lr", warmup, weightDecay = "weight_decay", schedule, seed
        case evalEvery = "eval_every", evalBatchSize = "eval_batch_size", logEvery = "log_every"
        case tokenizer, vocabularySize = "vocabulary_size", dropout, gradientAccumulation = "gradient_accumulation"
        case hidden, moe
    }

    /// What is wrong with the settings, in one line, or nil.
    public func problem() -> String? {
        func positive(_ name: String, _ value: Int) -> String? { value >= 1 ? nil : "\(name) must be at least 1, got \(value)" }
        if let problem = positive("layers", layers) ?? positive("heads", heads) ?? positive("dimension", dimension)
            ?? positive("context", context) ?? positive("steps", steps) ?? positive("batch_size", batchSize)
            ?? positive("eval_every", evalEvery) ?? positive("eval_batch_size", evalBatchSize) ?? positive("log_every", logEvery) {
            return problem
        }
        if steps > RunLog.maximumStep { return "steps must be at most \(RunLog.maximumStep), the most a run log holds, got \(steps)" }
        if dimension % heads != 0 { return "heads \(heads) must divide dimension \(dimension)" }
        if positions == .rotary && (dimension / heads) % 2 != 0 {
            return "rotary positions need an even head dimension, got \(dimension / heads) (dimension \(dimension) / heads \(heads))"
        }
        if !(dropout >= 0 && dropout < 1) { return "dropout must be in [0, 1), got \(dropout)" }
        if !TrainSettings.gradientAccumulationRange.contains(gradientAccumulation) {
            return "gradient_accumulation must be from 1 to \(TrainSettings.gradientAccumulationRange.upperBound), got \(gradientAccumulation)"
        }
        if let vocabularySize {
            if tokenizer != .bpe { return "vocabulary_size applies to the bpe tokenizer only, not \(tokenizer)" }
            let sizes = BytePairTokenizer.vocabularySizes
            if !sizes.contains(vocabularySize) {
                return "vocabulary_size must be from \(sizes.lowerBound) to \(sizes.upperBound), got \(vocabularySize)"
            }
        }
        if !(trainFraction > 0 && trainFraction < 1) { return "train_fraction must lie strictly between 0 and 1, got \(trainFraction)" }
        if !(lr > 0 && lr.isFinite) { return "learning rate must be positive and finite, got \(lr)" }
        if !(minLR >= 0 && minLR <= lr) { return "min_lr must be in [0, lr = \(lr)], got \(minLR)" }
        if warmup < 0 { return "warmup must be non-negative, got \(warmup)" }
        if !(weightDecay >= 0 && weightDecay.isFinite) { return "weight decay must be non-negative and finite, got \(weightDecay)" }
        if seed < 0 { return "seed must be non-negative, got \(seed)" }
        if corpus.isEmpty { return "corpus must name a folder of text files" }
        if let hidden, hidden < 1 { return "hidden must be at least 1, got \(hidden)" }
        if let problem = moe?.problem() { return "moe: " + problem }
        if let threads {
            do { try RunLimits.check(threads: threads) } catch { return error.description }
        }
        return nil
    }

    /// The first stored setting that differs from the run's `stored` settings, as one line naming its
    /// option; nil when there is none (`threads` is not a stored setting).
    public func resumeConflict(with stored: LanguageModelSettings) -> String? {
        let mine = settingFields(self), theirs = settingFields(stored)
        guard let key = Set(mine.keys).union(theirs.keys).sorted().first(where: { mine[$0] != theirs[$0] }) else { return nil }
        return "--\(key.replacingOccurrences(of: "_", with: "-")) \(mine[key] ?? "(default)") conflicts with the run's stored \(key) "
            + "\(theirs[key] ?? "(default)"); a resumed run keeps its settings (only --threads and --checkpoint-every may change)"
    }

    /// The model's shape for a vocabulary of `vocabularySize` tokens.
    public func configuration(vocabularySize: Int) -> GPT.Configuration {
        var c = GPT.Configuration(vocabularySize: vocabularySize)
        c.layers = layers
        c.heads = heads
        c.dimension = dimension
        c.contextLength = context
        c.positions = positions.encoding
        c.normalization = norm.normalization
        let activation = self.activation
        let mlp: FeedForward = glu.map { .gated($0.gate) } ?? .mlp(activation: { activation.make() })
        c.feedForward = moe.map { .mixture($0.configuration(expert: mlp)) } ?? mlp
        c.hiddenDimension = hidden ?? moe.map { max(1, 4 * dimension / $0.topK) }
        c.attentionGate = gate?.gate
        c.attentionNormalizer = normalizer.normalizer
        c.dropout = Float(dropout)
        return c
    }

    /// The learning rate at each step: ``schedule`` when set, else the anchor's warm-up and cosine
    /// (``warmupCosine(peak:floor:warmup:steps:)``).
    public func learningRateSchedule() throws(ScheduleSpecError) -> AnySchedule {
        if let schedule { return try schedule.make(peak: lr, steps: steps) }
        return Self.warmupCosine(peak: lr, floor: minLR, warmup: warmup, steps: steps)
    }

    /// The charlm anchor's schedule over steps `s = 0..<steps`: `peak·(s + 1)/warmup` for
    /// `s < warmup` (the ramp reaches the peak at its last step), then
    /// `floor + ½(peak − floor)(1 + cos(π(s − warmup)/(steps − warmup)))`.
    ///
    /// It is ``Warmup`` read one step ahead, followed by ``CosineAnnealing``: the ramp of the
    /// ``ScheduleSpec`` family `cosine` starts at 0 instead (`peak·s/warmup`).
    public static func warmupCosine(peak: Double, floor: Double, warmup: Int, steps: Int) -> AnySchedule {
        let ramp = StepAhead(Warmup(ConstantSchedule(peak), steps: warmup))
        return AnySchedule(ramp.followed(by: CosineAnnealing(peak: peak, floor: floor, steps: max(1, steps - warmup)), at: warmup))
    }
}

/// A schedule read one step ahead: its value at `step` is `base(step + 1)`.
struct StepAhead<Base: Schedule>: Schedule {
    let base: Base

    init(_ base: Base) { self.base = base }

    func value(at step: Int) -> Double { base.value(at: step + 1) }
}
