import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct CalibrationTests {
    /// Logits T·z for 20 000 rows whose labels are drawn from softmax(z): calibrated at temperature T.
    func overconfident(by temperature: Float, seed: UInt64) -> (logits: Tensor, labels: Tensor) {
        let generator = RandomGenerator(seed: seed)
        let z = Tensor.normal([20_000, 10], std: 1.5, generator: generator)
        let labels = Tensor.categorical(logits: z, generator: generator).reshaped([20_000])
        return (temperature * z, labels)
    }

    @Test(arguments: [Float(2.5), 0.6])
    func temperatureScalingRecoversAKnownTemperature(_ temperature: Float) {
        let (logits, labels) = overconfident(by: temperature, seed: temperature > 1 ? 1 : 2)
        let scaling = TemperatureScaling.fit(logits: logits, labels: labels)
        #expect(abs(scaling.temperature / Double(temperature) - 1) < 0.03, "fitted \(scaling.temperature)")
        // It is the minimum: nearby temperatures give a higher NLL.
        let best = TemperatureScaling.negativeLogLikelihood(logits: logits, labels: labels, temperature: scaling.temperature)
        for factor in [0.97, 1.03] {
            #expect(TemperatureScaling.negativeLogLikelihood(logits: logits, labels: labels,
                                                             temperature: scaling.temperature * factor) > best)
        }
        expectClose(scaling(logits).scalars.prefix(5).map { $0 }, logits.scalars.prefix(5).map { $0 / Float(scaling.temperature) })
    }

    @Test func negativeLogLikelihoodIsTheCrossEntropy() {
        // Rows [ln 3, 0] with labels 0 and 1 at T = 1: −ln(3/4) and −ln(1/4).
        let logits = Tensor([Float(Foundation.log(3.0)), 0, Float(Foundation.log(3.0)), 0], shape: [2, 2])
        let nll = TemperatureScaling.negativeLogLikelihood(logits: logits, labels: Tensor([0, 1]), temperature: 1)
        #expect(abs(nll - (Foundation.log(4.0 / 3) + Foundation.log(4.0)) / 2) < 1e-6)
    }

    @Test func mahalanobisScoreMatchesAHandComputedExample() {
        // Class 0: (0, 0), (2, 1), mean (1, 0.5); class 1: (0, 2), (0, 4), mean (0, 3).
        // Shared covariance [[0.5, 0.25], [0.25, 0.625]], inverse [[2.5, −1], [−1, 2]].
        let features = Tensor([0, 0, 2, 1, 0, 2, 0, 4] as [Float], shape: [4, 2])
        let score = MahalanobisScore(features: features, labels: Tensor([0, 0, 1, 1]), classes: 2, ridge: 0)
        #expect(score.classMeans == [1, 0.5, 0, 3])
        // (1, 1): 0.5 to class 0 (14.5 to class 1); (0, 3): at class 1's mean; (−1, 2): 2.5 to class 1 (20.5 to class 0).
        let queries = Tensor([1, 1, 0, 3, -1, 2] as [Float], shape: [3, 2])
        expectClose(score(queries).scalars, [-0.5, 0, -2.5])
        // The default ridge barely moves it.
        let ridged = MahalanobisScore(features: features, labels: Tensor([0, 0, 1, 1]), classes: 2)
        expectClose(ridged(queries).scalars, [-0.5, 0, -2.5], relative: 1e-5)
    }

    @Test func mahalanobisScoreIsHigherInDistribution() {
        let generator = RandomGenerator(seed: 3)
        let classes = 3, dimension = 8, perClass = 200
        let centers = Tensor.normal([classes, dimension], std: 3, generator: generator)
        // Correlated noise: a random linear map of standard normals.
        let mixing = Tensor.normal([dimension, dimension], std: 0.5, generator: generator)
        func draw(_ n: Int, shift: Float) -> (Tensor, Tensor) {
            let labels = Tensor((0..<n).map { $0 % classes })
            let noise = Tensor.normal([n, dimension], generator: generator).matmul(mixing)
            return (centers.indexSelect(axis: 0, indices: labels) + noise + shift, labels)
        }
        let (train, trainLabels) = draw(classes * perClass, shift: 0)
        let score = MahalanobisScore(features: train, labels: trainLabels, classes: classes)
        let inside = score(draw(300, shift: 0).0).scalars
        let outside = score(draw(300, shift: 6).0).scalars
        #expect(inside.allSatisfy { $0 <= 0 })
        let meanInside = inside.reduce(0, +) / 300, meanOutside = outside.reduce(0, +) / 300
        #expect(meanInside > meanOutside)
        // Nearly every in-distribution sample scores above the median shifted one.
        let medianOutside = outside.sorted()[150]
        #expect(inside.filter { $0 > medianOutside }.count >= 295)
    }
}
