import KilnDistributed
import KilnTestSupport
import Testing

/// A group of `size` processes whose other members hold the same values as this one, so that a
/// sum is `size` times the values; records the length of every all-reduce call.
final class MirroredCommunicator: Communicator {
    let rank = 0
    let size: Int
    private(set) var reducedCounts: [Int] = []

    init(size: Int) { self.size = size }

    func allReduce(_ values: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {
        reducedCounts.append(values.count)
        if operation == .sum { for i in values.indices { values[i] *= Float(size) } }
    }

    func allReduce(_ values: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws {
        if operation == .sum { for i in values.indices { values[i] *= Double(size) } }
    }

    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {}

    func allGather(_ bytes: UnsafeRawBufferPointer, into gathered: UnsafeMutableRawBufferPointer) throws {
        for r in 0..<size { (gathered.baseAddress! + r * bytes.count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
    }

    func barrier() throws {}
}

@Suite struct GradientBucketsTests {
    @Test func bucketsCutTheStreamOfTensorsAndTheSumsComeBackInTheirShapes() throws {
        let tensors = [testTensor([2, 3], seed: 1), testTensor([1], seed: 2), testTensor([4], seed: 3), testTensor([2, 2, 2], seed: 4)]
        let communicator = MirroredCommunicator(size: 4)
        // 5 floats per bucket: 6 + 1 + 4 + 8 = 19 values make buckets of 5, 5, 5 and 4.
        let sums = try GradientBuckets(capacityBytes: 20).sum(tensors, scaledBy: 0.5, over: communicator)
        #expect(communicator.reducedCounts == [5, 5, 5, 4])
        for (sum, tensor) in zip(sums, tensors) {
            #expect(sum.shape == tensor.shape)
            // Four processes each holding 0.5 · t sum to 2 · t (exact in binary).
            #expect(sum.scalars == tensor.scalars.map { 2 * $0 })
        }
    }

    @Test func oneBucketHoldsEverythingThatFits() throws {
        let tensors = [testTensor([3, 3]), testTensor([7])]
        let communicator = MirroredCommunicator(size: 2)
        let sums = try GradientBuckets().sum(tensors, scaledBy: 1, over: communicator)
        #expect(communicator.reducedCounts == [16])
        #expect(sums[1].scalars == tensors[1].scalars.map { 2 * $0 })
    }

    @Test func aGroupOfOneProcessScalesOnly() throws {
        let tensor = testTensor([5])
        let sums = try GradientBuckets(capacityBytes: 8).sum([tensor], scaledBy: 0.25, over: SingleProcessCommunicator())
        #expect(sums[0].scalars == tensor.scalars.map { 0.25 * $0 })
    }
}
