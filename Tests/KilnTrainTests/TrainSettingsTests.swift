import Foundation
import KilnTrain
import Testing

@Suite struct TrainSettingsTests {
    func write(_ text: String, _ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-settings-\(getpid())-\(name)").path
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The reason `text` is refused, or nil when it decodes.
    func refusal(_ text: String) -> String? {
        do {
            _ = try TrainSettings.decode(text: text, path: "s.yaml")
            return nil
        } catch {
            #expect(error.path == "s.yaml")
            #expect(!error.description.contains("\n"))
            return error.reason
        }
    }

    /// The first problem of the settings decoded from `text`.
    func problem(_ text: String) throws -> String? {
        try TrainSettings.decode(text: text, path: "s.yaml").problem()
    }

    /// Label smoothing belongs to cross-entropy: its default (0.1) applies there only, and a label
    /// smoothing or schedule given with another loss is an error rather than ignored.
    @Test func labelSmoothingWithAnotherLossIsAnError() throws {
        #expect(TrainSettings().appliedLabelSmoothing == 0.1)
        #expect(try problem("loss: f1\n") == nil)
        #expect(try TrainSettings.decode(text: "loss: f1\n", path: "s.yaml").appliedLabelSmoothing == 0)
        #expect(try problem("loss: f1\nlabel_smoothing: 0\n") == nil)
        let refused = "label smoothing applies to loss cross_entropy only, not f1; leave out label_smoothing and its schedule"
        #expect(try problem("loss: f1\nlabel_smoothing: 0.1\n") == refused)
        #expect(try problem("loss: f1\nlabel_smoothing_schedule: linear\n") == refused)
        #expect(try problem("loss: cross_entropy\nlabel_smoothing: 0.2\n") == nil)
        var settings = TrainSettings()
        settings.loss = .mcc
        settings.labelSmoothing = 0.1
        #expect(settings.problem()?.hasSuffix("not mcc; leave out label_smoothing and its schedule") == true)
    }

    @Test func readsYAMLAndJSONWithTheSameKeys() throws {
        let yaml = write("model: mlp\nepochs: 3\nbatch_size: 64\nlr: 0.003\nthreads: ~\ndata:\n  path: iris.csv\n  label_column: species\n", "a.yaml")
        var expected = TrainSettings()
        expected.model = .mlp
        expected.epochs = 3
        expected.batchSize = 64
        expected.lr = 0.003
        expected.data = .init(path: "iris.csv", labelColumn: "species")
        #expect(try TrainSettings.load(yaml) == expected)
        let json = write(#"{"model": "mlp", "epochs": 3, "batch_size": 64, "lr": 0.003, "data": {"path": "iris.csv", "label_column": "species"}}"#, "a.json")
        #expect(try TrainSettings.load(json) == expected)
        let commented = """
        ---
        # A small run on iris.
        model: mlp   # two hidden layers
        epochs: 3
        batch_size: 64
        lr: 3e-3
        data:
            path: "iris.csv"
            label_column: 'species'
        ...
        """
        #expect(try TrainSettings.decode(text: commented, path: "c.yaml") == expected)
        let pretty = """
        {
          "model": "mlp", "epochs": 3, "batch_size": 64, "lr": 0.003,
          "data": {
            "path": "iris.csv",
            "label_column": "species",
            "test_path": null
          }
        }
        """
        #expect(try TrainSettings.decode(text: pretty, path: "p.json") == expected)
    }

    @Test func badFilesGiveOneLineNamingFileAndSetting() {
        #expect(refusal("epochz: 3\n")?.hasPrefix("unknown setting 'epochz'; known: activation, augment, batch_size") == true)
        #expect(refusal("epochs: many\n") == "setting 'epochs' must be an integer, got 'many'")
        #expect(refusal("epochs: '3'\n") == "setting 'epochs' must be an integer, got '3'")
        #expect(refusal("epochs: [3]\n") == "setting 'epochs' must be an integer, got a list")
        #expect(refusal("model: {a: 1}\n") == "setting 'model' must be a string, got a mapping")
        #expect(refusal("model:\n") == "setting 'model' must be a string, got null (no value)")
        #expect(refusal("test_time_flip: maybe\n") == "setting 'test_time_flip' must be true or false, got 'maybe'")
        #expect(refusal("lr: fast\n") == "setting 'lr' must be a number, got 'fast'")
        #expect(refusal("model: [unclosed\n")?.hasPrefix("not valid YAML or JSON: ") == true)
        #expect(refusal("model: [unclosed\n")?.hasSuffix("at line 2, column 1") == true)
        #expect(refusal("") == "the top level must be a mapping of settings")
        #expect(refusal("[1, 2]") == "the top level must be a mapping of settings")
        #expect(refusal("? [a, b]\n: 1\n") == "keys must be names, got a list")
        #expect(refusal("data: {[a]: 1}\n") == "keys must be names, got a list in 'data'")
        // Yams would multiply these sexagesimal digits by 60 per colon until it overflows.
        #expect(refusal("epochs: 1:2:3:4:5:6:7:8:9:10:11:12:13:14\n") == "setting 'epochs' must be an integer, got '1:2:3:4:5:6:7:8:9:10:11:12:13:14'")
        let absent = #expect(throws: SettingsError.self) { try TrainSettings.load("/nonexistent/run.yaml") }
        #expect(absent?.description == "/nonexistent/run.yaml: no such file")
        let folder = #expect(throws: SettingsError.self) { try TrainSettings.load(FileManager.default.temporaryDirectory.path) }
        #expect(folder?.reason == "is a folder, not a settings file")
    }

    @Test func duplicateAndUnknownKeysAreErrorsAtEveryLevel() {
        #expect(refusal("epochs: 3\nlr: 0.1\nepochs: 4\n") == "setting 'epochs' appears twice (again at line 3)")
        #expect(refusal(#"{"data": {"path": "a.csv", "label_column": "y", "path": "b.csv"}}"#)
                == "setting 'data.path' appears twice (again at line 1)")
        #expect(refusal("data:\n  path: a.csv\n  label_column: y\n  pathz: b.csv\n")
                == "unknown setting 'data.pathz'; known: categorical, label_column, missing, path, test_fraction, test_path, validation_fraction")
        // Names and values are quoted on one line, however long or broken.
        #expect(refusal(#""a\nb\u2028c": 1"#)?.hasPrefix(#"unknown setting 'a\nb\u{2028}c'; known: "#) == true)
        #expect(refusal(String(repeating: "k", count: 1000) + ": 1")?.hasPrefix("unknown setting '" + String(repeating: "k", count: 40) + "…'") == true)
        #expect(throws: ChoiceError(setting: "model", value: "cnn\nmlp", valid: ["mlp", "cnn"])) { try ModelChoice(named: "cnn\nmlp") }
        #expect(ChoiceError(setting: "model", value: "cnn\nmlp", valid: ["mlp", "cnn"]).description == #"model 'cnn\nmlp' is not one of mlp, cnn"#)
    }

