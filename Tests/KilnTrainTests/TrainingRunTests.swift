import Foundation
import KilnTrain
import Testing

/// A small classifier defined here, not one of the reference models: 2 → 16 → tanh → 3.
final class TinyNet: Module {
    let hidden: Linear
    let output: Linear

    init(seed: UInt64) {
        let generator = RandomGenerator(seed: seed)
        hidden = Linear(2, 16, generator: generator)
        output = Linear(16, 3, generator: generator)
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { output(hidden(x).tanh()) }
}

@Suite struct TrainingRunTests {
    /// The clusters split 180 / 60, as tensors in memory.
    func data() -> (train: TensorDataset, test: TensorDataset) {
        let all = clusters()
        return (TensorDataset(inputs: all.inputs[0..<180], targets: all.targets[0..<180]),
                TensorDataset(inputs: all.inputs[180..<240], targets: all.targets[180..<240]))
    }

    func settings(out: String) -> TrainSettings {
        var s = TrainSettings()
        s.epochs = 2
        s.batchSize = 30
        s.lr = 0.05
        s.labelSmoothing = 0
        s.seed = 3
        s.out = out
        s.name = "tiny"
        return s
    }

    /// The figures as bit patterns, so that equality means bit for bit.
    func bits(_ figures: [String: Double]) -> [String: UInt64] { figures.mapValues(\.bitPattern) }

    @Test func aCustomModelTrainsAndItsCheckpointRestoresToTheSameMetrics() throws {
        let out = temporaryPath("run-custom")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (train, test) = data()
        let run = try TrainingRun(model: TinyNet(seed: 1), train: train, test: test, settings: settings(out: out))
        run.showsProgress = false
        let summary = try run.run()
        #expect(summary.epochs.count == 2 && summary.parameters == 2 * 16 + 16 + 16 * 3 + 3)
        for file in [run.folder.checkpoint, run.folder.log, run.folder.report] { #expect(FileManager.default.fileExists(atPath: file)) }
        let figures = run.evaluate()
        #expect(figures["accuracy"]! > 0.9)
        #expect(figures["accuracy"] == summary.test["test_accuracy"] && figures["loss"] == summary.test["test_loss"])

        // A freshly made instance with other weights gets the checkpoint's and evaluates identically.
        let fresh = TinyNet(seed: 99)
        let restored = try TrainingRun.restore(checkpoint: run.folder.checkpoint, into: fresh, train: train, test: test)
        #expect(bits(restored.evaluate()) == bits(figures))
        #expect(restored.settings.seed == 3 && restored.model === fresh)

        // And so does a fresh process: this test binary, running only the test below.
        let outcome = try restoreInChildProcess(checkpoint: run.folder.checkpoint, result: out + "/child.json")
        #expect(outcome == bits(figures))

        // The built-in path knows the checkpoint is not one of its models.
        let builtIn = #expect(throws: RunError.self) { try TrainingRun.restore(checkpoint: run.folder.checkpoint) }
        #expect(builtIn?.description.hasSuffix("holds a model defined in Swift code; restore it in that code with "
                                               + "TrainingRun.restore(checkpoint:into:train:test:)") == true)
    }

