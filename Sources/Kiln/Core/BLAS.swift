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
    /// row-major `c` with leading dimension `ldc`.
    static func sgemm(m: Int, n: Int, k: Int, alpha: Float = 1, _ a: Operand, _ b: Operand,
                      beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, a.transposed ? CblasTrans : CblasNoTrans, b.transposed ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a.pointer, Int32(a.leadingDimension),
                    b.pointer, Int32(b.leadingDimension), beta, c, Int32(ldc))
    }

    /// Products below this many multiply-adds run on one BLAS thread, so batches of them are
    /// better split across Kiln's threads.
    static let singleThreadWork = 1 << 18

    /// Runs `body` with BLAS on one thread, for callers that split the work across Kiln's own
    /// threads (BLAS's idle workers would otherwise spin against them).
    static func singleThreaded<R>(_ body: () -> R) -> R {
        let threads = Threads.count
        if threads > 1 { setThreadCount(1) }
        defer { if threads > 1 { setThreadCount(threads) } }
        return body()
    }

    /// Sets how many threads BLAS uses (Accelerate chooses for itself).
    static func setThreadCount(_ count: Int) {
        #if canImport(CBLAS)
        openblas_set_num_threads(Int32(count))
        #endif
    }
}
