import Foundation
import KilnTrain
import Testing

@Suite struct ResumeSettingsTests {
    func csvSettings() -> TrainSettings {
        var s = TrainSettings()
        s.model = .mlp
        s.epochs = 3
        s.batchSize = 32
        s.lr = 3.5e-4
        s.labelSmoothing = 0
        s.optimizer = .sgd
        s.schedule = try! ScheduleChoice("wsd:peak=3.5e-4,steps=90,decay=0.3")
        s.activation = .gelu
        s.augment = .none
        s.testTimeFlip = false
        s.seed = 17
        s.data = .init(path: "data/iris.csv", labelColumn: "species", testFraction: 0.25)
        return s
    }

    func checkpoint(_ settings: TrainSettings, epoch: Int) -> Checkpoint {
        Checkpoint(model: [:], optimizer: [:], progress: TrainingProgress(step: epoch * 30, epoch: epoch),
                   dataRandomState: RandomState(seed: 1), modelRandomState: RandomState(seed: 2), settings: StoredSettings(settings).text)
    }

    @Test func resumingWithNoOptionsReproducesTheStoredSettings() throws {
        for settings in [csvSettings(), TrainSettings()] {
            #expect(try TrainSettings.resuming(checkpoint(settings, epoch: 1), at: "c") == settings)
        }
        var withTestFile = csvSettings()
        withTestFile.data?.testPath = "data/iris-test.csv"
        #expect(try TrainSettings.resuming(checkpoint(withTestFile, epoch: 2), at: "c") == withTestFile)
    }

    @Test func onlyTheEpochsMayChange() throws {
        let stored = checkpoint(csvSettings(), epoch: 1)
        let longer = try TrainSettings.resuming(stored, at: "c") { $0.epochs = 10; $0.threads = 1 }
        #expect(longer.epochs == 10 && longer.threads == 1)
        #expect(try TrainSettings.resuming(stored, at: "c") { $0.lr = 3.5e-4 }.lr == 3.5e-4)   // the same value is no conflict
        let error = #expect(throws: RunError.self) { try TrainSettings.resuming(stored, at: "c") { $0.batchSize = 64 } }
        #expect(error?.description.hasPrefix("--batch-size 64 conflicts with the run's stored batch_size 32;") == true)
        #expect(throws: RunError.self) { try TrainSettings.resuming(stored, at: "c") { $0.data = nil } }
    }

    @Test func conflictsNameTheOptionAndBothValues() {
        let stored = csvSettings()
        func conflict(_ change: (inout TrainSettings) -> Void) -> String? {
            var changed = stored
            change(&changed)
            return changed.resumeConflict(with: stored).map { String($0.prefix { $0 != ";" }) }
        }
        #expect(conflict { $0.lr = 1e-3 } == "--lr 0.001 conflicts with the run's stored lr 0.00035")
        #expect(conflict { $0.schedule = ScheduleChoice(.constant) } == "--schedule constant conflicts with the run's stored schedule wsd:peak=3.5e-4,steps=90,decay=0.3")
        #expect(conflict { $0.maxGradNorm = 1 } == "--max-grad-norm 1 conflicts with the run's stored max_grad_norm (default)")
        #expect(conflict { $0.orthogonalGradients = true } == "--orthogonal-gradients true conflicts with the run's stored orthogonal_gradients false")
        #expect(conflict { $0.data?.missing = .error } == "--data.missing error conflicts with the run's stored data.missing (default)")
        #expect(conflict { $0.data = nil } == "--data.label-column (default) conflicts with the run's stored data.label_column species")
        // Sections are compared key by key, so a setting added to one is compared without being listed anywhere.
        var mlp = MLPArchitecture()
        mlp.dropout = 0.25
        #expect(conflict { $0.mlp = mlp } == "--mlp.dropout 0.25 conflicts with the run's stored mlp.dropout (default)")
        #expect(conflict { $0.epochs = 30; $0.threads = 1; $0.out = "elsewhere"; $0.name = "other" } == nil)
    }

