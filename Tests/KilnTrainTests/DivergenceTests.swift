import Foundation
import KilnTrain
import Testing

/// Squared error whose value is NaN at the given calls (0-based), to make chosen steps diverge.
private final class PoisonedLoss {
    let poisoned: Set<Int>
    private(set) var calls = 0
    init(at poisoned: Set<Int>) { self.poisoned = poisoned }
    func callAsFunction(_ logits: Tensor, _ labels: Tensor) -> Tensor {
        defer { calls += 1 }
        let loss = squaredError(logits, labels)
        return poisoned.contains(calls) ? loss * Float.nan : loss
    }
}

/// Remembers the weights after every step.
private final class WeightHistory: TrainerCallback {
    var weights: [[Float]] = []
    func trainer(_ trainer: Trainer, didFinishStepWithLoss loss: Double) {
        weights.append(trainer.model.stateDict()["weight"]!.scalars)
    }
}

/// Makes one weight infinite after step `step` (the loss of later steps would tell only later).
private final class PoisonWeights: TrainerCallback {
    let step: Int
    init(after step: Int) { self.step = step }
    func trainer(_ trainer: Trainer, didFinishStepWithLoss loss: Double) {
        guard trainer.progress.step == step + 1 else { return }
        var weight = trainer.model.stateDict()["weight"]!.scalars
        weight[0] = .infinity
        try! trainer.model.load(stateDict: ["weight": Tensor(weight, shape: [3, 2]), "bias": trainer.model.stateDict()["bias"]!])
    }
}

@Suite(.serialized) struct DivergenceTests {
    func makeTrainer(_ loss: @escaping (Tensor, Tensor) -> Tensor) -> Trainer {
        let trainer = Trainer(model: LinearModel(features: 2, classes: 3, seed: 7),
                              optimizer: AdamW(learningRate: 0.05, weightDecay: 0.01), loss: loss)
        trainer.showsProgress = false
        trainer.logEvery = 1
        return trainer
    }

    func loader() -> DataLoader<TensorDataset> {
        DataLoader(clusters(), batchSize: 16, shuffle: true, generator: RandomGenerator(seed: 3))
    }

    @Test func stopsAtTheFirstNonFiniteLossAndKeepsTheLastCheckpoint() throws {
        let path = temporaryPath("diverged.safetensors")
        defer { unlink(path) }
        let poisoned = PoisonedLoss(at: [20])
        let trainer = makeTrainer(poisoned.callAsFunction)
        let history = WeightHistory()
        trainer.callbacks = [history, Checkpointing(path: path, everySteps: 1)]
        let error = #expect(throws: DivergenceError.self) { try trainer.fit(loader(), epochs: 3) }
        // Step 20 is batch 6 of epoch 2 (15 batches an epoch).
        #expect(error == DivergenceError(step: 20, epoch: 2, quantity: .loss, value: .nan))
        #expect(error?.description.hasPrefix("training diverged at step 20 (epoch 2): the loss is NaN") == true)
        // No update was made at step 20; the checkpoint is the one written after step 19.
        #expect(trainer.progress.step == 20 && history.weights.count == 20)
        #expect(trainer.model.stateDict()["weight"]!.scalars == history.weights.last!)
        let saved = try Checkpoint.read(path)
        #expect(saved.progress.step == 20 && saved.model["weight"]!.scalars == history.weights.last!)
    }

    @Test func stopsAtANonFiniteGradientNormWithAFiniteLoss() throws {
        // √(0 · logits) is 0, but its gradient is ∞ · 0 = NaN.
        let trainer = makeTrainer { logits, labels in squaredError(logits, labels) + (logits * 0).sqrt().sum() }
        let before = trainer.model.stateDict()["weight"]!.scalars
        let error = #expect(throws: DivergenceError.self) { try trainer.fit(loader(), epochs: 1) }
        #expect(error?.step == 0 && error?.epoch == 1 && error?.quantity == .gradientNorm)
        #expect(error?.description.contains("the gradient norm is NaN") == true)
        #expect(trainer.model.stateDict()["weight"]!.scalars == before)
    }

