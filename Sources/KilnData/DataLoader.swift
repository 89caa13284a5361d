import Dispatch
import Kiln

/// A batch of examples: the model's inputs with a leading batch dimension, their targets and,
/// optionally, weights saying how much each target counts in the loss.
///
/// Most models take one input, ``inputs``. A model with several (token ids and an attention
/// mask, two sequences) takes ``allInputs`` in its multi-input call `model(batch.allInputs)`. A
/// ``mask`` shaped like the targets weighs each target position: a padded sequence batch marks its
/// padding 0 so that it does not count.
///
/// ```swift
/// let batch = Batch(inputs: [tokens, attentionMask], targets: nextTokens, mask: notPadding)
/// ```
public struct Batch {
    /// Every input of the model, in the order of its multi-input call; never empty.
    public private(set) var allInputs: [Tensor]
    public var targets: Tensor
    /// Weights of the target positions (float, shaped like ``targets``; 1 counts, 0 is left out),
    /// or nil when every target counts fully.
    public var mask: Tensor?

    /// A batch of one input tensor, its `targets` and optional per-target weights `mask`.
    public init(inputs: Tensor, targets: Tensor, mask: Tensor? = nil) {
        self.init(inputs: [inputs], targets: targets, mask: mask)
    }

    /// A batch of several input tensors (at least one, all with the same leading batch size), their
    /// `targets` and optional per-target weights `mask` (shaped like `targets`).
    public init(inputs: [Tensor], targets: Tensor, mask: Tensor? = nil) {
        precondition(!inputs.isEmpty, "Batch: needs at least one input")
        let size = inputs[0].shape.first
        precondition(inputs.allSatisfy { $0.shape.first == size } && targets.shape.first == size,
                     "Batch: inputs \(inputs.map(\.shape)) and targets \(targets.shape) differ in their batch dimension")
        if let mask {
            precondition(mask.dtype == .float32 && mask.shape == targets.shape,
                         "Batch: mask must be float32 weights shaped like the targets \(targets.shape), got \(mask.dtype) \(mask.shape)")
        }
        self.allInputs = inputs
        self.targets = targets
        self.mask = mask
    }

    /// The first (for most models, the only) input.
    public var inputs: Tensor {
        get { allInputs[0] }
        set { allInputs[0] = newValue }
    }

    /// The number of examples: the inputs' leading dimension.
    public var size: Int { allInputs[0].shape.first ?? 1 }

    /// How much the batch weighs in a mean over batches: the sum of its ``mask`` when it has one,
    /// else its ``size``. A loss that averages over the counted targets, weighted by this, gives
    /// the mean over all of them.
    public var weight: Double {
        guard let mask else { return Double(size) }
        return mask.withUnsafeFloats { $0.reduce(0) { $0 + Double($1) } }
    }
}

/// Reads a dataset in batches: seeded shuffling, optional drop-last, transforms, and the next
/// batch prepared on a background thread while the current one is used when a core is free for it.
///
/// The order of an epoch depends only on the generator's state when ``epoch(skipping:)`` is
/// called, so saving that state (``RandomGenerator/state``) is enough to resume mid-epoch.
public final class DataLoader<D: Dataset> {
    public let dataset: D
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    /// Draws each epoch's order and the transforms' randomness.
    public let generator: RandomGenerator
    /// Applied to every batch, in order.
    public var transforms: [any BatchTransform]
    /// Whether the next batch is prepared on a background thread while the current one is used.
    /// It is, only when the kernels leave a core free (the scope iterating has fewer threads than
    /// the machine has cores): with every core busy, the background thread would only take turns
    /// with the kernels' threads and hold up their parallel loops.
    public var prefetch: Bool
    /// When set, each epoch reads only this process's shard of the order, in batches of
    /// ``batchSize`` (data parallelism; ``DistributedSampler``); ``batchCount`` is then that of one
    /// process reading the whole order in batches of `ranks · batchSize`.
    public var sampler: DistributedSampler?

    /// A loader of `dataset` in batches of `batchSize`, in order unless `shuffle`, keeping a last partial
    /// batch unless `dropLast`; `generator` draws the order and the transforms' randomness.
    public init(_ dataset: D, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                generator: RandomGenerator = RandomGenerator(seed: 0), transforms: [any BatchTransform] = [],
                prefetch: Bool = true) {
        precondition(batchSize > 0, "DataLoader: batch size must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.generator = generator
        self.transforms = transforms
        self.prefetch = prefetch
    }

    /// Batches per epoch.
    public var batchCount: Int {
        (sampler ?? DistributedSampler(rank: 0, ranks: 1)).batchCount(examples: dataset.count, batchSize: batchSize, dropLast: dropLast)
    }

    /// The batches of one epoch, its order drawn now; the first `skipping` batches are left out
    /// (their randomness is still drawn, so a resumed epoch continues exactly).
    public func epoch(skipping: Int = 0) -> EpochBatches<D> {
        let order = shuffle ? Tensor.randomPermutation(dataset.count, generator: generator).integers : Array(0..<dataset.count)
        if let sampler { return EpochBatches(loader: self, order: sampler.shard(order), skipping: skipping) }
        return EpochBatches(loader: self, order: order, skipping: skipping)
    }

    /// Batch `index` of an epoch with example order `order` (empty past its end: a rank's part
    /// of a last global batch too small to reach it).
    func makeBatch(_ index: Int, order: [Int]) -> Batch {
        let rows = Array(order[min(index * batchSize, order.count)..<min((index + 1) * batchSize, order.count)])
        return transforms.reduce(dataset.examples(at: rows)) { $1.apply($0, generator: generator) }
    }
}

/// One epoch of batches, produced in order (one ahead on a background thread when prefetching).
public struct EpochBatches<D: Dataset>: Sequence, IteratorProtocol {
    let loader: DataLoader<D>
    let order: [Int]
    private var position: Int
    private var pending: (DispatchGroup, Box)?

    /// Holds a batch made on the background thread.
    final class Box: @unchecked Sendable { var batch: Batch? }

    init(loader: DataLoader<D>, order: [Int], skipping: Int) {
        self.loader = loader
        self.order = order
        self.position = 0
        // Transforms draw randomness per batch, so skipped batches are still made (cheaply, in order).
        while position < Swift.min(skipping, loader.batchCount) {
            if !loader.transforms.isEmpty { _ = loader.makeBatch(position, order: order) }
            position += 1
        }
    }

    public mutating func next() -> Batch? {
        let count = loader.batchCount
        let batch: Batch
        if let (group, box) = pending {
            group.wait()
            batch = box.batch!
            pending = nil
        } else {
            guard position < count else { return nil }
            batch = loader.makeBatch(position, order: order)
        }
        position += 1
        let scope = ExecutionScope.current
        if loader.prefetch && position < count && scope.threads < Threads.cores {
            let group = DispatchGroup(), box = Box()
            let (loader, order, index) = (self.loader, self.order, position)
            // The background thread works in the caller's scope (its thread count and generator).
            DispatchQueue.global().async(group: group) { box.batch = scope.run { loader.makeBatch(index, order: order) } }
            pending = (group, box)
        }
        return batch
    }
}
