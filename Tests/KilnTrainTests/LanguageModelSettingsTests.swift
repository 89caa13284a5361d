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
}
