import KilnLab
import KilnTestSupport
import Testing

/// Σᵢ wᵢ xᵢ / Σᵢ wᵢ elementwise, in Double.
private func weightedMean(_ tensors: [Tensor], _ weights: [Double]) -> [Float] {
    let total = weights.reduce(0, +)
    return (0..<tensors[0].count).map { k in
        Float(zip(tensors, weights).reduce(0.0) { $0 + $1.1 * Double($1.0.scalars[k]) } / total)
    }
}

@Suite struct ModelMergingTests {
    let a = SoftmaxRegression(inputs: 3, classes: 4, seed: 1)
    let b = SoftmaxRegression(inputs: 3, classes: 4, seed: 2)
    let c = SoftmaxRegression(inputs: 3, classes: 4, seed: 3)

    @Test func averagingTwoModelsGivesTheElementwiseMean() throws {
        let merged = try ModelMerging.average([a, b])
        for name in ["weight", "bias", "runningMean"] {
            expectClose(merged[name]!.scalars, weightedMean([a.stateDict()[name]!, b.stateDict()[name]!], [1, 1]), relative: 1e-7)
        }
        #expect(merged["batchesTracked"]!.integers == [1], "int buffers come from the first model")

        let target = SoftmaxRegression(inputs: 3, classes: 4, seed: 9)
        try target.load(stateDict: merged)
        #expect(target.weight.scalars == merged["weight"]!.scalars)
        #expect(target.runningMean.scalars == merged["runningMean"]!.scalars)
    }

    @Test func weightsAreNormalizedBySum() throws {
        let merged = try ModelMerging.average([a, b, c], weights: [1, 2, 3])
        let expected = weightedMean([a.weight, b.weight, c.weight], [1, 2, 3])
        expectClose(merged["weight"]!.scalars, expected, relative: 1e-6)
    }

    @Test func weightsOneAndZeroGiveTheFirstModel() throws {
        let merged = try ModelMerging.average([a, b], weights: [1, 0])
        for (name, tensor) in a.stateDict() {
            #expect(merged[name]!.shape == tensor.shape && merged[name]!.dtype == tensor.dtype)
            #expect(tensor.dtype == .int64 ? merged[name]!.integers == tensor.integers : merged[name]!.scalars == tensor.scalars,
                    "\(name)")
        }
    }

    @Test func buffersCanBeTakenFromTheFirstModel() throws {
        let merged = try ModelMerging.average([a, b], buffers: .first)
        #expect(merged["runningMean"]!.scalars == a.runningMean.scalars)
        expectClose(merged["bias"]!.scalars, weightedMean([a.bias, b.bias], [1, 1]), relative: 1e-7)
    }

    @Test func fisherWeightingWithEqualFishersIsPlainAveraging() throws {
        let fisher = DiagonalFisher(["weight": testTensor([4, 3], seed: 7).abs() + 0.01,
                                    "bias": testTensor([4], seed: 8).abs() + 0.01], exampleCount: 1)
        let merged = try ModelMerging.fisherWeighted([a, b, c], fishers: [fisher, fisher, fisher], weights: [1, 2, 3])
        let plain = try ModelMerging.average([a, b, c], weights: [1, 2, 3])
        for name in ["weight", "bias", "runningMean"] {
            expectClose(merged[name]!.scalars, plain[name]!.scalars, relative: 1e-6)
        }
    }

    @Test func zeroFisherLetsTheOtherModelWinAndBothZeroFallsBackToTheMean() throws {
        // Element 0 of the bias: model a's Fisher is 0, b's is 1, so b's value wins.
        // Element 1: both are 0, so the floor makes it the plain mean. Elements 2, 3: a's Fisher is 3× b's.
        let fa = DiagonalFisher(["bias": Tensor([0, 0, 3, 3] as [Float])], exampleCount: 1)
        let fb = DiagonalFisher(["bias": Tensor([1, 0, 1, 1] as [Float])], exampleCount: 1)
        let merged = try ModelMerging.fisherWeighted([a, b], fishers: [fa, fb])["bias"]!.scalars
        let (x, y) = (a.bias.scalars.map(Double.init), b.bias.scalars.map(Double.init))
        let floor = 1e-6
        let expected = [(floor * x[0] + y[0]) / (floor + 1), (x[1] + y[1]) / 2, (3 * x[2] + y[2]) / 4, (3 * x[3] + y[3]) / 4]
        expectClose(merged, expected.map(Float.init), relative: 1e-6)
        #expect(abs(merged[0] - b.bias.scalars[0]) < 1e-5)
        // Parameters without a Fisher (here the weight) fall back to the plain mean.
        let mergedWeight = try ModelMerging.fisherWeighted([a, b], fishers: [fa, fb])["weight"]!.scalars
        expectClose(mergedWeight, weightedMean([a.weight, b.weight], [1, 1]), relative: 1e-6)
    }

    @Test func mismatchedArchitecturesNameTheParameter() throws {
        let wider = SoftmaxRegression(inputs: 5, classes: 4, seed: 4)
        #expect(throws: ModelMergingError.shapeMismatch(name: "weight", model: 1, expected: [4, 3], found: [4, 5])) {
            try ModelMerging.average([a, wider])
        }
        #expect(throws: ModelMergingError.missing(name: "weight", model: 2)) {
            try ModelMerging.average([a, b, RenamedSoftmaxRegression()])
        }
        let description = ModelMergingError.shapeMismatch(name: "weight", model: 1, expected: [4, 3], found: [4, 5]).description
        #expect(description.contains("'weight'") && description.contains("[4, 5]") && description.contains("model 1"))

        let flipped = SoftmaxRegression(inputs: 3, classes: 4, seed: 5)
        flipped.batchesTracked = Tensor(zeros: [1])
        #expect(throws: ModelMergingError.typeMismatch(name: "batchesTracked", model: 1, expected: .int64, found: .float32)) {
            try ModelMerging.average([a, flipped])
        }
    }

    @Test func fishersMustMatchTheParameters() throws {
        let good = DiagonalFisher(["bias": Tensor(ones: [4])], exampleCount: 1)
        let misshapen = DiagonalFisher(["bias": Tensor(ones: [5])], exampleCount: 1)
        let stray = DiagonalFisher(["runningMean": Tensor(ones: [3])], exampleCount: 1)
        #expect(throws: ModelMergingError.fisherShapeMismatch(name: "bias", model: 1, expected: [4], found: [5])) {
            try ModelMerging.fisherWeighted([a, b], fishers: [good, misshapen])
        }
        #expect(throws: ModelMergingError.unexpectedFisher(name: "runningMean", model: 0)) {
            try ModelMerging.fisherWeighted([a, b], fishers: [stray, good])
        }
    }
}
