import Foundation

/// Matrix decompositions for analysis tools: singular values with their gradient, and the whole decomposition.
extension Tensor {
    /// The singular values of a matrix, largest first (PyTorch's `torch.linalg.svdvals`).
    ///
    /// Computed by one-sided Jacobi rotations in double precision, accurate also for the small
    /// singular values and meant for matrices of modest size (a weight matrix, not a dataset).
    /// The gradient of `σᵢ` is `uᵢ vᵢᵀ`, so a cotangent `g` maps to `U · diag(g) · Vᵀ`; as in
    /// PyTorch it is well defined where the singular values are distinct and nonzero.
    public func singularValues() -> Tensor {
        precondition(rank == 2 && dtype == .float32, "singularValues: expects a float matrix, got \(dtype) \(shape)")
        let (u, s, v) = JacobiSVD.decompose(self)
        return Autograd.record(s, self) { g in (u * g).matmul(v.transposed()) }
    }

    /// The thin singular value decomposition `self = u · diag(s) · vᵀ` of an `[m, n]` matrix, with
    /// `k = min(m, n)`: `u` `[m, k]` and `v` `[n, k]` have orthonormal columns, `s` `[k]` is descending
    /// (PyTorch's `torch.linalg.svd(full_matrices=False)`, with `v` in place of `Vh`). Not recorded for
    /// autodiff; one-sided Jacobi rotations in double precision, as ``singularValues()``.
    public func singularValueDecomposition() -> (u: Tensor, s: Tensor, v: Tensor) {
        precondition(rank == 2 && dtype == .float32, "singularValueDecomposition: expects a float matrix, got \(dtype) \(shape)")
        return JacobiSVD.decompose(detached())
    }
}

/// The thin singular value decomposition by one-sided (Hestenes) Jacobi rotations.
enum JacobiSVD {
    /// `a = u · diag(s) · vᵀ` for an `[m, n]` matrix with `k = min(m, n)`: `u` is `[m, k]`, `s` is `[k]`
    /// (descending) and `v` is `[n, k]`. Not recorded for autodiff.
    static func decompose(_ a: Tensor) -> (u: Tensor, s: Tensor, v: Tensor) {
        let m = a.shape[0], n = a.shape[1]
        // Rotate the columns of the taller orientation; a wide matrix is decomposed as its transpose.
        let tall = m >= n
        let rows = tall ? m : n, cols = tall ? n : m
        let values = a.scalars
        var columns = [Double](repeating: 0, count: rows * cols)   // column j at j·rows
        var basis = [Double](repeating: 0, count: cols * cols)     // right vectors, column j at j·cols
        columns.withUnsafeMutableBufferPointer { c in
            values.withUnsafeBufferPointer { x in
                for i in 0..<m {
                    for j in 0..<n {
                        if tall { c[j * rows + i] = Double(x[i * n + j]) } else { c[i * rows + j] = Double(x[i * n + j]) }
                    }
                }
            }
            basis.withUnsafeMutableBufferPointer { v in
                for j in 0..<cols { v[j * cols + j] = 1 }
                orthogonalizeColumns(c.baseAddress!, rows: rows, cols: cols, basis: v.baseAddress!)
            }
        }
        // σⱼ = ‖column j‖, left vector = column / σⱼ; sorted by σ, largest first.
        let norms = columns.withUnsafeBufferPointer { c in
            (0..<cols).map { j in dot(c.baseAddress! + j * rows, c.baseAddress! + j * rows, rows).squareRoot() }
        }
        let order = (0..<cols).sorted { norms[$0] > norms[$1] }
        var left = [Float](repeating: 0, count: rows * cols), right = [Float](repeating: 0, count: cols * cols)
        for (k, j) in order.enumerated() {
            let scale = norms[j] > 0 ? 1 / norms[j] : 0
            for i in 0..<rows { left[i * cols + k] = Float(columns[j * rows + i] * scale) }
            for i in 0..<cols { right[i * cols + k] = Float(basis[j * cols + i]) }
        }
        let s = Tensor(order.map { Float(norms[$0]) }, shape: [cols])
        let lt = Tensor(left, shape: [rows, cols]), rt = Tensor(right, shape: [cols, cols])
        return tall ? (lt, s, rt) : (rt, s, lt)
    }

    /// Rotates pairs of columns of `c` (`rows × cols`, column-major) until all are orthogonal,
    /// applying the same rotations to the columns of `basis` (`cols × cols`).
    private static func orthogonalizeColumns(_ c: UnsafeMutablePointer<Double>, rows: Int, cols: Int,
                                             basis v: UnsafeMutablePointer<Double>) {
        let tolerance = 1e-15
        for _ in 0..<60 {
            var rotated = false
            for p in 0..<cols {
                for q in (p + 1)..<cols {
                    let cp = c + p * rows, cq = c + q * rows
                    let alpha = dot(cp, cp, rows), beta = dot(cq, cq, rows), gamma = dot(cp, cq, rows)
                    guard Swift.abs(gamma) > tolerance * (alpha * beta).squareRoot() else { continue }
                    rotated = true
                    let zeta = (beta - alpha) / (2 * gamma)
                    let t = (zeta >= 0 ? 1.0 : -1.0) / (Swift.abs(zeta) + (1 + zeta * zeta).squareRoot())
                    let cs = 1 / (1 + t * t).squareRoot(), sn = cs * t
                    rotate(cp, cq, rows, cs, sn)
                    rotate(v + p * cols, v + q * cols, cols, cs, sn)
                }
            }
            if !rotated { return }
        }
    }

    private static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var s = 0.0
        for i in 0..<n { s += a[i] * b[i] }
        return s
    }

    /// `(x, y) ← (c·x − s·y, s·x + c·y)`.
    private static func rotate(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int,
                               _ c: Double, _ s: Double) {
        for i in 0..<n {
            let xi = x[i], yi = y[i]
            x[i] = c * xi - s * yi
            y[i] = s * xi + c * yi
        }
    }
}
