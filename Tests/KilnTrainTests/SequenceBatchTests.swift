import Foundation
import KilnTestSupport
@testable import KilnTrain
import Testing

/// Next-token scores `[B, T, V]` from token ids `[B, T]`: an embedding, then a linear map to the vocabulary.
private final class BigramModel: Module {
    let embedding: Embedding
    let segments: Embedding?
    let output: Linear

    /// With `segmented`, a second input `[B, T]` of segment ids (0 or 1) adds its own embedding.
    init(vocabulary: Int, segmented: Bool = false, seed: UInt64) {
        let g = RandomGenerator(seed: seed)
        embedding = Embedding(vocabulary, 8, generator: g)
        segments = segmented ? Embedding(2, 8, generator: g) : nil
        output = Linear(8, vocabulary, generator: g)
        super.init()
    }

    override var inputArity: ClosedRange<Int> { segments == nil ? 1...1 : 2...2 }
    override func forward(_ tokens: Tensor) -> Tensor { output(embedding(tokens)) }
    override func forward(_ inputs: [Tensor]) -> Tensor {
        guard let segments else { return forward(inputs[0]) }
        return output(embedding(inputs[0]) + segments(inputs[1]))
    }
}

/// Cross-entropy of `[B, T, V]` scores against `[B, T]` tokens, averaged over the positions.
private func sequenceCrossEntropy(_ logits: Tensor, _ tokens: Tensor) -> Tensor {
    crossEntropy(logits: logits.reshaped([-1, logits.shape[2]]), labels: tokens.reshaped([-1]))
}

/// The same, averaged over the positions `mask` weighs.
private func maskedSequenceCrossEntropy(_ logits: Tensor, _ tokens: Tensor, _ mask: Tensor) -> Tensor {
    let losses = crossEntropy(logits: logits.reshaped([-1, logits.shape[2]]), labels: tokens.reshaped([-1]), reduction: .none)
    return (losses * mask.reshaped([-1])).sum() / mask.sum()
}

/// Padded sequences with two inputs (tokens and segment ids) whose target is `(token + 2·segment) mod 5`,
/// padding (target 0) masked out.
private struct PaddedSequences: Dataset {
    static let lengths = [6, 3, 5, 2, 6, 1, 4, 6, 2, 5, 3, 6]
    let tokens: Tensor, segments: Tensor, targets: Tensor, mask: Tensor

    init() {
        let g = RandomGenerator(seed: 11)
        let n = Self.lengths.count
        tokens = Tensor.randint([n, 6], low: 0, high: 5, generator: g)
        segments = Tensor.randint([n, 6], low: 0, high: 2, generator: g)
        let counted = (0..<(n * 6)).map { $0 % 6 < Self.lengths[$0 / 6] }
        let next = zip(zip(tokens.integers, segments.integers), counted).map { pair, kept in kept ? (pair.0 + 2 * pair.1) % 5 : 0 }
        targets = Tensor(next, shape: [n, 6])
        mask = Tensor(counted.map { $0 ? 1 : 0 } as [Float], shape: [n, 6])
    }

    var count: Int { Self.lengths.count }

    func batch(at indices: [Int]) -> (inputs: Tensor, targets: Tensor) {
        let rows = Tensor(indices)
        return (tokens.indexSelect(axis: 0, indices: rows), targets.indexSelect(axis: 0, indices: rows))
    }

    func examples(at indices: [Int]) -> Batch {
        let rows = Tensor(indices)
        return Batch(inputs: [tokens.indexSelect(axis: 0, indices: rows), segments.indexSelect(axis: 0, indices: rows)],
                     targets: targets.indexSelect(axis: 0, indices: rows), mask: mask.indexSelect(axis: 0, indices: rows))
    }
}

@Suite struct SequenceBatchTests {
    @Test func tokenSequencesTrainAndEvaluateThroughTheTrainer() throws {
        // Each target is the token after its input: (x + 1) mod 5, a bigram the model can learn exactly.
        let tokens = Tensor.randint([32, 8], low: 0, high: 5, generator: RandomGenerator(seed: 2))
        let data = TensorDataset(inputs: tokens, targets: Tensor(tokens.integers.map { ($0 + 1) % 5 }, shape: [32, 8]))
        let trainer = Trainer(model: BigramModel(vocabulary: 5, seed: 1), optimizer: AdamW(learningRate: 0.05, weightDecay: 0),
                              loss: sequenceCrossEntropy)
        trainer.showsProgress = false
        let loader = DataLoader(data, batchSize: 8, shuffle: true, generator: RandomGenerator(seed: 4))
        trainer.metrics = [Accuracy()]
        let before = trainer.evaluate(DataLoader(data, batchSize: 8))["loss"]!
        try trainer.fit(loader, epochs: 20)
        let figures = trainer.evaluate(DataLoader(data, batchSize: 8)), after = figures["loss"]!
        #expect(before > 1 && after < 0.05, "from about log 5 to nearly 0: \(before) → \(after)")
        // Batches of equal size average to the loss over every position at once.
        let whole = withoutGradient { sequenceCrossEntropy(trainer.model(data.inputs), data.targets) }
        expectClose(after, Double(whole.item), relative: 1e-6, "evaluation loss")
        // The progress display's accuracy reads [B, T, V] scores against [B, T] tokens; a learned bigram is all correct.
        let logits = withoutGradient { trainer.model(data.inputs) }
        #expect(Trainer.correctPredictions(logits, data.targets).map { [$0.correct, $0.total] } == [256, 256])
        #expect(figures["accuracy"] == 1, "metrics see every position as a row")
    }

