import Foundation
import KilnMetrics
import KilnTrain

/// What the report shows beyond the log: the confusion matrix and the reliability diagram on the test set.
struct RunEvaluation {
    let confusion: [[Int]]
    let reliability: ReliabilityDiagram

    init<D: Dataset>(trainer: Trainer, loader: DataLoader<D>, classes: Int) {
        var matrix = ConfusionMatrix(classes: classes)
        var calibration = ExpectedCalibrationError()
        trainer.model.eval()
        withoutGradient {
            for batch in loader.epoch() {
                let logits = trainer.predictor?(batch.inputs) ?? trainer.model(batch.inputs)
                matrix.update(logits, targets: batch.targets)
                calibration.update(logits, targets: batch.targets)
            }
        }
        trainer.model.train()
        confusion = (0..<classes).map { r in Array(matrix.counts[(r * classes)..<((r + 1) * classes)]) }
        reliability = calibration.reliabilityDiagram
    }
}

/// The run's self-contained HTML report.
enum RunReport {
    static func write(to path: String, name: String, settings: TrainSettings, records: [LogRecord], test: [String: Double],
                      evaluation: RunEvaluation, classNames: [String], seconds: Double) throws {
        var report = HTMLReport(title: "Kiln run \(name)")
        func f(_ key: String) -> String { test[key].map { String(format: "%.4f", $0) } ?? "–" }
        report.summary = [
            ("test accuracy", f("test_accuracy")), ("test loss", f("test_loss")), ("test macro F1", f("test_f1_macro")),
            ("expected calibration error", f("test_expected_calibration_error")),
            ("model", settings.model), ("activation", settings.activation), ("augmentation", settings.augment + (settings.testTimeFlip ? ", mirrored test images averaged" : "")), ("epochs", "\(settings.epochs)"),
            ("batch size", "\(settings.batchSize)"), ("optimizer", "\(settings.optimizer), lr \(settings.lr), weight decay \(settings.weightDecay)"),
            ("schedule", settings.schedule), ("seed", "\(settings.seed)"), ("threads", "\(Threads.count)"),
            ("training time", String(format: "%.1f s", seconds)),
        ]
        report.addTrainingCurves(records)
        report.figures.append(("Confusion matrix (test set; rows: true class)",
                               SVGPlot.confusionMatrix(evaluation.confusion, labels: classNames, title: "Confusion matrix")))
        let bins = evaluation.reliability.bins
        report.figures.append(("Reliability diagram (bars: accuracy per confidence bin; dots: mean confidence)",
                               SVGPlot.reliabilityDiagram(confidence: bins.map(\.confidence), accuracy: bins.map(\.accuracy),
                                                          counts: bins.map(\.count), title: "Reliability")))
        try AtomicFile.write(Data(report.render().utf8), to: path)
    }
}