    @Test func resumingAFinishedRunSaysSo() throws {
        let done = checkpoint(csvSettings(), epoch: 3)
        let error = #expect(throws: RunError.self) { try TrainSettings.resuming(done, at: "runs/x/checkpoint.safetensors") }
        #expect(error?.description == "the run of runs/x/checkpoint.safetensors already finished its 3 epochs (90 steps); "
                + "to train it further, resume with --epochs larger than 3")
        #expect(try TrainSettings.resuming(done, at: "c") { $0.epochs = 4 }.epochs == 4)
    }

    func checkpoint(storing text: String?, legacy: [String: String] = [:]) -> Checkpoint {
        var c = Checkpoint(model: [:], optimizer: [:], progress: TrainingProgress(), dataRandomState: RandomState(seed: 1),
                           modelRandomState: RandomState(seed: 2), settings: text)
        c.legacySettings = legacy
        return c
    }

    @Test func damagedStoredSettingsAreNamed() {
        func refusal(_ c: Checkpoint) -> String? {
            #expect(throws: RunError.self) { try TrainSettings.resuming(c, at: "c.safetensors") }?.description
        }
        let text = StoredSettings(csvSettings()).text
        #expect(refusal(checkpoint(storing: text.replacingOccurrences(of: #""batch_size":32"#, with: #""batch_size":"many""#)))?
                .hasPrefix("c.safetensors: stored settings are malformed: 'batch_size': ") == true)
        #expect(refusal(checkpoint(storing: text.replacingOccurrences(of: #""optimizer":"sgd""#, with: #""optimizer":"sgdx""#)))
                == "c.safetensors: stored settings are malformed: 'optimizer': optimizer 'sgdx' is not one of "
                + "adamw, adam, sgd, lion, rmsprop, adagrad, adamax, nadam, radam, adafactor")
        #expect(refusal(checkpoint(storing: text.replacingOccurrences(of: #""epochs":3"#, with: #""epochs":0"#)))
                == "c.safetensors: stored settings are invalid: epochs must be from 1 to 100000, got 0")
        #expect(refusal(checkpoint(storing: "{"))?.hasPrefix("c.safetensors: stored settings are malformed") == true)
        #expect(refusal(checkpoint(storing: nil)) == "c.safetensors stores no run settings: it was not written by a training run")
        var legacy = Self.legacyEntries
        legacy["batch_size"] = "many"
        #expect(refusal(checkpoint(storing: nil, legacy: legacy)) == "c.safetensors: stored setting 'batch_size' is missing or malformed")
    }

    /// The settings of `csvSettings()` as checkpoints stored them when each was its own entry.
    static let legacyEntries = [
        "model": "mlp", "epochs": "3", "batch_size": "32", "lr": "0.00035", "weight_decay": "0.01", "label_smoothing": "0.0",
        "optimizer": "sgd", "schedule": "wsd:peak=3.5e-4,steps=90,decay=0.3", "activation": "gelu", "augment": "none",
        "test_time_flip": "false", "seed": "17", "data.path": "data/iris.csv", "data.label_column": "species", "data.test_fraction": "0.25",
    ]

    @Test func settingsAreOneJSONEntryAndOlderEntriesStillRead() throws {
        var settings = csvSettings()
        settings.threads = 1
        settings.name = "iris"
        let text = StoredSettings(settings).text
        #expect(!text.contains("\n") && text.hasPrefix(#"{"activation":"gelu","augment":"none","batch_size":32,"#))
        // Where and how the run ran is not stored; everything that shapes its numbers is.
        #expect(!text.contains("threads") && !text.contains("iris\"") && !text.contains("custom_model"))
        let back = try StoredSettings(checkpoint: checkpoint(storing: text), at: "c")
        #expect(back == StoredSettings(csvSettings()) && back.settings == csvSettings() && !back.customModel)
        let custom = StoredSettings(csvSettings(), customModel: true)
        #expect(try StoredSettings(checkpoint: checkpoint(storing: custom.text), at: "c") == custom)
        #expect(try StoredSettings(checkpoint: checkpoint(storing: nil, legacy: Self.legacyEntries), at: "c").settings == csvSettings())
        let error = #expect(throws: RunError.self) { try TrainSettings.resuming(checkpoint(storing: custom.text), at: "c") }
        #expect(error?.description == "c holds a model defined in Swift code; resume it in that code with "
                + "TrainingRun.resume(out:name:model:train:test:)")
        #expect(try TrainSettings.resuming(checkpoint(storing: custom.text), at: "c", customModel: true) == csvSettings())
    }
}