    @Test func skipModeSkipsCountsLogsAndGoesOn() throws {
        let poisoned = PoisonedLoss(at: [5, 7])
        let trainer = makeTrainer(poisoned.callAsFunction)
        trainer.onNonFinite = .skip
        let history = WeightHistory()
        trainer.callbacks = [history]
        try trainer.fit(loader(), epochs: 2)
        #expect(trainer.progress.step == 30 && trainer.skippedSteps == 2)
        // A skipped step leaves the weights as they were.
        #expect(history.weights[5] == history.weights[4] && history.weights[7] == history.weights[6])
        #expect(history.weights[6] != history.weights[5])
        let skipped = trainer.records.filter { $0.kind == "skipped" }
        #expect(skipped.map(\.step) == [5, 7] && skipped.map { $0.values["skipped_steps"]! } == [1, 2])
        // Loss records leave the skipped steps out; the epoch's mean loss covers the 13 others.
        #expect(trainer.records.filter { $0.kind == "step" }.map(\.step) == (0..<30).filter { $0 != 5 && $0 != 7 })
        let firstEpoch = trainer.records.first { $0.kind == "epoch" }!
        #expect(firstEpoch.values["train_loss"]!.isFinite)
        let stepLosses = trainer.records.filter { $0.kind == "step" && $0.epoch == 1 }.map { $0.values["loss"]! }
        #expect(stepLosses.count == 13)
        let mean = stepLosses.reduce(0, +) / 13   // every batch of this epoch holds 16 examples
        #expect(abs(firstEpoch.values["train_loss"]! - mean) <= 1e-12 * mean)
    }

    @Test func aCheckpointWithNonFiniteValuesIsNeverWritten() throws {
        let path = temporaryPath("finite.safetensors")
        defer { unlink(path) }
        let trainer = makeTrainer(squaredError)
        try trainer.fit(loader(), epochs: 1)
        try trainer.checkpoint().write(to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        var bad = trainer.checkpoint()
        var weight = bad.model["weight"]!.scalars
        weight[4] = .infinity
        bad.model["weight"] = Tensor(weight, shape: [3, 2])
        #expect(bad.firstNonFiniteTensor == "model.weight")
        let error = #expect(throws: TensorFileError.self) { try bad.write(to: path) }
        #expect(error?.reason.contains("'model.weight' holds NaN or infinite values") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == good)
        let entries = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(!entries.contains { $0.hasPrefix(".kiln-trainer-\(getpid())-finite") })
    }

    @Test func checkpointingStopsAtNonFiniteWeightsAndKeepsTheLastGoodFile() throws {
        let path = temporaryPath("poisoned.safetensors")
        defer { unlink(path) }
        let trainer = makeTrainer(squaredError)
        trainer.callbacks = [Checkpointing(path: path, everySteps: 5)]
        try trainer.fit(loader(), epochs: 2)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try Checkpoint.read(path).progress.step == 30)
        // In epoch 3 a weight turns infinite after step 34, just before the checkpoint due then.
        trainer.callbacks = [PoisonWeights(after: 34), Checkpointing(path: path, everySteps: 5)]
        let diverged = #expect(throws: DivergenceError.self) { try trainer.fit(loader(), epochs: 3) }
        #expect(diverged == DivergenceError(step: 34, epoch: 3, quantity: .tensor("model.weight")))
        #expect(diverged?.description.hasPrefix(
            "training diverged at step 34 (epoch 3): 'model.weight' of the next checkpoint holds NaN or infinite values; the last good checkpoint, if any, is kept") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == good)
    }

    @Test func aFailedCheckpointWriteEndsTraining() throws {
        // A checkpoint path inside a regular file cannot be written: the first failure stops the run.
        let blocker = temporaryPath("blocker")
        defer { unlink(blocker) }
        _ = FileManager.default.createFile(atPath: blocker, contents: Data([1]))
        let trainer = makeTrainer(squaredError)
        trainer.callbacks = [Checkpointing(path: blocker + "/checkpoint.safetensors", everySteps: 3)]
        #expect(throws: TensorFileError.self) { try trainer.fit(loader(), epochs: 1) }
        #expect(trainer.progress.step == 3)
    }
}
