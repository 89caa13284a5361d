import Foundation
import KilnTrain
import Testing

@Suite struct LossChoiceTests {
    let logits = Tensor([2, -1, 0.5, 0.2, -0.3, 1.5, 0, 0.1, 3, -2, 0.4, 0.4] as [Float], shape: [4, 3])
    let labels = Tensor([0, 2, 1, 0] as [Int])

    @Test func metricLossesAreAnyLossOfTheirMetric() throws {
        let pairs: [(String, ConfusionMetric)] = [("accuracy", .accuracy), ("f1", .f1), ("balanced_accuracy", .balancedAccuracy),
                                                  ("geometric_mean", .geometricMean), ("mcc", .matthewsCorrelation)]
        for (name, metric) in pairs {
            let choice = try LossChoice(named: name)
            #expect(choice.metric == metric && !choice.isRegression && !choice.isPerSample)
            #expect(choice.make()(logits, labels).item == anyLoss(logits: logits, labels: labels, metric: metric).item)
        }
        var settings = try TrainSettings.decode(text: "loss: f1\n", path: "s.yaml")
        #expect(settings.loss == .f1 && settings.problem() == nil)
        settings.sampleWeighting = .quadratic
        #expect(settings.problem() == "sample_weighting quadratic needs a loss of per-sample losses (cross_entropy, mse or huber), not f1")
    }

    @Test func sampleWeightingReweightsThePerSampleLosses() throws {
        let settings = try TrainSettings.decode(text: "sample_weighting: lin_upper\n", path: "s.yaml")
        #expect(settings.sampleWeighting == .linUpper && settings.problem() == nil)
        #expect(try JSONDecoder().decode(TrainSettings.self, from: JSONEncoder().encode(settings)) == settings)
        let perSample = crossEntropy(logits: logits, labels: labels, reduction: .none)
        let weighted = LossChoice.crossEntropy.make(weighting: .linUpper)(logits, labels).item
        #expect(abs(weighted - LossReweighting.linUpper.weightedLoss(perSample).item) <= 1e-6)
        #expect(abs(weighted - perSample.mean().item) > 1e-3)
        #expect(SampleWeightingChoice.none.reweighting == nil)
        #expect(throws: ChoiceError.self) { try SampleWeightingChoice(named: "upper") }
    }
}
