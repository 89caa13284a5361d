import ArgumentParser
import Foundation
import KilnData

/// `kiln lab`: experiments from the papers behind KilnLab.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Tools from recent research: activation statistics, sparse inference, quantization, data pruning, architectures scored without training, steering, feature visualization.",
        subcommands: [LabActivationsCommand.self, LabSparsifyCommand.self, LabQuantizeCommand.self, LabPruneCommand.self, LabNASCommand.self,
                       LabSteerCommand.self, LabVisualizeCommand.self])
}

/// The Fashion-MNIST options the lab's experiments share.
struct FashionMNISTOptions: ParsableArguments {
    @Option(help: "Directory of the Fashion-MNIST IDX files.") var data: String = FashionMNIST.defaultDirectory
    @Option(help: "Use only the first N training examples (default: all 60,000).") var trainExamples: Int?

    func validate() throws {
        if let trainExamples, trainExamples < 1 { throw CommandError("--train-examples must be positive, got \(trainExamples)") }
    }

    /// The training set (its first `trainExamples` examples) and the test set.
    func load() throws -> (train: TensorDataset, test: TensorDataset) {
        let train = try FashionMNIST.load(train: true, directory: data), test = try FashionMNIST.load(train: false, directory: data)
        guard let n = trainExamples, n < train.count else { return (train, test) }
        return (TensorDataset(inputs: train.inputs.slice(axis: 0, 0..<n), targets: train.targets.slice(axis: 0, 0..<n)), test)
    }
}

/// A comma-separated list of numbers (`0.3,0.5,0.7`).
func numberList(_ text: String) throws -> [Double] {
    try text.split(separator: ",").map { part in
        guard let value = Double(part.trimmingCharacters(in: .whitespaces)) else { throw CommandError("\"\(part)\" is not a number") }
        return value
    }
}
