import Foundation
import Kiln
import KilnData
import KilnNN
import KilnOptimizers

/// One character language-model run as `kiln lm train` does it; by default the charlm anchor
/// (workload 3) exactly: its corpus, split, model, initialization, AdamW groups, schedule, random
/// training windows and validation over every non-overlapping window.
///
/// ```swift
/// let run = try LanguageModelRun(settings: LanguageModelSettings(), out: "runs", name: "charlm")
/// let summary = try run.run()
/// print(summary.medianTokensPerSecond, summary.validationLoss!)
/// ```
///
/// Each step draws ``LanguageModelSettings/gradientAccumulation`` batches of windows (one by
/// default); ``Trainer`` computes each batch's loss and gradients and steps AdamW on their mean.
/// The run folder holds `checkpoint.safetensors` (with the batch generator's state, so
/// ``resume(out:name:threads:changes:)`` continues exactly as the run never stopped), the
/// tokenizer (``TokenizerFile``: `vocabulary.json` for characters, `tokenizer.bpe` for BPE,
/// learned from the training text only), `metrics.jsonl` (step records, `validation` records with
/// `val_loss`, `speed` records with `tokens_per_s`) and `report.html`. The run works in its own ``ExecutionScope``: the settings'
/// threads and a generator seeded with the seed.
public final class LanguageModelRun {
    /// What the run trains, and how.
    public let settings: LanguageModelSettings
    /// The folder holding the checkpoint, tokenizer, log and report.
    public let folder: RunFolder
    /// The model and its tokenizer.
    public let languageModel: CharacterLanguageModel
    /// The corpus's tokens, split and windowed.
    public let windows: NextTokenWindows
    /// The thread count and the seeded generator that the run's work uses.
    public let scope: ExecutionScope
    /// Steps between checkpoints, 0 for none but the one written after the last step.
    public var checkpointEvery = 250
    /// Whether training prints its progress on standard error.
    public var showsProgress = true
    /// The processes that train this run together (nil: this process alone; see
    /// ``DataParallel``): each step draws `ranks ·` ``LanguageModelSettings/batchSize`` windows
    /// alike on every process, and each trains on its shard of them. Only rank 0 writes the run
    /// folder, validates and prints; every process returns the summary of what it saw.
    public var dataParallel: DataParallel?
    /// Called after each optimizer step with its loss (on every process).
    public var callbacks: [any TrainerCallback] = []
    private let resumed: Checkpoint?

    private init(settings: LanguageModelSettings, folder: RunFolder, tokenizer: TextTokenizer?, resumed: Checkpoint?) throws {
        if let problem = settings.problem() { throw RunError(problem) }
        _ = try settings.learningRateSchedule()
        let scope = ExecutionScope(threads: settings.threads ?? Threads.count, generator: RandomGenerator(seed: UInt64(settings.seed)))
        let text = try LanguageModelText(settings)
        let tokenizer = tokenizer ?? settings.tokenizer.make(text, vocabularySize: settings.vocabularySize ?? TokenizerChoice.defaultVocabularySize)
        windows = try text.windows(tokenizer, context: settings.context, source: settings.corpus)
        languageModel = scope.run {
            CharacterLanguageModel(settings: settings, tokenizer: tokenizer, generator: RandomGenerator(seed: UInt64(settings.seed)))
        }
        self.settings = settings
        self.folder = folder
        self.scope = scope
        self.resumed = resumed
    }

    /// A new run of `settings` in the folder `out/name` (by default `lm-` and the time), which must
    /// not exist yet. Reads the corpus and draws the model's weights.
    public convenience init(settings: LanguageModelSettings, out: String = "runs", name: String? = nil) throws {
        let folder = try RunFolder(out: out, name: name ?? "lm-\(TrainingRun.timestamp())")
        try folder.checkAbsent()
        try self.init(settings: settings, folder: folder, tokenizer: nil, resumed: nil)
    }

    /// The run in `out/name`, to be continued from its checkpoint with the settings and tokenizer
    /// it stores, on `threads` threads (by default the caller's). `changes` (the options given with
    /// the resume) may only repeat stored settings: one that differs is an error naming it
    /// (``LanguageModelSettings/resumeConflict(with:)``). Clears the temporary files of a write killed half-way.
    public static func resume(out: String, name: String, threads: Int? = nil,
                              changes: (inout LanguageModelSettings) -> Void = { _ in }) throws -> LanguageModelRun {
        let folder = try RunFolder(out: out, name: name)
        try folder.checkResumable()
        folder.removeTemporaryFiles()
        let checkpoint = try Checkpoint.read(folder.checkpoint)
        var settings = try StoredLanguageModel(checkpoint: checkpoint, at: folder.checkpoint).settings
        var changed = settings
        changes(&changed)
        if let conflict = changed.resumeConflict(with: settings) { throw RunError(conflict) }
        settings.threads = threads
        let tokenizer = try TokenizerFile.read(settings.tokenizer, besideCheckpoint: folder.checkpoint)
        let run = try LanguageModelRun(settings: settings, folder: folder, tokenizer: tokenizer, resumed: checkpoint)
        do {
            try run.languageModel.model.load(stateDict: checkpoint.model)
        } catch {
            throw RunError("\(folder.checkpoint) does not fit the model its settings describe: \(error)")
        }
        return run
    }

    /// Trains to ``LanguageModelSettings/steps`` (from where a resumed run stopped), or only up to
    /// step `stoppingAfter` when given (then checkpoints there, to be resumed later), validating
    /// every ``LanguageModelSettings/evalEvery`` steps and after the last, writing the log,
    /// checkpoints and the report.
    public func run(stoppingAfter: Int? = nil) throws -> LanguageModelSummary {
        try scope.run { try train(until: min(stoppingAfter ?? settings.steps, settings.steps)) }
    }

