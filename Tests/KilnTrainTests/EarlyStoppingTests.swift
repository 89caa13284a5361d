import Foundation
import KilnData
import KilnTestSupport
@testable import KilnTrain
import Testing

/// Rows of two classes that one feature only weakly predicts (`yes` with probability
/// `sigmoid(x)`), among four noise features: a model that fits the training rows well soon
/// fits their noise, and its validation loss rises.
func noisyLabelCSV(rows: Int, seed: UInt64) -> String {
    let draws = Draws(seed: seed)
    var text = "x,n1,n2,n3,n4,answer\n"
    for _ in 0..<rows {
        let x = draws.normal()
        let label = draws.uniform() < 1 / (1 + exp(-x)) ? "yes" : "no"
        text += ([x] + (0..<4).map { _ in draws.normal() }).map { String(format: "%.6f", $0) }.joined(separator: ",") + ",\(label)\n"
    }
    return text
}

@Suite(.serialized) struct EarlyStoppingTests {
    func settings(train: String, test: String, out: String, epochs: Int) -> TrainSettings {
        var s = TrainSettings()
        s.model = .mlp
        s.epochs = epochs
        s.batchSize = 16
        s.lr = 3e-4
        s.schedule = ScheduleChoice(.constant)   // so that a shorter run passes through the same weights
        s.threads = 1
        s.out = out
        s.data = .init(path: train, labelColumn: "answer", testPath: test, validationFraction: 0.25)
        return s
    }

    /// The run folder and the training and test files (noisy labels, seeds 5 and 6) of the test called `name`.
    func noisyRunFiles(_ name: String, trainRows: Int = 240, testRows: Int = 100) throws -> (out: String, train: String, test: String) {
        let files = (temporaryPath(name + "-runs"), temporaryPath(name + "-train.csv"), temporaryPath(name + "-test.csv"))
        try noisyLabelCSV(rows: trainRows, seed: 5).write(toFile: files.1, atomically: true, encoding: .utf8)
        try noisyLabelCSV(rows: testRows, seed: 6).write(toFile: files.2, atomically: true, encoding: .utf8)
        return files
    }

