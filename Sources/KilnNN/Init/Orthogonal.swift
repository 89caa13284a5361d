import Kiln

extension Init {
    /// A (semi-)orthogonal matrix times `gain` (Saxe et al., 2014; PyTorch's `orthogonal_`).
    ///
    /// The weight is seen as `[shape[0], rest]`. The Q factor of the QR decomposition of a normal
    /// matrix (transposed first when it is wide), with each column's sign set so R has a positive
    /// diagonal, is uniformly distributed over orthogonal matrices; rows (or columns, for tall
    /// shapes) are orthonormal.
    public static func orthogonal(_ shape: [Int], gain: Float = 1, generator: RandomGenerator = Random.default) -> Tensor {
        precondition(shape.count >= 2, "Init.orthogonal: needs a weight with at least 2 dimensions, got shape \(shape)")
        let rows = shape[0], cols = shape.dropFirst().reduce(1, *)
        let draws = Tensor.normal([rows, cols], generator: generator).scalars.map(Double.init)
        // Factor the tall orientation: m ≥ n.
        let wide = rows < cols
        let (m, n) = wide ? (cols, rows) : (rows, cols)
        var a = [Double](repeating: 0, count: m * n)
        for i in 0..<rows { for j in 0..<cols { a[wide ? j * n + i : i * n + j] = draws[i * cols + j] } }
        let q = HouseholderQR(a, rows: m, cols: n).positiveDiagonalQ()
        var out = [Float](repeating: 0, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols { out[i * cols + j] = gain * Float(wide ? q[j * n + i] : q[i * n + j]) } }
        return Tensor(out, shape: shape)
    }
}

/// The QR decomposition of a tall `rows × cols` matrix (row-major, rows ≥ cols) by Householder reflections.
struct HouseholderQR {
    let rows, cols: Int
    /// The reflection vectors: `reflectors[j]` acts on entries `j..<rows`.
    private var reflectors: [[Double]] = []
    /// The diagonal of R.
    private(set) var diagonal: [Double] = []

    init(_ matrix: [Double], rows: Int, cols: Int) {
        precondition(rows >= cols && matrix.count == rows * cols, "HouseholderQR: needs a tall \(rows)×\(cols) matrix")
        self.rows = rows
        self.cols = cols
        var a = matrix
        for j in 0..<cols {
            // The reflection that maps column j below the diagonal onto alpha·e₁.
            var v = (j..<rows).map { a[$0 * cols + j] }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let alpha = v[0] > 0 ? -norm : norm
            v[0] -= alpha
            let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if vNorm > 0 { v = v.map { $0 / vNorm } }
            Self.reflect(&a, width: cols, v, from: j, columns: j..<cols)
            reflectors.append(v)
            diagonal.append(alpha)
        }
    }

    /// The `rows × cols` Q factor with each column multiplied by the sign of R's diagonal entry,
    /// which makes the factorization unique.
    func positiveDiagonalQ() -> [Double] {
        var q = [Double](repeating: 0, count: rows * cols)
        for i in 0..<cols { q[i * cols + i] = 1 }
        for j in stride(from: cols - 1, through: 0, by: -1) { Self.reflect(&q, width: cols, reflectors[j], from: j, columns: 0..<cols) }
        for i in 0..<rows { for j in 0..<cols where diagonal[j] < 0 { q[i * cols + j] = -q[i * cols + j] } }
        return q
    }

    /// Applies `I − 2·v·vᵀ` (v acting on rows `from...`) to the given columns of `a`.
    private static func reflect(_ matrix: inout [Double], width: Int, _ vector: [Double], from: Int, columns: Range<Int>) {
        vector.withUnsafeBufferPointer { v in
            matrix.withUnsafeMutableBufferPointer { a in
                let base = a.baseAddress! + from * width
                for c in columns {
                    var dot = 0.0
                    for k in 0..<v.count { dot += v[k] * base[k * width + c] }
                    if dot == 0 { continue }
                    for k in 0..<v.count { base[k * width + c] -= 2 * dot * v[k] }
                }
            }
        }
    }
}
