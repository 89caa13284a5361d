import Foundation
import KilnTestSupport
import KilnTrain
import Testing

@Suite(.serialized) struct AccumulationTests {
    func makeTrainer(_ optimizer: any Optimizer, accumulating steps: Int, totalSteps: Int) -> Trainer {
        let trainer = Trainer(model: LinearModel(features: 2, classes: 3, seed: 7), optimizer: optimizer, loss: squaredError)
        trainer.schedule = AnySchedule(CosineAnnealing(peak: optimizer.learningRate, floor: 0, steps: totalSteps))
        trainer.accumulationSteps = steps
        trainer.showsProgress = false
        trainer.logEvery = 1
        return trainer
    }

    func loader(batchSize: Int) -> DataLoader<TensorDataset> {
        DataLoader(clusters(), batchSize: batchSize, shuffle: true, generator: RandomGenerator(seed: 3))
    }

    /// SGD moves the weights by the learning rate times the gradient, so a sum where a mean is due
    /// (or a mean of unequal batches weighted equally) would show as once-too-large steps.
    @Test func fourBatchesOfEightStepAsOneBatchOfThirtyTwo() throws {
        // 240 examples: 7 steps of 32 and a last one of 16 (two batches of 8) each epoch.
        let accumulated = makeTrainer(SGD(learningRate: 0.2, momentum: 0.9), accumulating: 4, totalSteps: 16)
        let whole = makeTrainer(SGD(learningRate: 0.2, momentum: 0.9), accumulating: 1, totalSteps: 16)
        try accumulated.fit(loader(batchSize: 8), epochs: 2)
        try whole.fit(loader(batchSize: 32), epochs: 2)
        #expect(accumulated.progress == TrainingProgress(step: 16, epoch: 2, batchInEpoch: 0))
        for (name, value) in whole.model.stateDict() {
            expectClose(accumulated.model.stateDict()[name]!.scalars, value.scalars, relative: 1e-6, absolute: 1e-7)
        }
        // Each step record holds the loss of the step's 32 (or 16) examples, at the rate of that step.
        let mine = accumulated.records.filter { $0.kind == "step" }, theirs = whole.records.filter { $0.kind == "step" }
        #expect(mine.map(\.step) == Array(0..<16) && mine.map { $0.values["lr"] } == theirs.map { $0.values["lr"] })
        for (a, b) in zip(mine, theirs) {
            expectClose(a.values["loss"]!, b.values["loss"]!, relative: 1e-6, "loss of step \(a.step)")
            expectClose(a.values["grad_norm"]!, b.values["grad_norm"]!, relative: 1e-5, "gradient norm of step \(a.step)")
        }
        let epochLosses = { (t: Trainer) in t.records.filter { $0.kind == "epoch" }.map { $0.values["train_loss"]! } }
        for (a, b) in zip(epochLosses(accumulated), epochLosses(whole)) { expectClose(a, b, relative: 1e-6, "epoch loss") }
    }

    @Test func aLastPartialGroupStepsOnTheMeanOfItsBatches() throws {
        // 30 batches of 8 in groups of 4: the eighth step averages batches 29 and 30 alone, as a batch of 16 would.
        let accumulated = makeTrainer(SGD(learningRate: 0.2), accumulating: 4, totalSteps: 8)
        var reference = loader(batchSize: 8).epoch()
        try accumulated.fit(loader(batchSize: 8), epochs: 1)
        let plain = makeTrainer(SGD(learningRate: 0.2), accumulating: 1, totalSteps: 8)
        var batches: [Batch] = []
        while let batch = reference.next() { batches.append(batch) }
        for start in stride(from: 0, to: 30, by: 4) {
            let group = batches[start..<min(start + 4, 30)]
            try plain.step(Batch(inputs: Tensor.concatenate(group.map(\.inputs), axis: 0),
                                 targets: Tensor.concatenate(group.map(\.targets), axis: 0)))
        }
        #expect(accumulated.progress.step == 8 && plain.progress.step == 8)
        for (name, value) in plain.model.stateDict() {
            expectClose(accumulated.model.stateDict()[name]!.scalars, value.scalars, relative: 1e-6, absolute: 1e-7)
        }
    }

