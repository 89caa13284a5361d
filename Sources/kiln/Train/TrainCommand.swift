import ArgumentParser
import Foundation
import KilnTrain

/// `kiln train`: train a model (by default the CNN on Fashion-MNIST), evaluate it, write a run folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model and report its test metrics.",
        discussion: """
        With no options, trains the CNN on Fashion-MNIST with AdamW and cosine annealing and writes \
        runs/<name>/ holding checkpoint.safetensors, metrics.jsonl and report.html.
        """)

    @Option(help: "Task of CSV data: \(names(TaskChoice.self)) (regression trains with loss mse unless --loss says huber).",
            transform: choice) var task: TaskChoice?
    @Option(help: "Model: \(names(ModelChoice.self)).", transform: choice) var model: ModelChoice?
    @Option(parsing: .unconditional, help: "Training epochs.") var epochs: Int?
    @Option(parsing: .unconditional, help: "Examples per batch.") var batchSize: Int?
    @Option(parsing: .unconditional, help: "Peak learning rate.") var lr: Double?
    @Option(parsing: .unconditional, help: "Weight decay.") var weightDecay: Double?
    @Option(help: "Training loss: \(names(LossChoice.self)).", transform: choice) var loss: LossChoice?
    @Option(parsing: .unconditional, help: "Label smoothing of the cross-entropy training loss, in [0, 1) (default 0.1; other losses take none).") var labelSmoothing: Double?
    @Option(help: "How each batch's per-sample losses are weighted: \(names(SampleWeightingChoice.self)).", transform: choice)
    var sampleWeighting: SampleWeightingChoice?
    @Option(help: "Optimizer: \(names(OptimizerChoice.self)).", transform: choice) var optimizer: OptimizerChoice?
    @Option(help: "Schedule: \(names(ScheduleChoice.Sized.self)), or a spec such as cosine:peak=1e-3,floor=1e-5,steps=4690.",
            transform: { try ScheduleChoice($0) })
    var schedule: ScheduleChoice?
    @Option(help: "Step along gradients made orthogonal to their weights (⊥Grad): true or false.") var orthogonalGradients: Bool?
    @Option(help: "Weight decay following a schedule: a named one (peak: --weight-decay) or a spec.", transform: { try ScheduleChoice($0) })
    var weightDecaySchedule: ScheduleChoice?
    @Option(help: "Label smoothing following a schedule: a named one (peak: --label-smoothing) or a spec.", transform: { try ScheduleChoice($0) })
    var labelSmoothingSchedule: ScheduleChoice?
    @Option(parsing: .unconditional, help: "Clip each step's gradients to this global norm.") var maxGradNorm: Double?
    @Option(parsing: .unconditional, help: "Steps summed up by each step record of metrics.jsonl.") var logEvery: Int?
    @Option(parsing: .unconditional, help: "Batches whose mean gradient makes one optimizer step.") var gradientAccumulation: Int?
    @Option(help: "Activation: \(names(ActivationChoice.self)).", transform: choice) var activation: ActivationChoice?
    @Option(help: "Augmentation of image data: \(names(AugmentationChoice.self)).", transform: choice) var augment: AugmentationChoice?
    @Option(help: "Average each test image's outputs with its mirror's: true or false.") var testTimeFlip: Bool?
    @Option(parsing: .unconditional, help: "Random seed (weights, order, dropout).") var seed: Int?
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?
    @Option(help: "Folder that holds run folders.") var out: String?
    @Option(help: "Run name (default: model and time).") var name: String?
    @Option(help: "YAML or JSON settings file; options given here override it.") var config: String?
    @Option(parsing: .unconditional, help: "Steps between checkpoints (0: only after each epoch).") var checkpointEvery = 200
    @Option(help: "A step whose loss or gradient norm is NaN or infinite: stop training (one line, last checkpoint kept) or skip it.")
    var onNonfinite = NonFiniteAction.stop
    @Flag(help: "Continue the run in <out>/<name>/ from its checkpoint, with its stored settings (only --epochs may change).")
    var resume = false
    @Flag(help: "Print the final summary as one JSON line.") var json = false
    @OptionGroup var parallel: DistributedOptions

    func run() throws { try parallel.run(train) }

    private func train(_ dataParallel: DataParallel?, prints: Bool) throws {
        if checkpointEvery < 0 { throw CommandError("--checkpoint-every must be non-negative, got \(checkpointEvery)") }
        let run = try resume ? resumedRun() : TrainingRun(settings: newSettings())
        run.checkpointEvery = checkpointEvery
        run.onNonFinite = onNonfinite
        run.dataParallel = dataParallel
        let summary = try run.run()
        guard prints else { return }
        if json {
            let data = try JSONSerialization.data(withJSONObject: Self.json(summary, settings: run.settings), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            if run.data.isRegression {
                let figures = ["test_mae", "test_rmse", "test_r2"].map { summary.test[$0] ?? .nan }
                print(String(format: "test MAE %.4g  RMSE %.4g  R² %.4f", figures[0], figures[1], figures[2]))
            } else {
                let figures = ["test_accuracy", "test_loss", "test_f1_macro", "test_expected_calibration_error"].map { summary.test[$0] ?? .nan }
                print(String(format: "test accuracy %.4f  loss %.4f  macro F1 %.4f  ECE %.4f", figures[0], figures[1], figures[2], figures[3]))
            }
            print("run folder \(summary.folder.path): checkpoint.safetensors, metrics.jsonl, report.html (\(String(format: "%.1f", summary.seconds)) s)")
        }
    }

    /// The settings of a new run: defaults, then the settings file, then the options.
    private func newSettings() throws -> TrainSettings {
        var settings = try config.map { try TrainSettings.load($0) } ?? TrainSettings()
        apply(to: &settings)
        return settings
    }

    /// The run in `--out`/`--name`, continued with its stored settings and the options given,
    /// which must agree with them except those allowed to change.
    private func resumedRun() throws -> TrainingRun {
        guard let name else { throw CommandError("--resume needs --name of the run to continue") }
        if config != nil { throw CommandError("--resume takes the run's settings from its checkpoint; leave out --config") }
        return try TrainingRun.resume(out: out ?? TrainSettings().out, name: name) { apply(to: &$0) }
    }

    /// Overrides `settings` with every option given on the command line.
    private func apply(to settings: inout TrainSettings) {
        if let task {
            settings.task = task
            if task == .regression && settings.loss == .crossEntropy { settings.loss = .mse }
        }
        if let model { settings.model = model }
        if let epochs { settings.epochs = epochs }
        if let batchSize { settings.batchSize = batchSize }
        if let lr { settings.lr = lr }
        if let weightDecay { settings.weightDecay = weightDecay }
        if let loss { settings.loss = loss }
        if let labelSmoothing { settings.labelSmoothing = labelSmoothing }
        if let sampleWeighting { settings.sampleWeighting = sampleWeighting }
        if let optimizer { settings.optimizer = optimizer }
        if let orthogonalGradients { settings.orthogonalGradients = orthogonalGradients }
        if let schedule { settings.schedule = schedule }
        if let weightDecaySchedule { settings.weightDecaySchedule = weightDecaySchedule }
        if let labelSmoothingSchedule { settings.labelSmoothingSchedule = labelSmoothingSchedule }
        if let logEvery { settings.logEvery = logEvery }
        if let maxGradNorm { settings.maxGradNorm = maxGradNorm }
        if let gradientAccumulation { settings.gradientAccumulation = gradientAccumulation }
        if let activation { settings.activation = activation }
        if let augment { settings.augment = augment }
        if let testTimeFlip { settings.testTimeFlip = testTimeFlip }
        if let seed { settings.seed = seed }
        if let threads { settings.threads = threads }
        if let out { settings.out = out }
        if let name { settings.name = name }
    }

    /// The summary as `--json` prints it: test figures rounded, paths, times and memory.
    private static func json(_ summary: RunSummary, settings: TrainSettings) -> [String: Any] {
        var json: [String: Any] = ["run": summary.folder.path, "seconds": (summary.seconds * 10).rounded() / 10, "epochs": settings.epochs,
                                   "model": settings.model.rawValue, "parameters": summary.parameters, "weights_epoch": summary.weightsEpoch]
        for (k, v) in summary.test where v.isFinite && k.hasPrefix("test_") { json[k] = (v * 1e6).rounded() / 1e6 }
        let epochSeconds = summary.epochs.compactMap { $0.values["seconds"] }
        json["epoch_seconds"] = epochSeconds.map { ($0 * 1000).rounded() / 1000 }
        json["test_accuracy_per_epoch"] = summary.epochs.compactMap { $0.values["test_accuracy"] }.map { ($0 * 1e4).rounded() / 1e4 }
        if epochSeconds.count > 1 { json["median_epoch_seconds_2_to_N"] = Timing.median(Array(epochSeconds.dropFirst())) }
        json["peak_rss_mib"] = Double(MemoryBench.peakResidentKiB()) / 1024
        return json
    }
}

/// The names of a choice, for help texts.
func names<C: NamedChoice>(_: C.Type) -> String { C.names.joined(separator: ", ") }

/// The choice an option names; an unknown name is an error listing the valid ones.
func choice<C: NamedChoice>(_ name: String) throws -> C { try C(named: name) }

extension NonFiniteAction: ExpressibleByArgument {}
