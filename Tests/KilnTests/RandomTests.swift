import CKilnKernels
import Foundation
@testable import Kiln
import KilnTestSupport
import Testing

/// Mean and (population) variance of float values, in double precision.
private func moments(_ x: [Float]) -> (mean: Double, variance: Double) {
    let n = Double(x.count)
    let mean = x.reduce(0.0) { $0 + Double($1) } / n
    let variance = x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance)
}

/// Pearson's chi-square statistic of observed counts against expected probabilities.
private func chiSquare(_ values: [Int], probabilities: [Double]) -> Double {
    var counts = [Int](repeating: 0, count: probabilities.count)
    for v in values { counts[v] += 1 }
    let n = Double(values.count)
    return zip(counts, probabilities).filter { $0.1 > 0 }.reduce(0.0) { acc, cp in
        let expected = n * cp.1
        return acc + (Double(cp.0) - expected) * (Double(cp.0) - expected) / expected
    }
}

/// A bound the chi-square statistic with `df` degrees of freedom exceeds with negligible probability
/// (mean df, standard deviation √(2 df); six standard deviations).
private func chiSquareBound(df: Int) -> Double { Double(df) + 6 * (2 * Double(df)).squareRoot() }

@Suite(.serialized) struct RandomTests {
    let n = 200_000

