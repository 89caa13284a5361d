import Foundation
@testable import KilnTrain
import Testing

@Suite struct ParameterGroupSettingsTests {
    @Test func groupsAndAccumulationAreReadAndStoredTyped() throws {
        let yaml = """
        gradient_accumulation: 4
        parameter_groups:
          - {max_rank: 1, weight_decay: 0}
          - names: "output.*"
            lr_scale: 0.5
          - {names: ["hidden.weight", "x?"], max_rank: 2, weight_decay: 0.3}
        """
        let settings = try TrainSettings.decode(text: yaml, path: "run.yaml")
        #expect(settings.gradientAccumulation == 4)
        #expect(settings.parameterGroups == [ParameterGroupSettings(maxRank: 1, weightDecay: 0),
                                             ParameterGroupSettings(names: ["output.*"], lrScale: 0.5),
                                             ParameterGroupSettings(names: ["hidden.weight", "x?"], maxRank: 2, weightDecay: 0.3)])
        #expect(settings.problem() == nil)
        let stored = StoredSettings(settings).text
        #expect(stored.contains(#""gradient_accumulation":4"#))
        #expect(stored.contains(#""parameter_groups":[{"max_rank":1,"weight_decay":0},{"lr_scale":0.5,"names":["output.*"]},"#))
        #expect(try JSONDecoder().decode(StoredSettings.self, from: Data(stored.utf8)) == StoredSettings(settings))
        // Settings at their defaults store neither key, as before they existed.
        let plain = StoredSettings(TrainSettings()).text
        #expect(!plain.contains("parameter_groups") && !plain.contains("gradient_accumulation"))
    }

    @Test func badEntriesAreOneClearLine() {
        func failure(_ text: String) -> String? {
            do {
                _ = try TrainSettings.decode(text: text, path: "run.yaml")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(failure("parameter_groups:\n  - {names: '*.bias', decay: 0}\n")
                == "run.yaml: unknown setting 'parameter_groups[0].decay'; known: lr_scale, max_rank, names, weight_decay")
        #expect(failure("parameter_groups: {max_rank: 1}\n") == "run.yaml: setting 'parameter_groups' must be a list of groups, got a mapping")
        #expect(failure("parameter_groups:\n  - {max_rank: one}\n") == "run.yaml: setting 'parameter_groups[0].max_rank' must be an integer, got 'one'")
        #expect(failure("gradient_accumulation: 2.5\n") == "run.yaml: setting 'gradient_accumulation' must be an integer, got '2.5'")

        var settings = TrainSettings()
        settings.parameterGroups = [ParameterGroupSettings(weightDecay: 0)]
        #expect(settings.problem() == "parameter_groups[0] needs names or max_rank to choose its parameters")
        settings.parameterGroups = [ParameterGroupSettings(maxRank: 1), ParameterGroupSettings(maxRank: 1, lrScale: -1)]
        #expect(settings.problem() == "parameter_groups[1].lr_scale must be non-negative and finite, got -1.0")
        settings.parameterGroups = [ParameterGroupSettings(names: [])]
        #expect(settings.problem() == "parameter_groups[0].names must list 1 to 256 patterns, got 0")
        settings = TrainSettings()
        settings.gradientAccumulation = 0
        #expect(settings.problem() == "gradient_accumulation must be from 1 to 65536, got 0")
    }

    @Test func eachParameterJoinsTheFirstGroupThatChoosesIt() throws {
        // hidden.weight [16, 2], hidden.bias [16], output.weight [3, 16], output.bias [3].
        let model = TinyNet(seed: 1)
        let groups = try ParameterGroupSettings.groups([ParameterGroupSettings(maxRank: 1, weightDecay: 0),
                                                        ParameterGroupSettings(names: ["output.*"], lrScale: 0.5)], of: model)
        #expect(groups.map { $0.parameters.map(\.name) } == [["hidden.bias", "output.bias"], ["output.weight"], ["hidden.weight"]])
        #expect(groups.map(\.weightDecay) == [0, nil, nil] && groups.map(\.learningRateScale) == [1, 0.5, 1])

        let taken = #expect(throws: RunError.self) {
            try ParameterGroupSettings.groups([ParameterGroupSettings(maxRank: 1), ParameterGroupSettings(names: ["*.bias"])], of: model)
        }
        #expect(taken?.description == "parameter_groups[1] (names '*.bias') matches no parameter left by the groups before it; "
                + "left: hidden.weight, output.weight")
        let absent = #expect(throws: RunError.self) {
            try ParameterGroupSettings.groups([ParameterGroupSettings(names: ["encoder.*", "*.gamma"], maxRank: 1)], of: model)
        }
        #expect(absent?.description == "parameter_groups[0] (names 'encoder.*' '*.gamma', max_rank 1) matches no parameter of the model; "
                + "its parameters: hidden.weight, hidden.bias, output.weight, output.bias")
    }

    @Test func patternsMatchWholeNames() {
        let cases: [(String, String, Bool)] = [
            ("*.bias", "layers.0.bias", true), ("*.bias", "bias", false), ("layers.?.weight", "layers.1.weight", true),
            ("layers.?.weight", "layers.10.weight", false), ("*", "", true), ("a*b*c", "aXbYc", true), ("a*b*c", "abcb", false),
            ("*norm*", "blocks.0.layernorm.weight", true), ("embedding", "embedding.weight", false), ("**.w", "a.w", true),
        ]
        for (pattern, name, matches) in cases {
            #expect(ParameterGroupSettings.pattern(pattern, matches: name) == matches, "\(pattern) against \(name)")
        }
    }

    @Test func aRunTrainsWithItsGroupsAndAccumulationAndKeepsThemOnResume() throws {
        let out = temporaryPath("run-groups-\(UUID())")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (train, test) = TrainingRunTests().data()
        var settings = TrainingRunTests().settings(out: out)
        settings.gradientAccumulation = 4   // 6 batches of 30 an epoch: steps of 4 and 2 batches
        settings.logEvery = 1
        settings.parameterGroups = [ParameterGroupSettings(names: ["*.bias"], lrScale: 0)]
        let model = TinyNet(seed: 1)
        let initial = model.stateDict().mapValues(\.scalars)
        let run = try TrainingRun(model: model, train: train, test: test, settings: settings)
        run.showsProgress = false
        let summary = try run.run()
        let steps = summary.records.filter { $0.kind == "step" }
        #expect(steps.map(\.step) == [0, 1, 2, 3])
        // The schedule is sized to the run's 4 optimizer steps, not its 12 batches.
        let schedule = try settings.schedule.make(peak: settings.lr, steps: 4)
        #expect(steps.map { $0.values["lr"]! } == (0..<4).map { schedule($0) })
        // A learning rate of 0 leaves the biases exactly as they were (AdamW's decay is scaled by it too); the weights moved.
        for name in ["hidden.bias", "output.bias"] { #expect(model.stateDict()[name]!.scalars == initial[name]) }
        for name in ["hidden.weight", "output.weight"] { #expect(model.stateDict()[name]!.scalars != initial[name]) }

        let checkpoint = try Checkpoint.read(run.folder.checkpoint)
        let stored = try StoredSettings(checkpoint: checkpoint, at: run.folder.checkpoint)
        #expect(stored.settings.parameterGroups == settings.parameterGroups && stored.settings.gradientAccumulation == 4)
        let conflict = #expect(throws: RunError.self) {
            try TrainSettings.resuming(checkpoint, at: run.folder.checkpoint, customModel: true) { $0.gradientAccumulation = 2; $0.epochs = 3 }
        }
        #expect(conflict?.description.hasPrefix("--gradient-accumulation 2 conflicts with the run's stored gradient_accumulation 4") == true)

        // Resumed for a third epoch, the run rebuilds its groups: the biases stay put, and the epoch takes its two steps.
        let resumed = try TrainingRun.resume(out: out, name: "tiny", model: TinyNet(seed: 5), train: train, test: test) { $0.epochs = 3 }
        resumed.showsProgress = false
        let more = try resumed.run()
        #expect(more.records.filter { $0.kind == "step" }.map(\.step) == Array(0..<6))
        for name in ["hidden.bias", "output.bias"] { #expect(resumed.model.stateDict()[name]!.scalars == initial[name]) }
    }
}