    @Test func maskedBatchesOfTwoInputsCountOnlyTheirTargets() throws {
        let data = PaddedSequences()
        let counted = Double(PaddedSequences.lengths.reduce(0, +))
        let trainer = Trainer(model: BigramModel(vocabulary: 5, segmented: true, seed: 1), optimizer: SGD(learningRate: 0.5),
                              loss: sequenceCrossEntropy)
        trainer.maskedLoss = maskedSequenceCrossEntropy
        trainer.showsProgress = false
        trainer.metrics = [Accuracy()]
        // Batches of 3 sequences hold 14, 9, 12 and 14 counted positions: the loss over all of them weighs each by its count.
        let figures = trainer.evaluate(DataLoader(data, batchSize: 3))
        let all = data.examples(at: Array(0..<12))
        let logits = withoutGradient { trainer.model(all.allInputs) }
        expectClose(figures["loss"]!, Double(maskedSequenceCrossEntropy(logits, all.targets, all.mask!).item), relative: 1e-6,
                    "masked evaluation loss")
        // Accuracy counts the 49 positions the masks keep, as the progress display does.
        let (correct, total) = try #require(Trainer.correctPredictions(logits, all.targets, mask: all.mask))
        #expect(total == 49 && figures["accuracy"] == Double(correct) / 49)
        let unmasked = Batch(inputs: all.allInputs, targets: all.targets, mask: Tensor(zeros: all.targets.shape))
        #expect(Trainer.metricRows(logits, unmasked) == nil, "a batch whose mask counts nothing gives metrics nothing")
        #expect(Trainer.metricRows(logits, all).map { [$0.outputs.shape, $0.targets.shape] } == [[49, 5], [49]])
        #expect(all.weight == counted)

        // Four batches of 3 accumulated into a step equal one step on all 12 sequences.
        trainer.accumulationSteps = 4
        try trainer.fit(DataLoader(data, batchSize: 3), epochs: 3)
        let reference = Trainer(model: BigramModel(vocabulary: 5, segmented: true, seed: 1), optimizer: SGD(learningRate: 0.5),
                                loss: sequenceCrossEntropy)
        reference.maskedLoss = maskedSequenceCrossEntropy
        reference.showsProgress = false
        try reference.fit(DataLoader(data, batchSize: 12), epochs: 3)
        #expect(trainer.progress.step == 3 && reference.progress.step == 3)
        for (name, value) in reference.model.stateDict() {
            expectClose(trainer.model.stateDict()[name]!.scalars, value.scalars, relative: 1e-6, absolute: 1e-7)
        }
        let epochLoss = { (t: Trainer) in t.records.filter { $0.kind == "epoch" }.map { $0.values["train_loss"]! } }
        for (a, b) in zip(epochLoss(trainer), epochLoss(reference)) { expectClose(a, b, relative: 1e-6, "epoch loss") }
    }

    @Test func runningLossesOfAnOlderCheckpointWeighBySamples() throws {
        // Written before batches had weights: 100 samples with a loss sum of 50, 80 of them predicted correctly.
        let older = ["losses.epoch_loss_sum": "50.0", "losses.epoch_samples": "100", "losses.epoch_correct": "80"]
        let losses = try RunningLosses(metadata: older, path: "old.safetensors")
        #expect(losses.epochLoss == 0.5 && losses.epochAccuracy == 0.8)
        var current = RunningLosses()
        current.addBatch(loss: 2, weight: 9, samples: 3, predictions: (correct: 4, total: 9))
        let back = try RunningLosses(metadata: current.metadata, path: "new.safetensors")
        #expect(back == current && back.epochLoss == 2 && back.epochAccuracy == 4.0 / 9)
    }

    @Test func aMaskedBatchWithoutAMaskedLossStops() async {
        let exit = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let trainer = Trainer(model: BigramModel(vocabulary: 5, segmented: true, seed: 1), optimizer: SGD(learningRate: 0.5),
                                  loss: sequenceCrossEntropy)
            try trainer.step(PaddedSequences().examples(at: [0, 1]))
        }
        let message = String(decoding: exit?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Trainer: a batch with a mask needs maskedLoss (or an objective in training) to weigh its targets"))
    }
}
