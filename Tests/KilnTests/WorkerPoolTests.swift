import Dispatch
import Foundation
@testable import Kiln
import Testing

/// `parallelWorkers` on Kiln's worker pool: every worker runs exactly once per loop, whether the
/// pool runs the loop, is busy with another caller's, or is asked for more workers than cores.
@Suite struct WorkerPoolTests {
    /// How many times each worker index ran in each of `loops` loops of `workers` workers.
    private func runCounts(loops: Int, workers: Int, pause: TimeInterval = 0) -> [[Int]] {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: workers), count: loops)
        for loop in 0..<loops {
            counts[loop].withUnsafeMutableBufferPointer { slots in
                let slots = UnsafeMutableSendableBuffer(slots)
                parallelWorkers(workers) { w in slots.base[w] += 1 }
            }
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        return counts
    }

    @Test func everyWorkerRunsOncePerLoop() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for workers in Set([1, 2, cores, cores + 1]) {
            let counts = runCounts(loops: 2_000, workers: workers)
            #expect(counts.allSatisfy { $0.allSatisfy { $0 == 1 } }, "workers: \(workers)")
        }
    }

    @Test func sleepingPoolThreadsWakeForTheNextLoop() {
        // Pauses longer than the pool's spinning budget (2 ms) send its threads to sleep first.
        let counts = runCounts(loops: 20, workers: 2, pause: 0.005)
        #expect(counts.allSatisfy { $0 == [1, 1] })
    }

    @Test func loopsFromSeveralThreadsAtOnceEachRunEveryWorkerOnce() {
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let counts = runCounts(loops: 500, workers: 2)
            let bad = counts.filter { $0 != [1, 1] }.count
            failures.withLock { $0 += bad }
        }
        #expect(failures.value == 0)
    }

    @Test func aLoopInsideAWorkerThatAsksForThreadsAgainFinishes() {
        let inner = Locked(0)
        parallelWorkers(2) { _ in
            Threads.withCount(2) {
                parallelWorkers(2) { _ in inner.withLock { $0 += 1 } }
            }
        }
        #expect(inner.value == 4)
    }

    @Test func workersSeeTheCallersWritesAndTheCallerSeesTheirs() {
        // Each loop's workers read what the previous loop's other worker wrote (two halves, alternating).
        var values = [0, 0, 0, 0]
        values.withUnsafeMutableBufferPointer { slots in
            let slots = UnsafeMutableSendableBuffer(slots)
            for step in 1...5_000 {
                let read = 2 * (step % 2), write = 2 - read
                parallelWorkers(2) { w in slots.base[write + w] = slots.base[read + 1 - w] + 1 }
                if slots.base[write] != step || slots.base[write + 1] != step {
                    Issue.record("step \(step): \(slots.base[write]), \(slots.base[write + 1])")
                    return
                }
            }
        }
    }
}

/// `parallelSharedChunks`: every item in exactly one chunk, whatever the thread count.
@Suite struct SharedChunksTests {
    @Test func everyItemIsTakenOnce() {
        for threads in [1, 2, 3] {
            for count in [0, 1, 7, 64, 1_000] {
                var seen = [Int](repeating: 0, count: count)
                let chunks = Locked(0)
                seen.withUnsafeMutableBufferPointer { slots in
                    let slots = UnsafeMutableSendableBuffer(slots)
                    Threads.withCount(threads) {
                        parallelSharedChunks(count, costPerItem: 1 << 14) { range in
                            chunks.withLock { $0 += 1 }
                            for i in range { slots.base[i] += 1 }
                        }
                    }
                }
                #expect(seen.allSatisfy { $0 == 1 }, "threads \(threads), count \(count)")
                // Split into about eight chunks a worker once the work pays for threads.
                if threads > 1 && count >= 64 { #expect(chunks.value >= 8 * threads) }
            }
        }
    }
}

/// A buffer the workers of a loop write to at distinct indices.
private struct UnsafeMutableSendableBuffer: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<Int>
    init(_ base: UnsafeMutableBufferPointer<Int>) { self.base = base }
}
