import Foundation
import Kiln

/// The Mahalanobis out-of-distribution score of Lee et al. 2018 ("A Simple Unified Framework for
/// Detecting Out-of-Distribution Samples and Adversarial Attacks").
///
/// Fitted on training features, it keeps the class means μ_c and one covariance Σ shared by all
/// classes (the mean of the within-class outer products); a feature f scores
/// −min_c (f − μ_c)ᵀ Σ⁻¹ (f − μ_c), so in-distribution samples score higher (closer to 0).
/// Everything is computed in Double: Σ plus a small ridge is factored by Cholesky, Σ = L·Lᵀ, and
/// distances are ‖L⁻¹f − L⁻¹μ_c‖².
public struct MahalanobisScore: Sendable {
    /// The number of feature dimensions.
    public let dimension: Int
    /// The class means, `classes × dimension`, row-major.
    public let classMeans: [Double]
    /// L⁻¹, the inverse Cholesky factor of the regularized shared covariance, row-major.
    private let whitening: [Double]
    /// L⁻¹·μ_c for every class, row-major.
    private let whitenedMeans: [Double]

    /// Fits class means and the shared covariance to `features` `[N, D]` with int64 `labels` `[N]`
    /// in `0..<classes`.
    ///
    /// - Parameter ridge: added to Σ's diagonal, relative to its mean diagonal entry (absolute when
    ///   that is 0), so that Σ is invertible even when features are degenerate.
    /// - Precondition: every class has at least one sample.
    public init(features: Tensor, labels: Tensor, classes: Int, ridge: Double = 1e-6) {
        precondition(features.rank == 2 && features.dtype == .float32 && labels.dtype == .int64 && labels.shape == [features.shape[0]],
                     "MahalanobisScore: expects float features [N, D] and int64 labels [N], got \(features.dtype) \(features.shape) and \(labels.dtype) \(labels.shape)")
        precondition(classes > 0 && ridge >= 0, "MahalanobisScore: needs classes > 0 and ridge ≥ 0, got \(classes) and \(ridge)")
        let (n, d) = (features.shape[0], features.shape[1])
        let y = labels.integers
        precondition(y.allSatisfy { $0 >= 0 && $0 < classes }, "MahalanobisScore: labels must lie in 0..<\(classes)")
        var counts = [Int](repeating: 0, count: classes)
        var means = [Double](repeating: 0, count: classes * d)
        var centered = [Double](repeating: 0, count: n * d)
        features.withUnsafeFloats { f in
            means.withUnsafeMutableBufferPointer { m in
                for i in 0..<n {
                    counts[y[i]] += 1
                    let row = f.baseAddress! + i * d, mean = m.baseAddress! + y[i] * d
                    for j in 0..<d { mean[j] += Double(row[j]) }
                }
                for c in 0..<classes {
                    precondition(counts[c] > 0, "MahalanobisScore: class \(c) has no training samples")
                    let mean = m.baseAddress! + c * d, share = 1 / Double(counts[c])
                    for j in 0..<d { mean[j] *= share }
                }
                centered.withUnsafeMutableBufferPointer { x in
                    for i in 0..<n {
                        let row = f.baseAddress! + i * d, mean = m.baseAddress! + y[i] * d, out = x.baseAddress! + i * d
                        for j in 0..<d { out[j] = Double(row[j]) - mean[j] }
                    }
                }
            }
        }
        var covariance = Self.gram(centered, rows: n, columns: d)
        var trace = 0.0
        for j in 0..<d { trace += covariance[j * d + j] }
        for k in covariance.indices { covariance[k] /= Double(n) }
        let added = ridge * (trace > 0 ? trace / Double(n * d) : 1)
        for j in 0..<d { covariance[j * d + j] += added }
        let inverse = Self.inverseCholeskyFactor(covariance, dimension: d)
        dimension = d
        classMeans = means
        whitening = inverse
        whitenedMeans = (0..<classes).flatMap { c in Self.multiplyLower(inverse, Array(means[(c * d)..<((c + 1) * d)]), dimension: d) }
    }

