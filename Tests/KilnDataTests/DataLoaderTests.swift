import Foundation
import Kiln
@testable import KilnData
import Testing

@Suite struct DataLoaderTests {
    /// Ten examples whose input is their own index.
    let dataset = TensorDataset(inputs: Tensor((0..<10).map { Float($0) }, shape: [10, 1]), targets: Tensor(Array(0..<10)))

    func indices(_ batches: EpochBatches<TensorDataset>) -> [[Int]] { batches.map(\.targets.integers) }

    @Test func batchesCoverTheDatasetOnceWithOrWithoutDropLast() {
        let keep = DataLoader(dataset, batchSize: 4)
        #expect(keep.batchCount == 3 && indices(keep.epoch()) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        let drop = DataLoader(dataset, batchSize: 4, dropLast: true)
        #expect(drop.batchCount == 2 && indices(drop.epoch()).joined().count == 8)
        let shuffled = DataLoader(dataset, batchSize: 3, shuffle: true, generator: RandomGenerator(seed: 5))
        let order = indices(shuffled.epoch()).joined()
        #expect(order.sorted() == Array(0..<10) && Array(order) != Array(0..<10))
        #expect(shuffled.epoch().map(\.inputs.scalars).joined().map { Int($0) } != Array(order), "a new epoch draws a new order")
    }

    /// Sequences of 3 positions with a second input and a mask that counts `index mod 3 + 1` positions.
    struct Sequences: Dataset {
        var count: Int { 6 }
        func batch(at indices: [Int]) -> (inputs: Tensor, targets: Tensor) {
            let values: [Float] = indices.flatMap { i in (3 * i..<3 * i + 3).map(Float.init) }
            let labels: [Int] = indices.flatMap { i in [i, i, i] }
            return (Tensor(values, shape: [indices.count, 3]), Tensor(labels, shape: [indices.count, 3]))
        }
        func examples(at indices: [Int]) -> Batch {
            let (inputs, targets) = batch(at: indices)
            let mask = indices.flatMap { i in (0..<3).map { Float($0 <= i % 3 ? 1 : 0) } }
            return Batch(inputs: [inputs, inputs * 10], targets: targets, mask: Tensor(mask, shape: [indices.count, 3]))
        }
    }

    @Test func batchesCarrySeveralInputsAndAMaskThroughTransforms() {
        let loader = DataLoader(Sequences(), batchSize: 4, transforms: [Normalize(mean: [1], std: [2])])
        let batches = Array(loader.epoch())
        #expect(batches.map(\.size) == [4, 2] && batches.map(\.allInputs.count) == [2, 2])
        // The transform changed the first input only; the second input and the mask came through.
        #expect(batches[1].inputs.scalars == [12, 13, 14, 15, 16, 17].map { ($0 - 1) / 2 })
        #expect(batches[1].allInputs[1].scalars == [120, 130, 140, 150, 160, 170])
        #expect(batches[0].mask?.scalars == [1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0])
        // A batch weighs as many targets as its mask counts (1 + 2 + 3 + 1 and 2 + 3), or its examples without one.
        #expect(batches.map(\.weight) == [7, 5])
        #expect(Batch(inputs: Tensor(zeros: [5, 2]), targets: Tensor(zeros: [5])).weight == 5)
    }

    @Test func sameSeedSameOrderAndPrefetchChangesNothing() {
        let a = DataLoader(dataset, batchSize: 3, shuffle: true, generator: RandomGenerator(seed: 1), prefetch: true)
        let b = DataLoader(dataset, batchSize: 3, shuffle: true, generator: RandomGenerator(seed: 1), prefetch: false)
        // One thread leaves the other cores free, so `a` prefetches (on a one-core machine it cannot).
        Threads.withCount(1) {
            #expect(indices(a.epoch()) == indices(b.epoch()))
            #expect(indices(a.epoch()) == indices(b.epoch()))
        }
    }

    @Test func resumingMidEpochContinuesExactly() {
        let flip = RandomHorizontalFlip(probability: 0.5)
        let images = TensorDataset(inputs: Tensor((0..<40).map { Float($0) }, shape: [10, 1, 2, 2]), targets: Tensor(Array(0..<10)))
        let full = DataLoader(images, batchSize: 3, shuffle: true, generator: RandomGenerator(seed: 9), transforms: [flip])
        let saved = full.generator.state
        let all = full.epoch().map(\.inputs.scalars)
        let resumed = DataLoader(images, batchSize: 3, shuffle: true, generator: RandomGenerator(state: saved), transforms: [flip])
        #expect(resumed.epoch(skipping: 2).map(\.inputs.scalars) == Array(all.dropFirst(2)))
    }

    @Test func flipMirrorsRowsAndNormalizeStandardizes() {
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [1, 1, 2, 3])
        let flipped = RandomHorizontalFlip(probability: 1).apply(Batch(inputs: x, targets: Tensor([0])), generator: RandomGenerator(seed: 0))
        #expect(flipped.inputs.scalars == [3, 2, 1, 6, 5, 4])
        let normalized = Normalize(mean: [2], std: [4]).apply(Batch(inputs: x, targets: Tensor([0])), generator: RandomGenerator(seed: 0))
        #expect(normalized.inputs.scalars == [-0.25, 0, 0.25, 0.5, 0.75, 1])
    }

    @Test func cropShiftsWithinThePaddedImage() {
        let x = Tensor((1...9).map { Float($0) }, shape: [1, 1, 3, 3])
        let out = RandomCrop(padding: 1).apply(Batch(inputs: x, targets: Tensor([0])), generator: RandomGenerator(seed: 3)).inputs.scalars
        // Every output pixel is 0 (padding) or the input pixel at a common offset.
        let nonZero = out.enumerated().filter { $0.element != 0 }
        let shifts = Set(nonZero.map { Int($0.element) - 1 - $0.offset })
        #expect(shifts.count == 1 && nonZero.count >= 4)
    }

    @Test func mixupBlendsTargetsIntoDistributions() {
        let batch = Batch(inputs: Tensor(repeating: 1, shape: [8, 2]), targets: Tensor([0, 1, 2, 0, 1, 2, 0, 1]))
        let mixed = Mixup(alpha: 0.4, classes: 3).apply(batch, generator: RandomGenerator(seed: 2))
        #expect(mixed.targets.shape == [8, 3])
        let rows = mixed.targets.sum(axis: 1).scalars
        #expect(rows.allSatisfy { abs($0 - 1) < 1e-6 })
        #expect(mixed.inputs.scalars.allSatisfy { abs($0 - 1) < 1e-6 })
    }

    @Test func betaSamplesHaveTheBetaMean() {
        let g = RandomGenerator(seed: 11)
        let n = 20_000
        let samples = (0..<n).map { _ in BetaSampler.sample(2, 5, generator: g) }
        let mean = samples.reduce(0, +) / Double(n)
        // Beta(2, 5): mean 2/7, variance 10/(49·8) ≈ 0.0255; 5 standard errors.
        #expect(abs(mean - 2.0 / 7) < 5 * (0.0255 / Double(n)).squareRoot())
        #expect(samples.allSatisfy { $0 > 0 && $0 < 1 })
    }
}

