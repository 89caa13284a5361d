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
    /// Examples held out of training to decide when to stop early (CSV data with `data.validation_fraction`).
    public internal(set) var validation: TensorDataset?
    /// How the CSV columns became inputs and targets (nil for other data).
    public internal(set) var encoding: TabularEncoding?

    /// Whether the targets are values (regression) rather than classes.
    public var isRegression: Bool { encoding?.isRegression ?? false }

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

    /// The data `settings` name: Fashion-MNIST, or the CSV file of its `data` section, encoded
    /// by a ``TabularEncoding`` learned from the training rows (or `encoding`, the one a checkpoint
    /// stores, so that evaluation never learns anything from its data).
    ///
    /// Unless `data.test_path` names a test file, `data.test_fraction` of each class's rows,
    /// drawn with a generator seeded by `seed`, are the test set (``StratifiedSplit``);
    /// `data.validation_fraction` of the remaining rows are drawn the same way for validation.
    /// For regression the rows are drawn as one class.
    public static func load(_ settings: TrainSettings, encoding stored: TabularEncoding? = nil) throws -> RunData {
        guard let source = settings.data else {
            let train = try FashionMNIST.load(train: true), test = try FashionMNIST.load(train: false)
            return RunData(train: train, test: test, classes: 10, classNames: FashionMNIST.classNames,
                           inputShape: [1, 28, 28], source: "Fashion-MNIST", description: "Fashion-MNIST (60,000 train, 10,000 test)")
        }
        return try tabular(CSVRows(path: source.path), settings: settings, encoding: stored)
    }

    /// The CSV data of `settings`' `data` section, whose main file is `table` (already read); a
    /// `data.test_path` file is read here. As ``load(_:encoding:)`` describes; the fuzz target
    /// `csv` reads its inputs through this.
    ///
    /// - Precondition: `settings.data` is set.
    public static func tabular(_ table: CSVRows, settings: TrainSettings, encoding stored: TabularEncoding? = nil) throws -> RunData {
        guard let source = settings.data else { preconditionFailure("RunData.tabular: the settings have no data section") }
        let regression = settings.task == .regression
        let names = regression ? [] : try stored?.classNames ?? TabularEncoding.classNames(table, labelColumn: source.labelColumn)
        if !regression && names.count < 2 {
            throw DataError(path: source.path, reason: "column '\(source.labelColumn.snippet())' holds one class only ('\(names[0].snippet())'); "
                            + "a classifier needs at least two")
        }
        let strata = regression ? [Int](repeating: 0, count: table.rows.count)
            : try TabularEncoding.classIds(table, labelColumn: source.labelColumn, classNames: names)
        let seed = UInt64(settings.seed)
        var trainRows = Array(table.rows.indices), testRows: [Int], testTable = table
        if let testPath = source.testPath {
            testTable = try CSVRows(path: testPath)
            testRows = Array(testTable.rows.indices)
        } else {
            (trainRows, testRows) = StratifiedSplit.indices(classes: strata, fraction: source.testFraction, seed: seed)
            guard !testRows.isEmpty else {
                throw DataError(path: source.path, reason: "\(table.rows.count) rows are too few to hold out a test fraction of \(source.testFraction)")
            }
        }
        var validationRows: [Int] = []
        if source.validationFraction > 0 {
            let (kept, held) = StratifiedSplit.indices(classes: trainRows.map { strata[$0] }, fraction: source.validationFraction, seed: seed &+ 1)
            guard !held.isEmpty else {
                throw DataError(path: source.path, reason: "\(trainRows.count) training rows are too few to hold out a validation fraction of "
                                + "\(source.validationFraction)")
            }
            (trainRows, validationRows) = (kept.map { trainRows[$0] }, held.map { trainRows[$0] })
        }
        let encoding = try stored ?? TabularEncoding.fit(table, trainingRows: trainRows, labelColumn: source.labelColumn, regression: regression,
                                                         classNames: names, categorical: source.categorical, missing: source.missing)
        func examples(_ file: CSVRows, _ rows: [Int]) throws -> TensorDataset {
            TensorDataset(inputs: try encoding.features(file, rows: rows), targets: try encoding.targets(file, rows: rows))
        }
        let train = try examples(table, trainRows), test = try examples(testTable, testRows)
        let validation = validationRows.isEmpty ? nil : try examples(table, validationRows)
        let counts = "\(train.count) train, " + (validation.map { "\($0.count) validation, " } ?? "") + "\(test.count) test"
        var data = RunData(train: train, test: test, classes: regression ? 1 : names.count, classNames: names,
                           inputShape: [encoding.featureCount], source: source.path,
                           description: "\(source.path) (\(counts), \(encoding.featureCount) inputs from \(encoding.columns.count) columns)")
        data.validation = validation
        data.encoding = encoding
        return data
    }

    /// The examples per class in each split, as one line (nil for regression and image data):
    /// `class balance (train/test): setosa 40/10, versicolor 40/10, virginica 40/10`.
    public var classBalance: String? {
        guard encoding.map({ !$0.isRegression }) ?? false else { return nil }
        let sets = [train] + (validation.map { [$0] } ?? []) + [test]
        var counts = [[Int]](repeating: [Int](repeating: 0, count: sets.count), count: classes)
        for (s, set) in sets.enumerated() {
            for label in set.targets.integers where label < classes { counts[label][s] += 1 }
        }
        let shown = 20
        let parts = counts.prefix(shown).enumerated().map { c, n in
            "\(classNames.indices.contains(c) ? classNames[c] : String(c)) \(n.map(String.init).joined(separator: "/"))"
        }
        return "class balance (train/\(validation == nil ? "" : "validation/")test): " + parts.joined(separator: ", ")
            + (classes > shown ? ", … (\(classes - shown) more classes)" : "")
    }
}
