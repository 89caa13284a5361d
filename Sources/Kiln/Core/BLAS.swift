import Foundation
#if canImport(CBLAS)
import CBLAS
#elseif canImport(Accelerate)
import Accelerate
#endif

/// The one place Kiln calls BLAS: OpenBLAS on Linux, Accelerate on macOS.
enum BLAS {
    /// A matrix as BLAS reads it in row-major order: maybe transposed, with a leading dimension.
    struct Operand {
        let pointer: UnsafePointer<Float>
        let transposed: Bool
        let leadingDimension: Int

        init(pointer: UnsafePointer<Float>, transposed: Bool, leadingDimension: Int) {
            self.pointer = pointer
            self.transposed = transposed
            self.leadingDimension = leadingDimension
        }

        /// How BLAS can read the `rows × cols` matrix at `pointer` with the given element strides,
        /// or nil when the layout needs a copy first (for example broadcast rows or a strided row).
        init?(_ pointer: UnsafePointer<Float>, rows: Int, cols: Int, rowStride: Int, colStride: Int) {
            self.pointer = pointer
            if colStride == 1 || cols <= 1 {
                let ld = rows <= 1 ? Swift.max(cols, 1) : rowStride
                if ld >= Swift.max(cols, 1) { transposed = false; leadingDimension = ld; return }
            }
            if rowStride == 1 || rows <= 1 {
                let ld = cols <= 1 ? Swift.max(rows, 1) : colStride
                if ld >= Swift.max(rows, 1) { transposed = true; leadingDimension = ld; return }
            }
            return nil
        }
    }

    /// `c = alpha · a · b + beta · c` for an `m × k` matrix `a`, a `k × n` matrix `b` and an `m × n`
    /// row-major `c` with leading dimension `ldc`, on the current scope's ``Threads/count`` threads.
    static func sgemm(m: Int, n: Int, k: Int, alpha: Float = 1, _ a: Operand, _ b: Operand,
                      beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        let product = {
            cblas_sgemm(CblasRowMajor, a.transposed ? CblasTrans : CblasNoTrans, b.transposed ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), alpha, a.pointer, Int32(a.leadingDimension),
                        b.pointer, Int32(b.leadingDimension), beta, c, Int32(ldc))
        }
        #if canImport(CBLAS)
        threadGate.run(threads: Threads.count, product)
        #else
        product()   // Accelerate chooses its threads for itself.
        #endif
    }

    /// Products below this many multiply-adds run on one BLAS thread, so batches of them are
    /// better split across Kiln's threads.
    static let singleThreadWork = 1 << 18

    #if canImport(CBLAS)
    /// OpenBLAS's thread count is one setting for the whole process, so every call passes this gate.
    static let threadGate = BLASThreadGate()
    #endif
}

#if canImport(CBLAS)
/// Lets OpenBLAS calls with the same thread count run together and makes a call that needs
/// another count wait until those under way finish, then switches the process-wide setting.
///
/// Two scopes with different counts (say two runs in one process) thus never see each other's
/// count, and OpenBLAS, whose results depend on its thread count, gives each the bits it would
/// give alone. Calls from Kiln's parallel workers all ask for one thread and run concurrently.
final class BLASThreadGate: @unchecked Sendable {
    private let condition = NSCondition()
    /// The count OpenBLAS is set to (0 before the first call).
    private var setting = 0
    /// Calls under way, all with `setting` threads.
    private var running = 0
    /// Calls waiting, by the count they need, and in all.
    private var waiting: [Int: Int] = [:]
    private var waitingTotal = 0

    /// Runs `body` with OpenBLAS set to `threads` threads.
    func run(threads: Int, _ body: () -> Void) {
        condition.lock()
        if !mayEnter(threads) {
            waiting[threads, default: 0] += 1
            waitingTotal += 1
            repeat { condition.wait() } while !mayEnter(threads)
            waiting[threads]! -= 1
            waitingTotal -= 1
        }
        if setting != threads {
            openblas_set_num_threads(Int32(threads))
            setting = threads
            condition.broadcast()   // calls waiting for this count may join
        }
        running += 1
        condition.unlock()
        body()
        condition.lock()
        running -= 1
        if running == 0 { condition.broadcast() }
        condition.unlock()
    }

    /// Whether a call needing `threads` may start now: when nothing runs, or when the calls
    /// under way use its count and no call waits for another (so a switch is never starved).
    private func mayEnter(_ threads: Int) -> Bool {
        running == 0 || (setting == threads && (waitingTotal == 0 || waitingTotal == waiting[threads, default: 0]))
    }
}
#endif
