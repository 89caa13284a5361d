import Foundation
import Kiln
import KilnData

extension TrainingRun {
    /// The built-in model of a checkpoint trained on CSV data, rebuilt from the settings and the
    /// ``TabularEncoding`` it stores, without reading any data file: for ``predictions(csv:)`` on
    /// new rows and ``evaluate(csv:)`` on new labelled ones (its ``data`` holds no examples).
    public static func restoreForPrediction(checkpoint path: String) throws -> TrainingRun {
        let (checkpoint, stored) = try readForEvaluation(path)
        guard let encoding = stored.tabular, !stored.customModel else {
            throw RunError("\(path) was not trained on CSV data by a built-in model; only such a run predicts CSV rows")
        }
        let settings = stored.settings
        let classes = encoding.isRegression ? 1 : encoding.classNames.count
        let none = TensorDataset(inputs: Tensor(zeros: [0, encoding.featureCount]),
                                 targets: Tensor(zeros: [0], dtype: encoding.isRegression ? .float32 : .int64))
        var data = RunData(train: none, test: none, classes: classes, classNames: encoding.classNames, inputShape: [encoding.featureCount],
                           source: path, description: "the encoding stored in \(path)")
        data.encoding = encoding
        let scope = restoringScope(settings)
        let model = try scope.run { try settings.model.make(inputShape: data.inputShape, classes: classes, settings: settings) }
        try load(checkpoint, into: model, from: path, source: data.source)
        model.eval()
        return TrainingRun(settings: settings, folder: RunFolder(holding: path), model: model, data: data, isCustomModel: false,
                           start: .restored(checkpoint: path), scope: scope)
    }

    /// The model's mean loss and metrics (as ``evaluate(testTimeFlip:)`` reports them on the test
    /// set) on every row of the labelled CSV file at `path`, encoded as the run's training rows were
    /// (the ``TabularEncoding`` its checkpoint stores: standardization, categories, class names).
    /// A header without every feature column and the label column is one error naming those it lacks.
    public func evaluate(csv path: String) throws -> [String: Double] {
        guard let encoding = data.encoding else {
            throw RunError("\(path): only a run trained on CSV data evaluates CSV rows; \(data.source) is not")
        }
        let rows = try CSVRows(path: path)
        let expected = encoding.columns.map(\.name) + [encoding.labelColumn]
        let absent = expected.filter { !rows.header.contains($0) }
        guard absent.isEmpty else {
            func list(_ names: [String]) -> String { names.map { "'\($0.snippet(40))'" }.joined(separator: ", ").snippet(300) }
            throw DataError(path: path, reason: "the header lacks \(list(absent)) of the model's columns: \(list(encoding.columns.map(\.name))) "
                            + "and the label \(list([encoding.labelColumn]))")
        }
        return evaluate(TensorDataset(inputs: try encoding.features(rows), targets: try encoding.targets(rows)))
    }

    /// Predictions for every row of the CSV file at `path`, encoded as the run's training rows
    /// were (the ``TabularEncoding`` its checkpoint stores; the label column may be absent), as
    /// CSV text in the rows' order: for a classifier `predicted` (the class name) and one
    /// `probability_<class>` column per class; for regression `predicted` (in the targets' units).
    public func predictions(csv path: String) throws -> String {
        try predictionRows(csv: path).text
    }

    /// ``predictions(csv:)`` and the number of rows predicted.
    private func predictionRows(csv path: String) throws -> (text: String, count: Int) {
        guard let encoding = data.encoding else {
            throw RunError("\(path): only a run trained on CSV data predicts CSV rows; \(data.source) is not")
        }
        let rows = try CSVRows(path: path)
        let inputs = try encoding.features(rows)
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let outputs = scope.run { withoutGradient { model(inputs) } }
        if encoding.isRegression {
            return ("predicted\n" + encoding.targetValues(outputs).map { "\($0)\n" }.joined(), rows.rows.count)
        }
        let names = data.classNames
        let probabilities = withoutGradient { outputs.softmax(axis: 1) }.contiguous().scalars
        let classes = outputs.shape[1]
        var text = (["predicted"] + (0..<classes).map { "probability_\(name(of: $0, in: names))" }).map(Self.csvField).joined(separator: ",") + "\n"
        for r in 0..<outputs.shape[0] {
            let p = probabilities[(r * classes)..<((r + 1) * classes)]
            let best = p.indices.max { p[$0] < p[$1] }! - r * classes
            text += ([Self.csvField(name(of: best, in: names))] + p.map { "\($0)" }).joined(separator: ",") + "\n"
        }
        return (text, rows.rows.count)
    }

    /// Writes ``predictions(csv:)`` of the CSV file at `csv` to `out` atomically; an existing
    /// `out` is an error unless `overwrite`. Returns the number of rows predicted.
    @discardableResult
    public func writePredictions(csv: String, to out: String, overwrite: Bool = false) throws -> Int {
        if !overwrite && FileManager.default.fileExists(atPath: out) {
            throw RunError("\(out) already exists; choose another file or pass --force to replace it")
        }
        let (text, count) = try predictionRows(csv: csv)
        try AtomicFile.write(Data(text.utf8), to: out)
        return count
    }

    private func name(of index: Int, in names: [String]) -> String {
        names.indices.contains(index) ? names[index] : String(index)
    }

    /// `text` as one CSV field: quoted when it holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
