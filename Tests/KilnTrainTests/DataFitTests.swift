import Foundation
import KilnTrain
import Testing

@Suite struct DataFitTests {
    func tabular(_ labels: [Int], features: Int = 4) -> TensorDataset {
        TensorDataset(inputs: Tensor(zeros: [labels.count, features]), targets: Tensor(labels))
    }

    func mlp(batch: Int = 4) -> TrainSettings {
        var s = TrainSettings()
        s.model = .mlp
        s.batchSize = batch
        return s
    }

    func problem(_ settings: TrainSettings, shape: [Int] = [4], classes: Int = 3,
                 train: TensorDataset, test: TensorDataset) -> String? {
        do {
            try DataFit.check(settings, inputShape: shape, classes: classes, train: train, test: test, source: "d.csv")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func settingsThatCannotFitTheDataAreOneLineEach() {
        let train = tabular([0, 1, 2, 0, 1, 2]), test = tabular([2, 1])
        #expect(problem(mlp(), train: train, test: test) == nil)
        #expect(problem(TrainSettings(), train: train, test: test)
                == "the cnn model needs images [channels, height, width], but d.csv holds 4 tabular features per example; use --model mlp")
        #expect(problem(mlp(), shape: [0], train: tabular([0, 1], features: 0), test: tabular([1], features: 0))
                == "d.csv: the examples have no features")
        #expect(problem(mlp(), train: tabular([0, 1, 0, 1]), test: tabular([2, 1, 3]))
                == "d.csv: test labels 2, 3 never occur in the training examples")
        #expect(problem(mlp(batch: 7), train: train, test: test) == "batch size 7 is larger than the 6 training examples of d.csv")
        #expect(problem(mlp(), classes: 100_001, train: train, test: test)
                == "d.csv: labels up to 100000 ask for 100001 classes; at most 100000 are supported")
    }

    @Test func threadCountsAreCappedAndStepCountsCannotOverflow() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(RunLimits.maximumThreads == min(256, 4 * cores))
        try RunLimits.check(threads: 1)
        try RunLimits.check(threads: RunLimits.maximumThreads)
        #expect(throws: RunError.self) { try RunLimits.check(threads: RunLimits.maximumThreads + 1) }
        #expect(throws: RunError.self) { try RunLimits.check(threads: Int.max) }
        #expect(throws: RunError.self) { try RunLimits.check(threads: 0) }
        #expect(try RunLimits.totalSteps(epochs: 14, batchesPerEpoch: 469) == 6566)
        let error = #expect(throws: RunError.self) { try RunLimits.totalSteps(epochs: Int.max / 2, batchesPerEpoch: 469) }
        #expect(error?.description.hasSuffix("is more than the 10000001 steps a run's log holds") == true)
        #expect(try RunLimits.totalSteps(epochs: 10_000_001, batchesPerEpoch: 1) == 10_000_001)
        #expect(throws: RunError.self) { try RunLimits.totalSteps(epochs: 10_000_002, batchesPerEpoch: 1) }
    }
}
