import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct GPTTests {
    /// The charlm anchor's model at the sizes of `scripts/fixtures/make_transformer.py`.
    private static func fixtureConfiguration() -> GPT.Configuration {
        var c = GPT.Configuration(vocabularySize: 11)
        (c.contextLength, c.dimension, c.layers, c.heads) = (16, 16, 2, 4)
        return c
    }

    /// `Fixtures/transformer_gpt.safetensors`: a trained PyTorch `CharGPT`'s state_dict, ids and logits.
    private static func fixture() throws -> (state: [String: Tensor], ids: Tensor, logits: Tensor) {
        let path = try #require(Bundle.module.url(forResource: "transformer_gpt", withExtension: "safetensors", subdirectory: "Fixtures")).path
        var tensors = try Safetensors.read(path).tensors
        let ids = try #require(tensors["input_ids"]), logits = try #require(tensors["logits"])
        (tensors["input_ids"], tensors["logits"]) = (nil, nil)
        return (tensors, ids, logits)
    }

    @Test func pyTorchCharGPTWeightsGiveTheSameLogits() throws {
        let (state, ids, expected) = try Self.fixture()
        let model = GPT(Self.fixtureConfiguration())
        #expect(Set(model.stateDict().keys) == Set(state.keys))
        try model.load(stateDict: state)
        let logits = withoutGradient { model(ids) }
        #expect(logits.shape == expected.shape)
        expectClose(logits.scalars, expected.scalars, relative: 1e-5, absolute: 1e-6)
    }

    /// The anchor's model has 838,656 parameters with its vocabulary of 113, in PyTorch's order and names.
    @Test func defaultConfigurationIsTheAnchorModel() {
        let model = GPT(GPT.Configuration(vocabularySize: 113))
        #expect(model.parameterCount == 838_656)
        let names = model.namedParameters().map(\.name)
        #expect(Array(names.prefix(8)) == ["tok_emb.weight", "pos_emb.weight", "blocks.0.ln1.weight", "blocks.0.ln1.bias",
                                           "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias", "blocks.0.attn.proj.weight",
                                           "blocks.0.attn.proj.bias"])
        #expect(Array(names.suffix(3)) == ["ln_f.weight", "ln_f.bias", "head.weight"])
        #expect(names.contains("blocks.3.mlp.0.weight") && names.contains("blocks.3.mlp.2.bias"))
    }

    /// The module tree prints as PyTorch prints CharGPT's, but for the class names.
    @Test func printsTheTreeAsPyTorch() {
        let lines = GPT(Self.fixtureConfiguration()).description.split(separator: "\n").map(String.init)
        for line in ["  (tok_emb): Embedding(11, 16)", "  (blocks): ModuleList(", "    (0-1): 2 x TransformerBlock(",
                     "        (qkv): Linear(in_features=16, out_features=48, bias=True)", "        (1): GELU(approximate='none')",
                     "  (head): Linear(in_features=16, out_features=11, bias=False)"] {
            #expect(lines.contains(line), "\(line)")
        }
    }

    /// Linear weights and embeddings ~ N(0, 0.02²), biases 0, norms 1 and 0.
    @Test func initializationIsTheAnchors() {
        let state = GPT(GPT.Configuration(vocabularySize: 113), generator: RandomGenerator(seed: 3)).stateDict()
        for (name, tensor) in state {
            let values = tensor.scalars.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            if name.hasSuffix("ln1.weight") || name.hasSuffix("ln2.weight") || name == "ln_f.weight" {
                #expect(values.allSatisfy { $0 == 1 }, "\(name)")
            } else if name.hasSuffix("bias") {
                #expect(values.allSatisfy { $0 == 0 }, "\(name)")
            } else {
                let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
                // At least 14,464 draws each: the sample deviation is within 2% of 0.02 with overwhelming odds.
                expectClose(std, 0.02, relative: 0.02, "std of \(name)")
                expectClose(mean, 0, relative: 0, absolute: 0.001, "mean of \(name)")
            }
        }
    }

    private static func decodesLikeTheFullForward(_ model: GPT, _ ids: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
        let full = withoutGradient { model(ids) }
        let cache = model.makeCache()
        var rows = [withoutGradient { model.logits(ids.slice(axis: 1, 0..<3), cache: cache) }]
        for t in 3..<ids.shape[1] { rows.append(withoutGradient { model.logits(ids.slice(axis: 1, t..<(t + 1)), cache: cache) }) }
        #expect(cache.count == ids.shape[1], sourceLocation: sourceLocation)
        expectClose(Tensor.concatenate(rows, axis: 1).scalars, full.scalars, relative: 1e-6, absolute: 1e-7,
                    sourceLocation: sourceLocation)
    }

    @Test func cachedDecodingEqualsTheFullForward() throws {
        let (state, ids, _) = try Self.fixture()
        let anchor = GPT(Self.fixtureConfiguration())
        try anchor.load(stateDict: state)
        Self.decodesLikeTheFullForward(anchor, ids)

        var c = Self.fixtureConfiguration()
        (c.keyValueHeads, c.attentionGate, c.normalization, c.feedForward, c.hiddenDimension) = (2, .headwise, .rmsNorm(), .gated(.swish), 24)
        for positions in [GPT.PositionEncoding.rotary(), .alibi, .sinusoidal, .none] {
            c.positions = positions
            Self.decodesLikeTheFullForward(GPT(c, generator: RandomGenerator(seed: 5)), ids)
        }
    }

    /// A tied head is the token embedding: one parameter, saved under both names as PyTorch saves it.
    @Test func tiedHeadSharesTheTokenEmbedding() throws {
        var c = Self.fixtureConfiguration()
        c.tiedHead = true
        let model = GPT(c, generator: RandomGenerator(seed: 6))
        let state = model.stateDict()
        #expect(state["head.weight"]!.scalars == state["tok_emb.weight"]!.scalars)
        #expect(!model.namedParameters().map(\.name).contains("head.weight"))
        let (pytorch, ids, expected) = try Self.fixture()
        var loaded = pytorch
        loaded["head.weight"] = pytorch["tok_emb.weight"]
        try model.load(stateDict: loaded)
        #expect(model.stateDict()["head.weight"]!.scalars == pytorch["tok_emb.weight"]!.scalars)
        #expect(withoutGradient { model(ids) }.shape == expected.shape)
    }

    @Test func blockGradientsMatchFiniteDifferences() {
        let attention = MultiHeadAttention(dimension: 8, heads: 2, positions: .rotary(RotaryEmbedding(dimension: 4)),
                                           gate: .elementwise, generator: RandomGenerator(seed: 8))
        let block = TransformerBlock(attention: attention,
                                     mlp: FeedForward.gelu.make(dimension: 8, hidden: 12, generator: RandomGenerator(seed: 9)))
        checkGradients([testTensor([1, 3, 8], seed: 10)]) { block($0[0]) }
        let rms = TransformerBlock(attention: MultiHeadAttention(dimension: 4, heads: 2, keyValueHeads: 1, generator: RandomGenerator(seed: 11)),
                                   mlp: FeedForward.gated(.relu).make(dimension: 4, hidden: 6, generator: RandomGenerator(seed: 12)),
                                   normalization: .rmsNorm())
        checkGradients([testTensor([2, 3, 4], seed: 13)]) { rms($0[0]) }
    }

    /// Feed-forward variants carry PyTorch's names: nn.Sequential indices, or the gated block's w, v, w2.
    @Test func feedForwardVariantsAreNamedAsInPyTorch() {
        let mlp = FeedForward.mlp(activation: { SquaredReLU() }).make(dimension: 4, hidden: 8)
        #expect(Set(mlp.stateDict().keys) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        let x = testTensor([2, 4], seed: 14)
        let state = mlp.stateDict()
        let expected = linear(squaredReLU(linear(x, weight: state["0.weight"]!, bias: state["0.bias"]!)),
                              weight: state["2.weight"]!, bias: state["2.bias"]!)
        expectClose(mlp(x).scalars, expected.scalars, relative: 1e-6)
        #expect(Set(FeedForward.gated(.gelu).make(dimension: 4, hidden: 6).stateDict().keys) == ["w", "v", "w2"])
        // ReGLU: (ReLU(x·Wᵀ) ⊙ x·Vᵀ)·W2ᵀ.
        let reglu = FeedForward.gated(.relu).make(dimension: 4, hidden: 6), g = reglu.stateDict()
        let gated = relu(linear(x, weight: g["w"]!)) * linear(x, weight: g["v"]!)
        expectClose(reglu(x).scalars, linear(gated, weight: g["w2"]!).scalars, relative: 1e-6)
    }
}
