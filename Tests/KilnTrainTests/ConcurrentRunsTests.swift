import Foundation
import KilnTrain
import Testing

/// A small convolutional classifier with dropout: 1×16×16 → conv 16 → ReLU → dropout → 3.
///
/// Its convolution splits the batch between threads and sums one weight-gradient partial per
/// thread, so its trained weights differ in their bits between one and two threads; its dropout
/// draws from the run's generator.
final class SmallConvNet: Module {
    let conv: Conv2d
    let dropout = Dropout(0.2)
    let output: Linear

    override init() {
        let generator = RandomGenerator(seed: 5)
        conv = Conv2d(1, 16, kernelSize: 3, padding: 1, generator: generator)
        output = Linear(16 * 16 * 16, 3, generator: generator)
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor {
        output(dropout(relu(conv(x))).flattened(from: 1))
    }
}

@Suite struct ConcurrentRunsTests {
    /// 200 training and 40 test images of noise with labels from their mean brightness.
    func data() -> (train: TensorDataset, test: TensorDataset) {
        let g = RandomGenerator(seed: 21)
        let x = Tensor.normal([240, 1, 16, 16], generator: g)
        let brightness = x.mean(axes: [1, 2, 3]).scalars
        let labels = Tensor(brightness.map { $0 < -0.02 ? 0 : $0 < 0.02 ? 1 : 2 }, shape: [240])
        return (TensorDataset(inputs: x[0..<200], targets: labels[0..<200]),
                TensorDataset(inputs: x[200..<240], targets: labels[200..<240]))
    }

    /// The bits of every trained weight and of the final test figures of a run on `threads` threads.
    func train(threads: Int, out: String, name: String) throws -> [String: [UInt64]] {
        var settings = TrainSettings()
        settings.epochs = 2
        settings.batchSize = 40
        settings.lr = 0.01
        settings.seed = 3
        settings.threads = threads
        settings.out = out
        settings.name = name
        let (train, test) = data()
        let run = try TrainingRun(model: SmallConvNet(), train: train, test: test, settings: settings)
        run.showsProgress = false
        let summary = try run.run()
        var bits = run.model.stateDict().mapValues { $0.scalars.map { UInt64($0.bitPattern) } }
        for (key, value) in summary.test { bits["figure " + key] = [value.bitPattern] }
        return bits
    }

    @Test func runsOnOneAndTwoThreadsAtOnceEndWithTheWeightsOfEachAlone() throws {
        let out = temporaryPath("concurrent-runs")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let alone = try [1, 2].map { try train(threads: $0, out: out, name: "alone-\($0)") }
        // The thread count shows in the bits, so a run seeing the other's count would differ.
        #expect(alone[0] != alone[1])
        #expect(try train(threads: 1, out: out, name: "again-1") == alone[0])

        let together = Outcomes(), done = DispatchGroup()
        for threads in [1, 2] {
            done.enter()
            Thread {
                together.record(threads, Result { try train(threads: threads, out: out, name: "together-\(threads)") })
                done.leave()
            }.start()
        }
        done.wait()
        #expect(try together[1]?.get() == alone[0])
        #expect(try together[2]?.get() == alone[1])
    }
}

/// The results of runs on other threads, by thread count, behind a lock.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var byThreads: [Int: Result<[String: [UInt64]], any Error>] = [:]

    func record(_ threads: Int, _ result: Result<[String: [UInt64]], any Error>) { lock.withLock { byThreads[threads] = result } }

    subscript(threads: Int) -> Result<[String: [UInt64]], any Error>? { lock.withLock { byThreads[threads] } }
}
