import Foundation
@testable import KilnNN
import Testing

/// A layer kind known only by protocol, to hold modules in an existential array.
private protocol Block: Module {}
private final class ScaleBlock: Module, Block {
    @Parameter var scale = Tensor([2] as [Float])
    override func forward(_ x: Tensor) -> Tensor { x * scale }
}

/// Parameters and buffers held in lists and dictionaries (PyTorch's `ParameterList`/`ParameterDict`),
/// an optional sub-module that is absent, and values that look like containers but hold no member.
private final class Holder: Module {
    let weights = [Parameter(wrappedValue: Tensor([1] as [Float])), Parameter(wrappedValue: Tensor([2] as [Float]))]
    let statistics: [String: Buffer] = ["z": Buffer(wrappedValue: Tensor([0] as [Float])), "a": Buffer(wrappedValue: Tensor([1] as [Float]))]
    let missing: Linear? = nil
    let present: [Linear]? = [Linear(1, 1)]
    let blocks: [any Block] = [ScaleBlock()]
    let window = (2, 3)
    let amounts: [(before: Int, after: Int)] = [(0, 1)]
    let table: [String: Float] = ["x": 1]
    let empty: [Module] = []
}

/// The example of the README's "Writing modules".
private final class Encoder: Module {
    let embed = Embedding(1000, 64)
    let blocks = [Linear(64, 64), Linear(64, 64)]
    let heads: [String: Module] = ["class": Linear(64, 10), "score": Linear(64, 1)]
    override func forward(_ ids: Tensor) -> Tensor {
        heads["class"]!(blocks.reduce(embed(ids).mean(axis: 1)) { relu($1($0)) })
    }
}

/// The same layer twice, once directly and once in a list: weights tied as in a language model's
/// embedding and output layers.
private final class Tied: Module {
    let first: Linear
    let again: [Linear]

    override init() {
        first = Linear(2, 2)
        again = [first]
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { again[0](first(x)) }
}

@Suite struct ModuleContainerTests {
    @Test func theReadmeExampleRunsWithPyTorchNames() {
        let model = Encoder()
        #expect(model.namedParameters().map(\.name) == ["embed.weight", "blocks.0.weight", "blocks.0.bias", "blocks.1.weight",
                                                        "blocks.1.bias", "heads.class.weight", "heads.class.bias",
                                                        "heads.score.weight", "heads.score.bias"])
        #expect(model(Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])).shape == [2, 10])
        #expect(model.description.contains("  (heads): ModuleDict(\n    (class): Linear(in_features=64, out_features=10, bias=True)"))
    }

    @Test func listsAndDictionariesAreNamedLikeModuleListAndModuleDict() {
        let model = Backbone()
        #expect(model.namedParameters().map(\.name) == DescriptionFixture.lines("backbone.parameter_names"))
        #expect(model.stateDict().keys.sorted() == DescriptionFixture.lines("backbone.state_dict_keys").sorted())
        #expect(model.namedChildren.map(\.name) == ["stem", "layers.0", "layers.1", "layers.2", "layers.3", "layers.4",
                                                   "stages.0.0", "stages.0.1", "stages.1.0", "blocks.attention",
                                                   "blocks.feed_forward", "blocks.norm", "head", "pair"])
        #expect(model.module(at: "blocks.feed_forward.1") is GELU)
    }

    @Test func parametersAndBuffersInContainersAreFound() {
        let model = Holder()
        #expect(model.namedParameters().map(\.name) == ["weights.0", "weights.1", "present.0.weight", "present.0.bias", "blocks.0.scale"])
        #expect(model.namedBuffers().map(\.name) == ["statistics.a", "statistics.z"])
        #expect(model.namedChildren.map(\.name) == ["present.0", "blocks.0"])
    }

    @Test func sharedParametersAreListedOnceAndSavedUnderEveryPath() throws {
        let model = Tied()
        #expect(model.namedParameters().map(\.name) == ["first.weight", "first.bias"])
        #expect(model.parameterCount == 6)
        #expect(model.stateDict().keys.sorted() == ["again.0.bias", "again.0.weight", "first.bias", "first.weight"])
        model.first.weight = Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])
        model.first.bias!.value = Tensor([0, 0] as [Float])
        let x = Tensor([1, 1] as [Float], shape: [1, 2])
        let (_, grads) = valueAndGradient(of: model) { m in m(x).sum() }
        #expect(grads.byName.keys.sorted() == ["first.bias", "first.weight"])
        // W = [[1, 2], [3, 4]], x = [1, 1]: W·x = [3, 7], 1ᵀW = [4, 6]; dW[i, j] = (1ᵀW)[i]·x[j] + (W·x)[j].
        #expect(grads["first.weight"]!.scalars == [7, 11, 9, 13])
        try model.load(stateDict: model.stateDict())
    }

    @Test func trainingModeReachesModulesInContainers() {
        let model = Backbone()
        model.eval()
        #expect(!(model.blocks["norm"]!.isTraining) && !model.stages[1][0].isTraining)
    }

    @Test func safetensorsRoundTripsAModelWithContainers() throws {
        let source = Backbone(), target = Backbone()
        _ = source.blocks["norm"]!(Tensor.uniform([4, 8]))  // moves the running statistics off their start
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-backbone-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.write(source.stateDict(), to: path)
        try target.load(stateDict: Safetensors.read(path).tensors)
        let (expected, loaded) = (source.stateDict(), target.stateDict())
        #expect(Set(loaded.keys) == Set(expected.keys))
        for (name, tensor) in expected {
            #expect(loaded[name]!.shape == tensor.shape, "\(name)")
            #expect(tensor.dtype == .float32 ? loaded[name]!.scalars == tensor.scalars : loaded[name]!.integers == tensor.integers, "\(name)")
        }
        #expect(loaded["blocks.norm.num_batches_tracked"]!.integers == [1])
    }
}
