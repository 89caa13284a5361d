import KilnData
import Testing

@Suite struct DistributedSamplerTests {
    /// A dataset whose input for example `i` is `i`, so batches show which examples they hold.
    func indexed(_ count: Int) -> TensorDataset {
        TensorDataset(inputs: Tensor((0..<count).map(Float.init), shape: [count, 1]), targets: Tensor(Array(0..<count)))
    }

    /// The examples of each batch of one epoch of `loader`, its generator seeded with `seed`.
    func epochRows(_ loader: DataLoader<TensorDataset>, seed: UInt64) -> [[Int]] {
        loader.generator.state = RandomState(seed: seed)
        return loader.epoch().map { $0.targets.integers }
    }

    @Test func shardsAreDisjointCoverTheOrderAndFollowTheRank() {
        let order = [9, 3, 7, 0, 5, 1, 8, 2, 6, 4, 10]
        let shards = (0..<3).map { DistributedSampler(rank: $0, ranks: 3).shard(order) }
        #expect(shards == [[9, 0, 8, 4], [3, 5, 2, 10], [7, 1, 6]])
        #expect(shards.flatMap { $0 }.sorted() == order.sorted())
    }

    @Test(arguments: [(count: 96, ranks: 2, batch: 8), (count: 23, ranks: 3, batch: 2), (count: 10, ranks: 4, batch: 4)])
    func theRanksBatchesTogetherAreTheBatchesOfOneProcessReadingTheSameShuffle(count: Int, ranks: Int, batch: Int) {
        let single = DataLoader(indexed(count), batchSize: ranks * batch, shuffle: true, prefetch: false)
        let expected = epochRows(single, seed: 5)
        let perRank = (0..<ranks).map { rank -> [[Int]] in
            let loader = DataLoader(indexed(count), batchSize: batch, shuffle: true, prefetch: false)
            loader.sampler = DistributedSampler(rank: rank, ranks: ranks)
            #expect(loader.batchCount == single.batchCount)
            return epochRows(loader, seed: 5)
        }
        for rows in perRank { #expect(rows.count == expected.count) }
        for (k, global) in expected.enumerated() {
            let parts = perRank.map { $0[k] }
            #expect(parts.allSatisfy { $0.count <= batch })
            #expect(parts.flatMap { $0 }.sorted() == global.sorted(), "batch \(k)")
        }
        // Disjoint over the epoch and covering the data.
        #expect(perRank.flatMap { $0.flatMap { $0 } }.sorted() == Array(0..<count))
    }

    @Test func aRankPastTheEndOfTheLastGlobalBatchGetsAnEmptyBatch() {
        // 9 examples, 2 ranks of 4: the second global batch holds one example, rank 1's part is empty.
        let loader = DataLoader(indexed(9), batchSize: 4, prefetch: false)
        loader.sampler = DistributedSampler(rank: 1, ranks: 2)
        let batches = Array(loader.epoch())
        #expect(batches.map(\.size) == [4, 0])
        #expect(batches[0].targets.integers == [1, 3, 5, 7])
    }

    @Test func dropLastCountsOnlyFullGlobalBatches() {
        let sampler = DistributedSampler(rank: 0, ranks: 3)
        #expect(sampler.batchCount(examples: 20, batchSize: 3, dropLast: true) == 2)
        #expect(sampler.batchCount(examples: 20, batchSize: 3, dropLast: false) == 3)
    }
}
