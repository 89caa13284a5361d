import Foundation
import KilnTrain
import Testing

/// The README's "Use Kiln in your package" example, compiled and run here; a test checks that the
/// README still shows exactly these lines.
private func readmeExample() throws -> [String: Double] {
    // Two clusters of points in the plane, one class each.
    let generator = RandomGenerator(seed: 0)
    let n = 512
    let points = Tensor.concatenate([Tensor.normal([n, 2], mean: -1, generator: generator),
                                     Tensor.normal([n, 2], mean: 1, generator: generator)])
    let labels = Tensor([Int](repeating: 0, count: n) + [Int](repeating: 1, count: n))
    let data = TensorDataset(inputs: points, targets: labels)

    let model = Sequential { Linear(2, 16); ReLU(); Linear(16, 2) }
    let trainer = Trainer(model: model, optimizer: AdamW(learningRate: 1e-2),
                          loss: { logits, labels in crossEntropy(logits: logits, labels: labels) })
    trainer.metrics = [Accuracy()]
    try trainer.fit(DataLoader(data, batchSize: 64, shuffle: true), epochs: 5)

    let result = trainer.evaluate(DataLoader(data, batchSize: 256))
    print("loss \(result["loss"]!), accuracy \(result["accuracy"]!)")
    return result
}

@Suite struct ReadmeExampleTests {
    @Test func exampleSeparatesTheClusters() throws {
        let result = try readmeExample()
        // The clusters' centres are 2·√2 apart with unit spread: the Bayes accuracy is Φ(√2) ≈ 0.92.
        #expect(try #require(result["accuracy"]) > 0.88)
        #expect(try #require(result["loss"]) < 0.35)
    }

    @Test func readmeShowsThisExample() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Use Kiln in your package"))
        let blocks = readme[section.upperBound...].components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let block = try #require(blocks.first { $0.hasPrefix("import KilnTrain") })
        let source = try String(contentsOf: here, encoding: .utf8)
        let lines = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "import KilnTrain" }
        #expect(lines.count > 10)
        for line in lines { #expect(source.contains(line), "README line not in the tested example: \(line)") }
    }
}
