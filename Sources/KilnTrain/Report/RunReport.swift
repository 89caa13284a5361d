import Foundation
import Kiln
import KilnMetrics

/// What the report shows beyond the log: the confusion matrix and the reliability diagram on the test set,
/// read from the counts the trainer's last evaluation accumulated (no second pass over the test set).
struct RunEvaluation {
    let confusion: [[Int]]
    let reliability: ReliabilityDiagram

    /// - Precondition: the last evaluation included ``F1Score`` and ``ExpectedCalibrationError`` (``RunMetrics``).
    init(trainer: Trainer, classes: Int) {
        guard let f1 = trainer.lastEvaluation.lazy.compactMap({ $0 as? F1Score }).first,
              let calibration = trainer.lastEvaluation.lazy.compactMap({ $0 as? ExpectedCalibrationError }).first else {
            preconditionFailure("RunEvaluation: the trainer's last evaluation lacks F1Score or ExpectedCalibrationError")
        }
        let counts = f1.matrix.counts
        confusion = (0..<classes).map { r in Array(counts[(r * classes)..<((r + 1) * classes)]) }
        reliability = calibration.reliabilityDiagram
    }
}

/// The run's self-contained HTML report: the summary, the training curves, and the confusion matrix
/// and reliability diagram (classification) or the predicted-against-true plot (regression).
enum RunReport {
    /// What the report shows of the test set: a classifier's confusion matrix and reliability, or
    /// a regression's predicted and true values (in the targets' units).
    enum Outcome {
        case classes(RunEvaluation, [String])
        case values([(truth: Double, predicted: Double)])
    }

    /// - Parameters:
    ///   - model: the model's name in the summary (`cnn`, or a custom model's description).
    ///   - mirroredTest: whether the test figures average each image's outputs with its mirror's.
    ///   - classBalance: the examples per class in each split (``RunData/classBalance``).
    ///   - weights: which epoch's weights the model ended with, when early stopping chose (``TrainSettings/restoreBestWeights``).
    static func write(to path: String, name: String, model: String, settings: TrainSettings, records: [LogRecord], test: [String: Double],
                      outcome: Outcome, mirroredTest: Bool, seconds: Double, classBalance: String? = nil, weights: String? = nil) throws {
        var report = HTMLReport(title: "Kiln run \(name)")
        func f(_ key: String) -> String { test[key].map { String(format: "%.4f", $0) } ?? "–" }
        let figures: [(String, String)]
        switch outcome {
        case .classes:
            figures = [("test accuracy", f("test_accuracy")), ("test loss", f("test_loss")), ("test macro F1", f("test_f1_macro")),
                       ("expected calibration error", f("test_expected_calibration_error"))]
        case .values:
            figures = [("test MAE", f("test_mae")), ("test RMSE", f("test_rmse")), ("test R²", f("test_r2")),
                       ("test loss (standardized targets)", f("test_loss"))]
        }
        report.summary = figures + [
            ("model", model), ("activation", settings.activation.rawValue),
            ("augmentation", settings.augment.rawValue),
            ("epochs", "\(settings.epochs)"), ("batch size", "\(settings.batchSize)"),
            ("optimizer", "\(settings.optimizer), lr \(settings.lr), weight decay \(settings.weightDecay)"),
            ("schedule", settings.schedule.text), ("seed", "\(settings.seed)"), ("threads", "\(Threads.count)"),
            ("training time", String(format: "%.1f s", seconds)),
        ]
        if let weights { report.summary.insert(("weights", weights), at: figures.count) }
        if let classBalance { report.summary.append(("examples per class", classBalance.replacingOccurrences(of: "class balance ", with: ""))) }
        if mirroredTest { report.summary.insert(("test figures", "each test image's outputs averaged with its mirror's"), at: 4) }
        report.addTrainingCurves(records, labelSmoothing: settings.appliedLabelSmoothing)
        switch outcome {
        case .classes(let evaluation, let classNames):
            report.figures.append(("Confusion matrix (test set; rows: true class)",
                                   SVGPlot.confusionMatrix(evaluation.confusion, labels: classNames, title: "Confusion matrix")))
            let bins = evaluation.reliability.bins
            report.figures.append(("Reliability diagram (bars: accuracy per confidence bin; dots: mean confidence)",
                                   SVGPlot.reliabilityDiagram(confidence: bins.map(\.confidence), accuracy: bins.map(\.accuracy),
                                                              counts: bins.map(\.count), title: "Reliability")))
        case .values(let points):
            report.figures.append(("Predicted against true values (test set; dashed: exact)",
                                   SVGPlot.predictedVersusTrue(points, title: "Predicted vs true")))
        }
        try AtomicFile.write(Data(report.render().utf8), to: path)
    }
}
