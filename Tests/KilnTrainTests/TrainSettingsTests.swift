import Foundation
import KilnTrain
import Testing

@Suite struct TrainSettingsTests {
    func write(_ text: String, _ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-settings-\(getpid())-\(name)").path
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsYAMLAndJSONWithTheSameKeys() throws {
        let yaml = write("model: mlp\nepochs: 3\nbatch_size: 64\nlr: 0.003\ndata:\n  path: iris.csv\n  label_column: species\n", "a.yaml")
        var expected = TrainSettings()
        expected.model = "mlp"
        expected.epochs = 3
        expected.batchSize = 64
        expected.lr = 0.003
        expected.data = .init(path: "iris.csv", labelColumn: "species")
        #expect(try TrainSettings.load(yaml) == expected)
        let json = write(#"{"model": "mlp", "epochs": 3, "batch_size": 64, "lr": 0.003, "data": {"path": "iris.csv", "label_column": "species"}}"#, "a.json")
        #expect(try TrainSettings.load(json) == expected)
    }

    @Test func badFilesGiveOneLineNamingFileAndSetting() {
        let unknown = #expect(throws: SettingsError.self) { try TrainSettings.load(write("epochz: 3\n", "u.yaml")) }
        #expect(unknown?.reason.hasPrefix("unknown setting 'epochz'") == true)
        let type = #expect(throws: SettingsError.self) { try TrainSettings.load(write("epochs: many\n", "t.yaml")) }
        #expect(type?.reason == "setting 'epochs' has the wrong type")
        let missing = #expect(throws: SettingsError.self) { try TrainSettings.load(write("data:\n  path: x.csv\n", "m.yaml")) }
        #expect(missing?.reason == "setting 'data.label_column' is required")
        let broken = #expect(throws: SettingsError.self) { try TrainSettings.load(write("model: [unclosed\n", "b.yaml")) }
        #expect(broken?.reason == "not valid YAML or JSON")
        let absent = #expect(throws: SettingsError.self) { try TrainSettings.load("/nonexistent/run.yaml") }
        #expect(absent?.description == "/nonexistent/run.yaml: no such file")
        #expect(!(absent?.description.contains("\n") ?? true))
    }

    @Test func valuesAreChecked() {
        var s = TrainSettings()
        #expect(s.problem() == nil)
        s.optimizer = "adamz"
        #expect(s.problem() == "optimizer 'adamz' is not one of adamw, adam, sgd, lion, rmsprop, adagrad")
        s = TrainSettings()
        s.epochs = 0
        #expect(s.problem() == "epochs must be at least 1, got 0")
        s = TrainSettings()
        s.data = .init(path: "x.csv", labelColumn: "y", testFraction: 1.5)
        #expect(s.problem() == "data.test_fraction must be between 0 and 1, got 1.5")
    }
}
