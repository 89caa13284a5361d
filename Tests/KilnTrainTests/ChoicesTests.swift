import Foundation
import KilnTrain
import Testing

@Suite struct ChoicesTests {
    @Test func unknownNamesAreErrorsListingTheValidOnes() throws {
        let error = #expect(throws: ChoiceError.self) { try OptimizerChoice(named: "adamz") }
        #expect(error?.description == "optimizer 'adamz' is not one of adamw, adam, sgd, lion, rmsprop, adagrad, adamax, nadam, radam, adafactor")
        #expect(throws: ChoiceError.self) { try ModelChoice(named: "CNN") }
        #expect(throws: ChoiceError.self) { try AugmentationChoice(named: "crop") }
        #expect(throws: ChoiceError.self) { try LossChoice(named: "hinge") }
        #expect((try? ActivationChoice(named: "leaky_relu")) == .leakyReLU)
        #expect((try? AugmentationChoice(named: "flip+crop")) == .flipCrop)
        #expect(ActivationChoice.names == ["relu", "gelu", "gelu_tanh", "silu", "swish", "mish", "tanh", "sigmoid", "softplus", "softsign",
                                           "elu", "selu", "celu", "leaky_relu", "prelu", "relu6", "hardtanh", "hardsigmoid",
                                           "hardswish", "squared_relu", "logsigmoid", "tanhshrink", "crrelu", "polyrelu", "swish_learned"])
    }

    @Test func eachOptimizerIsBuiltWithTheRunsLearningRateAndWeightDecay() {
        for choice in OptimizerChoice.allCases {
            let optimizer = choice.make(learningRate: 3e-3, weightDecay: 0.05)
            #expect(optimizer.learningRate == 3e-3)
            #expect((optimizer as? ParameterwiseOptimizer)?.weightDecay == 0.05)
            #expect("\(type(of: optimizer))".lowercased() == choice.rawValue)
        }
        #expect((OptimizerChoice.sgd.make(learningRate: 1, weightDecay: 0) as? SGD)?.momentum == 0.9)
    }

    @Test func namedSchedulesAreSizedToTheRunAndSpecsTakenAsWritten() throws {
        let cosine = try ScheduleChoice("cosine").make(peak: 1e-3, steps: 100)
        #expect(cosine(0) == 1e-3)
        #expect(abs(cosine(50) - 0.5e-3) <= 1e-12)
        #expect(cosine(100) <= 1e-12)
        #expect(try ScheduleChoice("constant").make(peak: 0.2, steps: 10)(7) == 0.2)
        let spec = try ScheduleChoice("constant:peak=0.1")
        #expect(spec.sized == nil)
        #expect(try spec.make(peak: 5, steps: 10)(3) == 0.1)
        let unknown = #expect(throws: ChoiceError.self) { try ScheduleChoice("cosin") }
        #expect(unknown?.description.hasPrefix("schedule 'cosin' is not one of cosine, constant, linear, wsd, onecycle, "
                                              + "or a spec family:key=value,... with family one of constant, step,") == true)
        #expect(throws: ChoiceError.self) { try ScheduleChoice("fancy:peak=1") }
        // A spec's family is checked at once, its fields when the run builds it.
        let unfinished = try ScheduleChoice("cosine:peak=1e-3")
        #expect(throws: ScheduleSpecError.self) { try unfinished.make(peak: 1e-3, steps: 10) }
    }

    @Test func activationsAugmentationsAndLossBuildTheirObjects() {
        #expect(ActivationChoice.allCases.map { "\(type(of: $0.make()))" }
                == ["ReLU", "GELU", "GELU", "SiLU", "Swish", "Mish", "Tanh", "Sigmoid", "Softplus", "Softsign", "ELU", "SELU", "CELU",
                    "LeakyReLU", "PReLU", "ReLU6", "HardTanh", "HardSigmoid", "HardSwish", "SquaredReLU", "LogSigmoid", "Tanhshrink",
                    "CRReLU", "PolyReLU", "Swish"])
        // The two spellings of GELU and of Swish differ where it matters: at x = 1.
        let one = Tensor([1] as [Float])
        #expect(ActivationChoice.gelu.make()(one).item != ActivationChoice.geluTanh.make()(one).item)
        #expect(ActivationChoice.swishLearned.make().parameterCount == 1 && ActivationChoice.swish.make().parameterCount == 0)
        #expect(AugmentationChoice.allCases.map { $0.make(images: true).count } == [0, 1, 2])
        #expect(AugmentationChoice.flipCrop.make(images: false).isEmpty)
        // logits (ln 2, 0) for class 0: p = (2/3, 1/3).
        let logits = Tensor([Float(log(2.0)), 0], shape: [1, 2]), label = Tensor([0])
        let plain = Double(LossChoice.crossEntropy.make()(logits, label).item)
        #expect(abs(plain - log(1.5)) <= 1e-6 * log(1.5))
        // Smoothing 0.5 over 2 classes aims at (0.75, 0.25).
        let smoothed = Double(LossChoice.crossEntropy.make(labelSmoothing: 0.5)(logits, label).item)
        let expected = -0.75 * log(2.0 / 3) - 0.25 * log(1.0 / 3)
        #expect(abs(smoothed - expected) <= 1e-6 * expected)
    }

    @Test func modelsAreSizedToTheData() throws {
        var settings = TrainSettings()
        settings.activation = .tanh
        let mlp = try ModelChoice.mlp.make(inputShape: [3, 4], classes: 5, settings: settings)
        #expect(mlp.stateDict()["1.weight"]?.shape == [512, 12] && mlp.stateDict()["5.weight"]?.shape == [5, 256])
        let cnn = try ModelChoice.cnn.make(inputShape: [3, 8, 8], classes: 4, settings: TrainSettings())
        #expect(cnn.stateDict()["0.weight"]?.shape == [32, 3, 3, 3] && cnn.stateDict()["12.weight"]?.shape == [4, 128])
    }

    @Test func settingsFilesNameTheBadChoice() {
        func refusal(_ text: String) -> String? {
            do {
                _ = try TrainSettings.decode(text: text, path: "s.yaml")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal("optimizer: adamz\n") == "s.yaml: setting 'optimizer' must be one of adamw, adam, sgd, lion, rmsprop, adagrad, "
                + "adamax, nadam, radam, adafactor, got 'adamz'")
        #expect(refusal("model: resnet\n") == "s.yaml: setting 'model' must be one of mlp, cnn, got 'resnet'")
        #expect(refusal("loss: hinge\n") == "s.yaml: setting 'loss' must be one of cross_entropy, accuracy, f1, balanced_accuracy, geometric_mean, mcc, mse, huber, got 'hinge'")
        #expect(refusal("schedule: cosin\n")?.hasPrefix("s.yaml: setting 'schedule' must be one of cosine, constant, linear, wsd, onecycle, or a spec") == true)
        #expect(refusal("optimizer: radam\nloss: cross_entropy\nschedule: 'wsd:peak=1e-3,steps=100'\naugment: flip+crop\n") == nil)
    }

    @Test func settingsRoundTripThroughJSON() throws {
        var settings = TrainSettings()
        settings.optimizer = .nadam
        settings.schedule = try ScheduleChoice("onecycle:peak=0.01,steps=500")
        settings.threads = 2
        settings.name = "a"
        settings.data = .init(path: "a/b.csv", labelColumn: "y", testPath: "a/c.csv")
        let data = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(TrainSettings.self, from: data) == settings)
        // Missing keys keep their defaults.
        #expect(try JSONDecoder().decode(TrainSettings.self, from: Data("{}".utf8)) == TrainSettings())
    }
}
