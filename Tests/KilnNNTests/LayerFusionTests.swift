import Kiln
import KilnNN
import KilnTestSupport
import Testing

@Suite struct LayerFusionTests {
    /// A batch-norm → ReLU → max-pool block with non-trivial affine parameters.
    private func block(_ channels: Int, pool: MaxPool2d = MaxPool2d(2)) throws -> Sequential {
        let model = Sequential { BatchNorm2d(channels); ReLU(); pool }
        try model.load(stateDict: ["0.weight": testTensor([channels], seed: 40, scale: 0.5, shift: 1),
                                    "0.bias": testTensor([channels], seed: 41, scale: 0.3)], strict: false)
        return model
    }

    /// Expects `model` (run by Sequential, fused) and the same layers called one by one to agree on
    /// outputs, input and parameter gradients, and state, over two training steps and in evaluation.
    private func expectSequentialMatchesLayers(_ shape: [Int], pool: () -> MaxPool2d = { MaxPool2d(2) },
                                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (fused, layered) = (try block(shape[1], pool: pool()), try block(shape[1], pool: pool()))
        let byLayer = { (x: Tensor) in layered.layers.reduce(x) { $1($0) } }
        for (step, training) in [true, true, false].enumerated() {
            if !training { fused.eval(); layered.eval() }
            let x = testTensor(shape, seed: UInt64(50 + step), scale: 1.5, shift: 0.2)
            let ceil = (layered.layers[2] as! MaxPool2d).ceilMode
            let sides = shape[2...].map { poolOutputSize($0, kernel: 2, stride: 2, padding: 0, ceilMode: ceil) }
            let cotangent = testTensor(Array(shape[..<2]) + sides, seed: 60)
            let a = valueAndGradient(of: fused, at: [x]) { m, t in (m(t[0]) * cotangent).sum() }
            let b = valueAndGradient(of: layered, at: [x]) { m, t in (byLayer(t[0]) * cotangent).sum() }
            expectClose([a.value.scalars[0]], [b.value.scalars[0]], relative: 1e-5, sourceLocation: sourceLocation)
            expectClose(a.inputGradients[0].scalars, b.inputGradients[0].scalars, relative: 1e-4, absolute: 1e-5, sourceLocation: sourceLocation)
            for name in ["0.weight", "0.bias"] {
                expectClose(a.gradients[name]!.scalars, b.gradients[name]!.scalars, relative: 1e-4, absolute: 1e-5, sourceLocation: sourceLocation)
            }
            let (stateA, stateB) = (fused.stateDict(), layered.stateDict())
            #expect(stateA["0.num_batches_tracked"]!.integers == stateB["0.num_batches_tracked"]!.integers, sourceLocation: sourceLocation)
            for key in ["0.running_mean", "0.running_var"] {
                expectClose(stateA[key]!.scalars, stateB[key]!.scalars, relative: 0, sourceLocation: sourceLocation)
            }
        }
    }

    @Test func batchNormReLUMaxPoolRunsAsTheLayersDo() throws {
        try expectSequentialMatchesLayers([3, 4, 6, 18])
        try expectSequentialMatchesLayers([1, 2, 5, 7])
        // Ceil mode keeps a last partial window on odd sides, which the fused op does not take.
        try expectSequentialMatchesLayers([2, 2, 5, 7], pool: { MaxPool2d(2, ceilMode: true) })
        try expectSequentialMatchesLayers([2, 2, 6, 8], pool: { MaxPool2d(2, ceilMode: true) })
    }

    @Test func hooksSeeEveryLayerOfAFusableRun() throws {
        let model = try block(2)
        var seen: [[Int]] = []
        let handle = model.layers[1].addForwardHook { _, _, output in seen.append(output.shape) }
        _ = model(testTensor([2, 2, 4, 6], seed: 3))
        #expect(seen == [[2, 2, 4, 6]])
        handle.remove()
        _ = model(testTensor([2, 2, 4, 6], seed: 3))
        #expect(seen.count == 1)
    }
}
