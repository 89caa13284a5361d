import Foundation
import KilnData
import KilnTestSupport
import KilnTrain
import Testing

/// Deterministic draws for the generated CSV files.
final class Draws {
    let generator: RandomGenerator
    init(seed: UInt64) { generator = RandomGenerator(seed: seed) }
    /// Uniform in [0, 1).
    func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
    /// Standard normal (Box–Muller).
    func normal() -> Double { (-2 * log(1 - uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }
}

/// Three classes of 100 rows, sorted by class: `center` (a blob at the origin), `ring` (a ring of
/// radius 2.5 around it, which no linear boundary separates from the centre) and `side` (a blob at
/// (5, 0)), in features `a` (scaled by 1e-2) and `b` (scaled by 1e4), plus noise features `c`
/// (scale 1) and `d` (scale 1e2). Also returns the raw rows.
func sortedRingCSV() -> (text: String, rows: [(features: [Double], label: String)]) {
    let draws = Draws(seed: 11)
    var rows: [(features: [Double], label: String)] = []
    for label in ["center", "ring", "side"] {
        for _ in 0..<100 {
            var x = 0.5 * draws.normal(), y = 0.5 * draws.normal()
            if label == "ring" {
                let angle = 2 * Double.pi * draws.uniform(), radius = 2.5 + 0.3 * draws.normal()
                (x, y) = (radius * cos(angle), radius * sin(angle))
            } else if label == "side" {
                x += 5
            }
            rows.append(([x * 1e-2, y * 1e4, draws.normal(), 100 * draws.normal()], label))
        }
    }
    let text = "a,b,c,d,kind\n" + rows.map { r in r.features.map { String(format: "%.9g", $0) }.joined(separator: ",") + ",\(r.label)\n" }.joined()
    return (text, rows)
}

/// A softmax (multinomial logistic) regression on standardized inputs, fitted by full-batch
/// gradient descent with Kiln tensors; returns the test accuracy.
func logisticRegressionAccuracy(train: [[Double]], trainLabels: [Int], test: [[Double]], testLabels: [Int], classes: Int) -> Double {
    let d = train[0].count
    let n = Double(train.count)
    var mean = [Double](repeating: 0, count: d), std = [Double](repeating: 0, count: d)
    for j in 0..<d {
        let column: [Double] = train.map { $0[j] }
        mean[j] = column.reduce(0, +) / n
        let squares: [Double] = column.map { ($0 - mean[j]) * ($0 - mean[j]) }
        std[j] = (squares.reduce(0, +) / n).squareRoot()
    }
    func matrix(_ rows: [[Double]]) -> Tensor {
        var values: [Float] = []
        for r in rows { for j in 0..<d { values.append(Float((r[j] - mean[j]) / std[j])) } }
        return Tensor(values, shape: [rows.count, d])
    }
    let x = matrix(train), y = Tensor(trainLabels).oneHot(classes: classes)
    var w = Tensor(zeros: [d, classes]), b = Tensor(zeros: [classes])
    let step = Float(0.5 / n)
    for _ in 0..<3000 {
        let residual = (x.matmul(w) + b).softmax(axis: 1) - y
        w = w - step * x.transposed().matmul(residual)
        b = b - step * residual.sum(axis: 0)
    }
    let predicted = (matrix(test).matmul(w) + b).argmax(axis: 1).integers
    return Double(zip(predicted, testLabels).filter { $0 == $1 }.count) / Double(testLabels.count)
}

@Suite(.serialized) struct TabularRunTests {
    func write(_ text: String, _ name: String) throws -> String {
        let path = temporaryPath(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func settings(csv: String, label: String, out: String, epochs: Int = 30) -> TrainSettings {
        var s = TrainSettings()
        s.model = .mlp
        s.epochs = epochs
        s.batchSize = 32
        s.out = out
        s.name = "tabular"
        s.data = .init(path: csv, labelColumn: label)
        return s
    }

    /// The message of the error `body` throws, or nil.
    func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }

    @Test func aClassSortedFileWithWildScalesSplitsInProportionAndTheMLPMatchesLogisticRegression() throws {
        let (text, rows) = sortedRingCSV()
        let csv = try write(text, "ring.csv"), out = temporaryPath("ring-runs")
        defer { try? FileManager.default.removeItem(atPath: csv); try? FileManager.default.removeItem(atPath: out) }
        let run = try TrainingRun(settings: settings(csv: csv, label: "kind", out: out))
        run.showsProgress = false
        let data = run.data

        // Every class is in the test set in proportion: 20 of its 100 rows, ±1.
        #expect(data.classNames == ["center", "ring", "side"])
        let testCounts = (0..<3).map { c in data.test.targets.integers.filter { $0 == c }.count }
        #expect(testCounts.allSatisfy { abs($0 - 20) <= 1 }, "test rows per class \(testCounts)")
        #expect(data.classBalance == "class balance (train/test): center 80/20, ring 80/20, side 80/20")

        // The split the run uses, and features standardized with its training rows' statistics.
        let labels = rows.map { ["center", "ring", "side"].firstIndex(of: $0.label)! }
        let (trainRows, testRows) = StratifiedSplit.indices(classes: labels, fraction: 0.2, seed: 0)
        #expect(data.test.targets.integers == testRows.map { labels[$0] })
        let trainB = trainRows.map { rows[$0].features[1] }
        let meanB = trainB.reduce(0, +) / Double(trainB.count)
        let stdB = (trainB.map { ($0 - meanB) * ($0 - meanB) }.reduce(0, +) / Double(trainB.count)).squareRoot()
        let firstTest = rows[testRows[0]].features[1]
        expectClose(Double(data.test.inputs.scalars[1]), (firstTest - meanB) / stdB, relative: 1e-5, absolute: 1e-5)

        let summary = try run.run()
        let mlp = summary.test["test_accuracy"]!
        #expect(try String(contentsOfFile: run.folder.report, encoding: .utf8).contains("(train/test): center 80/20, ring 80/20, side 80/20"))
        let logistic = logisticRegressionAccuracy(train: trainRows.map { rows[$0].features }, trainLabels: trainRows.map { labels[$0] },
                                                  test: testRows.map { rows[$0].features }, testLabels: testRows.map { labels[$0] }, classes: 3)
        print("sorted ring CSV: default MLP test accuracy \(mlp), standardized logistic regression \(logistic)")
        #expect(mlp >= logistic)
        #expect(mlp > 0.9)

        // The checkpoint restores the encoding (not recomputed) and evaluates to the same figures.
        let restored = try TrainingRun.restore(checkpoint: run.folder.checkpoint)
        #expect(restored.data.encoding == data.encoding)
        #expect(restored.evaluate()["accuracy"] == mlp)

        // Predictions for the test rows as a new CSV file (label column left out) round-trip the names.
        let newRows = "a,b,c,d\n" + testRows.map { r in rows[r].features.map { String(format: "%.9g", $0) }.joined(separator: ",") + "\n" }.joined()
        let newCSV = try write(newRows, "ring-new.csv"), predictions = temporaryPath("ring-predictions.csv")
        defer { try? FileManager.default.removeItem(atPath: newCSV); try? FileManager.default.removeItem(atPath: predictions) }
        #expect(try restored.writePredictions(csv: newCSV, to: predictions) == testRows.count)
        let table = try CSVRows(path: predictions)
        #expect(table.header == ["predicted", "probability_center", "probability_ring", "probability_side"])
        let names = table.rows.map { $0[0] }
        let matches = zip(names, testRows).filter { $0 == rows[$1].label }.count
        #expect(Double(matches) / Double(testRows.count) == mlp)
        for row in table.rows { expectClose(row[1...].map { Double($0)! }.reduce(0, +), 1, relative: 0, absolute: 1e-5) }
        #expect(message { try restored.writePredictions(csv: newCSV, to: predictions) }
                == "\(predictions) already exists; choose another file or pass --force to replace it")
        #expect(try restored.writePredictions(csv: newCSV, to: predictions, overwrite: true) == testRows.count)

        // Prediction needs only the checkpoint: the same text once the training file is gone.
        let withData = try restored.predictions(csv: newCSV)
        try FileManager.default.removeItem(atPath: csv)
        #expect(try TrainingRun.restoreForPrediction(checkpoint: run.folder.checkpoint).predictions(csv: newCSV) == withData)
    }

    @Test func aTextColumnIsOneHotEncodedOrRefusedAsTheSettingSays() throws {
        let draws = Draws(seed: 5)
        var text = "size,color,label\n"
        for i in 0..<120 {
            let color = ["red", "green", "blue"][i % 3]
            text += "\(String(format: "%.4f", draws.normal())),\(color),\(color == "red" ? "hot" : "cold")\n"
        }
        let csv = try write(text, "colors.csv"), out = temporaryPath("colors-runs")
        defer { try? FileManager.default.removeItem(atPath: csv); try? FileManager.default.removeItem(atPath: out) }
        var s = settings(csv: csv, label: "label", out: out, epochs: 5)
        s.data?.categorical = .error
        #expect(message { _ = try RunData.load(s) } == "\(csv): line 2 column 'color': 'red' is text; set data.categorical: onehot to encode the column")
        s.data?.categorical = .onehot
        let single = try write("size,label\n1,hot\n2,hot\n3,hot\n", "single.csv")
        defer { try? FileManager.default.removeItem(atPath: single) }
        #expect(message { _ = try RunData.load(settings(csv: single, label: "label", out: out)) }
                == "\(single): column 'label' holds one class only ('hot'); a classifier needs at least two")
        let run = try TrainingRun(settings: s)
        run.showsProgress = false
        #expect(run.data.encoding?.featureNames == ["size", "color=blue", "color=green", "color=red"])
        #expect(try run.run().test["test_accuracy"]! == 1)
        // An unseen category encodes as all zeros.
        let unseen = try run.data.encoding!.features(CSVRows(text: "size,color\n0,purple\n", path: "new.csv"))
        #expect(Array(unseen.scalars[1...]) == [0, 0, 0])
    }

    @Test func missingValuesAreImputedWithTheTrainingMedianOrRefused() throws {
        var text = "x,z,label\n"
        for i in 0..<60 {
            let x = i == 7 ? "NA" : i == 8 ? "" : i == 9 ? "NaN" : "\(i)"
            text += "\(x),\(i % 4),\(i < 30 ? "a" : "b")\n"
        }
        let csv = try write(text, "missing.csv"), out = temporaryPath("missing-runs")
        defer { try? FileManager.default.removeItem(atPath: csv); try? FileManager.default.removeItem(atPath: out) }
        var s = settings(csv: csv, label: "label", out: out, epochs: 3)
        s.data?.missing = .error
        let refusal = message { _ = try RunData.load(s) }
        #expect(refusal == "\(csv): line 9 column 'x': missing value 'NA'; set data.missing: median to impute the training median")
        s.data?.missing = .median
        let data = try RunData.load(s)
        let labels = (0..<60).map { $0 < 30 ? 0 : 1 }
        let trainRows = StratifiedSplit.indices(classes: labels, fraction: 0.2, seed: 0).kept
        let present = trainRows.filter { !(7...9).contains($0) }.map(Double.init).sorted()
        let median = present.count % 2 == 1 ? present[present.count / 2] : (present[present.count / 2 - 1] + present[present.count / 2]) / 2
        let x = try #require(data.encoding?.columns.first)
        #expect(x.median == median)
        let imputed = try data.encoding!.features(CSVRows(text: "x,z\nNA,0\n", path: "new.csv"))
        expectClose(Double(imputed.scalars[0]), (median - x.mean!) / x.scale!, relative: 1e-6)
        let run = try TrainingRun(settings: s)
        run.showsProgress = false
        _ = try run.run()
    }

    @Test func aNumericTargetTrainsAsRegressionOrFailsAsClassification() throws {
        let draws = Draws(seed: 8)
        var text = "u,v,price\n"
        for _ in 0..<200 {
            let u = draws.uniform() * 10, v = draws.normal()
            text += String(format: "%.5f,%.5f,%.4f\n", u, v, 300 * u - 50 * v + 1000 + 5 * draws.normal())
        }
        let csv = try write(text, "prices.csv"), out = temporaryPath("prices-runs")
        defer { try? FileManager.default.removeItem(atPath: csv); try? FileManager.default.removeItem(atPath: out) }
        var s = settings(csv: csv, label: "price", out: out, epochs: 40)
        let refusal = message { _ = try RunData.load(s) }
        #expect(refusal?.hasPrefix("\(csv): line 2 column 'price': label '") == true
                && refusal?.hasSuffix("' is not a class number (a whole number from 0 to 99999); for numeric targets set task: regression") == true,
                "\(refusal ?? "no error")")
        s.task = .regression
        #expect(s.problem() == "loss cross_entropy does not fit task regression; use loss mse or huber")
        s.loss = .mse
        let run = try TrainingRun(settings: s)
        run.showsProgress = false
        let summary = try run.run()
        let figures = summary.test
        #expect(figures["test_r2"]! > 0.95, "\(figures)")
        #expect(figures["test_mae"]! < 150 && figures["test_rmse"]! >= figures["test_mae"]!)
        let report = try String(contentsOfFile: run.folder.report, encoding: .utf8)
        #expect(report.contains("Predicted vs true") && report.contains("test R²"))
        let restored = try TrainingRun.restore(checkpoint: run.folder.checkpoint)
        expectClose(restored.evaluate()["r2"]!, figures["test_r2"]!, relative: 1e-9)
        let predicted = try restored.predictions(csv: csv).split(separator: "\n")
        #expect(predicted.first == "predicted" && predicted.count == 201)
    }