    @Test func anEmptyOrBrokenDataSectionIsAnError() {
        let empty = "setting 'data' is empty; give its path and label_column, or leave data out for Fashion-MNIST"
        #expect(refusal("data:\n") == empty)
        #expect(refusal("data: null\n") == empty)
        #expect(refusal("data: iris.csv\n") == "setting 'data' must be a mapping of settings, got 'iris.csv'")
        #expect(refusal("data: [iris.csv]\n") == "setting 'data' must be a mapping of settings, got a list")
        #expect(refusal("data: {}\n") == "setting 'data.path' is required")
        #expect(refusal("data:\n  path: x.csv\n") == "setting 'data.label_column' is required")
        #expect(refusal("data:\n  path: x.csv\n  label_column: [y]\n") == "setting 'data.label_column' must be a string, got a list")
    }

    /// The reason `text` is refused, which must come in well under a second.
    func quickRefusal(_ text: String) -> String? {
        var reason: String?
        let elapsed = ContinuousClock().measure { reason = refusal(text) }
        #expect(elapsed < .seconds(1))
        return reason
    }

    @Test func deepNestingIsRefusedBeforeTheParserRecurses() {
        #expect(quickRefusal(String(repeating: "[", count: 100_000)) == "nests more than 64 levels deep at line 1")
        #expect(quickRefusal("model: " + String(repeating: "{a: ", count: 100_000)) == "nests more than 64 levels deep at line 1")
        let dashes = "nests too deeply: by line 1, entries start at more than 32 different columns"
        #expect(quickRefusal(String(repeating: "- ", count: 100_000) + "x") == dashes)
        #expect(quickRefusal(String(repeating: "-\t", count: 100_000) + "x") == dashes)
        let indented = (0..<40).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        #expect(quickRefusal(indented) == "nests too deeply: by line 33, entries start at more than 32 different columns")
        // Line breaks YAML knows besides LF (CR, NEL, LS) start lines too.
        for lineBreak in ["\r", "\u{85}", "\u{2028}"] {
            let lines = (0..<40).map { String(repeating: " ", count: $0) + "- " }.joined(separator: lineBreak)
            #expect(quickRefusal(lines) == "nests too deeply: by line 33, entries start at more than 32 different columns")
        }
        // Brackets in quotes count too, so quoted closings cannot hide 300 real levels.
        let closings = (0..<300).map { _ in ##"["]]]]]]]]", "# ]]]]]]]]"## }.joined(separator: ", ")
        #expect(quickRefusal("model: " + closings) == "has more than 256 '[' or '{'")
        // The most the check lets through, 256 levels (hidden by quoted closings), stays within the parser's stack.
        let hidden = (0..<256).map { _ in ##"["]]]]]]]]", "## }.joined() + "x" + String(repeating: "]", count: 256)
        #expect(quickRefusal("model: " + hidden) == "setting 'model' must be a string, got a list")
        #expect(quickRefusal(String(repeating: "#", count: (1 << 20) + 1)) == "is larger than 1 MiB")
        // Brackets in comments are not counted; a settings file's own nesting passes.
        #expect(quickRefusal("# " + String(repeating: "[", count: 100) + "\nlr: 0.1\n") == nil)
        #expect(quickRefusal("data:\n    path: a.csv\n    label_column: [[[y]]]\n") == "setting 'data.label_column' must be a string, got a list")
    }

    @Test func aliasBombsFailFastWithoutExpanding() {
        // Each level refers to the one before nine times: 9^9 strings if expanded.
        var text = #"model: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]"# + "\n"
        let keys = ["optimizer", "schedule", "activation", "augment", "out", "name", "lr", "seed", "epochs"]
        for (level, key) in keys.enumerated() {
            text += "\(key): &a\(level + 1) [" + Array(repeating: "*a\(level)", count: 9).joined(separator: ", ") + "]\n"
        }
        #expect(quickRefusal(text) == "setting 'model' must be a string, got a list")
        #expect(quickRefusal(text.replacingOccurrences(of: "model:", with: "base:"))?.hasPrefix("unknown setting 'base'") == true)
        #expect(quickRefusal("data: {<<: *a}\n")?.hasPrefix("not valid YAML or JSON: found undefined alias") == true)
    }

    @Test func outOfRangeNumbersAreErrors() throws {
        #expect(try problem("epochs: 9223372036854775807\n") == "epochs must be from 1 to 100000, got 9223372036854775807")
        #expect(refusal("epochs: 9223372036854775808\n") == "setting 'epochs' is out of range: '9223372036854775808'")
        #expect(try problem("batch_size: 4611686018427387904\n") == "batch size must be from 1 to 1048576, got 4611686018427387904")
        #expect(try problem("seed: -1\n") == "seed must be non-negative, got -1")
        #expect(refusal("seed: 18446744073709551616\n") == "setting 'seed' is out of range: '18446744073709551616'")
        let most = RunLimits.maximumThreads
        #expect(try problem("threads: 1000000\n")?.hasPrefix("threads 1000000 is more than this machine can run: at most \(most) ") == true)
        #expect(try problem("threads: 0\n") == "threads must be at least 1, got 0")
        #expect(try problem("lr: nan\n") == "learning rate must be positive and finite, got nan")
        #expect(try problem("lr: .nan\n") == "learning rate must be positive and finite, got nan")
        #expect(try problem("lr: 1e999\n") == "learning rate must be positive and finite, got inf")
        #expect(try problem("weight_decay: .inf\n") == "weight decay must be non-negative and finite, got inf")
        #expect(try problem("label_smoothing: .NaN\n") == "label smoothing must be in [0, 1), got nan")
        #expect(try problem("data: {path: a.csv, label_column: y, test_fraction: .nan}\n")
                == "data.test_fraction must be between 0 and 1, got nan")
        // One rule for run names and thread counts: the run folder's and the run limits'.
        #expect(try problem("name: ../elsewhere\n") == "run name '../elsewhere' contains '/'; a name is one folder inside the output folder")
        #expect(try problem("name: .hidden\n") == "run name '.hidden' starts with '.'; a name is one folder inside the output folder")
        #expect(try problem("epochs: 100000\nbatch_size: 1048576\nthreads: \(most)\nseed: 9223372036854775807\n") == nil)
    }

    @Test func valuesAreChecked() {
        var s = TrainSettings()
        #expect(s.problem() == nil)
        s.epochs = 0
        #expect(s.problem() == "epochs must be from 1 to 100000, got 0")
        s = TrainSettings()
        s.data = .init(path: "x.csv", labelColumn: "y", testFraction: 1.5)
        #expect(s.problem() == "data.test_fraction must be between 0 and 1, got 1.5")
    }
}
