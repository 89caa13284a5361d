#if canImport(CBLAS)
import CBLAS
#endif
import Foundation
@testable import Kiln
import Testing

@Suite struct ExecutionScopeTests {
    @Test func threadCountsNestAndTheOuterCountReturns() {
        // Nothing in Kiln changes the count for the whole process: outside any scope it is the machine's.
        #expect(Threads.count == ProcessInfo.processInfo.activeProcessorCount)
        Threads.withCount(3) {
            #expect(Threads.count == 3)
            Threads.withCount(1) { #expect(Threads.count == 1) }
            #expect(Threads.count == 3)
        }
        #expect(Threads.count == ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func aThreadCountStaysWithTheThreadThatSetIt() {
        let other = Locked<Int?>(nil)
        Threads.withCount(5) {
            let done = DispatchSemaphore(value: 0)
            Thread { other.value = Threads.count; done.signal() }.start()
            done.wait()
            #expect(Threads.count == 5)
        }
        #expect(other.value == ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func drawsComeFromTheScopedGeneratorAndOnlyItAdvances() {
        let outer = RandomGenerator(seed: 7), inner = RandomGenerator(seed: 8)
        let (first, nested, second) = Random.withGenerator(outer) {
            let first = Tensor.uniform([5]).scalars
            let nested = Random.withGenerator(inner) { Tensor.uniform([6]).scalars }
            let second = Tensor.uniform([5]).scalars
            return (first, nested, second)
        }
        let replay = RandomGenerator(seed: 7)
        #expect(first == Tensor.uniform([5], generator: replay).scalars)
        #expect(second == Tensor.uniform([5], generator: replay).scalars)
        #expect(outer.state == replay.state)
        #expect(nested == Tensor.uniform([6], generator: RandomGenerator(seed: 8)).scalars)
        // Five floats take two 4-word blocks, six take two.
        #expect(outer.state.counter == 4 && inner.state.counter == 2)
        // Seeding inside a scope reseeds the scope's generator.
        Random.withGenerator(inner) { Random.seed(3) }
        #expect(inner.state == RandomState(seed: 3))
    }

    @Test func asyncScopesHoldAcrossSuspensionsAndIntoChildTasks() async {
        let outside = Threads.count
        let (before, after, child): (Int, Int, Int) = await Threads.withCount(3) {
            let before = Threads.count
            await Task.yield()
            async let child = Threads.count
            return (before, Threads.count, await child)
        }
        #expect(before == 3 && after == 3 && child == 3)
        #expect(Threads.count == outside)

        // Two tasks scoped at once each keep their own count and generator through their awaits.
        let seen = await withTaskGroup(of: (Int, Int, [Float]).self) { group in
            for seed in [5, 6] {
                group.addTask {
                    await ExecutionScope(threads: seed, generator: RandomGenerator(seed: UInt64(seed))).run {
                        let first = Tensor.uniform([2]).scalars
                        await Task.yield()
                        return (seed, Threads.count, first + Tensor.uniform([2]).scalars)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }
        }
        for (seed, threads, draws) in seen {
            let replay = RandomGenerator(seed: UInt64(seed))
            #expect(threads == seed)
            #expect(draws == Tensor.uniform([2], generator: replay).scalars + Tensor.uniform([2], generator: replay).scalars)
        }

        let generator = RandomGenerator(seed: 9)
        let drawn = await Random.withGenerator(generator) {
            await Task.yield()
            return Tensor.uniform([3]).scalars
        }
        #expect(drawn == Tensor.uniform([3], generator: RandomGenerator(seed: 9)).scalars)
        #expect(generator.state.counter == 1)
    }

    @Test func parallelWorkersRunOnOneThreadWithTheCallersGenerator() {
        let generator = RandomGenerator(seed: 1)
        let seen = Locked<[(threads: Int, sameGenerator: Bool)]>([])
        Threads.withCount(2) {
            Random.withGenerator(generator) {
                parallelChunks(4, costPerItem: 1 << 16) { _ in
                    let entry = (Threads.count, Random.default === generator)
                    seen.withLock { $0.append(entry) }
                }
            }
        }
        #expect(seen.value.count == 2)
        #expect(seen.value.allSatisfy { $0.threads == 1 && $0.sameGenerator })
    }

    #if canImport(CBLAS)
    @Test func everyBLASCallRunsWithTheThreadCountItAskedFor() {
        let mismatches = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let threads = Int32(1 + i % 2)
            for _ in 0..<300 {
                BLAS.threadGate.run(threads: Int(threads)) {
                    let before = openblas_get_num_threads()
                    var x = 0.0
                    for j in 0..<2_000 { x += Double(j) }   // a little work, so calls overlap
                    if before != threads || openblas_get_num_threads() != threads || x < 0 { mismatches.withLock { $0 += 1 } }
                }
            }
        }
        #expect(mismatches.value == 0)
    }
    #endif

    /// OpenBLAS may give the same bits on any count (it splits rows and columns); this checks that
    /// products with different counts at once pass the gate whole and unchanged.
    @Test func productsOnOneAndTwoThreadsAtOnceMatchEachAlone() {
        let g = RandomGenerator(seed: 4)
        let a = Tensor.normal([384, 512], generator: g), b = Tensor.normal([512, 448], generator: g)
        func product(_ threads: Int) -> [UInt32] {
            Threads.withCount(threads) { a.matmul(b).scalars.map(\.bitPattern) }
        }
        let alone = [product(1), product(2)]
        let together = Locked<[[UInt32]]>([[], []])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            var last: [UInt32] = []
            for _ in 0..<8 { last = product(i + 1) }
            together.withLock { $0[i] = last }
        }
        #expect(together.value == alone)
    }
}

/// A value shared between threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    func withLock<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&stored) } }
}
