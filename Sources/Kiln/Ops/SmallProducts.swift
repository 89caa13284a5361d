import CKilnKernels

/// Products with an inner dimension of 1, the weight gradient of a layer at batch 1: a column
/// times a row.
///
/// sgemm packs both operands into panels and zero-fills the output before adding to it, passes
/// that cost as much as the product itself here. Each output row is instead written once, as a
/// scaled copy of the row operand (so every entry is the one rounded product sgemm gives), the
/// rows split across Kiln's threads once there are enough to pay for waking a worker.
extension Matmul {
    /// Products written from which an outer product is split across threads.
    static let smallProductSplitWork = 1 << 17

    /// `c = a · b` for an `m × 1` `a` and a `1 × n` `b` into `c` (row-major, leading dimension `ldc`).
    static func outerProduct(m: Int, n: Int, _ a: BLAS.Operand, _ b: BLAS.Operand, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        // a(i, 0) and b(0, j) as BLAS reads the operands in row-major order.
        let xStride = a.transposed ? 1 : a.leadingDimension, yStride = b.transposed ? b.leadingDimension : 1
        let row = yStride == 1 ? nil : Tensor(uninitializedShape: [n])
        if let row { kiln_copy_strided(b.pointer, yStride, row.floatPointer, 1, n, 4) }
        let y = row.map { UnsafePointer($0.floatPointer) } ?? b.pointer, x = a.pointer
        withExtendedLifetime(row) {
            parallelChunks(m, costPerItem: n, minimumWork: smallProductSplitWork) { range in
                for i in range {
                    var scale = x[i * xStride]
                    kiln_binary_f32(KILN_MUL, y, 1, &scale, 0, c + i * ldc, n)
                }
            }
        }
    }
}