    /// The squared Mahalanobis distance of each row of `features` `[M, D]` to its nearest class mean, negated: `[M]`.
    public func callAsFunction(_ features: Tensor) -> Tensor {
        precondition(features.rank == 2 && features.shape[1] == dimension && features.dtype == .float32,
                     "MahalanobisScore: expects float features [M, \(dimension)], got \(features.dtype) \(features.shape)")
        let (m, d, classes) = (features.shape[0], dimension, classMeans.count / dimension)
        var scores = [Float](repeating: 0, count: m)
        features.withUnsafeFloats { f in
            whitening.withUnsafeBufferPointer { w in
                whitenedMeans.withUnsafeBufferPointer { mu in
                    scores.withUnsafeMutableBufferPointer { out in
                        parallelChunks(m, costPerItem: d * (d + classes)) { range in
                            var white = [Double](repeating: 0, count: d)
                            white.withUnsafeMutableBufferPointer { v in
                                for i in range {
                                    for r in 0..<d {
                                        var s = 0.0
                                        for k in 0...r { s += w[r * d + k] * Double(f[i * d + k]) }
                                        v[r] = s
                                    }
                                    var nearest = Double.infinity
                                    for c in 0..<classes {
                                        var s = 0.0
                                        for r in 0..<d { let e = v[r] - mu[c * d + r]; s += e * e }
                                        nearest = Swift.min(nearest, s)
                                    }
                                    out[i] = Float(-nearest)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(scores, shape: [m])
    }

    /// XᵀX for row-major X `[rows, columns]`, split across threads by output rows.
    private static func gram(_ x: [Double], rows n: Int, columns d: Int) -> [Double] {
        var gram = [Double](repeating: 0, count: d * d)
        x.withUnsafeBufferPointer { px in
            gram.withUnsafeMutableBufferPointer { g in
                let out = g.baseAddress!
                parallelChunks(d, costPerItem: n * d / 2) { range in
                    for i in 0..<n {
                        let row = px.baseAddress! + i * d
                        for a in range {
                            let xa = row[a]
                            for b in 0...a { out[a * d + b] += xa * row[b] }
                        }
                    }
                }
                for a in 0..<d { for b in 0..<a { out[b * d + a] = out[a * d + b] } }
            }
        }
        return gram
    }

    /// L⁻¹ for the Cholesky factor L of the symmetric positive-definite `matrix` (row-major, d × d).
    private static func inverseCholeskyFactor(_ matrix: [Double], dimension d: Int) -> [Double] {
        var l = [Double](repeating: 0, count: d * d)
        var inverse = [Double](repeating: 0, count: d * d)
        matrix.withUnsafeBufferPointer { a in
            l.withUnsafeMutableBufferPointer { l in
                for j in 0..<d {
                    var diagonal = a[j * d + j]
                    for k in 0..<j { diagonal -= l[j * d + k] * l[j * d + k] }
                    precondition(diagonal > 0, "MahalanobisScore: covariance is not positive definite; raise the ridge")
                    let root = diagonal.squareRoot()
                    l[j * d + j] = root
                    for i in (j + 1)..<d {
                        var s = a[i * d + j]
                        for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
                        l[i * d + j] = s / root
                    }
                }
                // Forward substitution of L·X = I, column by column; X is lower triangular.
                inverse.withUnsafeMutableBufferPointer { x in
                    for col in 0..<d {
                        for i in col..<d {
                            var s = i == col ? 1.0 : 0.0
                            for k in col..<i { s -= l[i * d + k] * x[k * d + col] }
                            x[i * d + col] = s / l[i * d + i]
                        }
                    }
                }
            }
        }
        return inverse
    }

    /// L·v for lower-triangular L (row-major, d × d).
    private static func multiplyLower(_ l: [Double], _ v: [Double], dimension d: Int) -> [Double] {
        (0..<d).map { r in (0...r).reduce(0.0) { $0 + l[r * d + $1] * v[$1] } }
    }
}
