import Foundation
import KilnTrain
import Testing

/// The README's "Sequence models" example, compiled and run here; a test checks that the README
/// still shows exactly these lines.
private func readmeSequenceExample() throws -> (loss: Double, text: String) {
    // A character model of a short, repetitive text: a 2-layer GPT with rotary positions.
    let text = String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 40)
    let vocabulary = CharacterVocabulary(of: text)
    let windows = try NextTokenWindows(tokens: vocabulary.encode(text, source: "text"), context: 32, source: "text")
    var configuration = GPT.Configuration(vocabularySize: vocabulary.count)
    (configuration.contextLength, configuration.dimension, configuration.layers, configuration.heads) = (32, 32, 2, 2)
    configuration.positions = .rotary()
    let model = GPT(configuration, generator: RandomGenerator(seed: 0))
    let trainer = Trainer(model: model, optimizer: AdamW(learningRate: 1e-2), loss: CharacterLanguageModel.nextTokenLoss)
    trainer.showsProgress = false
    let batches = RandomGenerator(seed: 1)
    for _ in 0..<60 { try trainer.step(windows.trainingBatch(size: 16, generator: batches)) }

    let loss = CharacterLanguageModel.validationLoss(windows, batchSize: 8, trainer: trainer)
    let prompt = Tensor(try vocabulary.encode("the quick", source: "prompt"), shape: [1, 9])
    let tokens = generate(model: model, prompt: prompt, count: 36, sampler: Sampler(temperature: 0, generator: batches))
    print("validation loss \(loss):", vocabulary.decode(tokens.integers))
    return (loss, vocabulary.decode(tokens.integers))
}

@Suite struct ReadmeSequenceExampleTests {
    @Test func exampleLearnsTheRepeatedSentence() throws {
        let (loss, text) = try readmeSequenceExample()
        // Uniform guessing over the 28 characters costs ln 28 ≈ 3.33 nats; the sentence is learnt well below that.
        #expect(loss < 0.5)
        #expect(text.hasPrefix("the quick brown fox"))
    }

    @Test func readmeShowsThisExample() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Sequence models"))
        let block = try #require(readme[section.upperBound...].components(separatedBy: "```swift\n").dropFirst().first?
            .components(separatedBy: "```")[0])
        let source = try String(contentsOf: here, encoding: .utf8)
        let lines = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "import KilnTrain" }
        #expect(lines.count > 10)
        for line in lines { #expect(source.contains(line), "README line not in the tested example: \(line)") }
    }
}
