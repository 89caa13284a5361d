import Foundation
import KilnTrain
import Testing

/// Models described in settings: their layers, parameter counts, errors and a short training run.
@Suite struct ArchitectureTests {
    func settings(_ yaml: String) throws -> TrainSettings { try TrainSettings.decode(text: yaml, path: "s.yaml") }

    func parameterCount(_ model: Module) -> Int { model.parameterCount }

    @Test func mlpSectionBuildsItsLayers() throws {
        let s = try settings("model: mlp\nactivation: swish_learned\nmlp: {hidden: [8, 8, 4], norm: layer, dropout: 0.1, residual: true}\n")
        #expect(s.problem() == nil)
        let model = try s.model.make(inputShape: [6], classes: 3, settings: s)
        let names = model.stateDict().keys.sorted()
        // The second hidden layer keeps its width, so it sits in a Residual whose body is the block.
        #expect(names.contains("2.body.0.weight") && names.contains("2.body.1.weight") && names.contains("2.body.2.beta"))
        #expect(names.contains("1.0.weight") && names.contains("3.0.weight") && names.contains("4.weight"))
        // Linear 6→8, 8→8, 8→4, 4→3 with biases; three LayerNorms (weight and bias); three learned β.
        let linear = (6 * 8 + 8) + (8 * 8 + 8) + (8 * 4 + 4) + (4 * 3 + 3)
        #expect(parameterCount(model) == linear + 2 * (8 + 8 + 4) + 3)
        let out = withoutGradient { model(Tensor.normal([5, 6], generator: RandomGenerator(seed: 1))) }
        #expect(out.shape == [5, 3])
    }

    @Test func residualCNNProjectsWhereChannelsChange() throws {
        let s = try settings("model: cnn\ncnn: {channels: [4, 4, 8], kernel: 3, pool: avg, norm: batch, residual: true, dense: 0}\n")
        let model = try s.model.make(inputShape: [1, 8, 8], classes: 5, settings: s)
        let names = Set(model.stateDict().keys)
        #expect(names.contains("0.0.shortcut.0.weight"), "1 → 4 channels: a 1×1 projection")
        #expect(!names.contains("2.0.shortcut.0.weight"), "4 → 4 channels: the identity")
        #expect(names.contains("4.0.shortcut.0.weight") && names.contains("4.0.body.3.weight"))
        // Three pooled blocks take 8 pixels to 1; no dense layer, so the classifier reads 8 features.
        #expect(model.stateDict()["7.weight"]?.shape == [5, 8])
        let out = withoutGradient { model(Tensor.normal([2, 1, 8, 8], generator: RandomGenerator(seed: 2))) }
        #expect(out.shape == [2, 5])
    }

    @Test func badSectionsAreOneLine() throws {
        func problem(_ yaml: String, shape: [Int] = [1, 28, 28]) -> String? {
            do {
                let s = try settings(yaml)
                if let p = s.problem() { return p }
                _ = try s.model.make(inputShape: shape, classes: 10, settings: s)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(problem("model: cnn\nmlp: {hidden: [4]}\n") == "an mlp section describes the mlp model, but model is cnn")
        #expect(problem("model: mlp\nmlp: {hidden: []}\n") == "mlp.hidden must list 1 to 64 widths, got 0")
        #expect(problem("model: mlp\nmlp: {hidden: [4, 0]}\n") == "mlp.hidden widths must be from 1 to 65536, got 0")
        #expect(problem("model: mlp\nmlp: {hidden: [4, x]}\n") == "s.yaml: setting 'mlp.hidden[1]' must be an integer, got 'x'")
        #expect(problem("model: mlp\nmlp: {depth: 3}\n")?.hasPrefix("s.yaml: unknown setting 'mlp.depth'; known: dropout, hidden, norm, residual") == true)
        #expect(problem("model: mlp\nmlp: {norm: group}\n") == "s.yaml: setting 'mlp.norm' must be one of none, batch, layer, rms, got 'group'")
        #expect(problem("model: cnn\ncnn: {kernel: 4}\n") == "cnn.kernel must be odd, from 1 to 15, got 4")
        #expect(problem("model: cnn\ncnn: {norm: layer}\n") == "cnn.norm must be none or batch, got layer")
        #expect(problem("model: cnn\ncnn: {channels: [8, 8, 8, 8, 8, 8]}\n")
                == "cnn: 6 pooled blocks shrink a 28-pixel image below one pixel; use fewer channels entries or pool: none")
        #expect(problem("model: cnn\ncnn: {channels: [8, 8, 8, 8, 8, 8], pool: none, dense: 4}\n", shape: [1, 4, 4]) == nil)
        #expect(problem("activation: maxout\n") == "s.yaml: setting 'activation' must be one of \(ActivationChoice.names.joined(separator: ", ")), got 'maxout'")
    }

    @Test func aConfiguredModelTrainsAndResumesFromItsStoredSettings() throws {
        let out = temporaryPath("run-architecture-\(UUID())")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var s = try settings("model: mlp\nactivation: elu\nmlp: {hidden: [16, 16], norm: batch, residual: true}\nepochs: 1\nbatch_size: 30\nlr: 0.05\n")
        s.out = out
        s.name = "configured"
        let all = clusters()
        let data = try RunData(train: all, test: all, classNames: ["a", "b", "c"])
        let run = try TrainingRun(model: try s.model.make(inputShape: [2], classes: 3, settings: s), data: data, settings: s)
        run.showsProgress = false
        _ = try run.run()
        let stored = try StoredSettings(checkpoint: Checkpoint.read(run.folder.checkpoint), at: run.folder.checkpoint)
        #expect(stored.settings.mlp == s.mlp && stored.settings.activation == .elu)
    }

    @Test func orthogonalGradientsWrapTheOptimizer() throws {
        let out = temporaryPath("run-orthograd-\(UUID())")
        defer { try? FileManager.default.removeItem(atPath: out) }
        func finalWeights(orthogonal: Bool) throws -> (weights: [Float], stored: Bool) {
            var s = try settings("model: mlp\nmlp: {hidden: [8]}\noptimizer: sgd\nepochs: 1\nbatch_size: 60\nlr: 0.1\nweight_decay: 0\n")
            s.orthogonalGradients = orthogonal
            s.out = out
            s.name = "orthogonal-\(orthogonal)"
            let all = clusters()
            let model = try s.model.make(inputShape: [2], classes: 3, settings: s)
            let run = try TrainingRun(model: model, data: try RunData(train: all, test: all), settings: s)
            run.showsProgress = false
            _ = try run.run()
            let stored = try StoredSettings(checkpoint: Checkpoint.read(run.folder.checkpoint), at: run.folder.checkpoint)
            return (model.stateDict()["1.0.weight"]!.scalars, stored.settings.orthogonalGradients)
        }
        let (plain, plainStored) = try finalWeights(orthogonal: false)
        let (orthogonal, orthogonalStored) = try finalWeights(orthogonal: true)
        #expect(!plainStored && orthogonalStored)
        #expect(plain != orthogonal, "the same seed and data, so only the projected gradients differ")
        #expect((try settings("orthogonal_gradients: yes\n")).orthogonalGradients)
    }
}
