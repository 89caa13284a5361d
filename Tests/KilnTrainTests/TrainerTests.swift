import Foundation
import KilnTrain
import Testing

/// Writes a checkpoint once, right after optimizer step `step`.
final class SnapshotAtStep: TrainerCallback {
    let step: Int, path: String
    init(_ step: Int, path: String) { self.step = step; self.path = path }
    func trainer(_ trainer: Trainer, didFinishStepWithLoss loss: Double) {
        if trainer.progress.step == step { try! trainer.checkpoint().write(to: path) }
    }
}

@Suite(.serialized) struct TrainerTests {
    func makeTrainer() -> Trainer {
        let trainer = Trainer(model: LinearModel(features: 2, classes: 3, seed: 7),
                              optimizer: AdamW(learningRate: 0.05, weightDecay: 0.01), loss: squaredError)
        trainer.schedule = AnySchedule(CosineAnnealing(peak: 0.05, floor: 0, steps: 60))
        trainer.showsProgress = false
        trainer.logEvery = 1
        return trainer
    }

    func loader() -> DataLoader<TensorDataset> {
        DataLoader(clusters(), batchSize: 16, shuffle: true, generator: RandomGenerator(seed: 3))
    }

    @Test func learnsAndLogsEveryStepAndEpoch() throws {
        let trainer = makeTrainer()
        trainer.metrics = [Accuracy()]
        try trainer.fit(loader(), epochs: 4, evaluatingOn: DataLoader(clusters(), batchSize: 100))
        let epochs = trainer.records.filter { $0.kind == "epoch" }
        #expect(epochs.count == 4 && trainer.progress == TrainingProgress(step: 60, epoch: 4, batchInEpoch: 0))
        #expect(trainer.records.filter { $0.kind == "step" }.map(\.step) == Array(0..<60))
        #expect(epochs.last!.values["test_accuracy"]! > 0.95)
        #expect(epochs.last!.values["train_loss"]! < epochs.first!.values["train_loss"]!)
        // The schedule set the rate of each step: cosine from 0.05 at step 0.
        #expect(trainer.records.first { $0.kind == "step" }!.values["lr"] == 0.05)
    }

    /// A record written every `logEvery` steps holds the mean loss of its interval, at the
    /// interval's last step, with that step's learning rate.
    @Test func stepRecordsAverageTheirInterval() throws {
        let trainer = makeTrainer()
        trainer.logEvery = 4
        var losses: [Double] = []
        var batches = loader().epoch()
        for _ in 0..<9 { losses.append(try trainer.step(batches.next()!)) }
        let steps = trainer.records.filter { $0.kind == "step" }
        #expect(steps.map(\.step) == [3, 7])
        for (record, interval) in zip(steps, [0..<4, 4..<8]) {
            let mean = losses[interval].reduce(0, +) / 4
            #expect(abs(record.values["loss"]! - mean) <= 1e-12 * mean)
        }
        #expect(steps[1].values["lr"] == Double(trainer.schedule!(7)))
    }

    @Test func resumingFromAMidEpochCheckpointEndsWithTheSameWeights() throws {
        try Threads.withCount(1) { try resumeEndsWithTheSameWeights() }
    }