    private func train(until end: Int) throws -> LanguageModelSummary {
        guard checkpointEvery >= 0 else { throw RunError("checkpoint interval must be non-negative, got \(checkpointEvery)") }
        if dataParallel != nil, settings.moe?.balancing == .lossFree {
            // Each process would move its selection biases by the loads of its own shard, and the copies would drift apart.
            throw RunError("loss-free expert balancing does not run data-parallel yet; use --balancing aux_loss or none with --distributed")
        }
        let model = languageModel.model
        let optimizer = AdamW(groups: ParameterGroup.groups(of: model, decayingVectors: false), learningRate: settings.lr,
                              betas: (0.9, 0.95), epsilon: 1e-8, weightDecay: settings.weightDecay)
        let trainer = Trainer(model: model, optimizer: optimizer, loss: CharacterLanguageModel.nextTokenLoss)
        trainer.schedule = try settings.learningRateSchedule()
        trainer.logEvery = settings.logEvery
        trainer.accumulationSteps = settings.gradientAccumulation
        trainer.showsProgress = false
        let mixture = MixtureTraining(settings: settings, model: model)
        mixture?.install(on: trainer)
        trainer.dataParallel = dataParallel
        // Every process has checked the run folder before rank 0 creates it.
        try dataParallel?.communicator.barrier()
        let lead = dataParallel?.isLead ?? true, ranks = dataParallel?.communicator.size ?? 1
        let batches = RandomGenerator(seed: UInt64(settings.seed) &+ 1)
        trainer.dataGenerator = batches
        if let resumed {
            let resumedLog = try lead ? MetricsLog.resume(folder.log, at: resumed.progress) : nil
            try trainer.resume(from: resumed, records: resumedLog?.records ?? MetricsLog.records(folder.log, at: resumed.progress))
            trainer.log = resumedLog?.log
            note("resuming \(folder.name) at step \(resumed.progress.step)")
        } else if lead {
            try folder.create()
            try TokenizerFile.write(languageModel.tokenizer, besideCheckpoint: folder.checkpoint)
            trainer.log = try MetricsLog(path: folder.log)
        }
        let stored = StoredLanguageModel(settings).text
        let tokensPerStep = Double(ranks * settings.batchSize * settings.gradientAccumulation * settings.context)
        note("training a \(model.parameterCount)-parameter GPT on \(windows.train.count) / \(windows.validation.count) \(settings.tokenizer) "
             + "tokens (vocabulary \(languageModel.tokenizer.vocabularySize)), \(settings.steps) steps, \(Threads.count) thread\(Threads.count == 1 ? "" : "s")")

        let start = Date()
        var timed = StepTimes()
        model.train()
        while trainer.progress.step < end {
            let began = DispatchTime.now().uptimeNanoseconds
            mixture?.prepare(step: trainer.progress.step)
            var loss = 0.0
            for _ in 0..<settings.gradientAccumulation {
                let drawn = windows.trainingBatch(size: ranks * settings.batchSize, generator: batches)
                loss += try trainer.step(dataParallel?.shard(drawn) ?? drawn)
            }
            loss /= Double(settings.gradientAccumulation)
            mixture?.finishStep()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
            let done = trainer.progress.step
            timed.add(step: done, seconds: seconds, tokensPerStep: tokensPerStep)
            for callback in callbacks { try callback.trainer(trainer, didFinishStepWithLoss: loss) }   // outside the step's time
            if done % settings.logEvery == 0 {
                try trainer.log?.write(LogRecord(kind: "speed", step: done - 1, epoch: 1,
                                                 values: ["tokens_per_s": timed.recentMedian(settings.logEvery)]))
                if let mixture { try trainer.log?.write(mixture.record(step: done - 1)) }
            }
            if done % 50 == 0 || done == 1 {
                note(String(format: "step %d: loss %.4f  lr %.2e  %.0f tok/s (median of last %d)", done, loss, optimizer.learningRate,
                            timed.recentMedian(50), min(50, timed.count)))
            }
            if lead && (done % settings.evalEvery == 0 || done == settings.steps) {
                let value = CharacterLanguageModel.validationLoss(windows, batchSize: settings.evalBatchSize, trainer: trainer)
                try trainer.log?.write(LogRecord(kind: "validation", step: done - 1, epoch: 1, values: ["val_loss": value]))
                note(String(format: "  val loss after %d steps: %.4f", done, value))
            }
            if lead && ((checkpointEvery > 0 && done % checkpointEvery == 0) || done == end) { try saveCheckpoint(trainer, settings: stored) }
        }
        let seconds = Date().timeIntervalSince(start)
        let records = try lead ? RunLog.lines(of: RunLog.contents(of: folder.log), file: folder.log).map(\.record) : trainer.records
        let summary = LanguageModelSummary(folder: folder, steps: trainer.progress.step, records: records, timed: timed,
                                           parameters: model.parameterCount, seconds: seconds)
        if lead {
            try LanguageModelReport.write(summary, settings: settings, languageModel: languageModel,
                                          scored: CharacterLanguageModel.ScoredText(windows, tokenizer: languageModel.tokenizer))
        }
        return summary
    }

    /// Writes the trainer's checkpoint (with the batch generator's state), after syncing the log.
    private func saveCheckpoint(_ trainer: Trainer, settings stored: String) throws {
        try trainer.log?.sync()
        try trainer.checkpoint(settings: stored).write(to: folder.checkpoint)
    }

    /// Writes `line` to standard error when the run shows its progress.
    private func note(_ line: String) {
        if showsProgress && dataParallel?.isLead ?? true { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