    /// One Philox4x32-10 block from the C kernel.
    private func philox(_ counter: [UInt32], _ key: [UInt32]) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: 4)
        kiln_philox4x32_10(counter, key, &out)
        return out
    }

    @Test func philoxMatchesRandom123KnownAnswers() {
        #expect(philox([0, 0, 0, 0], [0, 0]) == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        #expect(philox([UInt32](repeating: 0xFFFF_FFFF, count: 4), [0xFFFF_FFFF, 0xFFFF_FFFF])
                == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        #expect(philox([0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344], [0xA409_3822, 0x299F_31D0])
                == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    @Test func vectorPhiloxBlocksEqualSingleBlocks() {
        // 19 blocks: two groups of eight (the vector path) and three single ones, across a carry into the high word.
        let seed: UInt64 = 0x1234_5678_9ABC_DEF0, first: UInt64 = 0xFFFF_FFFF - 9
        var out = [UInt32](repeating: 0, count: 4 * 19)
        kiln_philox_blocks(seed, first, &out, 19)
        let key = [UInt32(truncatingIfNeeded: seed), UInt32(seed >> 32)]
        for b in 0..<19 {
            let index = first + UInt64(b)
            #expect(Array(out[(4 * b)..<(4 * b + 4)]) == philox([UInt32(truncatingIfNeeded: index), UInt32(index >> 32), 0, 0], key))
        }
    }

    @Test func normalKernelVectorAndScalarPathsAgreeAndAreAccurate() {
        let count = 4096
        var words = [UInt32](repeating: 0, count: count)
        kiln_philox_blocks(99, 0, &words, count / 4)
        // Extremes of both words: the smallest and largest radius draws and angles at quadrant edges.
        words[0] = 0; words[1] = 0; words[2] = .max; words[3] = .max; words[4] = 0; words[5] = 1 << 30
        var whole = [Float](repeating: 0, count: count), pairs = [Float](repeating: 0, count: count)
        kiln_normal_f32(words, &whole, count, 0, 1)
        for k in stride(from: 0, to: count, by: 2) {
            words.withUnsafeBufferPointer { w in
                pairs.withUnsafeMutableBufferPointer { kiln_normal_f32(w.baseAddress! + k, $0.baseAddress! + k, 2, 0, 1) }
            }
        }
        #expect(whole.map(\.bitPattern) == pairs.map(\.bitPattern))
        var worst = 0.0
        for k in stride(from: 0, to: count, by: 2) {
            let u = (Double(words[k] >> 9) + 0.5) * 0x1p-23, turns = Double(words[k + 1] >> 8) * 0x1p-24
            let r = (-2 * log(u)).squareRoot()
            worst = max(worst, abs(Double(whole[k]) - r * cos(2 * .pi * turns)), abs(Double(whole[k + 1]) - r * sin(2 * .pi * turns)))
        }
        #expect(worst < 2e-6)
    }

    @Test func sameSeedSameValuesDifferentSeedsDiffer() {
        let a = Tensor.normal([1000], generator: RandomGenerator(seed: 7)).scalars
        let b = Tensor.normal([1000], generator: RandomGenerator(seed: 7)).scalars
        let c = Tensor.normal([1000], generator: RandomGenerator(seed: 8)).scalars
        #expect(a == b)
        #expect(zip(a, c).filter { $0 == $1 }.count < 5)
        // Reseeding restarts the stream (Random.seed reseeds the current scope's generator the same way).
        let g = RandomGenerator(seed: 3)
        let d = Tensor.uniform([100], generator: g).scalars
        g.reseed(3)
        #expect(Tensor.uniform([100], generator: g).scalars == d)
        #expect(g.state == RandomState(seed: 3, counter: 25))
    }

    @Test func worksAsSwiftRandomNumberGenerator() {
        var g1 = RandomGenerator(seed: 9), g2 = RandomGenerator(seed: 9)
        #expect(Array(0..<50).shuffled(using: &g1) == Array(0..<50).shuffled(using: &g2))
        #expect((0..<100).allSatisfy { _ in (0..<7).contains(Int.random(in: 0..<7, using: &g1)) })
    }

    @Test func uniformNeverReachesHigh() {
        // [1024, 1024⁺) holds one float; low + span·u rounds up to high for about half of the draws.
        let x = Tensor.uniform([1000], low: 1024, high: Float(1024).nextUp, generator: RandomGenerator(seed: 12)).scalars
        #expect(x.allSatisfy { $0 == 1024 })
    }

    @Test func valuesDoNotDependOnThreadCount() {
        func draw() -> [[Float]] {
            let g = RandomGenerator(seed: 11)
            let big = [1 << 20]
            return [Tensor.uniform(big, generator: g).scalars,
                    Tensor.normal(big, generator: g).scalars,
                    Tensor.truncatedNormal(big, generator: g).scalars,
                    Tensor.bernoulli(big, probability: 0.4, dtype: .float32, generator: g).scalars,
                    Tensor.randint(big, high: 1000, generator: g).cast(to: .float32).scalars,
                    Tensor.categorical(probabilities: Tensor(ones: [64, 10]), samples: 1 << 14, generator: g)
                        .cast(to: .float32).scalars]
        }
        let one = Threads.withCount(1) { draw() }
        let two = Threads.withCount(2) { draw() }
        for (a, b) in zip(one, two) {
            #expect(a.withUnsafeBytes { Array($0) } == b.withUnsafeBytes { Array($0) })
        }
    }

    @Test func savedStateContinuesTheStream() {
        let g = RandomGenerator(seed: 5)
        _ = Tensor.uniform([37], generator: g)
        let saved = g.state
        let next = Tensor.normal([50], generator: g).scalars
        let after = Tensor.randint([9], high: 100, generator: g).integers
        let restored = RandomGenerator(state: saved)
        #expect(Tensor.normal([50], generator: restored).scalars == next)
        #expect(Tensor.randint([9], high: 100, generator: restored).integers == after)
        g.state = saved
        #expect(Tensor.normal([50], generator: g).scalars == next)
        let encoded = try! JSONEncoder().encode(saved)
        #expect(try! JSONDecoder().decode(RandomState.self, from: encoded) == saved)
    }

    @Test func uniformMoments() {
        let (low, high) = (Float(-1), Float(3))
        let x = Tensor.uniform([n], low: low, high: high, generator: RandomGenerator(seed: 1)).scalars
        #expect(x.allSatisfy { $0 >= low && $0 < high })
        let (mean, variance) = moments(x)
        let w = Double(high - low), count = Double(n)
        // Var of the sample variance ≈ (μ₄ − σ⁴)/n with μ₄ = w⁴/80 and σ² = w²/12.
        #expect(abs(mean - 1) < 5 * (w * w / 12 / count).squareRoot())
        #expect(abs(variance - w * w / 12) < 5 * ((pow(w, 4) / 80 - pow(w, 4) / 144) / count).squareRoot())
    }

    @Test func normalMomentsAndPairIndependence() {
        let x = Tensor.normal([n], mean: 2, std: 3, generator: RandomGenerator(seed: 2)).scalars
        let (mean, variance) = moments(x)
        let count = Double(n)
        #expect(abs(mean - 2) < 5 * 3 / count.squareRoot())
        #expect(abs(variance - 9) < 5 * (2 * 81 / count).squareRoot())
        // The two normals of a Box–Muller pair are uncorrelated.
        var products = 0.0
        for i in stride(from: 0, to: n, by: 2) { products += (Double(x[i]) - 2) * (Double(x[i + 1]) - 2) / 9 }
        #expect(abs(products / (count / 2)) < 5 / (count / 2).squareRoot())
    }

    @Test func truncatedNormalStaysInBoundsWithAnalyticMean() {
        let (mu, sigma, a, b) = (1.0, 2.0, -1.0, 4.0)
        let x = Tensor.truncatedNormal([n], mean: Float(mu), std: Float(sigma), low: Float(a), high: Float(b),
                                       generator: RandomGenerator(seed: 3)).scalars
        #expect(x.allSatisfy { $0 >= Float(a) && $0 <= Float(b) })
        let phi = { (z: Double) in exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
        let cdf = { (z: Double) in 0.5 * (1 + erf(z / 2.0.squareRoot())) }
        let (alpha, beta) = ((a - mu) / sigma, (b - mu) / sigma)
        let z = cdf(beta) - cdf(alpha)
        let expectedMean = mu + sigma * (phi(alpha) - phi(beta)) / z
        let expectedVariance = sigma * sigma * (1 + (alpha * phi(alpha) - beta * phi(beta)) / z
                                                - pow((phi(alpha) - phi(beta)) / z, 2))
        let (mean, variance) = moments(x)
        #expect(abs(mean - expectedMean) < 5 * (expectedVariance / Double(n)).squareRoot())
        #expect(abs(variance - expectedVariance) < 0.02 * expectedVariance)
    }

    @Test func inverseErfInvertsErf() {
        #expect(abs(Tensor.inverseErf(0.5) - 0.4769362762044699) < 1e-14)
        for y in [-0.999999, -0.9, -0.3, 0, 0.1, 0.77, 0.9999] {
            #expect(abs(erf(Tensor.inverseErf(y)) - y) < 1e-14)
        }
    }

    @Test func bernoulliFrequency() {
        let p = 0.3
        let x = Tensor.bernoulli([n], probability: Float(p), generator: RandomGenerator(seed: 4)).booleans
        let frequency = Double(x.filter { $0 }.count) / Double(n)
        #expect(abs(frequency - p) < 5 * (p * (1 - p) / Double(n)).squareRoot())
        #expect(Tensor.bernoulli([100], probability: 1).booleans.allSatisfy { $0 })
        #expect(Tensor.bernoulli([100], probability: 0, dtype: .float32).scalars.allSatisfy { $0 == 0 })
    }

    @Test func randintCoversRangeEvenly() {
        let x = Tensor.randint([n], low: -3, high: 4, generator: RandomGenerator(seed: 5)).integers
        #expect(x.allSatisfy { (-3..<4).contains($0) })
        let stat = chiSquare(x.map { $0 + 3 }, probabilities: [Double](repeating: 1.0 / 7, count: 7))
        #expect(stat < chiSquareBound(df: 6))
    }

    @Test func permutationIsAPermutation() {
        let g = RandomGenerator(seed: 6)
        let p = Tensor.randomPermutation(1000, generator: g).integers
        #expect(p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
        #expect(Tensor.randomPermutation(1000, generator: g).integers != p)
        #expect(Tensor.randomPermutation(1).integers == [0] && Tensor.randomPermutation(0).integers == [])
        // Each of the 6 orders of three elements is equally likely.
        var counts: [[Int]: Int] = [:]
        for _ in 0..<6000 { counts[Tensor.randomPermutation(3, generator: g).integers, default: 0] += 1 }
        #expect(counts.count == 6)
        let stat = counts.values.reduce(0.0) { $0 + pow(Double($1) - 1000, 2) / 1000 }
        #expect(stat < chiSquareBound(df: 5))
    }

    @Test func categoricalFrequenciesMatchProbabilities() {
        let rows: [[Double]] = [[0.1, 0.2, 0.3, 0.4, 0], [0.5, 0, 0.25, 0.125, 0.125]]
        let samples = 50_000
        let probabilities = Tensor(rows.flatMap { $0.map { Float($0) } }, shape: [2, 5])
        let drawn = Tensor.categorical(probabilities: probabilities * 3, samples: samples, generator: RandomGenerator(seed: 7))
        #expect(drawn.shape == [2, samples])
        // Logits that are log-probabilities plus a constant give the same distribution.
        let logits = Tensor(rows.flatMap { $0.map { $0 > 0 ? Float(log($0)) + 5 : -.infinity } }, shape: [2, 5])
        let fromLogits = Tensor.categorical(logits: logits, samples: samples, generator: RandomGenerator(seed: 8))
        for sample in [drawn.integers, fromLogits.integers] {
            for (r, p) in rows.enumerated() {
                let row = Array(sample[(r * samples)..<((r + 1) * samples)])
                #expect(!row.contains { p[$0] == 0 })
                #expect(chiSquare(row, probabilities: p) < chiSquareBound(df: p.filter { $0 > 0 }.count - 1))
            }
        }
        #expect(Tensor.categorical(probabilities: Tensor([0, 0, 1] as [Float]), samples: 4).integers == [2, 2, 2, 2])
    }
}
