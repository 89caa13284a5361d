import Foundation
import KilnTestSupport
import KilnTrain
import Testing

/// Data parallelism inside one process: ranks played by threads (``ThreadGroup``) train with
/// ``DataParallel`` and must end where one trainer of the whole batch ends.
@Suite struct DataParallelTests {
    /// `count` points of 3 classes around three centres in 4 features.
    func points(_ count: Int) -> TensorDataset {
        let g = RandomGenerator(seed: 3)
        let labels = Tensor.randint([count], low: 0, high: 3, generator: g)
        let centres = Tensor([1, 0, 0, 0.5, 0, 1, 0, -0.5, 0, 0, 1, 0] as [Float], shape: [3, 4])
        return TensorDataset(inputs: centres.indexSelect(axis: 0, indices: labels) + 0.4 * Tensor.normal([count, 4], generator: g), targets: labels)
    }

    /// Runs `body(rank)` for every rank on a thread of its own (the ranks wait for each other, so
    /// they need as many threads as there are ranks), in a one-thread scope; returns when all are done.
    func onThreads(_ ranks: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for rank in 0..<ranks {
            done.enter()
            Thread {
                ExecutionScope(threads: 1, generator: RandomGenerator(seed: 0)).run { body(rank) }
                done.leave()
            }.start()
        }
        done.wait()
    }

    func model(seed: UInt64) -> Sequential {
        let g = RandomGenerator(seed: seed)
        return Sequential { Linear(4, 8, generator: g); Tanh(); Linear(8, 3, generator: g) }
    }

    /// Trains for `epochs` epochs with batches of `batch` per rank over `communicator` (nil: alone);
    /// returns the weights and the trainer.
    func train(batch: Int, examples: Int, epochs: Int, communicator: (any Communicator)?, seed: UInt64) throws -> ([String: Tensor], Trainer) {
        let model = model(seed: seed)
        let trainer = Trainer(model: model, optimizer: AdamW(learningRate: 0.02), loss: { crossEntropy(logits: $0, labels: $1) })
        trainer.showsProgress = false
        let loader = DataLoader(points(examples), batchSize: batch, shuffle: true, generator: RandomGenerator(seed: 9), prefetch: false)
        if let communicator {
            let parallel = DataParallel(communicator: communicator, bucketBytes: 64)
            trainer.dataParallel = parallel
            loader.sampler = parallel.sampler
        }
        try trainer.fit(loader, epochs: epochs)
        return (model.stateDict(), trainer)
    }

    /// 91 examples on 2 ranks end each epoch with a global batch of 11 (6 and 5 examples); 73 on
    /// 3 ranks with one of 1 example, so ranks 1 and 2 have an empty batch there.
    @Test(arguments: [(2, 91), (3, 73)])
    func ranksOfBatch8StepAsOneTrainerOfTheWholeBatch(ranks: Int, examples: Int) throws {
        let (expected, alone) = try train(batch: 8 * ranks, examples: examples, epochs: 3, communicator: nil, seed: 1)
        let group = ThreadGroup(size: ranks)
        let results = Results<([String: Tensor], Trainer)>(count: ranks)
        // Each rank starts from other weights: the first step gives every rank rank 0's.
        onThreads(ranks) { rank in
            results[rank] = try? train(batch: 8, examples: examples, epochs: 3, communicator: group.communicators()[rank],
                                       seed: rank == 0 ? 1 : 100 + UInt64(rank))
        }
        for (rank, result) in results.all.enumerated() {
            let (weights, trainer) = try #require(result, "rank \(rank) failed")
            #expect(trainer.progress.step == alone.progress.step)
            for (name, value) in expected { expectClose(try #require(weights[name]).scalars, value.scalars, relative: 1e-5, absolute: 1e-6) }
            // The logged losses are those of the whole batch.
            let losses = trainer.records.compactMap { $0.values["train_loss"] }, single = alone.records.compactMap { $0.values["train_loss"] }
            #expect(losses.count == single.count)
            for (l, e) in zip(losses, single) { expectClose(l, e, relative: 1e-5, absolute: 1e-7, "epoch loss") }
        }
    }

    @Test func ranksThatBuiltDifferentModelsAreRefused() throws {
        let group = ThreadGroup(size: 2)
        let messages = Results<String>(count: 2)
        onThreads(2) { rank in
            let g = RandomGenerator(seed: 1)
            let model = rank == 0 ? Sequential { Linear(4, 3, generator: g) } : Sequential { Linear(4, 5, generator: g); Linear(5, 3, generator: g) }
            let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.1), loss: { crossEntropy(logits: $0, labels: $1) })
            trainer.dataParallel = DataParallel(communicator: group.communicators()[rank])
            let batch = Batch(inputs: Tensor(zeros: [2, 4]), targets: Tensor([0, 1]))
            var message: String?
            do { try trainer.step(batch) } catch { message = "\(error)" }
            messages[rank] = message
        }
        for message in messages.all {
            #expect(message == "rank 1 built a model other than rank 0's; every process must run with the same settings")
        }
    }
}

/// What each rank's thread produced, kept under a lock.
final class Results<T>: @unchecked Sendable {
    private var values: [T?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    subscript(rank: Int) -> T? {
        get { lock.withLock { values[rank] } }
        set { lock.withLock { values[rank] = newValue } }
    }

    var all: [T?] { lock.withLock { values } }
}
