import KilnMetrics
import Testing

@Suite struct PrecisionRecallTests {
    @Test(arguments: ["main", "absent", "ties"])
    func confusionMatrixMatchesScikitLearn(_ set: String) {
        let logits = MetricFixtures["\(set)_logits"], labels = MetricFixtures["\(set)_labels"]
        let classes = logits.shape[1]
        var matrix = ConfusionMatrix(classes: classes)
        let n = labels.shape[0]
        matrix.update(logits.slice(axis: 0, 0..<100), targets: labels.slice(axis: 0, 0..<100))
        matrix.update(logits.slice(axis: 0, 100..<n), targets: labels.slice(axis: 0, 100..<n))
        #expect(matrix.tensor.shape == [classes, classes])
        #expect(matrix.counts == MetricFixtures["\(set)_confusion"].integers)
        #expect(matrix.total == labels.shape[0])
    }

    /// Precision, recall and F1 per class and with each averaging, including classes that are
    /// never predicted ("main" class 3, "absent" class 2) and one neither labelled nor
    /// predicted ("absent" class 5, left out of the averages as scikit-learn does).
    @Test(arguments: ["main", "absent", "ties"])
    func scoresMatchScikitLearn(_ set: String) {
        let logits = MetricFixtures["\(set)_logits"], labels = MetricFixtures["\(set)_labels"]
        let classes = logits.shape[1]
        for average in Averaging.allCases {
            let key = "\(set)_%@_\(average.rawValue)"
            expectNear(streamed(Precision(classes: classes, average: average), logits, labels),
                       MetricFixtures.value(key.replacingOccurrences(of: "%@", with: "precision")), 1e-6, "precision \(average)")
            expectNear(streamed(Recall(classes: classes, average: average), logits, labels),
                       MetricFixtures.value(key.replacingOccurrences(of: "%@", with: "recall")), 1e-6, "recall \(average)")
            expectNear(streamed(F1Score(classes: classes, average: average), logits, labels),
                       MetricFixtures.value(key.replacingOccurrences(of: "%@", with: "f1")), 1e-6, "f1 \(average)")
        }
        var matrix = ConfusionMatrix(classes: classes)
        matrix.update(logits, targets: labels)
        expectNear(matrix.precisionPerClass, MetricFixtures.values("\(set)_precision_per_class"), 1e-6, "precision")
        expectNear(matrix.recallPerClass, MetricFixtures.values("\(set)_recall_per_class"), 1e-6, "recall")
        expectNear(matrix.f1PerClass, MetricFixtures.values("\(set)_f1_per_class"), 1e-6, "f1")
    }

    @Test(arguments: ["main", "absent", "ties"])
    func agreementMatchesScikitLearn(_ set: String) {
        let logits = MetricFixtures["\(set)_logits"], labels = MetricFixtures["\(set)_labels"]
        let classes = logits.shape[1]
        expectNear(streamed(CohenKappa(classes: classes), logits, labels), MetricFixtures.value("\(set)_kappa"), 1e-6, "kappa")
        expectNear(streamed(MatthewsCorrelation(classes: classes), logits, labels), MetricFixtures.value("\(set)_mcc"), 1e-6, "mcc")
    }

    @Test func perfectPredictionsScoreOne() {
        let labels = Tensor([0, 1, 2, 2, 1, 0, 3, 3])
        var matrix = ConfusionMatrix(classes: 4)
        matrix.update(labels, targets: labels)
        #expect(matrix.accuracy == 1 && matrix.cohenKappa == 1 && matrix.matthewsCorrelation == 1)
        for average in Averaging.allCases {
            #expect(matrix.precision(average: average) == 1 && matrix.recall(average: average) == 1
                    && matrix.f1(average: average) == 1)
        }
    }

    @Test func handComputedTwoClassCase() {
        // tp = 2, fn = 1, fp = 1, tn = 4 for class 1.
        var matrix = ConfusionMatrix(classes: 2)
        matrix.update(Tensor([1, 1, 0, 1, 0, 0, 0, 0]), targets: Tensor([1, 1, 1, 0, 0, 0, 0, 0]))
        #expect(matrix[1, 1] == 2 && matrix[1, 0] == 1 && matrix[0, 1] == 1 && matrix[0, 0] == 4)
        #expect(matrix.precisionPerClass == [0.8, 2.0 / 3] && matrix.recallPerClass == [0.8, 2.0 / 3])
        // po = 6/8, pe = (5·5 + 3·3)/64 = 34/64, kappa = (48 − 34)/(64 − 34).
        expectNear(matrix.cohenKappa, 14.0 / 30, 1e-12)
        // MCC = (tp·tn − fp·fn)/√((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = 7/15.
        expectNear(matrix.matthewsCorrelation, 7.0 / 15, 1e-12)
    }

    @Test func singlePredictedClassGivesZeroMCC() {
        var matrix = ConfusionMatrix(classes: 3)
        matrix.update(Tensor([1, 1, 1]), targets: Tensor([0, 1, 2]))
        #expect(matrix.matthewsCorrelation == 0)
        expectNear(matrix.precision(average: .macro), 1.0 / 9, 1e-15)
    }

    @Test func reportRowsAgreeWithMatrix() {
        var matrix = ConfusionMatrix(classes: 5)
        matrix.update(MetricFixtures["main_logits"], targets: MetricFixtures["main_labels"])
        let report = ClassificationReport(matrix, classNames: ["a", "b", "c", "d", "e"])
        expectNear(report.classes.map(\.recall), MetricFixtures.values("main_recall_per_class"))
        expectNear(report.macroAverage.f1, MetricFixtures.value("main_f1_macro"))
        expectNear(report.weightedAverage.precision, MetricFixtures.value("main_precision_weighted"))
        #expect(report.classes.map(\.support).reduce(0, +) == 800)
        #expect(report.description.contains("weighted avg"))
    }
}
