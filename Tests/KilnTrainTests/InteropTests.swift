import Foundation
import KilnTestSupport
import KilnTrain
import Testing

/// Weights written by PyTorch load into Kiln's model and give PyTorch's logits
/// (fixtures from `scripts/interop/torch_interop.py make-fixture`).
@Suite struct InteropTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"

    @Test func pyTorchCNNWeightsGiveTheSameLogits() throws {
        let model = ReferenceModels.cnn()
        let weights = try Safetensors.read(fixtures + "torch_cnn.safetensors").tensors
        try model.load(stateDict: weights)
        model.eval()
        let input = try NPY.read(fixtures + "torch_cnn_input.npy")
        let expected = try NPY.read(fixtures + "torch_cnn_logits.npy")
        let logits = withoutGradient { model(input) }
        #expect(logits.shape == expected.shape)
        expectClose(logits.scalars, expected.scalars, relative: 1e-4)
    }

    @Test func kilnStateDictUsesPyTorchNames() {
        let names = Set(ReferenceModels.cnn().stateDict().keys)
        #expect(names.contains("0.weight") && names.contains("1.running_var") && names.contains("1.num_batches_tracked")
                && names.contains("9.weight") && names.contains("12.bias"))
        #expect(names.count == 18)
    }
}