    /// Runs ``restoresTheCheckpointNamedByTheParentProcess()`` alone in a new process of this test
    /// binary and returns the figures it wrote.
    func restoreInChildProcess(checkpoint: String, result: String) throws -> [String: UInt64] {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "restoresTheCheckpointNamedByTheParentProcess"]
        var environment = ProcessInfo.processInfo.environment
        environment["KILN_TEST_RESTORE_CHECKPOINT"] = checkpoint
        environment["KILN_TEST_RESTORE_RESULT"] = result
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: result))
        return try JSONDecoder().decode([String: UInt64].self, from: data)
    }

    /// In the child process of the test above: restores the checkpoint into a new ``TinyNet`` and
    /// writes its figures' bit patterns. Does nothing when run by itself.
    @Test func restoresTheCheckpointNamedByTheParentProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let checkpoint = environment["KILN_TEST_RESTORE_CHECKPOINT"], let result = environment["KILN_TEST_RESTORE_RESULT"] else { return }
        let (train, test) = data()
        let figures = try TrainingRun.restore(checkpoint: checkpoint, into: TinyNet(seed: 7), train: train, test: test).evaluate()
        try JSONEncoder().encode(bits(figures)).write(to: URL(fileURLWithPath: result))
    }

    @Test func aCustomRunResumedAfterOneEpochEndsAsTheUninterruptedRun() throws {
        let out = temporaryPath("run-resume")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (train, test) = data()
        var whole = settings(out: out)
        whole.name = "whole"
        // A spec, not a schedule sized to the run, so that the one-epoch run anneals as the two-epoch one.
        whole.schedule = try ScheduleChoice("cosine:peak=0.05,steps=12")
        var split = whole
        split.name = "split"
        split.epochs = 1
        for s in [whole, split] {
            let run = try TrainingRun(model: TinyNet(seed: 1), train: train, test: test, settings: s)
            run.showsProgress = false
            run.checkpointEvery = 4
            _ = try run.run()
        }
        let finished = #expect(throws: RunError.self) { try TrainingRun.resume(out: out, name: "split", model: TinyNet(seed: 2), train: train, test: test) }
        #expect(finished?.description.hasSuffix("resume with --epochs larger than 1") == true)
        let resumed = try TrainingRun.resume(out: out, name: "split", model: TinyNet(seed: 2), train: train, test: test) { $0.epochs = 2 }
        resumed.showsProgress = false
        let summary = try resumed.run()
        #expect(summary.epochs.map(\.epoch) == [1, 2])
        let a = try Checkpoint.read(out + "/whole/checkpoint.safetensors"), b = try Checkpoint.read(out + "/split/checkpoint.safetensors")
        #expect(a.progress == b.progress && a.model.keys.sorted() == b.model.keys.sorted())
        for (name, tensor) in a.model { #expect(tensor.scalars == b.model[name]?.scalars) }
        // The log too, record for record (epoch times aside).
        func withoutTimes(_ path: String) throws -> [LogRecord] {
            try RunLog(contentsOf: path).records.map { LogRecord(kind: $0.kind, step: $0.step, epoch: $0.epoch, values: $0.values.filter { $0.key != "seconds" }) }
        }
        #expect(try withoutTimes(out + "/whole/metrics.jsonl") == withoutTimes(out + "/split/metrics.jsonl"))
        // Without the model, the built-in path says how to resume it.
        #expect(throws: RunError.self) { try TrainingRun.resume(out: out, name: "split") { $0.epochs = 3 } }
    }

    @Test func aNewRunRefusesAnExistingFolderAndBadSettings() throws {
        let out = temporaryPath("run-refusals")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (train, test) = data()
        try FileManager.default.createDirectory(atPath: out + "/tiny", withIntermediateDirectories: true)
        let existing = #expect(throws: RunError.self) { try TrainingRun(model: TinyNet(seed: 1), train: train, test: test, settings: settings(out: out)) }
        #expect(existing?.description.hasPrefix("run folder \(out)/tiny already exists") == true)
        var bad = settings(out: out)
        bad.name = "fresh"
        bad.batchSize = 500
        let tooLarge = #expect(throws: RunError.self) { try TrainingRun(model: TinyNet(seed: 1), train: train, test: test, settings: bad) }
        #expect(tooLarge?.description == "batch size 500 is larger than the 180 training examples of the given data")
        bad.batchSize = 30
        bad.schedule = try ScheduleChoice("cosine:peak=1")
        #expect(throws: ScheduleSpecError.self) { try TrainingRun(model: TinyNet(seed: 1), train: train, test: test, settings: bad) }
        let floats = TensorDataset(inputs: train.inputs, targets: Tensor(zeros: [180]))
        let labels = #expect(throws: RunError.self) { try RunData(train: floats, test: test) }
        #expect(labels?.description == "the given data: training targets must be class labels [count] of int64, got float32 [180]")
    }
}
