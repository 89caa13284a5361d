import KilnLab
import KilnTestSupport
import KilnTrain
import Testing

@Suite struct MassiveActivationTrackerTests {
    /// Computes, at the same steps as the tracker, each residual-stream point's largest magnitude, its
    /// (token, channel) and the median magnitude by brute force over one forward pass.
    private final class DirectObservation: TrainerCallback {
        let every: Int, probe: Tensor
        var observed: [[String: (largest: Float, token: Int, channel: Int, median: Float)]] = []

        init(every: Int, probe: Tensor) { (self.every, self.probe) = (every, probe) }

        func trainer(_ trainer: Trainer, didFinishStepWithLoss loss: Double) throws {
            guard trainer.progress.step % every == 0 else { return }
            let model = trainer.model
            model.eval()
            defer { model.train() }
            let captured = withoutGradient { model.capturingInputs(of: ["blocks.0.ln1", "blocks.1.ln1", "ln_f"]) { _ = model(probe) } }
            var points: [String: (Float, Int, Int, Float)] = [:]
            for (path, label) in [("blocks.0.ln1", "residual before blocks.0"), ("blocks.1.ln1", "residual before blocks.1"), ("ln_f", "residual before ln_f")] {
                let a = captured[path]![0], channels = a.shape[2]
                let magnitudes = a.scalars.map(abs)
                let top = magnitudes.indices.max { magnitudes[$0] < magnitudes[$1] }!
                let sorted = magnitudes.sorted(), n = sorted.count
                points[label] = (magnitudes[top], top / channels % a.shape[1], top % channels, (sorted[(n - 1) / 2] + sorted[n / 2]) / 2)
            }
            observed.append(points)
        }
    }

    private func gpt() -> GPT {
        var configuration = GPT.Configuration(vocabularySize: 11)
        (configuration.dimension, configuration.layers, configuration.heads, configuration.contextLength) = (16, 2, 2, 8)
        return GPT(configuration, generator: RandomGenerator(seed: 1))
    }

    /// Trains a tiny GPT for 6 steps, calling `callbacks` after each as a language-model run does; returns the losses.
    private func train(_ model: GPT, callbacks: [any TrainerCallback]) throws -> [Double] {
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.5), loss: CharacterLanguageModel.nextTokenLoss)
        let data = RandomGenerator(seed: 3)
        return try (0..<6).map { _ in
            let loss = try trainer.step(Batch(inputs: Tensor.randint([4, 8], high: 11, generator: data),
                                              targets: Tensor.randint([4, 8], high: 11, generator: data)))
            for callback in callbacks { try callback.trainer(trainer, didFinishStepWithLoss: loss) }
            return loss
        }
    }

    /// The recorded largest magnitudes, their positions and the medians equal those of a direct forward
    /// pass at the same steps; tracking leaves training unchanged; the growth table reads the records.
    @Test func recordsEqualADirectForwardPassAtThatStep() throws {
        let probe = Tensor.randint([1, 8], high: 11, generator: RandomGenerator(seed: 2))
        let tracker = MassiveActivationTracker(every: 2, probe: probe), direct = DirectObservation(every: 2, probe: probe)
        let tracked = try train(gpt(), callbacks: [tracker, direct])
        #expect(try train(gpt(), callbacks: []) == tracked)
        try #require(tracker.records.map(\.step) == [1, 3, 5] && direct.observed.count == 3)
        for (record, points) in zip(tracker.records, direct.observed) {
            for (label, expected) in points {
                #expect(record.values["\(label): top1"] == Double(expected.largest), "\(label) at step \(record.step)")
                #expect(record.values["\(label): top1 token"] == Double(expected.token) && record.values["\(label): top1 channel"] == Double(expected.channel))
                expectClose(record.values["\(label): median"]!, Double(expected.median), relative: 1e-6)
                #expect(record.values["\(label): top2"]! <= record.values["\(label): top1"]! && record.values["\(label): top3"] != nil)
            }
        }
        let growth = ActivationGrowth(records: tracker.records)
        #expect(growth.rows.map(\.steps) == [2, 2, 2, 4, 4, 4, 6, 6, 6])
        #expect(growth.rows.prefix(3).map(\.label) == ["residual before blocks.0", "residual before blocks.1", "residual before ln_f"])
        #expect(growth.rows[5].largest == Double(direct.observed[1]["residual before ln_f"]!.largest))
    }
}
