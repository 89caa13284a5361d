import Foundation
import KilnTrain
import Testing

@Suite struct ResumeSettingsTests {
    func csvSettings() -> TrainSettings {
        var s = TrainSettings()
        s.model = "mlp"
        s.epochs = 3
        s.batchSize = 32
        s.lr = 3.5e-4
        s.labelSmoothing = 0
        s.optimizer = "sgd"
        s.schedule = "wsd:peak=3.5e-4,steps=90,decay=0.3"
        s.activation = "gelu"
        s.augment = "none"
        s.testTimeFlip = false
        s.seed = 17
        s.data = .init(path: "data/iris.csv", labelColumn: "species", testFraction: 0.25)
        return s
    }

    func checkpoint(_ settings: TrainSettings, epoch: Int) -> Checkpoint {
        Checkpoint(model: [:], optimizer: [:], progress: TrainingProgress(step: epoch * 30, epoch: epoch),
                   dataRandomState: RandomState(seed: 1), modelRandomState: RandomState(seed: 2), settings: settings.stored)
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

    @Test func resumingAFinishedRunSaysSo() throws {
        let done = checkpoint(csvSettings(), epoch: 3)
        let error = #expect(throws: RunError.self) { try TrainSettings.resuming(done, at: "runs/x/checkpoint.safetensors") }
        #expect(error?.description == "the run of runs/x/checkpoint.safetensors already finished its 3 epochs (90 steps); "
                + "to train it further, resume with --epochs larger than 3")
        #expect(try TrainSettings.resuming(done, at: "c") { $0.epochs = 4 }.epochs == 4)
    }

    @Test func damagedStoredSettingsAreNamed() {
        var stored = csvSettings().stored
        stored["batch_size"] = "many"
        let c = Checkpoint(model: [:], optimizer: [:], progress: TrainingProgress(), dataRandomState: RandomState(seed: 1),
                           modelRandomState: RandomState(seed: 2), settings: stored)
        let error = #expect(throws: RunError.self) { try TrainSettings.resuming(c, at: "c.safetensors") }
        #expect(error?.description == "c.safetensors: stored setting 'batch_size' is missing or malformed")
    }
}
