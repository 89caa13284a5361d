import KilnNN
import KilnTestSupport
import Testing

@Suite struct LinearTests {
    @Test func linearMatchesPyTorch() throws {
        try LayerFixture("linear").check(Linear(5, 4))
        try LayerFixture("linear_nobias").check(Linear(6, 3, bias: false))
    }

    @Test func linearStateDictHasPyTorchNamesAndShapes() {
        let layer = Linear(5, 4)
        #expect(layer.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(layer.weight.shape == [4, 5] && layer.bias!.value.shape == [4])
        #expect(Linear(5, 4, bias: false).namedParameters().map(\.name) == ["weight"])
    }

    @Test func loadingAMismatchedShapeNamesTheParameter() {
        let model = Sequential { Linear(5, 4); Linear(4, 2) }
        var dict = model.stateDict()
        dict["1.weight"] = Tensor(zeros: [4, 2])
        #expect(throws: StateDictError.shapeMismatch(name: "1.weight", expected: [2, 4], found: [4, 2])) {
            try model.load(stateDict: dict)
        }
        dict["1.weight"] = nil
        dict["1.wieght"] = Tensor(zeros: [2, 4])
        #expect(throws: StateDictError.missing(name: "1.weight")) { try model.load(stateDict: dict) }
    }

    @Test func embeddingMatchesPyTorchWithPaddingIndex() throws {
        let fixture = LayerFixture("embedding")
        try fixture.check(Embedding(10, 4, paddingIndex: 2))
        // The padding row receives no gradient even though it is looked up.
        let layer = Embedding(10, 4, paddingIndex: -8)
        #expect(layer.paddingIndex == 2)
        #expect(layer.weight.select(axis: 0, 2).scalars == [0, 0, 0, 0])
    }

    @Test func flattenMergesTheGivenDimensions() {
        let x = Tensor.arange(0, Float(24)).reshaped([2, 3, 2, 2])
        #expect(Flatten()(x).shape == [2, 12])
        #expect(Flatten(startDim: 0, endDim: 1)(x).shape == [6, 2, 2])
        #expect(Flatten()(x).scalars == x.scalars)
    }
}
