import KilnLab
import KilnTestSupport
import Testing

@Suite struct WINAOrthogonalizationTests {
    /// A small pre-norm transformer whose blocks' MLPs read `ln2`, as the char-LM's do.
    private static func model() -> GPT {
        var c = GPT.Configuration(vocabularySize: 11)
        (c.contextLength, c.dimension, c.layers, c.heads) = (8, 16, 2, 2)
        let model = GPT(c, generator: RandomGenerator(seed: 20))
        // LayerNorms away from their initial γ = 1, β = 0, so that absorbing the rotation is not trivial.
        for (name, parameter) in model.namedParameters() where name.contains("ln") {
            parameter.value = parameter.value + Tensor.normal(parameter.value.shape, std: 0.3, generator: RandomGenerator(seed: 21))
        }
        return model
    }

    private static let tokens = Tensor((0..<16).map { $0 * 7 % 11 }, shape: [2, 8])

    /// Ŵ = WV has orthogonal columns whose norms are W's singular values, and Ŵ·Vᵀx = Wx.
    @Test func rotatedWeightHasOrthogonalColumnsAndTheSameProduct() {
        let weight = Tensor.normal([12, 5], generator: RandomGenerator(seed: 22))
        let orthogonal = WINAOrthogonalization(weight: weight)
        let gram = orthogonal.rotatedWeight.transposed().matmul(orthogonal.rotatedWeight).scalars
        let sigma = weight.singularValues().scalars
        for i in 0..<5 {
            for j in 0..<5 {
                expectClose([gram[i * 5 + j]], [i == j ? sigma[i] * sigma[i] : 0], relative: 1e-4, absolute: 1e-4 * sigma[0] * sigma[0])
            }
        }
        let x = Tensor.normal([3, 5], generator: RandomGenerator(seed: 23))
        expectClose(linear(orthogonal.rotated(x), weight: orthogonal.rotatedWeight).scalars, linear(x, weight: weight).scalars,
                    relative: 1e-4, absolute: 1e-5)
    }

    /// The orthogonalized network computes what the original does: every block's `mlp.0` rotated at
    /// once, the model's logits are unchanged, and restored afterwards.
    @Test func orthogonalizedModelComputesTheSameFunction() {
        let model = Self.model()
        let dense = model(Self.tokens).scalars
        let inference = SparseInference(model: model, layers: ["blocks.0.mlp.0", "blocks.1.mlp.0", "blocks.1.attn.qkv"],
                                        method: .winaOrthogonal, sparsity: 0)
        expectClose(inference.applied(to: model) { model(Self.tokens) }.scalars, dense, relative: 1e-4, absolute: 1e-4)
        #expect(model(Self.tokens).scalars == dense)
    }

    /// After the transformation WINA's mask is the best k-subset for the output error, on the rotated
    /// inputs of a layer whose own columns are far from orthogonal — where, before it, WINA misses the
    /// best subset on some tokens.
    @Test func winaIsTheBestSubsetAfterOrthogonalization() {
        let weight = Tensor.normal([10, 8], generator: RandomGenerator(seed: 24)) + 0.8
        let orthogonal = WINAOrthogonalization(weight: weight)
        let tokens = (30..<36).map { Tensor.normal([1, 8], generator: RandomGenerator(seed: UInt64($0))) }
        let before = SparseInferenceTests.winaAndBestSubsetErrors(weight: weight, keep: 3, tokens: tokens)
        #expect(before.contains { $0.wina > $0.best * 1.01 })
        let after = SparseInferenceTests.winaAndBestSubsetErrors(weight: orthogonal.rotatedWeight, keep: 3, tokens: tokens.map(orthogonal.rotated))
        for (token, errors) in after.enumerated() {
            #expect(errors.wina <= errors.best * (1 + 1e-5) + 1e-6, "token \(token): WINA \(errors.wina), best subset \(errors.best)")
        }
    }

    /// The rotation is absorbed by the LayerNorm a layer reads; a layer after GELU has none.
    @Test func absorbingModuleIsTheBlocksLayerNorm() {
        let model = Self.model()
        #expect(WINAOrthogonalization.absorbingModule(of: "blocks.1.mlp.0", in: model) == "blocks.1.ln2")
        #expect(WINAOrthogonalization.absorbingModule(of: "blocks.0.attn.qkv", in: model) == "blocks.0.ln1")
        #expect(WINAOrthogonalization.absorbingModule(of: "blocks.0.mlp.2", in: model) == nil)
        #expect(WINAOrthogonalization.absorbingModule(of: "head", in: model) == nil)
    }
}
