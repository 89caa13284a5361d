import KilnLab
import KilnOptimizers
import KilnTestSupport
import Testing

@Suite struct LossCurveComparisonTests {
    /// Observations every 10 steps of a run whose loss is 2 until step 50, then 1; the prediction
    /// is 2.2 everywhere. The last 3 records (steps 70, 80, 90) average 1 against a predicted 2.2.
    @Test func finalLossAndCurveErrorByHand() {
        let observations = stride(from: 0, to: 100, by: 10).map { LossObservation(step: $0, loss: $0 < 50 ? 2 : 1) }
        let predicted = [Double](repeating: 2.2, count: 95)
        let c = LossCurveComparison(predicted: predicted, observations: observations, warmupSteps: 20, finalRecords: 3)!
        #expect(c.observed.map(\.step) == [20, 30, 40, 50, 60, 70, 80, 90])
        #expect(c.finalSteps == 70...90)
        expectClose(c.finalLoss, 1, relative: 1e-15)
        expectClose(c.predictedFinalLoss, 2.2, relative: 1e-15)
        expectClose(c.finalRelativeError, 1.2, relative: 1e-12)
        // Three records at |2.2 − 2|/2 = 0.1 and five at |2.2 − 1|/1 = 1.2.
        expectClose(c.meanRelativeError, (3 * 0.1 + 5 * 1.2) / 8, relative: 1e-12)
    }

    @Test func observationsPastThePredictionAreLeftOut() {
        let observations = [LossObservation(step: 5, loss: 1), LossObservation(step: 50, loss: 1)]
        #expect(LossCurveComparison(predicted: [1, 1], observations: observations, warmupSteps: 10) == nil)
        let c = LossCurveComparison(predicted: [Double](repeating: 1.5, count: 10), observations: observations)!
        #expect(c.finalSteps == 5...5 && c.finalRelativeError == 0.5)
    }
}
