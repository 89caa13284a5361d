@testable import KilnNN
import Testing

/// y = x·scale + shift, elementwise: a layer that needs only elementwise ops.
private final class Affine: Module {
    @Parameter var scale: Tensor
    @Parameter var shift: Tensor
    @Buffer var calls: Tensor

    init(_ n: Int) {
        scale = Tensor(ones: [n])
        shift = Tensor(zeros: [n])
        calls = Tensor(zeros: [1])
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { x * scale + shift }
}

private final class Net: Module {
    let first = Affine(3)
    let blocks = [Affine(3), Affine(3)]
    let tail: Affine? = Affine(3)

    override func forward(_ x: Tensor) -> Tensor {
        tail!(blocks.reduce(first(x)) { $1($0) })
    }
}

@Suite struct ModuleTests {
    @Test func parametersAreNamedByPathLikePyTorch() {
        let names = Net().namedParameters().map(\.name)
        #expect(names == ["first.scale", "first.shift", "blocks.0.scale", "blocks.0.shift",
                          "blocks.1.scale", "blocks.1.shift", "tail.scale", "tail.shift"])
        let seq = Sequential { Affine(2); Affine(2) }
        #expect(seq.namedParameters().map(\.name) == ["0.scale", "0.shift", "1.scale", "1.shift"])
        #expect(Set(seq.stateDict().keys) == ["0.scale", "0.shift", "0.calls", "1.scale", "1.shift", "1.calls"])
        #expect(seq.parameterCount == 8)
    }

    @Test func gradientsByParameterName() {
        let model = Sequential { Affine(2); Affine(2) }
        let x = Tensor([1, 2] as [Float])
        model.parameters()[0].value = Tensor([2, 3] as [Float])   // 0.scale
        // loss = sum((x·s0 + b0)·s1 + b1) with s1 = 1: d/ds0 = x, d/db0 = 1, d/ds1 = x·s0, d/db1 = 1.
        let (loss, grads) = valueAndGradient(of: model) { m in m(x).sum() }
        #expect(loss.item == 8)
        #expect(grads["0.scale"]!.scalars == [1, 2])
        #expect(grads["0.shift"]!.scalars == [1, 1])
        #expect(grads["1.scale"]!.scalars == [2, 6])
        #expect(grads["1.shift"]!.scalars == [1, 1])
    }

    @Test func frozenParametersGetNoGradient() {
        let model = Sequential { Affine(2); Affine(2) }
        model.layers[0].freeze()
        let (_, grads) = valueAndGradient(of: model) { m in m(Tensor([1, 2] as [Float])).sum() }
        #expect(grads["0.scale"] == nil && grads["1.scale"] != nil)
        #expect(model.trainableParameterCount == 4)
    }

    @Test func loadingChecksNamesAndShapesBeforeChangingAnything() {
        let model = Sequential { Affine(2) }
        var dict = model.stateDict()
        dict["0.shift"] = Tensor([5, 6] as [Float])
        dict["0.scale"] = Tensor(zeros: [3])
        #expect(throws: StateDictError.shapeMismatch(name: "0.scale", expected: [2], found: [3])) {
            try model.load(stateDict: dict)
        }
        #expect(model.stateDict()["0.shift"]!.scalars == [0, 0])
        dict["0.scale"] = nil
        #expect(throws: StateDictError.missing(name: "0.scale")) { try model.load(stateDict: dict) }
        dict["0.scale"] = Tensor([7, 8] as [Float])
        dict["extra"] = Tensor(zeros: [1])
        #expect(throws: StateDictError.unexpected(name: "extra")) { try model.load(stateDict: dict) }
        dict["extra"] = nil
        try? model.load(stateDict: dict)
        #expect(model.stateDict()["0.scale"]!.scalars == [7, 8])
        #expect(StateDictError.missing(name: "0.scale").description.contains("0.scale"))
    }

    @Test func forwardHooksCaptureNamedOutputs() {
        let model = Net()
        let captured = model.capturingOutputs(of: ["blocks.1", "first"]) { _ = model(Tensor([1, 2, 3] as [Float])) }
        #expect(captured["first"]!.count == 1 && captured["blocks.1"]![0].scalars == [1, 2, 3])
        _ = model(Tensor([1, 2, 3] as [Float]))
        #expect(model.module(at: "blocks.1")!.forwardHooks.isEmpty)
    }

    @Test func forwardPreHooksReplaceInputsInOrderUntilRemoved() {
        let layer = Linear(2, 1, bias: false)
        layer.weight = Tensor([1, 10] as [Float], shape: [1, 2])
        let zeroSecond = layer.addForwardPreHook { _, inputs in [inputs[0] * Tensor([1, 0] as [Float])] }
        let double = layer.addForwardPreHook { _, inputs in [inputs[0] * 2] }
        let observeOnly = layer.addForwardPreHook { _, _ in nil }
        let x = Tensor([3, 4] as [Float], shape: [1, 2])
        let captured = layer.capturingInputs(of: [""]) { #expect(layer(x).scalars == [6]) }
        #expect(captured[""]![0].scalars == [6, 0])
        [zeroSecond, double, observeOnly].forEach { $0.remove() }
        #expect(layer(x).scalars == [43])
    }

    @Test func forwardHooksReplaceOutputsInOrderUntilRemoved() {
        let layer = Linear(2, 1, bias: false)
        layer.weight = Tensor([1, 10] as [Float], shape: [1, 2])
        let x = Tensor([3, 4] as [Float], shape: [1, 2])
        let addOne = layer.addForwardHook(replacingOutput: { _, _, output in output + 1 })
        let triple = layer.addForwardHook(replacingOutput: { _, _, output in output * 3 })
        var seen: [Float] = []
        let observe = layer.addForwardHook { _, _, output in seen = output.scalars }
        #expect(layer(x).scalars == [132], "(43 + 1) · 3")
        #expect(seen == [132], "a later hook sees the replaced output")
        [addOne, triple, observe].forEach { $0.remove() }
        #expect(layer(x).scalars == [43])
    }

    @Test func trainAndEvalReachEverySubmodule() {
        let model = Net()
        model.eval()
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
        model.train()
        #expect(model.blocks[1].isTraining)
    }
}