    @Test func tabularSettingsReadFromAFileAndBadValuesAreOneLine() throws {
        let good = try TrainSettings.decode(text: """
            task: regression
            early_stopping_patience: 3
            data: {path: p.csv, label_column: y, validation_fraction: 0.1, categorical: error, missing: error}
            """, path: "s.yaml")
        #expect(good.task == .regression && good.loss == .mse && good.earlyStoppingPatience == 3)
        #expect(good.data?.validationFraction == 0.1 && good.data?.categorical == .error && good.data?.missing == .error)
        #expect(good.problem() == nil)
        func problem(_ text: String) -> String {
            do { return try TrainSettings.decode(text: text, path: "s.yaml").problem() ?? "no problem" } catch { return "\(error)" }
        }
        #expect(problem("task: guess") == "s.yaml: setting 'task' must be one of classification, regression, got 'guess'")
        #expect(problem("data: {path: p.csv, label_column: y, missing: drop}") == "s.yaml: setting 'data.missing' must be one of median, error, got 'drop'")
        #expect(problem("early_stopping_patience: 2") == "early_stopping_patience needs a validation split: set data.validation_fraction")
        #expect(problem("data: {path: p.csv, label_column: y, validation_fraction: 1}")
                == "data.validation_fraction must be at least 0 and below 1, got 1.0")
        #expect(problem("task: regression") == "task regression needs CSV data (a data section)")
        #expect(problem("early_stopping_patience: 0\ndata: {path: p.csv, label_column: y, validation_fraction: 0.1}")
                == "early_stopping_patience must be at least 1, got 0")
        #expect(problem("task: regression\nloss: cross_entropy\ndata: {path: p.csv, label_column: y}")
                == "loss cross_entropy does not fit task regression; use loss mse or huber")
        #expect(problem("loss: huber\ndata: {path: p.csv, label_column: y}")
                == "loss huber does not fit task classification; use loss cross_entropy or a metric loss such as f1")
    }

    @Test func earlyStoppingWatchesTheValidationSplit() throws {
        let (text, _) = sortedRingCSV()
        let csv = try write(text, "ring-early.csv"), out = temporaryPath("ring-early-runs")
        defer { try? FileManager.default.removeItem(atPath: csv); try? FileManager.default.removeItem(atPath: out) }
        var s = settings(csv: csv, label: "kind", out: out, epochs: 200)
        s.data?.validationFraction = 0.25
        s.earlyStoppingPatience = 2
        let run = try TrainingRun(settings: s)
        run.showsProgress = false
        #expect(run.data.classBalance == "class balance (train/validation/test): center 60/20/20, ring 60/20/20, side 60/20/20")
        let summary = try run.run()
        #expect(summary.epochs.count < 200)
    }
}
