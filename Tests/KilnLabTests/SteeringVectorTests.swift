import KilnLab
import KilnTestSupport
import Testing

@Suite struct SteeringVectorTests {
    let generator = RandomGenerator(seed: 7)
    var net: Sequential { Sequential { Linear(3, 4, generator: generator); ReLU(); Linear(4, 2, generator: generator) } }
    let setA = [testTensor([5, 3], seed: 1), testTensor([2, 3], seed: 2)]
    let setB = [testTensor([4, 3], seed: 3)]

    /// relu(x·Wᵀ + b) of every row, averaged over every row of every batch, in Double loops.
    private func hiddenMean(_ batches: [Tensor], _ layer: Linear) -> [Double] {
        let w = layer.weight.scalars, b = layer.bias!.value.scalars
        var sum = [Double](repeating: 0, count: 4), rows = 0
        for batch in batches {
            let x = batch.scalars
            for r in 0..<batch.shape[0] {
                rows += 1
                for o in 0..<4 {
                    let z = (0..<3).reduce(Double(b[o])) { $0 + Double(w[o * 3 + $1]) * Double(x[r * 3 + $1]) }
                    sum[o] += max(z, 0)
                }
            }
        }
        return sum.map { $0 / Double(rows) }
    }

    @Test func theVectorIsTheMeanDifferenceComputedByHand() throws {
        let model = net
        let v = try SteeringVector(model: model, layer: "1", toward: setA, awayFrom: setB)
        let first = model.module(at: "0") as! Linear
        let expected = zip(hiddenMean(setA, first), hiddenMean(setB, first)).map { Float($0 - $1) }
        #expect(v.vector.shape == [4])
        expectClose(v.vector.scalars, expected, relative: 1e-5, absolute: 1e-6)
    }

    @Test func steeringShiftsTheLayerOutputByAlphaTimesV() throws {
        let model = net
        let v = try SteeringVector(model: model, layer: "1", toward: setA, awayFrom: setB)
        let x = testTensor([6, 3], seed: 11)
        let plain = model.capturingOutputs(of: ["1"]) { _ = model(x) }["1"]![0]
        let steered = try v.applied(to: model, scale: 2.5) { model.capturingOutputs(of: ["1"]) { _ = model(x) }["1"]![0] }
        let shift = (0..<6).flatMap { _ in (v.vector * 2.5).scalars }
        expectClose((steered - plain).scalars, shift, relative: 1e-6, absolute: 1e-6)
        // Downstream the next layer sees the shifted activation: Linear₂(h + α·v).
        let second = model.module(at: "2") as! Linear
        let output = try v.applied(to: model, scale: 2.5) { model(x) }
        expectClose(output.scalars, second(plain + v.vector * 2.5).scalars, relative: 1e-6, absolute: 1e-6)
    }

    @Test func alphaZeroIsTheIdentityAndTheHookIsRemovedAfterwards() throws {
        let model = net
        let v = try SteeringVector(model: model, layer: "1", toward: setA, awayFrom: setB)
        let x = testTensor([6, 3], seed: 12)
        let plain = model(x).scalars
        #expect(try v.applied(to: model, scale: 0) { model(x) }.scalars == plain)
        _ = try v.applied(to: model, scale: 3) { model(x) }
        #expect(model(x).scalars == plain)
    }

    @Test func badLayersAndEmptySetsAreInputErrors() {
        let model = net
        #expect(throws: InputError.self) { try SteeringVector(model: model, layer: "7", toward: setA, awayFrom: setB) }
        #expect(throws: InputError.self) { try SteeringVector(model: model, layer: "1", toward: [], awayFrom: setB) }
        #expect(throws: InputError.self) { try SteeringVector(model: model, layer: "1", toward: setA, awayFrom: setB, featureAxes: 2) }
        #expect(throws: InputError.self) { try SteeringVector(layer: "9", vector: Tensor(zeros: [4])).install(in: model, scale: 1) }
    }
}
