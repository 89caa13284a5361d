import Foundation
import KilnDistributed

/// The ranks of a group played by threads of this process, for testing data parallelism without
/// MPI: each rank's communicator deposits its values, waits for the others, and reads every
/// rank's values in rank order (so every rank computes the same sums).
final class ThreadGroup: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var arrived = 0, generation = 0
    private var slots: [[UInt8]]

    init(size: Int) {
        self.size = size
        slots = Array(repeating: [], count: size)
    }

    /// The communicator of each rank.
    func communicators() -> [ThreadCommunicator] { (0..<size).map { ThreadCommunicator(rank: $0, group: self) } }

    /// Returns once every rank has called it.
    func barrier() {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
    }

    /// Deposits `bytes` as rank `rank`'s, waits for every rank, and returns every rank's bytes in rank order.
    func exchange(_ bytes: UnsafeRawBufferPointer, rank: Int) -> [[UInt8]] {
        condition.lock()
        slots[rank] = Array(bytes)
        condition.unlock()
        barrier()
        condition.lock()
        let all = slots
        condition.unlock()
        barrier()
        return all
    }
}

/// One rank's view of a ``ThreadGroup``.
final class ThreadCommunicator: Communicator {
    let rank: Int
    let group: ThreadGroup
    var size: Int { group.size }

    init(rank: Int, group: ThreadGroup) {
        self.rank = rank
        self.group = group
    }

    func allReduce(_ values: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {
        try reduce(values, operation)
    }

    func allReduce(_ values: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws {
        try reduce(values, operation)
    }

    private func reduce<T: BinaryFloatingPoint>(_ values: UnsafeMutableBufferPointer<T>, _ operation: ReduceOperation) throws {
        let all = group.exchange(UnsafeRawBufferPointer(values), rank: rank)
        for i in values.indices { values[i] = 0 }
        for bytes in all {
            bytes.withUnsafeBytes { raw in
                let theirs = raw.bindMemory(to: T.self)
                for i in values.indices { values[i] += theirs[i] }
            }
        }
        if operation == .mean { for i in values.indices { values[i] /= T(size) } }
    }

    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
        let all = group.exchange(UnsafeRawBufferPointer(bytes), rank: rank)
        all[root].withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    func allGather(_ bytes: UnsafeRawBufferPointer, into gathered: UnsafeMutableRawBufferPointer) throws {
        let all = group.exchange(bytes, rank: rank)
        for (r, theirs) in all.enumerated() {
            theirs.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: gathered[(r * bytes.count)...]).copyMemory(from: $0) }
        }
    }

    func barrier() throws { group.barrier() }
}
