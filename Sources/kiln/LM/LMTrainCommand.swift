import ArgumentParser
import Foundation
import KilnLab
import KilnTrain

/// `kiln lm train`: train a GPT on characters, bytes or BPE tokens; with no options, the charlm anchor.
struct LMTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a language model (on characters by default, or bytes or BPE tokens).",
        discussion: """
        With no options, trains the charlm anchor: a 4-layer GPT (dimension 128, 4 heads, learned positions, context 128) \
        on the fortunes corpus for 1000 steps of 32 windows, AdamW with warm-up and cosine, validation every 250 steps. \
        Writes runs/<name>/ holding checkpoint.safetensors, the tokenizer (vocabulary.json for characters, tokenizer.bpe \
        for BPE), metrics.jsonl and report.html. Losses are per token; bits per character are the total loss of the \
        scored validation tokens over the characters of their text (each counted in the token holding its first byte) \
        divided by ln 2, for every tokenizer.
        """)

    @Option(help: "Folder of text files that make the corpus (default: the fortunes).") var corpus: String?
    @Option(parsing: .unconditional, help: "Transformer blocks.") var layers: Int?
    @Option(parsing: .unconditional, help: "Attention heads.") var heads: Int?
    @Option(parsing: .unconditional, help: "Width of the residual stream.") var dimension: Int?
    @Option(parsing: .unconditional, help: "Tokens per training window.") var context: Int?
    @Option(help: "Positions: \(PositionChoice.names.joined(separator: ", ")).", transform: { try PositionChoice(named: $0) })
    var positions: PositionChoice?
    @Option(help: "Normalization: \(BlockNormChoice.names.joined(separator: ", ")).", transform: { try BlockNormChoice(named: $0) })
    var norm: BlockNormChoice?
    @Option(help: "Activation of the MLP: \(ActivationChoice.names.joined(separator: ", ")).", transform: { try ActivationChoice(named: $0) })
    var activation: ActivationChoice?
    @Option(help: "Gated feed-forward network in place of the MLP: \(GatedUnitChoice.names.joined(separator: ", ")).",
            transform: { try GatedUnitChoice(named: $0) })
    var glu: GatedUnitChoice?
    @Option(help: "Output gate of gated attention: \(AttentionGateChoice.names.joined(separator: ", ")).",
            transform: { try AttentionGateChoice(named: $0) })
    var gate: AttentionGateChoice?
    @Option(help: "Attention weights: \(AttentionNormalizerChoice.names.joined(separator: ", ")).",
            transform: { try AttentionNormalizerChoice(named: $0) })
    var normalizer: AttentionNormalizerChoice?
    @Option(help: "Tokens the text is read as: \(TokenizerChoice.names.joined(separator: ", ")) (default character).",
            transform: { try TokenizerChoice(named: $0) })
    var tokenizer: TokenizerChoice?
    @Option(parsing: .unconditional, help: "BPE vocabulary: 256 bytes plus merges learned from the training text (default 512).")
    var vocabularySize: Int?
    @Option(parsing: .unconditional, help: "Dropout on embeddings, residual branches and attention weights, in [0, 1).") var dropout: Double?
    @Option(parsing: .unconditional, help: "Batches whose mean gradient makes one optimizer step.") var gradientAccumulation: Int?
    @Option(parsing: .unconditional, help: "Hidden width of each MLP, of each expert with --moe (default 4·dimension, / top-k with --moe).")
    var hidden: Int?
    @OptionGroup(title: "Mixture of experts") var mixture: MixtureOptions
    @Option(parsing: .unconditional, help: "Optimizer steps.") var steps: Int?
    @Option(parsing: .unconditional, help: "Windows per step.") var batchSize: Int?
    @Option(parsing: .unconditional, help: "Peak learning rate.") var lr: Double?
    @Option(parsing: .unconditional, help: "Learning rate the cosine ends at.") var minLr: Double?
    @Option(parsing: .unconditional, help: "Warm-up steps.") var warmup: Int?
    @Option(parsing: .unconditional, help: "Weight decay (matrices only).") var weightDecay: Double?
    @Option(help: "Schedule in place of warm-up and cosine: \(ScheduleChoice.Sized.names.joined(separator: ", ")), or a spec.",
            transform: { try ScheduleChoice($0) })
    var schedule: ScheduleChoice?
    @Option(parsing: .unconditional, help: "Random seed (weights and batches).") var seed: Int?
    @Option(parsing: .unconditional, help: "Steps between validations.") var evalEvery: Int?
    @Option(parsing: .unconditional, help: "Steps summed up by each step record of metrics.jsonl.") var logEvery: Int?
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?
    @Option(help: "Folder that holds run folders.") var out = "runs"
    @Option(help: "Run name (default: lm and the time).") var name: String?
    @Option(parsing: .unconditional, help: "Steps between checkpoints (0: only the final one).") var checkpointEvery = 250
    @Option(parsing: .unconditional, help: "Steps between records of the residual stream's largest activations on the first validation window (see kiln lab activations --growth).")
    var trackActivations: Int?
    @Flag(help: "Continue the run in <out>/<name>/ from its checkpoint, with its stored settings (options that repeat them are allowed).")
    var resume = false
    @Flag(help: "End with the figures as one JSON line.") var json = false
    @OptionGroup var parallel: DistributedOptions

    func run() throws { try parallel.run(train) }

    private func train(_ dataParallel: DataParallel?, prints: Bool) throws {
        if let threads { try RunLimits.check(threads: threads) }
        let run: LanguageModelRun
        if resume {
            guard let name else { throw CommandError("--resume needs --name of the run to continue") }
            var probe = LanguageModelSettings()
            try mixture.apply(to: &probe)
            guard probe.moe == nil else {
                throw CommandError("--resume keeps the run's mixture-of-experts settings; give --moe and its options only when starting a run")
            }
            run = try LanguageModelRun.resume(out: out, name: name, threads: threads) { apply(to: &$0) }
        } else {
            var settings = LanguageModelSettings()
            apply(to: &settings)
            try mixture.apply(to: &settings)
            run = try LanguageModelRun(settings: settings, out: out, name: name)
        }
        run.checkpointEvery = checkpointEvery
        run.dataParallel = dataParallel
        if let trackActivations {
            guard trackActivations >= 1 else { throw CommandError("--track-activations must be positive, got \(trackActivations)") }
            guard run.windows.validationWindowCount > 0 else { throw CommandError("--track-activations needs a validation window") }
            run.callbacks.append(MassiveActivationTracker(every: trackActivations, probe: run.windows.validationBatch(windows: 0..<1).inputs))
        }
        let summary = try run.run()
        guard prints else { return }
        let peakMiB = Double(MemoryBench.peakResidentKiB()) / 1024
        let loss = summary.validationLoss ?? .nan
        print(String(format: "median tokens/s (steps 20..N): %.0f  val loss after %d steps: %.4f  peak RSS %.1f MiB",
                     summary.medianTokensPerSecond, summary.steps, loss, peakMiB))
        print("run folder \(summary.folder.path): checkpoint.safetensors, tokenizer, metrics.jsonl, report.html")
        if json {
            var object: [String: Any] = ["run": summary.folder.path, "steps": summary.steps, "params": summary.parameters,
                                         "peak_rss_mib": (peakMiB * 10).rounded() / 10,
                                         "train_wall_seconds_incl_evals": (summary.seconds * 100).rounded() / 100,
                                         "val_loss_curve": summary.validationCurve.map { [$0.steps, ($0.loss * 1e4).rounded() / 1e4] }]
            if summary.medianTokensPerSecond.isFinite {
                object["median_tokens_per_s_steps_20_to_N"] = (summary.medianTokensPerSecond * 10).rounded() / 10
            }
            if loss.isFinite { object["val_loss_final"] = (loss * 1e4).rounded() / 1e4 }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
    }

    /// Overrides `settings` with every settings option given.
    private func apply(to s: inout LanguageModelSettings) {
        if let corpus { s.corpus = corpus }
        if let layers { s.layers = layers }
        if let heads { s.heads = heads }
        if let dimension { s.dimension = dimension }
        if let context { s.context = context }
        if let positions { s.positions = positions }
        if let norm { s.norm = norm }
        if let activation { s.activation = activation }
        if let glu { s.glu = glu }
        if let gate { s.gate = gate }
        if let normalizer { s.normalizer = normalizer }
        if let tokenizer { s.tokenizer = tokenizer }
        if let vocabularySize { s.vocabularySize = vocabularySize }
        if let dropout { s.dropout = dropout }
        if let gradientAccumulation { s.gradientAccumulation = gradientAccumulation }
        if let hidden { s.hidden = hidden }
        if let steps { s.steps = steps }
        if let batchSize { s.batchSize = batchSize }
        if let lr { s.lr = lr }
        if let minLr { s.minLR = minLr }
        if let warmup { s.warmup = warmup }
        if let weightDecay { s.weightDecay = weightDecay }
        if let schedule { s.schedule = schedule }
        if let seed { s.seed = seed }
        if let evalEvery { s.evalEvery = evalEvery }
        if let logEvery { s.logEvery = logEvery }
        if let threads, !resume { s.threads = threads }
    }
}
