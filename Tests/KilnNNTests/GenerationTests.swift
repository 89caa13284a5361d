import Kiln
import KilnNN
import KilnTestSupport
import Testing

@Suite struct GenerationTests {
    /// The charlm anchor's GPT (learned positions, vocabulary 113), seeded, its context cut to the
    /// prompt and the new tokens.
    private static func anchor() -> GPT {
        var c = GPT.Configuration(vocabularySize: 113)
        c.contextLength = 28
        let model = GPT(c, generator: RandomGenerator(seed: 12))
        for p in model.parameters() { p.value = p.value * 10 }   // sharper logits than the N(0, 0.02²) start
        return model
    }

    /// Greedy generation through the preallocated cache picks, at every step, the argmax of the full
    /// forward over all tokens so far, the tokens a concatenating cache picks, and runs without
    /// recording gradients.
    @Test func greedyAnchorGenerationFollowsTheFullForward() {
        let model = Self.anchor()
        let prompt = Tensor([5, 40, 77, 2] as [Int], shape: [1, 4])
        let generated = generate(model: model, prompt: prompt, count: 24, sampler: Sampler(temperature: 0, generator: RandomGenerator(seed: 0)))
        #expect(!generated.requiresGradient)
        #expect(generated.shape == [1, 28] && Array(generated.integers.prefix(4)) == prompt.integers)
        var expected = Array(prompt.integers)
        for _ in 0..<24 {
            let logits = withoutGradient { model(Tensor(expected, shape: [1, expected.count])) }
            expected.append(logits.select(axis: 1, expected.count - 1).argmax(axis: -1).integers[0])
        }
        #expect(generated.integers == expected)
        // Pinned: the tokens of a decoder whose cache concatenates each step's keys and values.
        #expect(generated.integers == [5, 40, 77, 2, 76, 103, 46, 103, 46, 62, 51, 6, 46, 103, 54, 62, 9, 62, 76, 51, 62, 51, 51, 51, 51, 51, 51, 62])
    }

    /// Past its learned positions the model reads the last `contextLength` tokens at each step, as
    /// nanoGPT crops them; a prompt longer than the context is cut the same way.
    @Test func learnedPositionsSlideOverTheLastContextTokens() {
        let model = Self.anchor()   // context 28
        // A prompt inside the context that the new tokens carry past it, and one longer than the context.
        for length in [20, 30] {
            let prompt = Tensor((0..<length).map { ($0 * 37) % 113 }, shape: [1, length])
            let generated = generate(model: model, prompt: prompt, count: 14, sampler: Sampler(temperature: 0, generator: RandomGenerator(seed: 0)))
            var expected = Array(prompt.integers)
            for _ in 0..<14 {
                let window = Array(expected.suffix(28))
                let logits = withoutGradient { model(Tensor(window, shape: [1, window.count])) }
                expected.append(logits.select(axis: 1, window.count - 1).argmax(axis: -1).integers[0])
            }
            #expect(generated.integers == expected, "prompt of \(length)")
        }
    }
}
