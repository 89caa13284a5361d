import ArgumentParser
import Foundation
import KilnTrain

/// Rebuilds the model a checkpoint was trained with and loads its weights.
enum CheckpointModel {
    /// The model, settings and data of the checkpoint at `path`; a checkpoint holding NaN or
    /// infinite values is refused (its outputs would be meaningless).
    static func load(_ path: String) throws -> (model: Module, settings: TrainSettings, data: RunData) {
        let checkpoint = try Checkpoint.read(path)
        if let name = checkpoint.firstNonFiniteTensor {
            throw CommandError("\(path): checkpoint has non-finite weights in '\(name)'")
        }
        let settings = try TrainSettings(stored: checkpoint.settings, checkpoint: path)
        let data = try RunData.load(settings)
        try DataFit.check(settings, inputShape: data.inputShape, classes: data.classes, train: data.train, test: data.test, source: data.source)
        let model = RunModels.make(settings, data: data)
        do {
            try model.load(stateDict: checkpoint.model)
        } catch {
            throw CommandError("\(path) does not fit the model built for \(data.source): \(error)")
        }
        model.eval()
        return (model, settings, data)
    }
}

/// `kiln eval CHECKPOINT`: test-set loss and metrics of a checkpoint.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate a checkpoint on the test set.")

    @Argument(help: "A checkpoint written by kiln train.") var checkpoint: String
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?
    @Option(help: "Average each test image's outputs with its mirror's (default: as trained).") var testTimeFlip: Bool?
    @Flag(help: "Print the result as one JSON line.") var json = false

    func run() throws {
        if let threads {
            try RunLimits.check(threads: threads)
            Threads.count = threads
        }
        let (model, settings, data) = try CheckpointModel.load(checkpoint)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0)) { crossEntropy(logits: $0, labels: $1) }
        trainer.metrics = RunMetrics.make(classes: data.classes)
        if testTimeFlip ?? settings.testTimeFlip, data.inputShape.count == 3 { trainer.predictor = Trainer.averagingMirroredImages(model) }
        let result = trainer.evaluate(DataLoader(data.test, batchSize: 1000))
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
        } else {
            for (k, v) in result.sorted(by: { $0.key < $1.key }) { print("\(k) \(String(format: "%.4f", v))") }
        }
    }
}

/// `kiln predict CHECKPOINT`: logits and predicted classes for the test set, as .npy files.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Write a checkpoint's test-set logits and classes.")

    @Argument(help: "A checkpoint written by kiln train.") var checkpoint: String
    @Option(help: "File for the logits [N, classes].") var logits = "logits.npy"
    @Option(help: "File for the predicted classes [N].") var classes = "classes.npy"
    @Option(parsing: .unconditional, help: "Predict only the first N test examples.") var limit: Int?

    func run() throws {
        let (model, _, data) = try CheckpointModel.load(checkpoint)
        let count = min(limit ?? data.test.count, data.test.count)
        guard count > 0 else { throw CommandError("--limit must be positive") }
        let inputs = data.test.inputs[0..<count]
        let output = withoutGradient { model(inputs) }
        try NPY.write(output, to: logits)
        try NPY.write(output.argmax(axis: 1), to: classes)
        print("wrote \(logits) \(output.shape) and \(classes) [\(count)]")
    }
}
