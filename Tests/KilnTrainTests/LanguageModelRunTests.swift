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
        #expect(run.languageModel.tokenizer.vocabularySize == 29)
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
        #expect(lm.tokenizer == run.languageModel.tokenizer)
        guard case .characters(let vocabulary) = lm.tokenizer else { Issue.record("not a character vocabulary"); return }
        let sampler = try CharacterLanguageModel.sampler(temperature: 1, topK: 5, seed: 3)
        let text = try lm.sample(count: 12, prompt: "the ", sampler: sampler)
        #expect(text.unicodeScalars.count == 12)
        #expect(text.unicodeScalars.allSatisfy { vocabulary.id(of: $0) != nil })
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

/// The corpus of the tokenizer tests: the 1,152 characters of sentences, then 128 "é" (256 UTF-8
/// bytes), so that the 90% split puts exactly the sentences in training and the "é"s in validation.
private func accentedSettings(_ name: String, tokenizer: TokenizerChoice) throws -> LanguageModelSettings {
    var settings = try tinyLanguageModelSettings(name, steps: 3)
    settings.corpus = try languageModelCorpus(name, tail: String(repeating: "é", count: 128))
    settings.tokenizer = tokenizer
    return settings
}

@Suite struct LanguageModelTokenizerTests {
    /// BPE merges come from the training text only: the sentences, never the validation "é"s, whose
    /// two bytes would otherwise be the most frequent pair. Sampling, evaluation and resume read the
    /// saved merges.
    @Test func bytePairMergesAreLearnedFromTheTrainingTextAndSaved() throws {
        var settings = try accentedSettings("bpe", tokenizer: .bpe)
        settings.vocabularySize = 300
        let run = try tinyLanguageModelRun(settings, name: "bpe")
        _ = try run.run()
        let sentences = Array(try String(contentsOfFile: settings.corpus + "/sentences", encoding: .utf8).utf8.prefix(1152))
        let expected = BytePairTokenizer(training: sentences, vocabularySize: 300)
        #expect(expected.vocabularySize > 256)
        #expect(run.languageModel.tokenizer == .bytePairs(expected))
        #expect((256..<expected.vocabularySize).allSatisfy { expected.bytes(of: $0).allSatisfy { $0 < 0x80 } })
        #expect(FileManager.default.fileExists(atPath: run.folder.path + "/tokenizer.bpe"))
        #expect(!FileManager.default.fileExists(atPath: run.folder.path + "/vocabulary.json"))

        let restored = try CharacterLanguageModel(checkpoint: run.folder.checkpoint)
        #expect(restored.tokenizer == run.languageModel.tokenizer)
        let text = try restored.sample(count: 5, prompt: "the ", sampler: try CharacterLanguageModel.sampler(seed: 1))
        #expect(!text.isEmpty)
        let resumed = try LanguageModelRun.resume(out: (run.folder.path as NSString).deletingLastPathComponent, name: "run")
        #expect(resumed.languageModel.tokenizer == run.languageModel.tokenizer)
        try FileManager.default.removeItem(atPath: run.folder.path + "/tokenizer.bpe")
        #expect(throws: DataError.self) { try CharacterLanguageModel(checkpoint: run.folder.checkpoint) }
    }

    /// With bytes, each "é" of the validation text is two tokens: bits per character are the total
    /// loss over the characters, twice the loss per token over ln 2.
    @Test func bitsPerCharacterCountCharactersNotBytes() throws {
        let run = try tinyLanguageModelRun(try accentedSettings("bytes", tokenizer: .byte), name: "bytes")
        _ = try run.run()
        #expect(run.languageModel.tokenizer == .bytes && run.windows.validation.count == 256)
        let result = try CharacterLanguageModel(checkpoint: run.folder.checkpoint).evaluate(contextMultiples: [1])[0]
        // 255 / 16 = 15 windows score tokens 1...240 of the validation bytes C3 A9 C3 A9 …: 120 characters.
        #expect(result.windows == 15 && result.scored.tokens == 240 && result.scored.characters == 120)
        expectClose(result.bitsPerCharacter, 2 * result.loss / log(2), relative: 1e-12)
    }

