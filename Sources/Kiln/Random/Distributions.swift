import CKilnKernels
import Foundation

/// Tensors of random numbers from the common distributions.
///
/// Each factory draws from `generator` (the current scope's ``Random/default`` unless given) and advances it.
/// Values depend only on the generator's state and the element's position, never on ``Threads/count``.
extension Tensor {
    /// Floats drawn uniformly from `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               generator: RandomGenerator = Random.default) -> Tensor {
        precondition(low <= high, "uniform: low \(low) above high \(high)")
        let out = Tensor(uninitializedShape: shape)
        // Rounding can carry low + span·u up to high itself; such draws become the float just below it.
        let span = high - low, largest = low < high ? high.nextDown : low
        let p = out.floatPointer
        generator.fill(count: out.count, wordsPerElement: 1) { words, range in
            for (j, i) in range.enumerated() { p[i] = Swift.min(low + span * RandomBits.unitFloat(words[j]), largest) }
        }
        return out
    }

    /// Floats drawn from the normal distribution with `mean` and standard deviation `std` (Box–Muller,
    /// in single precision; the largest magnitude it can reach is about 5.8 standard deviations).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              generator: RandomGenerator = Random.default) -> Tensor {
        precondition(std >= 0, "normal: negative standard deviation \(std)")
        let out = Tensor(uninitializedShape: shape)
        // Each pair of words gives a radius and an angle, hence two independent normals.
        let p = out.floatPointer
        generator.fill(count: out.count, wordsPerElement: 1, costPerElement: 16) { words, range in
            kiln_normal_f32(words, p + range.lowerBound, range.count, mean, std)
        }
        return out
    }

    /// Floats from the normal distribution with `mean` and `std` restricted to `[low, high]`
    /// (PyTorch's `trunc_normal_`: the bounds are absolute values, not multiples of `std`).
    ///
    /// Drawn by inverting the normal CDF on a uniform draw between the CDF values of the bounds.
    public static func truncatedNormal(_ shape: [Int], mean: Float = 0, std: Float = 1, low: Float = -2, high: Float = 2,
                                       generator: RandomGenerator = Random.default) -> Tensor {
        precondition(std > 0 && low < high, "truncatedNormal: needs std > 0 and low < high, got std \(std), bounds [\(low), \(high)]")
        let out = Tensor(uninitializedShape: shape)
        let m = Double(mean), s = Double(std)
        // Work in erf space: y = 2Φ(z) − 1 = erf(z / √2).
        let lo = Foundation.erf((Double(low) - m) / (s * 2.0.squareRoot()))
        let hi = Foundation.erf((Double(high) - m) / (s * 2.0.squareRoot()))
        let p = out.floatPointer
        generator.fill(count: out.count, wordsPerElement: 2, costPerElement: 64) { words, range in
            for (j, i) in range.enumerated() {
                let y = lo + (hi - lo) * RandomBits.unitDouble(words[2 * j], words[2 * j + 1])
                let x = Float(m + s * 2.0.squareRoot() * inverseErf(y))
                p[i] = Swift.min(Swift.max(x, low), high)
            }
        }
        return out
    }

    /// Draws that are true (or 1 for a float `dtype`) with probability `p`.
    public static func bernoulli(_ shape: [Int], probability p: Float, dtype: DType = .bool,
                                 generator: RandomGenerator = Random.default) -> Tensor {
        precondition(p >= 0 && p <= 1, "bernoulli: probability \(p) outside [0, 1]")
        precondition(dtype != .int64, "bernoulli: dtype must be bool or float32")
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        // A word w is a success when w < p·2³²; p = 1 makes every word one.
        let threshold = UInt64((Double(p) * 0x1p32).rounded(.down))
        switch dtype {
        case .bool:
            let q = out.storage.base.assumingMemoryBound(to: Bool.self)
            generator.fill(count: out.count, wordsPerElement: 1) { words, range in
                for (j, i) in range.enumerated() { q[i] = UInt64(words[j]) < threshold }
            }
        default:
            let q = out.floatPointer
            generator.fill(count: out.count, wordsPerElement: 1) { words, range in
                for (j, i) in range.enumerated() { q[i] = UInt64(words[j]) < threshold ? 1 : 0 }
            }
        }
        return out
    }

    /// Integers (int64) drawn uniformly from `low..<high` (PyTorch's `randint`).
    public static func randint(_ shape: [Int], low: Int = 0, high: Int,
                               generator: RandomGenerator = Random.default) -> Tensor {
        precondition(low < high, "randint: empty range \(low)..<\(high)")
        let out = Tensor(uninitializedShape: shape, dtype: .int64)
        let span = UInt64(bitPattern: Int64(high &- low))
        let p = out.storage.base.assumingMemoryBound(to: Int.self)
        generator.fill(count: out.count, wordsPerElement: 2) { words, range in
            for (j, i) in range.enumerated() {
                p[i] = low &+ Int(truncatingIfNeeded: RandomBits.below(span, words[2 * j], words[2 * j + 1]))
            }
        }
        return out
    }

    /// The standard normal quantile Φ⁻¹(p) = √2·erf⁻¹(2p − 1): −∞ at 0, +∞ at 1.
    public static func standardNormalQuantile(_ p: Double) -> Double { 2.0.squareRoot() * inverseErf(2 * p - 1) }

    /// The inverse error function: Giles' single-precision approximation ("Approximating the erfinv
    /// function", 2010) refined by one Newton step to about double precision.
    static func inverseErf(_ y: Double) -> Double {
        if y <= -1 { return -.infinity }
        if y >= 1 { return .infinity }
        var w = -Foundation.log((1 - y) * (1 + y))
        var p: Double
        if w < 5 {
            w -= 2.5
            p = 2.81022636e-08
            p = 3.43273939e-07 + p * w
            p = -3.5233877e-06 + p * w
            p = -4.39150654e-06 + p * w
            p = 0.00021858087 + p * w
            p = -0.00125372503 + p * w
            p = -0.00417768164 + p * w
            p = 0.246640727 + p * w
            p = 1.50140941 + p * w
        } else {
            w = w.squareRoot() - 3
            p = -0.000200214257
            p = 0.000100950558 + p * w
            p = 0.00134934322 + p * w
            p = -0.00367342844 + p * w
            p = 0.00573950773 + p * w
            p = -0.0076224613 + p * w
            p = 0.00943887047 + p * w
            p = 1.00167406 + p * w
            p = 2.83297682 + p * w
        }
        let x = p * y
        return x - (Foundation.erf(x) - y) / (2 / Double.pi.squareRoot() * Foundation.exp(-x * x))
    }
}
