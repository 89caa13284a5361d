import Foundation

/// Random orderings and draws of class numbers.
extension Tensor {
    /// A random ordering of `0..<n` (int64), by a Fisher–Yates shuffle (PyTorch's `randperm`).
    public static func randomPermutation(_ n: Int, generator: RandomGenerator = Random.default) -> Tensor {
        precondition(n >= 0, "randomPermutation: negative length \(n)")
        let out = Tensor(uninitializedShape: [n], dtype: .int64)
        let p = out.storage.base.assumingMemoryBound(to: Int.self)
        for i in 0..<n { p[i] = i }
        guard n > 1 else { return out }
        // Step t swaps position i = n − 1 − t with a uniform j in 0...i drawn from words 2t and 2t + 1.
        let words = UnsafeMutablePointer<UInt32>.allocate(capacity: 2 * (n - 1))
        defer { words.deallocate() }
        generator.fillWords(words, count: 2 * (n - 1))
        for t in 0..<(n - 1) {
            let i = n - 1 - t
            let j = Int(RandomBits.below(UInt64(i + 1), words[2 * t], words[2 * t + 1]))
            (p[i], p[j]) = (p[j], p[i])
        }
        return out
    }

    /// Class numbers (int64) drawn with replacement from each row of `probabilities`
    /// (PyTorch's `multinomial(..., replacement=True)`).
    ///
    /// `probabilities` is `[classes]` or `[batch, classes]` of non-negative weights (they need not
    /// sum to 1); the result is `[samples]` or `[batch, samples]`.
    public static func categorical(probabilities: Tensor, samples: Int = 1,
                                   generator: RandomGenerator = Random.default) -> Tensor {
        sampleCategorical(probabilities, samples: samples, generator: generator, op: "categorical(probabilities:)") { p in
            precondition(p >= 0 && p.isFinite, "categorical: probability \(p) is negative or not finite")
            return Double(p)
        }
    }

    /// Class numbers (int64) drawn with replacement from the softmax of each row of `logits`.
    ///
    /// `logits` is `[classes]` or `[batch, classes]`; the result is `[samples]` or `[batch, samples]`.
    public static func categorical(logits: Tensor, samples: Int = 1,
                                   generator: RandomGenerator = Random.default) -> Tensor {
        sampleCategorical(logits, samples: samples, generator: generator, op: "categorical(logits:)",
                          weightsAreLogits: true) { Double($0) }
    }

    /// Draws from cumulative weights: `weight` maps each input to a weight (or a logit, exponentiated
    /// after subtracting the row maximum).
    private static func sampleCategorical(_ input: Tensor, samples: Int, generator: RandomGenerator, op: String,
                                          weightsAreLogits: Bool = false, weight: (Float) -> Double) -> Tensor {
        precondition(input.dtype == .float32 && (input.rank == 1 || input.rank == 2) && input.shape.last! > 0,
                     "\(op): expects a float [classes] or [batch, classes] tensor, got \(input.dtype) \(input.shape)")
        precondition(samples >= 0, "\(op): negative sample count \(samples)")
        let classes = input.shape.last!, batch = input.count / classes
        let x = input.contiguousData()
        let px = x.floatPointer
        let cdf = UnsafeMutablePointer<Double>.allocate(capacity: batch * classes)
        defer { cdf.deallocate() }
        for b in 0..<batch {
            let row = px + b * classes, c = cdf + b * classes
            var shift = 0.0
            if weightsAreLogits {
                shift = -Double.infinity
                for k in 0..<classes { shift = Swift.max(shift, Double(row[k])) }
                precondition(shift.isFinite, "\(op): row \(b) has no finite maximum logit")
            }
            var total = 0.0
            for k in 0..<classes {
                let w = weightsAreLogits ? Foundation.exp(weight(row[k]) - shift) : weight(row[k])
                total += w
                c[k] = total
            }
            precondition(total > 0 && total.isFinite, "\(op): row \(b) has weights summing to \(total)")
        }
        let out = Tensor(uninitializedShape: input.rank == 1 ? [samples] : [batch, samples], dtype: .int64)
        let po = out.storage.base.assumingMemoryBound(to: Int.self)
        let cost = 16 + 4 * (Int.bitWidth - classes.leadingZeroBitCount)
        generator.fill(count: out.count, wordsPerElement: 2, costPerElement: cost) { words, range in
            for (j, i) in range.enumerated() {
                let c = cdf + (i / samples) * classes
                let u = RandomBits.unitDouble(words[2 * j], words[2 * j + 1]) * c[classes - 1]
                // The first class whose cumulative weight exceeds u; zero-weight classes are never chosen.
                var lo = 0, hi = classes - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if c[mid] > u { hi = mid } else { lo = mid + 1 }
                }
                po[i] = lo
            }
        }
        return out
    }
}
