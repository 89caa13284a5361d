import ArgumentParser
import Foundation
import KilnMetrics
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

    @Option(help: "Model: mlp or cnn.") var model: String?
    @Option(parsing: .unconditional, help: "Training epochs.") var epochs: Int?
    @Option(parsing: .unconditional, help: "Examples per batch.") var batchSize: Int?
    @Option(parsing: .unconditional, help: "Peak learning rate.") var lr: Double?
    @Option(parsing: .unconditional, help: "Weight decay.") var weightDecay: Double?
    @Option(parsing: .unconditional, help: "Label smoothing of the training loss, in [0, 1).") var labelSmoothing: Double?
    @Option(help: "Optimizer: adamw, adam, sgd, lion, rmsprop or adagrad.") var optimizer: String?
    @Option(help: "Schedule: cosine, constant, linear, wsd, onecycle, or a spec such as cosine:peak=1e-3,floor=1e-5,steps=4690.")
    var schedule: String?
    @Option(help: "Activation: relu, gelu, silu, tanh, leaky_relu or mish.") var activation: String?
    @Option(help: "Augmentation of image data: none, flip or flip+crop.") var augment: String?
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

    func run() throws {
        let (settings, resumeFrom) = try resume ? resumedSettings() : (newSettings(), nil)
        if let problem = settings.problem() { throw CommandError(problem) }
        if checkpointEvery < 0 { throw CommandError("--checkpoint-every must be non-negative, got \(checkpointEvery)") }
        let folder = try RunFolder(out: settings.out, name: settings.name ?? "\(settings.model)-\(RunData.timestamp())")
        let summary = try TrainingRun(settings: settings, folder: folder, resumeFrom: resumeFrom, json: json,
                                      checkpointEvery: checkpointEvery, onNonFinite: onNonfinite).run()
        if json {
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// The settings of a new run: defaults, then the settings file, then the options.
    private func newSettings() throws -> TrainSettings {
        var settings = try config.map { try TrainSettings.load($0) } ?? TrainSettings()
        apply(to: &settings)
        return settings
    }

    /// The settings of a resumed run: those stored in its checkpoint, with the options given,
    /// which must agree with them except those allowed to change.
    private func resumedSettings() throws -> (TrainSettings, Checkpoint) {
        guard let name else { throw CommandError("--resume needs --name of the run to continue") }
        if config != nil { throw CommandError("--resume takes the run's settings from its checkpoint; leave out --config") }
        let folder = try RunFolder(out: out ?? TrainSettings().out, name: name)
        try folder.checkResumable()
        let removed = folder.removeTemporaryFiles()
        if !removed.isEmpty {
            FileHandle.standardError.write(Data("removed \(removed.count) temporary file(s) of an interrupted write from \(folder.path)\n".utf8))
        }
        let checkpoint = try Checkpoint.read(folder.checkpoint)
        let settings = try TrainSettings.resuming(checkpoint, at: folder.checkpoint) { apply(to: &$0) }
        return (settings, checkpoint)
    }

    /// Overrides `settings` with every option given on the command line.
    private func apply(to settings: inout TrainSettings) {
        if let model { settings.model = model }
        if let epochs { settings.epochs = epochs }
        if let batchSize { settings.batchSize = batchSize }
        if let lr { settings.lr = lr }
        if let weightDecay { settings.weightDecay = weightDecay }
        if let labelSmoothing { settings.labelSmoothing = labelSmoothing }
        if let optimizer { settings.optimizer = optimizer }
        if let schedule { settings.schedule = schedule }
        if let activation { settings.activation = activation }
        if let augment { settings.augment = augment }
        if let testTimeFlip { settings.testTimeFlip = testTimeFlip }
        if let seed { settings.seed = seed }
        if let threads { settings.threads = threads }
        if let out { settings.out = out }
        if let name { settings.name = name }
    }
}

extension NonFiniteAction: ExpressibleByArgument {}
