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
    @Option(help: "Training epochs.") var epochs: Int?
    @Option(help: "Examples per batch.") var batchSize: Int?
    @Option(help: "Peak learning rate.") var lr: Double?
    @Option(help: "Weight decay.") var weightDecay: Double?
    @Option(help: "Label smoothing of the training loss, in [0, 1).") var labelSmoothing: Double?
    @Option(help: "Optimizer: adamw, adam, sgd, lion, rmsprop or adagrad.") var optimizer: String?
    @Option(help: "Schedule: cosine, constant, linear, wsd, onecycle, or a spec such as cosine:peak=1e-3,floor=1e-5,steps=4690.")
    var schedule: String?
    @Option(help: "Activation: relu, gelu, silu, tanh, leaky_relu or mish.") var activation: String?
    @Option(help: "Augmentation of image data: none, flip or flip+crop.") var augment: String?
    @Option(help: "Average each test image's outputs with its mirror's: true or false.") var testTimeFlip: Bool?
    @Option(help: "Random seed (weights, order, dropout).") var seed: Int?
    @Option(help: "Threads for kernels and BLAS.") var threads: Int?
    @Option(help: "Folder that holds run folders.") var out: String?
    @Option(help: "Run name (default: model and time).") var name: String?
    @Option(help: "YAML or JSON settings file; options given here override it.") var config: String?
    @Option(help: "Steps between checkpoints (0: only after each epoch).") var checkpointEvery = 200
    @Flag(help: "Continue the run in runs/<name>/ from its checkpoint.") var resume = false
    @Flag(help: "Print the final summary as one JSON line.") var json = false

    func run() throws {
        var settings = TrainSettings()
        if let config { settings = try TrainSettings.load(config) }
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
        if resume && settings.name == nil { throw CommandError("--resume needs --name of the run to continue") }
        if let problem = settings.problem() { throw CommandError(problem) }
        if checkpointEvery < 0 { throw CommandError("--checkpoint-every must be non-negative, got \(checkpointEvery)") }
        let summary = try TrainingRun(settings: settings, resume: resume, json: json, checkpointEvery: checkpointEvery).run()
        if json {
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
