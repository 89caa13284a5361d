import Foundation
@testable import KilnTrain
import KilnTestSupport
import Testing

/// What the trainer's step records carry: the gradient norm, annealed settings, and the running
/// accuracy shown in the progress line.
@Suite struct TrainerLogTests {
    func makeTrainer(logEvery: Int) -> Trainer {
        let trainer = Trainer(model: LinearModel(features: 2, classes: 3, seed: 7),
                              optimizer: AdamW(learningRate: 0.05, weightDecay: 0.01), loss: squaredError)
        trainer.showsProgress = false
        trainer.logEvery = logEvery
        return trainer
    }

    /// The global gradient norm of `batch` at the trainer's current weights.
    func gradientNorm(_ trainer: Trainer, _ batch: Batch) -> Double {
        valueAndGradient(of: trainer.model) { m in squaredError(m(batch.inputs), batch.targets) }.gradients.globalNorm
    }

    @Test func stepRecordsCarryTheMeanGradientNormOfTheirInterval() throws {
        let trainer = makeTrainer(logEvery: 4)
        var batches = DataLoader(clusters(), batchSize: 16, shuffle: true, generator: RandomGenerator(seed: 3)).epoch()
        var norms: [Double] = []
        for _ in 0..<8 {
            let batch = batches.next()!
            norms.append(gradientNorm(trainer, batch))
            try trainer.step(batch)
        }
        let records = trainer.records.filter { $0.kind == "step" }
        #expect(records.map(\.step) == [3, 7])
        for (record, interval) in zip(records, [0..<4, 4..<8]) {
            let mean = norms[interval].reduce(0, +) / 4
            expectClose(try #require(record.values["grad_norm"]), mean, relative: 1e-12, "step \(record.step)")
        }
        #expect(Set(norms).count == 8, "the norms differ from step to step, so the test can tell them apart")
    }

    @Test func refinedScheduleFromTheRunsOwnLogFollowsItsGradientNorms() throws {
        let path = temporaryPath("refined-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trainer = makeTrainer(logEvery: 5)
        trainer.log = try MetricsLog(path: path)
        try trainer.fit(DataLoader(clusters(), batchSize: 16, shuffle: true, generator: RandomGenerator(seed: 3)), epochs: 4)
        let records = trainer.records.filter { $0.kind == "step" }
        #expect(records.count == 12 && records.last?.step == 59)

        // Each record's mean norm stands for the five steps it sums up.
        let norms = (0..<60).map { step in records.first { $0.step >= step }!.values["grad_norm"]! }
        let refined = try ScheduleSpec.parse("refined:peak=0.01,file=\(path)")
        let expected = RefinedSchedule(peak: 0.01, gradientNorms: norms)
        for step in 0..<60 {
            expectClose(refined.value(at: step), expected.value(at: step), relative: 1e-12, "step \(step)")
        }
        // Not the linear decay that equal norms would give: the shape comes from this run.
        let linear = LinearDecay(peak: 0.01, steps: 59)
        #expect((0..<60).contains { abs(refined.value(at: $0) - linear.value(at: $0)) > 1e-4 })
    }

    @Test func annealedWeightDecayIsSetAndLoggedEveryStep() throws {
        let trainer = makeTrainer(logEvery: 1)
        let optimizer = try #require(trainer.optimizer as? AdamW)
        let decay = try ScheduleSpec.parse("linear:peak=0.1,steps=30")
        trainer.annealed = [AnnealedSetting("weight_decay", decay) { optimizer.weightDecay = $0 }]
        try trainer.fit(DataLoader(clusters(), batchSize: 16, shuffle: true, generator: RandomGenerator(seed: 3)), epochs: 2)
        let records = trainer.records.filter { $0.kind == "step" }
        #expect(records.count == 30)
        for record in records { #expect(record.values["weight_decay"] == decay(record.step)) }
        #expect(records[0].values["weight_decay"] == 0.1 && optimizer.weightDecay == decay(29))
    }

    @Test func correctPredictionsCountClassifierRowsAndSequencePositions() {
        // Row argmaxes 1, 0, 2 against labels 1, 0, 1.
        let logits = Tensor([0.1, 0.9, 0.2, 2, -1, 0, 0, 0, 5] as [Float], shape: [3, 3])
        #expect(Trainer.correctPredictions(logits, Tensor([1, 0, 1])).map { [$0.correct, $0.total] } == [2, 3])
        // The same scores as one sequence of 3 positions over a vocabulary of 3, and with the middle position masked out.
        let sequence = logits.reshaped([1, 3, 3]), tokens = Tensor([1, 0, 1], shape: [1, 3])
        #expect(Trainer.correctPredictions(sequence, tokens).map { [$0.correct, $0.total] } == [2, 3])
        let mask = Tensor([1, 0, 1] as [Float], shape: [1, 3])
        #expect(Trainer.correctPredictions(sequence, tokens, mask: mask).map { [$0.correct, $0.total] } == [1, 2])
        #expect(Trainer.correctPredictions(logits, Tensor([1, 0] as [Int])) == nil)
        #expect(Trainer.correctPredictions(Tensor([1, 2] as [Float]), Tensor([1, 0])) == nil)
        #expect(Trainer.correctPredictions(logits, Tensor([1, 0, 1] as [Float])) == nil)
        // Classes along axis 1 ([N, C, L] against [N, L]) are not read as the last axis.
        #expect(Trainer.correctPredictions(Tensor(zeros: [2, 3, 4]), Tensor([Int](repeating: 0, count: 8), shape: [2, 4])) == nil)
    }
}

@Suite struct AnnealedSettingsTests {
    @Test func settingsAnnealWeightDecayAndLabelSmoothingIntoTheLog() throws {
        let out = temporaryPath("run-annealed-\(UUID())")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let all = clusters()
        var settings = TrainingRunTests().settings(out: out)
        settings.weightDecay = 0.2
        settings.labelSmoothing = 0.3
        settings.weightDecaySchedule = try ScheduleChoice("linear")
        settings.labelSmoothingSchedule = try ScheduleChoice("constant:peak=0.05")
        settings.logEvery = 2
        settings.name = "annealed"
        let run = try TrainingRun(model: TinyNet(seed: 1), train: all, test: all, settings: settings)
        run.showsProgress = false
        let summary = try run.run()
        let steps = summary.records.filter { $0.kind == "step" }
        #expect(steps.count == 8, "2 epochs of 8 batches, one record every 2 steps")
        // `linear` sized to the run: from the weight decay down to 0 over its 16 steps.
        for record in steps {
            expectClose(try #require(record.values["weight_decay"]), 0.2 * (1 - Double(record.step) / 16), relative: 1e-12)
            #expect(record.values["label_smoothing"] == 0.05)
            #expect(try #require(record.values["grad_norm"]) > 0)
        }
        // The stored settings carry the schedules, so a resume must keep them.
        let stored = try StoredSettings(checkpoint: Checkpoint.read(run.folder.checkpoint), at: run.folder.checkpoint)
        #expect(stored.settings.weightDecaySchedule == settings.weightDecaySchedule && stored.settings.logEvery == 2)
    }

    @Test func aScheduleThatLeavesTheSettingsRangeIsAnError() throws {
        var settings = TrainSettings()
        settings.epochs = 1
        settings.batchSize = 60
        settings.labelSmoothingSchedule = try ScheduleChoice("constant:peak=1.5")
        settings.out = temporaryPath("run-annealed-bad-\(UUID())")
        settings.name = "bad"
        defer { try? FileManager.default.removeItem(atPath: settings.out) }
        let run = try TrainingRun(model: TinyNet(seed: 1), train: clusters(), test: clusters(), settings: settings)
        run.showsProgress = false
        let error = #expect(throws: RunError.self) { try run.run() }
        #expect(error?.description == "label_smoothing_schedule gives 1.5 at step 0, outside [0.0, 0.999999]")
    }
}

@Suite struct TrainerOptionsTests {
    func trainer() -> Trainer {
        let trainer = Trainer(model: LinearModel(features: 2, classes: 3, seed: 7),
                              optimizer: SGD(learningRate: 0.1), loss: squaredError)
        trainer.showsProgress = false
        trainer.logEvery = 1
        return trainer
    }

    func firstBatch() -> Batch {
        var batches = DataLoader(clusters(), batchSize: 16).epoch()
        return batches.next()!
    }

    @Test func clippingBoundsTheUpdateAndLogsTheNormBeforeIt() throws {
        let clipped = trainer(), plain = trainer()
        clipped.maxGradientNorm = 1e-3
        let before = clipped.model.stateDict()["weight"]!.scalars
        try clipped.step(firstBatch())
        try plain.step(firstBatch())
        let after = clipped.model.stateDict()["weight"]!.scalars, bias = clipped.model.stateDict()["bias"]!.scalars
        // SGD moves the weights by lr × the clipped gradient, whose global norm is at most 1e-3.
        let moved = zip(after, before).map { Double($0 - $1) } + bias.map(Double.init)
        let norm = moved.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(abs(norm - 0.1 * 1e-3) <= 1e-3 * 0.1 * 1e-3, "float32 weights round each move by about 1e-8")
        #expect(clipped.records[0].values["grad_norm"] == plain.records[0].values["grad_norm"])
        #expect(clipped.records[0].values["grad_norm"]! > 1e-2, "the clip was active")
    }

    @Test func anObjectiveSeesTheModelAndAHookSeesTheGradients() throws {
        let trainer = trainer()
        // An L2 penalty on the weights added to the loss, through the model itself.
        trainer.objective = { model, batch in
            let weight = (model as! LinearModel).weight
            return squaredError(model(batch.inputs), batch.targets) + 0.5 * (weight * weight).sum()
        }
        var seen: [String] = []
        trainer.beforeUpdate = { _, gradients in seen = gradients.byName.keys.sorted() }
        let batch = firstBatch()
        let withoutPenalty = valueAndGradient(of: trainer.model) { m in squaredError(m(batch.inputs), batch.targets) }
        let weight = trainer.model.stateDict()["weight"]!
        let loss = try trainer.step(batch)
        expectClose(loss, Double(withoutPenalty.value.item) + 0.5 * Double((weight * weight).sum().item), relative: 1e-6)
        #expect(seen == ["bias", "weight"])
    }
}
