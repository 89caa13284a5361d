import KilnMetrics
import Testing

/// Programmer errors stop with a message naming the metric and the shapes involved.
@Suite struct BadInputTests {
    @Test func mismatchedClassificationShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var accuracy = Accuracy()
            accuracy.update(Tensor(zeros: [4, 3]), targets: Tensor([0, 1, 2, 0, 1]))
        }
        #expect(stderrText(result).contains(
            "Accuracy: outputs of shape [4, 3] (float32) and targets of shape [5] (int64) do not fit"))
    }

    @Test func floatLabels() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var loss = LogLoss()
            loss.update(Tensor(zeros: [2, 3]), targets: Tensor([0, 1] as [Float]))
        }
        #expect(stderrText(result).contains("LogLoss: outputs of shape [2, 3] (float32) and targets of shape [2] (float32) do not fit"))
    }

    @Test func labelOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var f1 = F1Score(classes: 3)
            f1.update(Tensor([0, 1]), targets: Tensor([0, 3]))
        }
        #expect(stderrText(result).contains("F1Score: label 3 out of range for 3 classes (shape [2])"))
    }

    @Test func wrongClassCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var kappa = CohenKappa(classes: 4)
            kappa.update(Tensor(zeros: [2, 3]), targets: Tensor([0, 1]))
        }
        #expect(stderrText(result).contains("CohenKappa: outputs of shape [2, 3] (float32) hold 3 classes, expected 4"))
    }

    @Test func aurocClassCountChangesBetweenBatches() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var auroc = AUROC()
            auroc.update(Tensor(zeros: [2, 3]), targets: Tensor([0, 1]))
            auroc.update(Tensor(zeros: [2, 4]), targets: Tensor([0, 1]))
        }
        #expect(stderrText(result).contains("AUROC: outputs of shape [2, 4] (float32) hold 4 classes, expected 3"))
    }

    @Test func mismatchedRegressionShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var mse = MeanSquaredError()
            mse.update(Tensor(zeros: [4, 2]), targets: Tensor(zeros: [4]))
        }
        #expect(stderrText(result).contains(
            "MeanSquaredError: predictions of shape [4, 2] (float32) and targets of shape [4] (float32) do not fit"))
    }

    @Test func flipRateRunsPastReference() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rate = NegativeFlipRate(reference: Tensor([0, 1, 2]))
            rate.update(Tensor([0, 1]), targets: Tensor([0, 1]))
            rate.update(Tensor([0, 1]), targets: Tensor([0, 1]))
        }
        #expect(stderrText(result).contains("NegativeFlipRate: targets of shape [2] run past the 3 reference predictions (2 used)"))
    }
}