    @Test func aCheckpointBetweenAccumulatedStepsResumesExactly() throws {
        try Threads.withCount(1) {
            let straight = makeTrainer(AdamW(learningRate: 0.05, weightDecay: 0.01), accumulating: 4, totalSteps: 24)
            straight.logEvery = 3
            try straight.fit(loader(batchSize: 8), epochs: 3)

            // Killed after step 10: two steps (8 batches) into the second epoch, mid log interval.
            let path = temporaryPath("accumulated.safetensors")
            defer { unlink(path) }
            let killed = makeTrainer(AdamW(learningRate: 0.05, weightDecay: 0.01), accumulating: 4, totalSteps: 24)
            killed.logEvery = 3
            killed.callbacks = [SnapshotAtStep(10, path: path)]
            try killed.fit(loader(batchSize: 8), epochs: 2)
            let saved = try Checkpoint.read(path)
            #expect(saved.progress == TrainingProgress(step: 10, epoch: 1, batchInEpoch: 8))

            let resumed = makeTrainer(AdamW(learningRate: 0.05, weightDecay: 0.01), accumulating: 4, totalSteps: 24)
            resumed.logEvery = 3
            try resumed.resume(from: saved, records: killed.records)
            try resumed.fit(loader(batchSize: 8), epochs: 3)
            for (name, value) in straight.model.stateDict() {
                #expect(resumed.model.stateDict()[name]!.scalars == value.scalars, "\(name) differs after resuming")
            }
            func withoutClock(_ records: [LogRecord]) -> [LogRecord] { records.map { var r = $0; r.values["seconds"] = nil; return r } }
            #expect(withoutClock(resumed.records) == withoutClock(straight.records))
            #expect(straight.records.filter { $0.kind == "step" }.map(\.step) == Array(stride(from: 2, to: 24, by: 3)))
        }
    }

    @Test func checkpointsAreWrittenBetweenStepsOnly() async throws {
        let exit = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let trainer = Trainer(model: LinearModel(features: 2, classes: 3, seed: 7), optimizer: SGD(learningRate: 0.1), loss: squaredError)
            trainer.accumulationSteps = 2
            var batches = DataLoader(clusters(), batchSize: 8).epoch()
            try trainer.step(batches.next()!)
            _ = trainer.checkpoint()
        }
        let message = String(decoding: exit?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Trainer.checkpoint: 1 of 2 batches of a step are pending; checkpoint between optimizer steps"))
    }

    @Test func aSkippedBatchIsLeftOutOfItsStep() throws {
        // The third batch's loss is NaN: the first step averages batches 1, 2 and 4 only.
        var calls = 0
        let poisoned = { (logits: Tensor, labels: Tensor) -> Tensor in
            defer { calls += 1 }
            return calls == 2 ? squaredError(logits, labels) * Float.nan : squaredError(logits, labels)
        }
        let trainer = Trainer(model: LinearModel(features: 2, classes: 3, seed: 7), optimizer: SGD(learningRate: 0.2), loss: poisoned)
        trainer.showsProgress = false
        trainer.accumulationSteps = 4
        trainer.onNonFinite = .skip
        var batches = DataLoader(clusters(), batchSize: 8).epoch()
        let four = (0..<4).map { _ in batches.next()! }
        for batch in four { try trainer.step(batch) }
        let plain = Trainer(model: LinearModel(features: 2, classes: 3, seed: 7), optimizer: SGD(learningRate: 0.2), loss: squaredError)
        let kept = [four[0], four[1], four[3]]
        try plain.step(Batch(inputs: Tensor.concatenate(kept.map(\.inputs), axis: 0), targets: Tensor.concatenate(kept.map(\.targets), axis: 0)))
        #expect(trainer.progress.step == 1 && trainer.skippedSteps == 1)
        for (name, value) in plain.model.stateDict() {
            expectClose(trainer.model.stateDict()[name]!.scalars, value.scalars, relative: 1e-6, absolute: 1e-7)
        }
        // At the end of the data, a group of one batch steps on its own gradient.
        let fifth = batches.next()!
        try trainer.step(fifth)
        try plain.step(fifth)
        #expect(trainer.progress.step == 1)
        #expect(try trainer.finishAccumulatedStep() && !(try trainer.finishAccumulatedStep()))
        #expect(trainer.progress.step == 2)
        for (name, value) in plain.model.stateDict() {
            expectClose(trainer.model.stateDict()[name]!.scalars, value.scalars, relative: 1e-6, absolute: 1e-7)
        }
    }
}
