import Dispatch
import Foundation

/// How many threads Kiln's kernels (and BLAS) use.
public enum Threads {
    nonisolated(unsafe) private static var configured = ProcessInfo.processInfo.activeProcessorCount

    /// The number of threads large operations are split across (default: the number of cores).
    public static var count: Int {
        get { configured }
        set {
            precondition(newValue >= 1, "Threads.count must be at least 1, got \(newValue)")
            configured = newValue
            BLAS.setThreadCount(newValue)
        }
    }
}

/// Splits `0..<count` into contiguous chunks and runs `body` on each, across threads when
/// the work (`count × costPerItem`) is large enough to pay for it.
package func parallelChunks(_ count: Int, costPerItem: Int = 1, minimumWork: Int = 1 << 16,
                            _ body: (Range<Int>) -> Void) {
    let threads = Threads.count
    let work = count * costPerItem
    if threads <= 1 || work < minimumWork * 2 || count < 2 {
        body(0..<count)
        return
    }
    let chunks = min(threads, count, work / minimumWork)
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            body(lo..<hi)
        }
    }
}
