import Foundation
import KilnTestSupport
@testable import KilnTrain
import Testing

/// The 30-step tiny run, trained once for the tests that read it.
private let uninterrupted: Result<(run: LanguageModelRun, summary: LanguageModelSummary), Error> = Result {
    let run = try tinyLanguageModelRun(try tinyLanguageModelSettings("uninterrupted"), name: "uninterrupted")
    run.checkpointEvery = 1000
    return (run, try run.run())
}

@Suite struct LanguageModelRunTests {
    @Test func tinyRunLearnsTheCorpus() throws {
        let (run, summary) = try uninterrupted.get()
        #expect(summary.steps == 30)
        let curve = summary.validationCurve
        #expect(curve.map(\.steps) == [15, 30])
        // Uniform guessing over the 29 characters costs ln 29 ≈ 3.37 nats; the repeated sentences are far more predictable.
        #expect(run.languageModel.vocabulary.count == 29)
        #expect(curve[0].loss < log(29.0) - 0.5)
        #expect(curve[1].loss < curve[0].loss)
        let trainLosses = summary.records.filter { $0.kind == "step" }.compactMap { $0.values["loss"] }
        #expect(trainLosses.count == 6)
        #expect(trainLosses.last! < trainLosses.first! - 0.5)
        for file in ["checkpoint.safetensors", "vocabulary.json", "metrics.jsonl", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: run.folder.path + "/" + file), "\(file) missing")
        }
    }

    @Test func resumedRunEqualsTheUninterruptedOneBitForBit() throws {
        let (whole, summary) = try uninterrupted.get()
        let settings = try tinyLanguageModelSettings("interrupted")
        let first = try tinyLanguageModelRun(settings, name: "interrupted")
        _ = try first.run(stoppingAfter: 12)
        let resumed = try LanguageModelRun.resume(out: (first.folder.path as NSString).deletingLastPathComponent, name: "run", threads: 1)
        resumed.showsProgress = false
        let finished = try resumed.run()
        #expect(finished.steps == 30)

        let a = try Checkpoint.read(whole.folder.checkpoint), b = try Checkpoint.read(resumed.folder.checkpoint)
        #expect(a.model.keys.sorted() == b.model.keys.sorted())
        #expect(a.optimizer.keys.sorted() == b.optimizer.keys.sorted())
        for (name, tensor) in a.model { #expect(bits(tensor) == b.model[name].map(bits), "\(name) differs") }
        for (name, tensor) in a.optimizer { #expect(bits(tensor) == b.optimizer[name].map(bits), "optimizer \(name) differs") }
        #expect(a.dataRandomState == b.dataRandomState)
        func figures(_ records: [LogRecord]) -> [LogRecord] { records.filter { $0.kind == "step" || $0.kind == "validation" } }
        #expect(figures(finished.records) == figures(summary.records))
    }

    @Test func resumingRefusesAFolderWithoutACheckpoint() throws {
        #expect(throws: RunError.self) { try LanguageModelRun.resume(out: temporaryPath("lm-nowhere"), name: "run") }
    }

    @Test func badSettingsAndAMissingCorpusAreOneLineErrors() throws {
        var settings = try tinyLanguageModelSettings("bad")
        settings.heads = 3
        #expect(settings.problem() == "heads 3 must divide dimension 16")
        #expect(throws: RunError.self) { try tinyLanguageModelRun(settings, name: "bad") }
        settings.heads = 2
        settings.corpus = temporaryPath("lm-no-corpus")
        #expect(throws: DataError.self) { try tinyLanguageModelRun(settings, name: "bad") }
    }
}

/// The elements of `tensor` as bit patterns (float32) or integers (int64), for exact comparison.
private func bits(_ tensor: Tensor) -> [UInt64] {
    tensor.dtype == .float32 ? tensor.scalars.map { UInt64($0.bitPattern) } : tensor.integers.map { UInt64(bitPattern: Int64($0)) }
}

@Suite struct LanguageModelUseTests {
    @Test func sampleReturnsTheCharactersAskedForFromTheVocabulary() throws {
        let (run, _) = try uninterrupted.get()
        let lm = try CharacterLanguageModel(checkpoint: run.folder.checkpoint)
        #expect(lm.vocabulary == run.languageModel.vocabulary)
        let sampler = try CharacterLanguageModel.sampler(temperature: 1, topK: 5, seed: 3)
        let text = try lm.sample(count: 12, prompt: "the ", sampler: sampler)
        #expect(text.unicodeScalars.count == 12)
        #expect(text.unicodeScalars.allSatisfy { lm.vocabulary.id(of: $0) != nil })
        // Learned positions reach 16 tokens; longer samples read the last 16 characters at each step.
        let long = try lm.sample(count: 40, prompt: "the ", sampler: sampler)
        #expect(long.unicodeScalars.count == 40)
        #expect(throws: DataError.self) { try lm.sample(count: 3, prompt: "THE", sampler: sampler) }
        #expect(throws: RunError.self) { try CharacterLanguageModel.sampler(topP: 1.5) }
    }

    @Test func evaluationReachesTwiceTheContextWithRotaryPositionsOnly() throws {
        let (run, summary) = try uninterrupted.get()
        let learned = try CharacterLanguageModel(checkpoint: run.folder.checkpoint)
        let atContext = try learned.evaluate(contextMultiples: [1])
        #expect(abs(atContext[0].loss - summary.validationLoss!) <= 1e-6 * summary.validationLoss!)
        #expect(abs(atContext[0].bitsPerCharacter - atContext[0].loss / log(2)) < 1e-12)
        #expect(throws: RunError.self) { try learned.evaluate(contextMultiples: [1, 2]) }

        let settings = try tinyLanguageModelSettings("rotary", steps: 3, positions: .rotary)
        let rotary = try tinyLanguageModelRun(settings, name: "rotary")
        _ = try rotary.run()
        let results = try CharacterLanguageModel(checkpoint: rotary.folder.checkpoint).evaluate(contextMultiples: [1, 2])
        #expect(results.map(\.context) == [16, 32])
        // The validation split's 1152 − 1036 = 116 characters hold 7 windows of 16 and 3 of 32.
        #expect(results.map(\.windows) == [7, 3])
        #expect(results.allSatisfy { $0.loss.isFinite && $0.loss > 0 })
    }
}
