import ArgumentParser
import Foundation
import KilnTrain

/// `kiln eval CHECKPOINT`: test-set loss and metrics of a checkpoint, or with `--csv` those of a
/// tabular checkpoint on a new labelled CSV file.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval",
                                                    abstract: "Evaluate a checkpoint on the test set, or a tabular one on a labelled CSV file.")

    @Argument(help: "A checkpoint written by kiln train.") var checkpoint: String
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?
    @Option(help: "Average each test image's outputs with its mirror's (default: as trained).") var testTimeFlip: Bool?
    @Option(help: "A labelled CSV file (the training columns and the label) to evaluate a tabular checkpoint on.") var csv: String?
    @Flag(help: "Print the result as one JSON line.") var json = false

    func run() throws {
        if let threads { try RunLimits.check(threads: threads) }
        let result = try Threads.withCount(threads ?? Threads.count) {
            if let csv { return try TrainingRun.restoreForPrediction(checkpoint: checkpoint).evaluate(csv: csv) }
            return try TrainingRun.restore(checkpoint: checkpoint).evaluate(testTimeFlip: testTimeFlip)
        }
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
        } else {
            for (k, v) in result.sorted(by: { $0.key < $1.key }) { print("\(k) \(String(format: "%.4f", v))") }
        }
    }
}

/// `kiln predict CHECKPOINT`: logits and predicted classes for the test set, as .npy files, or
/// with `--csv` the predicted label names and probabilities of new CSV rows.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict",
                                                    abstract: "Write a checkpoint's test-set logits and classes, or predictions for new CSV rows.")

    @Argument(help: "A checkpoint written by kiln train.") var checkpoint: String
    @Option(help: "File for the logits [N, classes].") var logits = "logits.npy"
    @Option(help: "File for the predicted classes [N].") var classes = "classes.npy"
    @Option(parsing: .unconditional, help: "Predict only the first N test examples.") var limit: Int?
    @Option(help: "A CSV file of new rows (same feature columns as in training) to predict.") var csv: String?
    @Option(help: "File for the CSV predictions (with --csv): predicted label and class probabilities, or predicted value.")
    var out = "predictions.csv"
    @Flag(help: "Replace --out if it exists.") var force = false

    func run() throws {
        if let limit, limit <= 0 { throw CommandError("--limit must be positive") }
        if let csv {
            let rows = try TrainingRun.restoreForPrediction(checkpoint: checkpoint).writePredictions(csv: csv, to: out, overwrite: force)
            print("wrote \(out) (\(rows) rows)")
            return
        }
        let output = try TrainingRun.restore(checkpoint: checkpoint).predict(limit: limit)
        try NPY.write(output, to: logits)
        try NPY.write(output.argmax(axis: 1), to: classes)
        print("wrote \(logits) \(output.shape) and \(classes) [\(output.shape[0])]")
    }
}
