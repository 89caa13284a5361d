import Foundation
@testable import KilnTrain
import Testing

@Suite struct LanguageModelSettingsTests {
    /// The charlm anchor's `lr_at(step, total_steps)`, written out as the anchor writes it.
    private func anchor(_ s: Int, _ n: Int) -> Double {
        if s < 100 { return 1e-3 * Double(s + 1) / 100 }
        let progress = Double(s - 100) / Double(max(1, n - 100))
        return 1e-4 + 0.5 * (1e-3 - 1e-4) * (1 + cos(Double.pi * progress))
    }

    @Test(arguments: [1000, 250, 101, 60])
    func defaultScheduleIsTheAnchors(steps: Int) throws {
        var settings = LanguageModelSettings()
        settings.steps = steps
        let schedule = try settings.learningRateSchedule()
        for s in 0..<steps {
            let expected = anchor(s, steps)
            #expect(abs(schedule(s) - expected) <= 1e-14 * expected, "step \(s) of \(steps)")
        }
    }

    @Test func warmupReachesThePeakAtItsLastStep() throws {
        let schedule = try LanguageModelSettings().learningRateSchedule()
        #expect(schedule(0) == 1e-5)
        #expect(abs(schedule(99) - 1e-3) < 1e-18)
        #expect(abs(schedule(100) - 1e-3) < 1e-18)
        #expect(abs(schedule(550) - 5.5e-4) < 1e-15)
    }

    @Test func aScheduleSettingReplacesTheAnchors() throws {
        var settings = LanguageModelSettings()
        settings.schedule = try ScheduleChoice("constant:peak=3e-4")
        #expect(try settings.learningRateSchedule()(500) == 3e-4)
    }

    @Test func defaultSettingsBuildTheAnchorsModel() {
        // charlm.py: 838,656 parameters with its vocabulary of 113 characters.
        let model = GPT(LanguageModelSettings().configuration(vocabularySize: 113), generator: RandomGenerator(seed: 0))
        #expect(model.parameterCount == 838_656)
        #expect(model.positionEmbedding?.weight.shape == [128, 128])
    }

    @Test func aDamagedVocabularyFileIsAnErrorNamingIt() throws {
        let path = temporaryPath("lm-vocabulary.json")
        for text in ["{\"kind\": \"characters\", \"code_points\": [97, 97]}", "{\"kind\": \"bytes\"}", "[1, 2]",
                     "{\"kind\": \"characters\", \"code_points\": [55296]}", "{\"kind\": \"characters\", \"code_points\": []}"] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: DataError.self, "\(text)") { try VocabularyFile.read(path) }
        }
        let vocabulary = CharacterVocabulary(of: "hello, world\n")
        try VocabularyFile.write(vocabulary, to: path)
        #expect(try VocabularyFile.read(path) == vocabulary)
    }

    @Test func dropoutAndAccumulationAreCheckedAndReachTheModel() {
        var settings = LanguageModelSettings()
        settings.dropout = 1
        #expect(settings.problem() == "dropout must be in [0, 1), got 1.0")
        settings.dropout = 0.2
        settings.gradientAccumulation = 0
        #expect(settings.problem() == "gradient_accumulation must be from 1 to 65536, got 0")
        settings.gradientAccumulation = 4
        #expect(settings.problem() == nil)
        let model = GPT(settings.configuration(vocabularySize: 10), generator: RandomGenerator(seed: 0))
        #expect(model.blocks.allSatisfy { $0.attn.dropout == 0.2 && $0.dropout?.p == 0.2 })
    }

    /// A resumed run may be told its own settings again, not other ones.
    @Test func resumeConflictsNameTheFirstDifferentSetting() {
        var stored = LanguageModelSettings()
        stored.tokenizer = .bpe
        stored.gradientAccumulation = 2
        var given = stored
        given.threads = 3
        #expect(given.resumeConflict(with: stored) == nil)
        given.vocabularySize = 1024
        #expect(given.resumeConflict(with: stored) == "--vocabulary-size 1024 conflicts with the run's stored vocabulary_size (default); "
                + "a resumed run keeps its settings (only --threads and --checkpoint-every may change)")
    }

    @Test func normalizerChoicesAreTheNormalizersNames() {
        #expect(AttentionNormalizerChoice.names == AttentionNormalizer.names)
        for choice in AttentionNormalizerChoice.allCases { #expect(choice.normalizer.name == choice.rawValue) }
    }

    @Test func settingsRoundTripThroughTheCheckpointEntry() throws {
        var settings = LanguageModelSettings()
        settings.positions = .alibi
        settings.glu = .swiglu
        settings.gate = .headwise
        settings.normalizer = .softplusReweighted
        settings.threads = 2
        let text = StoredLanguageModel(settings).text
        #expect(text.hasPrefix("{\"language_model\":{"))
        let checkpoint = Checkpoint(model: [:], optimizer: [:], progress: TrainingProgress(), dataRandomState: RandomState(seed: 0),
                                    modelRandomState: RandomState(seed: 0), settings: text)
        settings.threads = nil
        #expect(try StoredLanguageModel(checkpoint: checkpoint, at: "x").settings == settings)
    }

    /// A checkpoint written before a setting existed loads with that setting's default; a stored
    /// value of the wrong type or a checkpoint without settings is refused.
    @Test func settingsMissingFromAnOlderCheckpointTakeTheirDefaults() throws {
        func checkpoint(_ text: String?) -> Checkpoint {
            Checkpoint(model: [:], optimizer: [:], progress: TrainingProgress(), dataRandomState: RandomState(seed: 0),
                       modelRandomState: RandomState(seed: 0), settings: text)
        }
        let older = #"{"language_model":{"layers":2,"normalizer":"sigmoid","steps":300}}"#
        let settings = try StoredLanguageModel(checkpoint: checkpoint(older), at: "x").settings
        var expected = LanguageModelSettings()
        expected.layers = 2
        expected.normalizer = .sigmoid
        expected.steps = 300
        #expect(settings == expected)
        #expect(settings.tokenizer == .character && settings.dropout == 0 && settings.gradientAccumulation == 1)
        for refused in [#"{"language_model":{"layers":"two"}}"#, #"{"language_model":{"layers":0}}"#,
                        #"{"language_model":{"context":1e300}}"#, #"{"other":{}}"#, "[]", "{", nil] {
            #expect(throws: RunError.self) { try StoredLanguageModel(checkpoint: checkpoint(refused), at: "x") }
        }
    }
}
