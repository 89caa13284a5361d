import Foundation
import KilnOptimizers

/// Bounds on the sizes a run asks for, checked before training so that a setting that cannot
/// work is one clear error instead of an overflow or a machine brought to its knees.
public enum RunLimits {
    /// The most threads a run may ask for: 4 per core, and never more than 256.
    public static var maximumThreads: Int { min(256, 4 * Threads.cores) }

    /// Accepts a thread count from 1 to ``maximumThreads``.
    public static func check(threads: Int) throws(RunError) {
        guard threads >= 1 else { throw RunError("threads must be at least 1, got \(threads)") }
        guard threads <= maximumThreads else {
            throw RunError("threads \(threads) is more than this machine can run: at most \(maximumThreads) "
                           + "(4 per core on \(Threads.cores) cores, never above 256)")
        }
    }

    /// The run's total optimizer steps, `epochs × batchesPerEpoch`, or an error when there are
    /// more than its metrics log may hold (``RunLog/maximumStep``, so the log can be read back on resume).
    public static func totalSteps(epochs: Int, batchesPerEpoch: Int) throws(RunError) -> Int {
        let (steps, overflow) = epochs.multipliedReportingOverflow(by: batchesPerEpoch)
        guard !overflow, steps <= RunLog.maximumStep + 1 else {
            throw RunError("\(epochs) epochs of \(batchesPerEpoch) steps is more than the \(RunLog.maximumStep + 1) steps a run's log holds")
        }
        return steps
    }
}