    private func resumeEndsWithTheSameWeights() throws {
        let straight = makeTrainer()
        straight.logEvery = 4
        try straight.fit(loader(), epochs: 3)

        // A run "killed" after step 22 (batch 7 of epoch 2, half-way through a 4-step log
        // interval): its checkpoint then is all that survives.
        let path = temporaryPath("resume.safetensors")
        let killed = makeTrainer()
        killed.logEvery = 4
        killed.callbacks = [SnapshotAtStep(22, path: path)]
        try killed.fit(loader(), epochs: 2)
        let saved = try Checkpoint.read(path)
        #expect(saved.progress == TrainingProgress(step: 22, epoch: 1, batchInEpoch: 7))
        #expect(saved.losses.unloggedSteps == 2 && saved.losses.epochSamples == 7 * 16)   // steps 20 and 21 since the record at 19

        let resumed = makeTrainer()
        resumed.logEvery = 4
        try resumed.resume(from: saved, records: killed.records)
        try resumed.fit(loader(), epochs: 3)
        for (name, value) in straight.model.stateDict() {
            #expect(resumed.model.stateDict()[name]!.scalars == value.scalars, "\(name) differs after resuming")
        }
        // Record for record the same, wall-clock seconds aside.
        func withoutClock(_ records: [LogRecord]) -> [LogRecord] {
            records.map { var r = $0; r.values["seconds"] = nil; return r }
        }
        #expect(withoutClock(resumed.records) == withoutClock(straight.records))
        #expect(resumed.records.filter { $0.kind == "step" }.map(\.step) == Array(stride(from: 3, to: 45, by: 4)))
    }

    /// Batches drawn step by step from the trainer's data generator: a checkpoint stores its state
    /// as it stands, and resuming sets a fresh generator to it, so a checkpoint right after the
    /// resume, and the batches drawn next, are those of the run never stopped.
    @Test func aStepByStepDataGeneratorIsKeptAndRestored() throws {
        let data = clusters()
        func batch(_ generator: RandomGenerator) -> Batch {
            let rows = Tensor.randint([8], high: data.count, generator: generator)
            return Batch(inputs: data.inputs.indexSelect(axis: 0, indices: rows), targets: data.targets.indexSelect(axis: 0, indices: rows))
        }
        let trainer = makeTrainer(), drawn = RandomGenerator(seed: 5)
        trainer.dataGenerator = drawn
        for _ in 0..<3 { try trainer.step(batch(drawn)) }
        let saved = trainer.checkpoint()
        #expect(saved.dataRandomState == drawn.state && saved.dataRandomState != RandomGenerator(seed: 5).state)

        let resumed = makeTrainer(), fresh = RandomGenerator(seed: 5)
        resumed.dataGenerator = fresh
        try resumed.resume(from: saved)
        #expect(fresh.state == saved.dataRandomState && resumed.checkpoint().dataRandomState == saved.dataRandomState)
        try trainer.step(batch(drawn))
        try resumed.step(batch(fresh))
        #expect(resumed.checkpoint().dataRandomState == trainer.checkpoint().dataRandomState)
        for (name, value) in trainer.model.stateDict() { #expect(resumed.model.stateDict()[name]!.scalars == value.scalars, "\(name)") }
    }

    @Test func earlyStoppingEndsARunThatStopsImproving() throws {
        let trainer = makeTrainer()
        trainer.optimizer.learningRate = 0
        trainer.schedule = nil
        let stopper = EarlyStopping(monitor: "test_loss", patience: 2)
        trainer.callbacks = [stopper]
        try trainer.fit(loader(), epochs: 10, evaluatingOn: DataLoader(clusters(), batchSize: 100))
        // With a zero learning rate the loss never improves after the first epoch.
        #expect(trainer.progress.epoch == 3)
    }

    @Test func checkpointRoundTripsAndRejectsOtherFiles() throws {
        let trainer = makeTrainer()
        try trainer.fit(loader(), epochs: 1)
        let path = temporaryPath("round.safetensors")
        try trainer.checkpoint(settings: "linear").write(to: path)
        let back = try Checkpoint.read(path)
        #expect(back.progress == trainer.progress && back.settings == "linear")
        #expect(back.model["weight"]!.scalars == trainer.model.stateDict()["weight"]!.scalars)
        #expect(back.optimizer.keys.contains("state.weight.exp_avg"))
        let plain = temporaryPath("plain.safetensors")
        try Safetensors.write(["x": Tensor([1] as [Float])], to: plain)
        let error = #expect(throws: TensorFileError.self) { try Checkpoint.read(plain) }
        #expect(error?.reason.contains("not a Kiln checkpoint") == true)
    }
}