    @Test func theRunEndsWithTheWeightsOfItsLowestValidationLossExactly() throws {
        let (out, train, test) = try noisyRunFiles("early")
        defer { for path in [out, train, test] { try? FileManager.default.removeItem(atPath: path) } }

        var s = settings(train: train, test: test, out: out, epochs: 40)
        s.name = "stopped"
        s.earlyStoppingPatience = 3
        let run = try TrainingRun(settings: s)
        run.showsProgress = false
        let summary = try run.run()

        // Each epoch record holds the validation loss and accuracy; the loss is lowest at epoch k and
        // rises for the `patience` epochs after it, where training stops.
        let losses = summary.epochs.map { $0.values["val_loss"]! }
        #expect(summary.epochs.allSatisfy { $0.values["val_accuracy"] != nil })
        let k = losses.indices.min { losses[$0] < losses[$1] }! + 1
        print("validation losses \(losses.map { String(format: "%.4f", $0) }), lowest at epoch \(k)")
        #expect(k >= 2 && losses.count == k + 3)
        #expect(losses[k...].allSatisfy { $0 > losses[k - 1] })
        #expect(summary.weightsEpoch == k)
        // The final figures are those of epoch k's weights, as its own record measured them.
        #expect(summary.test["test_loss"] == summary.epochs[k - 1].values["test_loss"])
        #expect(summary.test["test_accuracy"] == summary.epochs[k - 1].values["test_accuracy"])

        // A run of k epochs without early stopping reaches the same weights.
        var short = settings(train: train, test: test, out: out, epochs: k)
        short.name = "short"
        let reference = try TrainingRun(settings: short)
        reference.showsProgress = false
        let shortSummary = try reference.run()
        #expect(shortSummary.weightsEpoch == k)
        let stored = try Checkpoint.read(run.folder.checkpoint), expected = try Checkpoint.read(reference.folder.checkpoint)
        #expect(stored.progress.epoch == k + 3 && stored.best?.epoch == k)
        #expect(Set(stored.model.keys) == Set(expected.model.keys))
        for (name, weights) in expected.model {
            #expect(stored.model[name]?.scalars == weights.scalars, "\(name)")
            #expect(stored.best?.model[name]?.scalars == weights.scalars, "best \(name)")
        }

        // The report shows the validation curve and says where the weights came from.
        let report = try String(contentsOfFile: run.folder.report, encoding: .utf8)
        #expect(report.contains("validation loss (per epoch)") && report.contains("validation accuracy"))
        #expect(report.contains("<th>weights</th><td>epoch \(k) of \(k + 3), restored for its lowest validation loss "
                                + String(format: "%.4f", losses[k - 1]) + "</td>"))

        // The checkpoint evaluates the labelled test file to the run's final figures, through the stored encoding.
        let evaluated = try TrainingRun.restoreForPrediction(checkpoint: run.folder.checkpoint).evaluate(csv: test)
        expectClose(evaluated["loss"]!, summary.test["test_loss"]!, relative: 1e-6, "test loss from the CSV file")
        #expect(evaluated["accuracy"] == summary.test["test_accuracy"])
    }

    @Test func aRunInterruptedAfterItsBestEpochEndsAsTheUninterruptedRun() throws {
        let (out, train, test) = try noisyRunFiles("early-resume")
        defer { for path in [out, train, test] { try? FileManager.default.removeItem(atPath: path) } }
        func run(_ name: String, epochs: Int, restoring: Bool = true) throws -> RunSummary {
            var s = settings(train: train, test: test, out: out, epochs: epochs)
            s.name = name
            s.earlyStoppingPatience = 3
            s.restoreBestWeights = restoring
            let run = try TrainingRun(settings: s)
            run.showsProgress = false
            return try run.run()
        }
        let whole = try run("whole", epochs: 40)
        let k = whole.weightsEpoch
        try #require(whole.epochs.count == k + 3)
        // The state of a run killed just after its checkpoint of epoch k + 1: the log so far, the
        // last weights, and the best (epoch k's) kept beside them.
        _ = try run("cut", epochs: k + 1)
        let last = try Checkpoint.read(out + "/" + (try run("last", epochs: k + 1, restoring: false)).folder.name + "/checkpoint.safetensors")
        var cut = try Checkpoint.read(out + "/cut/checkpoint.safetensors")
        #expect(cut.best?.epoch == k)
        cut.model = last.model
        try cut.write(to: out + "/cut/checkpoint.safetensors")

        let resumed = try TrainingRun.resume(out: out, name: "cut") { $0.epochs = 40 }
        resumed.showsProgress = false
        let summary = try resumed.run()
        #expect(summary.weightsEpoch == k && summary.test == whole.test)
        let a = try Checkpoint.read(out + "/whole/checkpoint.safetensors"), b = try Checkpoint.read(out + "/cut/checkpoint.safetensors")
        #expect(a.progress == b.progress && a.model.keys.sorted() == b.model.keys.sorted())
        for (name, tensor) in a.model { #expect(tensor.scalars == b.model[name]?.scalars, "\(name)") }
        func withoutTimes(_ path: String) throws -> [LogRecord] {
            try RunLog(contentsOf: path).records.map { LogRecord(kind: $0.kind, step: $0.step, epoch: $0.epoch, values: $0.values.filter { $0.key != "seconds" }) }
        }
        #expect(try withoutTimes(out + "/whole/metrics.jsonl") == withoutTimes(out + "/cut/metrics.jsonl"))
    }

    @Test func keepingTheLastWeightsIsASetting() throws {
        let (out, train, test) = try noisyRunFiles("early-last")
        defer { for path in [out, train, test] { try? FileManager.default.removeItem(atPath: path) } }
        var s = settings(train: train, test: test, out: out, epochs: 40)
        s.name = "last"
        s.earlyStoppingPatience = 3
        s.restoreBestWeights = false
        let run = try TrainingRun(settings: s)
        run.showsProgress = false
        let summary = try run.run()
        let last = summary.epochs.count
        #expect(summary.weightsEpoch == last && summary.test["test_loss"] == summary.epochs.last?.values["test_loss"])
        #expect(try Checkpoint.read(run.folder.checkpoint).best == nil)
        #expect(try String(contentsOfFile: run.folder.report, encoding: .utf8).contains("<th>weights</th><td>epoch \(last), the last (epoch "))
    }

    @Test func theSplitIsWatchedWithoutEarlyStoppingAndAForeignHeaderIsOneLine() throws {
        let (out, train, test) = try noisyRunFiles("early-header", trainRows: 60, testRows: 20)
        let other = temporaryPath("early-header-other.csv")
        defer { for path in [out, train, test, other] { try? FileManager.default.removeItem(atPath: path) } }
        var s = settings(train: train, test: test, out: out, epochs: 1)
        s.name = "header"
        let run = try TrainingRun(settings: s)
        run.showsProgress = false
        let summary = try run.run()
        // Without early stopping, the validation split is still watched, and nothing is restored.
        #expect(summary.epochs.count == 1 && summary.epochs[0].values["val_loss"] != nil && summary.epochs[0].values["val_accuracy"] != nil)
        let stored = try Checkpoint.read(run.folder.checkpoint)
        #expect(summary.weightsEpoch == 1 && stored.best == nil)
        let report = try String(contentsOfFile: run.folder.report, encoding: .utf8)
        #expect(report.contains("validation loss (per epoch)") && !report.contains("<th>weights</th>"))
        try "x,n1,n3,n4,label\n1,2,3,4,yes\n".write(toFile: other, atomically: true, encoding: .utf8)
        let restored = try TrainingRun.restoreForPrediction(checkpoint: run.folder.checkpoint)
        let error = #expect(throws: DataError.self) { try restored.evaluate(csv: other) }
        #expect(error?.description == "\(other): the header lacks 'n2', 'answer' of the model's columns: 'x', 'n1', 'n2', 'n3', 'n4' "
                + "and the label 'answer'")
        try "x,n1,n2,n3,n4,answer\n1,2,3,4,5,maybe\n".write(toFile: other, atomically: true, encoding: .utf8)
        let unknown = #expect(throws: DataError.self) { try restored.evaluate(csv: other) }
        #expect(unknown?.description == "\(other): line 2 column 'answer': label 'maybe' is none of the 2 training classes")
    }

    @Test func aResumedRunCountsOnFromItsLogAndKeepsTheCheckpointsBestWeights() throws {
        let model = Linear(1, 1)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0), loss: { mseLoss($0, $1) })
        let records = [0.5, 0.4, 0.45, 0.47].enumerated().map { e, loss in
            LogRecord(kind: "epoch", step: 10 * (e + 1), epoch: e + 1, values: ["val_loss": loss])
        }
        let kept = model.stateDict()
        func stopping(patience: Int) -> ValidationMonitor {
            ValidationMonitor(validation: TensorDataset(inputs: Tensor([1], shape: [1, 1]), targets: Tensor([Float(1)])),
                               loss: { mseLoss($0, $1) }, metrics: [], patience: patience, keepsBest: true)
        }
        let patient = stopping(patience: 3)
        patient.resume(trainer, records: records, checkpointBest: (2, kept))
        #expect(patient.best?.epoch == 2 && patient.best?.loss == 0.4 && patient.epochsWithoutImprovement == 2 && patient.lastLoss == 0.47)
        #expect(patient.checkpointBest?.model.keys.sorted() == kept.keys.sorted() && !trainer.shouldStop)
        // Weights of another epoch than the log's best are not taken for it.
        let mismatched = stopping(patience: 3)
        mismatched.resume(trainer, records: records, checkpointBest: (3, kept))
        #expect(mismatched.best?.epoch == 2 && mismatched.checkpointBest == nil)
        // A run that had run out of patience at an epoch's end stops there again.
        stopping(patience: 2).resume(trainer, records: records, checkpointBest: (2, kept))
        #expect(trainer.shouldStop)
    }

    @Test func checkpointsKeepTheBestWeightsAndTheirEpoch() throws {
        let path = temporaryPath("best.safetensors")
        defer { unlink(path) }
        var checkpoint = Checkpoint(model: ["w": Tensor([Float(1), 2], shape: [2])], optimizer: [:], progress: TrainingProgress(step: 8, epoch: 4),
                                    dataRandomState: RandomState(seed: 1), modelRandomState: RandomState(seed: 2))
        try checkpoint.write(to: path)
        #expect(try Checkpoint.read(path).best == nil)
        checkpoint.best = (2, ["w": Tensor([Float(3), 4], shape: [2])])
        try checkpoint.write(to: path)
        let read = try Checkpoint.read(path)
        #expect(read.best?.epoch == 2 && read.best?.model["w"]?.scalars == [3, 4] && read.model["w"]?.scalars == [1, 2])
        checkpoint.best = (2, ["w": Tensor([Float(3), .nan], shape: [2])])
        #expect(checkpoint.firstNonFiniteTensor == "best_model.w")
    }
}
