import CKilnKernels
import Dispatch
import Foundation

/// How many threads Kiln's kernels (and BLAS) use: the current ``ExecutionScope``'s count.
///
/// ```swift
/// Threads.withCount(1) {
///     train()          // every kernel and BLAS call in here runs on one thread
/// }
/// ```
public enum Threads {
    /// The number of threads large operations are split across here: the current scope's
    /// (by default the number of cores).
    public static var count: Int { ExecutionScope.current.threads }

    /// The cores this process may run on, read once (asking the system takes about 17 µs on Linux).
    public static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body` with `count` threads (at least 1); the previous count applies again afterwards.
    /// Other threads and tasks keep their own counts meanwhile.
    public static func withCount<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        try scope(count).run(body)
    }

    /// Runs the asynchronous `body` with `count` threads (at least 1), as ``withCount(_:_:)`` does for
    /// synchronous code; tasks it awaits or creates inherit the count.
    public static func withCount<R>(_ count: Int, isolation: isolated (any Actor)? = #isolation,
                                    _ body: () async throws -> R) async rethrows -> R {
        try await scope(count).run(body)
    }

    /// The current scope with `count` threads.
    private static func scope(_ count: Int) -> ExecutionScope {
        precondition(count >= 1, "Threads.withCount: count must be at least 1, got \(count)")
        return ExecutionScope.current.with(threads: count)
    }
}

/// Runs `body(worker)` for each of `workers` workers at once, each in the caller's scope with
/// one thread (``ExecutionScope``), so work nested inside a worker neither splits again nor
/// loses the caller's generator.
///
/// Worker 0 runs on the calling thread, the others on Kiln's pool (`kiln_workers_run`), whose idle
/// threads spin briefly between loops so that back-to-back loops start without a wake-up. When the
/// pool is taken (loops started from two threads at once) or more workers than cores are asked,
/// the loop runs on Dispatch's threads instead.
package func parallelWorkers(_ workers: Int, _ body: (Int) -> Void) {
    let scope = ExecutionScope.current.worker
    if workers == 1 { return scope.run { body(0) } }
    withoutActuallyEscaping(body) { body in
        var loop = WorkerLoop(scope: scope, body: body)
        let ran = withUnsafeMutablePointer(to: &loop) { kiln_workers_run(Int32(workers), runWorkerShare, $0) }
        if ran == 0 {
            DispatchQueue.concurrentPerform(iterations: workers) { w in scope.run { body(w) } }
        }
    }
}

/// A parallel loop as the pool's threads see it.
private struct WorkerLoop {
    let scope: ExecutionScope
    let body: (Int) -> Void
}

/// One worker's share of the ``WorkerLoop`` at `context`.
private func runWorkerShare(_ context: UnsafeMutableRawPointer?, _ worker: Int32) {
    let loop = context!.assumingMemoryBound(to: WorkerLoop.self)
    loop.pointee.scope.run { loop.pointee.body(Int(worker)) }
}

/// Splits `0..<count` into contiguous chunks and runs `body` on each, across threads when
/// the work (`count × costPerItem`) is large enough to pay for it.
package func parallelChunks(_ count: Int, costPerItem: Int = 1, minimumWork: Int = 1 << 16,
                            _ body: (Range<Int>) -> Void) {
    let chunks = workersPaidFor(count, costPerItem: costPerItem, minimumWork: minimumWork)
    guard chunks > 1 else { return body(0..<count) }
    parallelWorkers(chunks) { c in
        let lo = count * c / chunks, hi = count * (c + 1) / chunks
        body(lo..<hi)
    }
}

/// Splits `0..<count` into chunks that the workers take one at a time until none is left, and
/// runs `body` on each, across threads when the work (`count × costPerItem`) is large enough.
///
/// Unlike ``parallelChunks(_:costPerItem:minimumWork:_:)``'s even split, a worker whose core runs
/// slower (another program, or on a virtual machine another machine, sharing it) takes fewer
/// chunks instead of holding up the rest. Each worker takes about eight chunks, so neighbouring
/// items still go through `body` together.
package func parallelSharedChunks(_ count: Int, costPerItem: Int = 1, minimumWork: Int = 1 << 16,
                                  _ body: (Range<Int>) -> Void) {
    let workers = workersPaidFor(count, costPerItem: costPerItem, minimumWork: minimumWork)
    guard workers > 1 else { return body(0..<count) }
    let size = max(1, count / (workers * 8)), chunks = (count + size - 1) / size
    var taken: Int64 = 0
    withUnsafeMutablePointer(to: &taken) { taken in
        parallelWorkers(workers) { _ in
            while true {
                let c = Int(kiln_fetch_add(taken, 1))
                if c >= chunks { return }
                body(c * size..<min(count, (c + 1) * size))
            }
        }
    }
}

/// How many of the scope's threads `count` items of `costPerItem` work pay for: 1 unless there is
/// at least twice `minimumWork`, and never more than one thread per `minimumWork`.
private func workersPaidFor(_ count: Int, costPerItem: Int, minimumWork: Int) -> Int {
    let threads = Threads.count, work = count * costPerItem
    if threads <= 1 || work < minimumWork * 2 || count < 2 { return 1 }
    return min(threads, count, work / minimumWork)
}