    @Test func tokenizerSettingsAreCheckedInOneLine() throws {
        #expect(throws: ChoiceError.self) { try TokenizerChoice(named: "word") }
        #expect((try? TokenizerChoice(named: "bpe")) == .bpe)
        var settings = LanguageModelSettings()
        settings.vocabularySize = 1000
        #expect(settings.problem() == "vocabulary_size applies to the bpe tokenizer only, not character")
        settings.tokenizer = .bpe
        #expect(settings.problem() == nil)
        settings.vocabularySize = 100
        #expect(settings.problem() == "vocabulary_size must be from 256 to 1048832, got 100")
    }
}

@Suite struct LanguageModelTrainingOptionsTests {
    /// Two batches of 4 windows per step draw the windows one batch of 8 would and step on their
    /// mean gradient: the same run to rounding.
    @Test func gradientAccumulationStepsAsOneLargerBatch() throws {
        var whole = try tinyLanguageModelSettings("batch8", steps: 6)
        whole.evalEvery = 6
        var halves = whole
        halves.corpus = try languageModelCorpus("batch4x2")
        halves.batchSize = 4
        halves.gradientAccumulation = 2
        let a = try tinyLanguageModelRun(whole, name: "batch8").run(), b = try tinyLanguageModelRun(halves, name: "batch4x2").run()
        #expect(a.steps == 6 && b.steps == 6)
        func losses(_ s: LanguageModelSummary) -> [Double] { s.records.filter { $0.kind == "step" }.compactMap { $0.values["loss"] } }
        #expect(losses(a).count == 1 && losses(b).count == 1)
        expectClose(losses(b)[0], losses(a)[0], relative: 1e-4)
        expectClose(try #require(b.validationLoss), try #require(a.validationLoss), relative: 1e-3)
    }

    /// Dropout draws from the run's scope and batches from their own generator, both kept in the
    /// checkpoint: a run with dropout and accumulated batches resumes bit for bit, and refuses a
    /// conflicting setting.
    @Test func resumeWithDropoutAndAccumulationIsBitExact() throws {
        var settings = try tinyLanguageModelSettings("dropout-whole", steps: 8)
        settings.dropout = 0.1
        settings.gradientAccumulation = 2
        settings.evalEvery = 4
        let whole = try tinyLanguageModelRun(settings, name: "dropout-whole")
        whole.checkpointEvery = 0
        _ = try whole.run()
        settings.corpus = try languageModelCorpus("dropout-parts")
        let first = try tinyLanguageModelRun(settings, name: "dropout-parts")
        first.checkpointEvery = 0
        _ = try first.run(stoppingAfter: 3)
        let out = (first.folder.path as NSString).deletingLastPathComponent
        #expect(try Checkpoint.read(first.folder.checkpoint).progress.step == 3)
        let conflict = #expect(throws: RunError.self) { try LanguageModelRun.resume(out: out, name: "run") { $0.gradientAccumulation = 3 } }
        #expect(conflict?.description.hasPrefix("--gradient-accumulation 3 conflicts with the run's stored gradient_accumulation 2") == true)
        let resumed = try LanguageModelRun.resume(out: out, name: "run", threads: 1) { $0.dropout = 0.1 }
        resumed.showsProgress = false
        _ = try resumed.run()
        let a = try Checkpoint.read(whole.folder.checkpoint), b = try Checkpoint.read(resumed.folder.checkpoint)
        #expect(a.progress.step == 8 && b.progress.step == 8)
        for (name, tensor) in a.model { #expect(bits(tensor) == b.model[name].map(bits), "\(name) differs") }
        #expect(a.dataRandomState == b.dataRandomState && a.modelRandomState == b.modelRandomState)
    }

    @Test func aNegativeCheckpointIntervalIsAnError() throws {
        let run = try tinyLanguageModelRun(try tinyLanguageModelSettings("negative", steps: 1), name: "negative")
        run.checkpointEvery = -1
        #expect(throws: RunError.self) { try run.run() }
    }
}
