import KilnLab
import KilnTestSupport
import Testing

@Suite struct FrechetMeanPredictionTests {
    @Test func discreteMetricGivesTheArgmax() {
        let p = testTensor([7, 4], seed: 21, scale: 2).softmax(axis: 1)
        let discrete = 1 - Tensor([0, 1, 2, 3] as [Int]).oneHot(classes: 4)
        #expect(frechetMeanPrediction(probabilities: p, distances: discrete).integers == p.argmax(axis: 1).integers)
    }

    @Test func predictsUnseenLabelsBetweenTheClassesOfAPath() {
        // Labels 0…4 on a line; the model knows only labels 0 and 4.
        let distances = Tensor((0..<5).flatMap { y in [Float(y), Float(4 - y)] }, shape: [5, 2])
        let p = Tensor([0.5, 0.5, 0.8, 0.2, 0.05, 0.95] as [Float], shape: [3, 2])
        // argmin of 0.5·y² + 0.5·(4 − y)² is 2; of 0.8·y² + 0.2·(4 − y)²: 3.2, 2.6, 4, … at y = 0, 1, 2 → 1;
        // of 0.05·y² + 0.95·(4 − y)²: y = 4 gives 0.8, y = 3 gives 1.4 → 4.
        #expect(frechetMeanPrediction(probabilities: p, distances: distances).integers == [2, 1, 4])
    }
}
