import Foundation
import KilnTrain

/// The train and test sets of a run: Fashion-MNIST, or a CSV file split by rows.
struct RunData {
    let train: TensorDataset
    let test: TensorDataset
    let classes: Int
    let classNames: [String]
    /// Per-example input shape without the batch dimension.
    let inputShape: [Int]
    /// Where the examples come from, for messages: the CSV path or "Fashion-MNIST".
    let source: String
    let description: String

    var featureCount: Int { inputShape.reduce(1, *) }
    /// Channels, height, width of image inputs (a flat input counts as 1 × n × 1).
    var imageShape: [Int] { inputShape.count == 3 ? inputShape : [1, featureCount, 1] }

    static func load(_ settings: TrainSettings) throws -> RunData {
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

    /// The training transforms for an `augment` setting (image data only).
    static func augmentations(_ name: String, images: Bool) -> [any BatchTransform] {
        guard images else { return [] }
        switch name {
        case "flip": return [RandomHorizontalFlip()]
        case "flip+crop": return [RandomHorizontalFlip(), RandomCrop(padding: 2)]
        default: return []
        }
    }

    /// `yyyyMMdd-HHmmss` in UTC, for run names.
    static func timestamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}
