/// Which examples one process of a data-parallel group trains on: the positions of an epoch's
/// order (the same seeded shuffle on every process) congruent to its rank modulo the group size,
/// `order[rank], order[rank + ranks], …` (PyTorch's `DistributedSampler` without padding).
///
/// The shards of the ranks are disjoint and together cover the order. Batched by `B` examples
/// (``DataLoader/sampler``), batch `k` of every rank comes from positions
/// `k·ranks·B ..< (k + 1)·ranks·B` of the order: the ranks' batches `k` together are batch `k` of
/// one process reading the same order in batches of `ranks·B`. When the examples do not fill the
/// last global batch, a rank's part of it may be smaller than the others', or empty.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 32, shuffle: true, generator: RandomGenerator(seed: 1))
/// loader.sampler = DistributedSampler(rank: communicator.rank, ranks: communicator.size)
/// ```
public struct DistributedSampler: Equatable, Sendable {
    /// This process's rank, in `0..<ranks`.
    public let rank: Int
    /// The processes sharing the data, at least 1.
    public let ranks: Int

    /// The sampler of process `rank` of `ranks`.
    public init(rank: Int, ranks: Int) {
        precondition(ranks >= 1 && (0..<ranks).contains(rank), "DistributedSampler: rank \(rank) is not in 0..<\(ranks)")
        self.rank = rank
        self.ranks = ranks
    }

    /// This rank's shard of an epoch's `order`: the elements at positions `rank, rank + ranks, …`.
    public func shard<T>(_ order: [T]) -> [T] {
        Array(stride(from: rank, to: order.count, by: ranks).lazy.map { order[$0] })
    }

    /// Batches per epoch for every rank: those of one process reading `examples` in batches of
    /// `ranks · batchSize` (the last one partial unless `dropLast`).
    public func batchCount(examples: Int, batchSize: Int, dropLast: Bool) -> Int {
        let global = ranks * batchSize
        return dropLast ? examples / global : (examples + global - 1) / global
    }
}
