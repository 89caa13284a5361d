@testable import KilnNN
import Testing

/// The mean of `x` over axis 1 where `mask` is 1, or the plain mean without a mask: one or two inputs.
private final class MaskedMean: Module {
    override var inputArity: ClosedRange<Int> { 1...2 }

    override func forward(_ inputs: [Tensor]) -> Tensor {
        guard inputs.count == 2 else { return inputs[0].mean(axis: 1) }
        return (inputs[0] * inputs[1]).sum(axis: 1) / inputs[1].sum(axis: 1)
    }
}

/// Uses a two-input layer inside its own forward, as a model with attention and a mask would.
private final class Pairwise: Module {
    let left = Linear(2, 3)
    let pair = Bilinear(3, 2, 1)
    override func forward(_ x: Tensor) -> Tensor { pair(left(x), x) }
}

@Suite struct MultipleInputTests {
    let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
    let mask = Tensor([1, 0, 1, 0, 1, 1] as [Float], shape: [2, 3])

    @Test func aLayerTakesSeveralInputsOrOne() {
        let layer = MaskedMean()
        #expect(layer(x, mask).scalars == [2, 5.5])
        #expect(layer([x, mask]).scalars == [2, 5.5])
        #expect(layer(x).scalars == [2, 5])
        #expect(layer([x]).scalars == [2, 5])
    }

    @Test func singleInputLayersAcceptAnArrayOfOne() {
        let relu = ReLU()
        #expect(relu([Tensor([-1, 2] as [Float])]).scalars == [0, 2])
        #expect(relu.inputArity == 1...1)
    }

    @Test func aLayerThatAcceptsOneInputCanBeInASequential() {
        let model = Sequential { MaskedMean(); ReLU() }
        #expect(model(x).scalars == [2, 5])
    }

    @Test func forwardHooksSeeEveryInput() {
        let layer = MaskedMean()
        var seen: [[[Float]]] = []
        let handle = layer.addForwardHook { _, inputs, _ in seen.append(inputs.map(\.scalars)) }
        _ = layer(x, mask)
        _ = layer(x)
        handle.remove()
        _ = layer(x)
        #expect(seen == [[x.scalars, mask.scalars], [x.scalars]])
    }

    @Test func bilinearMatchesItsClosedForm() {
        let layer = Bilinear(2, 3, 2)
        layer.weight = Tensor((1...12).map(Float.init), shape: [2, 2, 3])
        layer.bias!.value = Tensor([0.5, -0.5] as [Float])
        let x1 = Tensor([1, -1, 2, 0] as [Float], shape: [2, 2])
        let x2 = Tensor([1, 0, 2, -1, 1, 1] as [Float], shape: [2, 3]).requiringGradient()
        let y = layer(x1, x2)
        // y[n, o] = Σ_ij x1[n, i]·W[o, i, j]·x2[n, j] + b[o], with W[o, i, j] = 1 + 6o + 3i + j.
        let (a, w, b, c) = (x1.scalars, layer.weight.scalars, layer.bias!.value.scalars, x2.scalars)
        var expected: [Float] = []
        for n in 0..<2 {
            for o in 0..<2 {
                var sum = b[o]
                for i in 0..<2 { for j in 0..<3 { sum += a[2 * n + i] * w[6 * o + 3 * i + j] * c[3 * n + j] } }
                expected.append(sum)
            }
        }
        #expect(y.shape == [2, 2] && y.scalars == expected)
        // d Σy / d x2[n, j] = Σ_o Σ_i x1[n, i]·W[o, i, j].
        y.sum().backward()
        var dx2: [Float] = []
        for n in 0..<2 {
            for j in 0..<3 {
                var sum: Float = 0
                for o in 0..<2 { for i in 0..<2 { sum += a[2 * n + i] * w[6 * o + 3 * i + j] } }
                dx2.append(sum)
            }
        }
        #expect(x2.grad!.scalars == dx2)
    }

    @Test func gradientsFlowThroughATwoInputLayer() {
        let model = Pairwise()
        let (_, grads) = valueAndGradient(of: model) { m in m(Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])).sum() }
        #expect(Set(grads.byName.keys) == ["left.weight", "left.bias", "pair.weight", "pair.bias"])
        #expect(grads["pair.bias"]!.scalars == [2])
        #expect(grads["left.weight"]!.scalars.contains { $0 != 0 })
    }
}
