import Kiln
import KilnData
import KilnDistributed
import KilnNN

/// Data-parallel training for a ``Trainer``, ``TrainingRun`` or ``LanguageModelRun``: the
/// processes of a ``Communicator`` each hold a replica of one model and train it on their own
/// shard of every batch, so that N processes with batches of B examples step as one process with
/// batches of N·B.
///
/// - At the first step, every process checks that the others built the same model (names, shapes
///   and types of its state) and takes rank 0's parameters and buffers.
/// - Each batch's gradients are summed over the processes in buckets of ``buckets``, each process
///   weighing its gradient by its share of the examples (or masked targets), which gives every
///   process the gradient of the whole global batch; the batch's loss, example count and correct
///   predictions are summed alongside, so progress, logs and the divergence check see the whole
///   batch. The buckets are reduced after the backward pass: Kiln's backward pass has no hook
///   that says when a parameter's gradient is final, so they do not overlap with it.
/// - A ``DataLoader`` reads each process's shard of the same seeded order (``sampler``); its
///   generator's state is taken from rank 0 at the start of every epoch.
///
/// The runs let only rank 0 (``isLead``) write the run folder and print; every process returns
/// the same summary.
///
/// The equivalence with one process holds for losses that are means over examples, without
/// dropout or augmentation (each process draws its own), and without batch normalization (each
/// process normalizes by its own shard's statistics), as in PyTorch's `DistributedDataParallel`.
public struct DataParallel {
    /// The processes training together.
    public let communicator: any Communicator
    /// How gradients are cut into all-reduce calls.
    public let buckets: GradientBuckets

    /// Data parallelism over `communicator`, all-reducing gradients in buckets of at most `bucketBytes` bytes.
    public init(communicator: any Communicator, bucketBytes: Int = GradientBuckets.defaultCapacityBytes) {
        self.communicator = communicator
        buckets = GradientBuckets(capacityBytes: bucketBytes)
    }

    /// Whether this process leads (rank 0): the one that writes files and prints.
    public var isLead: Bool { communicator.isLead }

    /// This process's shard of each epoch's order.
    public var sampler: DistributedSampler { DistributedSampler(rank: communicator.rank, ranks: communicator.size) }

    /// This process's rows of a batch drawn alike on every process (``DistributedSampler/shard(_:)``
    /// of its rows): the processes' shards together are `batch`.
    public func shard(_ batch: Batch) -> Batch {
        let rows = Tensor(sampler.shard(Array(0..<batch.size)))
        return Batch(inputs: batch.allInputs.map { $0.indexSelect(axis: 0, indices: rows) },
                     targets: batch.targets.indexSelect(axis: 0, indices: rows),
                     mask: batch.mask?.indexSelect(axis: 0, indices: rows))
    }

    /// Fails unless every process built a model of the same state names, shapes and types, then
    /// gives every process rank 0's parameters and buffers.
    func synchronize(_ model: Module) throws {
        let state = model.stateDict().sorted { $0.key < $1.key }
        let layout = state.map { "\($0.key) \($0.value.dtype) \($0.value.shape)" }.joined(separator: "\n")
        let fingerprints = try communicator.allGather(Self.fingerprint(layout))
        if let other = fingerprints.firstIndex(where: { $0 != fingerprints[0] }) {
            throw RunError("rank \(other) built a model other than rank 0's; every process must run with the same settings")
        }
        var agreed: [String: Tensor] = [:]
        for (name, tensor) in state { agreed[name] = try communicator.broadcast(tensor, from: 0) }
        try model.load(stateDict: agreed)
    }

    /// Gives `generator` rank 0's state.
    func agree(on generator: RandomGenerator) throws {
        var state = [generator.state.seed, generator.state.counter]
        try communicator.broadcast(&state, from: 0)
        generator.state = RandomState(seed: state[0], counter: state[1])
    }

    /// The outcome of one batch over every process: gradients averaged with each process's
    /// weight, the weighted mean loss, and summed weights, examples and correct predictions.
    func combine(_ local: BatchOutcome) throws -> BatchOutcome {
        var figures = [local.weight > 0 ? local.loss * local.weight : 0, local.weight, Double(local.samples),
                       Double(local.predictions?.correct ?? 0), Double(local.predictions?.total ?? 0),
                       local.predictions == nil ? 0 : 1]
        try communicator.allReduce(&figures, .sum)
        let weight = figures[1]
        let names = local.gradients.byName.keys.sorted()
        let share = weight > 0 ? Float(local.weight / weight) : 0
        let sums = try buckets.sum(names.map { local.gradients[$0]! }, scaledBy: share, over: communicator)
        return BatchOutcome(loss: figures[0] / weight, gradients: Gradients(Dictionary(uniqueKeysWithValues: zip(names, sums))),
                            weight: weight, samples: Int(figures[2]),
                            predictions: figures[5] > 0 ? (Int(figures[3]), Int(figures[4])) : nil)
    }

    /// FNV-1a of `text`'s bytes: the same on every process (Swift's `Hasher` is seeded per process).
    private static func fingerprint(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

/// What one batch gave a ``Trainer``: its loss, gradients, weight (examples or counted targets),
/// examples and, for classifiers, correct predictions.
struct BatchOutcome {
    var loss: Double
    var gradients: Gradients
    var weight: Double
    var samples: Int
    var predictions: (correct: Int, total: Int)?
}
