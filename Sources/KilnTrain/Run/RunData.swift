import Foundation
import Kiln
import KilnData

/// The train and test sets of a run with what the run needs to know of them: Fashion-MNIST or a
/// CSV file split by rows (``load(_:)``), or tensors given in Swift (``init(train:test:classNames:source:)``).
public struct RunData {
    public let train: TensorDataset
    public let test: TensorDataset
    /// Classes a classifier of this data tells apart (labels `0..<classes`).
    public let classes: Int
    /// A name per class, for the report.
    public let classNames: [String]
    /// Per-example input shape without the batch dimension.
    public let inputShape: [Int]
    /// Where the examples come from, for messages: the CSV path, "Fashion-MNIST", or the name given.
    public let source: String
    /// The data in a few words, for the line that starts training.
    public let description: String

    /// Whether the examples are images `[channels, height, width]`.
    public var holdsImages: Bool { inputShape.count == 3 }

    /// Examples given in Swift: inputs `[count, …]` (float) and class labels `[count]` (integer);
    /// the classes are `0...largest label` (at least 2, and at least `classNames.count`).
    public init(train: TensorDataset, test: TensorDataset, classNames: [String]? = nil, source: String = "the given data") throws(RunError) {
        let shape = Array(train.inputs.shape.dropFirst())
        guard Array(test.inputs.shape.dropFirst()) == shape else {
            throw RunError("\(source): test inputs \(test.inputs.shape) do not match training inputs \(train.inputs.shape)")
        }
        for (name, set) in [("training", train), ("test", test)] {
            guard set.inputs.dtype == .float32 else { throw RunError("\(source): \(name) inputs must be float32, got \(set.inputs.dtype)") }
            guard set.targets.dtype == .int64, set.targets.rank == 1 else {
                throw RunError("\(source): \(name) targets must be class labels [count] of int64, got \(set.targets.dtype) \(set.targets.shape)")
            }
        }
        let labels = train.targets.integers + test.targets.integers
        if let negative = labels.first(where: { $0 < 0 }) { throw RunError("\(source): class label \(negative) is negative") }
        let classes = max((labels.max() ?? 0) + 1, classNames?.count ?? 0, 2)
        self.init(train: train, test: test, classes: classes, classNames: classNames ?? (0..<classes).map(String.init), inputShape: shape,
                  source: source, description: "\(source) (\(train.count) train, \(test.count) test)")
    }

    init(train: TensorDataset, test: TensorDataset, classes: Int, classNames: [String], inputShape: [Int], source: String, description: String) {
        self.train = train
        self.test = test
        self.classes = classes
        self.classNames = classNames
        self.inputShape = inputShape
        self.source = source
        self.description = description
    }

    /// The data `settings` name: Fashion-MNIST, or the CSV file of its `data` section, whose last
    /// rows (`test_fraction`) are the test set unless it names a test file.
    public static func load(_ settings: TrainSettings) throws -> RunData {
        guard let source = settings.data else {
            let train = try FashionMNIST.load(train: true), test = try FashionMNIST.load(train: false)
            return RunData(train: train, test: test, classes: 10, classNames: FashionMNIST.classNames,
                           inputShape: [1, 28, 28], source: "Fashion-MNIST", description: "Fashion-MNIST (60,000 train, 10,000 test)")
        }
        let table = try CSVTable(path: source.path, labelColumn: source.labelColumn)
        let train: TensorDataset, test: TensorDataset
        if let testPath = source.testPath {
            let other = try CSVTable(path: testPath, labelColumn: source.labelColumn)
            guard other.featureNames == table.featureNames else {
                throw DataError(path: testPath, reason: "columns differ from \(source.path)")
            }
            train = TensorDataset(inputs: table.features, targets: table.labels)
            test = TensorDataset(inputs: other.features, targets: other.labels)
        } else {
            let rows = table.labels.count
            let held = max(1, Int((Double(rows) * source.testFraction).rounded()))
            guard held < rows else { throw DataError(path: source.path, reason: "\(rows) rows are too few to hold out \(held) for testing") }
            train = TensorDataset(inputs: table.features[0..<(rows - held)], targets: table.labels[0..<(rows - held)])
            test = TensorDataset(inputs: table.features[(rows - held)..<rows], targets: table.labels[(rows - held)..<rows])
        }
        let labels = table.labels.integers
        guard let minimum = labels.min(), minimum >= 0 else {
            throw DataError(path: source.path, reason: "column '\(source.labelColumn)' holds negative class numbers")
        }
        let classes = max(labels.max()! + 1, table.classNames.count, 2)
        let names = table.classNames.isEmpty ? (0..<classes).map(String.init) : table.classNames
        return RunData(train: train, test: test, classes: classes, classNames: names, inputShape: [table.featureNames.count], source: source.path,
                       description: "\(source.path) (\(train.count) train, \(test.count) test, \(table.featureNames.count) features)")
    }
}
