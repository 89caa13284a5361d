import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct AttentionLinearTests {
    // Grouped heads: 4 query heads on 2 key heads; 3 queries continue a 5-key sequence.
    let query = testTensor([2, 4, 3, 4], seed: 21, scale: 2)
    let key = testTensor([2, 2, 5, 4], seed: 22, scale: 2)
    let value = testTensor([2, 2, 5, 3], seed: 23)

    /// φ(x) = elu(x) + 1, elementwise.
    static func eluPlusOne(_ x: [Double]) -> [Double] { x.map { $0 > 0 ? $0 + 1 : Foundation.exp($0) } }

    /// The kernel φ(q)·φ(k).
    static let kernel: ([Double], [Double]) -> Double = { q, k in dotScore(scale: 1)(eluPlusOne(q), eluPlusOne(k)) }

    /// Weights divided by their sum over the visible keys.
    static func normalized(_ s: [Double], _ visible: [Bool]) -> [Double] {
        let kept = zip(s, visible).map { $1 ? $0 : 0 }
        return kept.map { $0 / kept.reduce(0, +) }
    }

    @Test func matchesTheQuadraticFormula() {
        for causal in [false, true] {
            let expected = referenceAttention(query: query, key: key, value: value, causal: causal, score: Self.kernel,
                                              weights: Self.normalized)
            expectClose(linearAttention(query: query, key: key, value: value, causal: causal).scalars, expected, relative: 1e-5)
        }
    }

    @Test func keyCountNormalizationAndFeatureMapParameter() {
        // φ(x) = x², positive; divided by the number of visible keys instead of the kernel sum.
        let squared: ([Double], [Double]) -> Double = { q, k in dotScore(scale: 1)(q.map { $0 * $0 }, k.map { $0 * $0 }) }
        for causal in [false, true] {
            let expected = referenceAttention(query: query, key: key, value: value, causal: causal, score: squared) { s, visible in
                let n = Double(visible.filter { $0 }.count)
                return zip(s, visible).map { $1 ? $0 / n : 0 }
            }
            let actual = linearAttention(query: query, key: key, value: value, causal: causal, featureMap: { $0 * $0 },
                                         normalization: .keyCount)
            expectClose(actual.scalars, expected, relative: 1e-5, absolute: 1e-6)
        }
    }

    @Test func gradientsAreChecked() {
        let inputs = [testTensor([1, 2, 3, 3], seed: 24), testTensor([1, 1, 4, 3], seed: 25), testTensor([1, 1, 4, 2], seed: 26)]
        for causal in [false, true] {
            checkGradients(inputs) { x in linearAttention(query: x[0], key: x[1], value: x[2], causal: causal) }
            checkGradients(inputs) { x in magnitudeAwareLinearAttention(query: x[0], key: x[1], value: x[2], causal: causal) }
        }
    }

    /// MALA's weights from the paper's definition: sᵢⱼ = φ(qᵢ)·φ(kⱼ)/(√D·N), βᵢ = 1 + 1/Σⱼsᵢⱼ,
    /// γᵢ = Σⱼsᵢⱼ/N, weights βᵢsᵢⱼ − γᵢ over the N visible keys.
    static func magnitudeAware(depth: Int) -> ([Double], [Bool]) -> [Double] {
        { kernel, visible in
            let n = Double(visible.filter { $0 }.count)
            let s = zip(kernel, visible).map { $1 ? $0 / (Double(depth).squareRoot() * n) : 0 }
            let z = s.reduce(0, +)
            return zip(s, visible).map { $1 ? (1 + 1 / z) * $0 - z / n : 0 }
        }
    }

    @Test func magnitudeAwareMatchesTheQuadraticFormula() {
        for causal in [false, true] {
            let expected = referenceAttention(query: query, key: key, value: value, causal: causal, score: Self.kernel,
                                              weights: Self.magnitudeAware(depth: 4))
            expectClose(magnitudeAwareLinearAttention(query: query, key: key, value: value, causal: causal).scalars, expected,
                        relative: 1e-5, absolute: 1e-6)
        }
    }

    /// Fan et al.'s observation: scaling φ(qᵢ) by a leaves linear attention's weights unchanged, while
    /// MALA's move with a. Here MALA's weights are the linear-attention weights plus
    /// a·(sᵢⱼ − mean sᵢ): affine in a, rising for keys above the row's mean score and falling below it,
    /// and the rows still sum to 1, so the distribution sharpens as the query grows.
    @Test func queryMagnitudeSharpensMalaButNotLinearAttention() {
        let q = testTensor([1, 1, 2, 4], seed: 27, scale: 0.3, shift: 1.2), k = testTensor([1, 1, 5, 4], seed: 28, scale: 0.5, shift: 1.2)
        #expect(q.scalars.allSatisfy { $0 > 0 } && k.scalars.allSatisfy { $0 > 0 })
        // φ = relu keeps positive inputs, so scaling q by a scales φ(q) by a.
        func weights(_ a: Float, magnitudeAware: Bool) -> [Float] {
            magnitudeAware
                ? magnitudeAwareLinearAttention(query: q * a, key: k, value: identityValues(5), featureMap: relu).scalars
                : linearAttention(query: q * a, key: k, value: identityValues(5), featureMap: relu).scalars
        }
        expectClose(weights(3, magnitudeAware: false), weights(1, magnitudeAware: false), relative: 1e-6)
        let (w1, w2, w3) = (weights(1, magnitudeAware: true), weights(2, magnitudeAware: true), weights(3, magnitudeAware: true))
        expectClose(zip(w3, w1).map { $0 - $1 }, zip(w2, w1).map { 2 * ($0 - $1) }, relative: 1e-4, absolute: 1e-6)
        let linear = weights(1, magnitudeAware: false)
        for row in 0..<2 {
            let r = row * 5..<row * 5 + 5
            let mean = r.map { Double(linear[$0]) }.reduce(0, +) / 5
            for j in r { #expect((w2[j] > w1[j]) == (Double(linear[j]) > mean), "row \(row) key \(j % 5)") }
            expectClose(Double(w3[r].reduce(0, +)), 1, relative: 1e-5, "row \(row) sums to 1")
            let ratios = [w1, w2, w3].map { w in Double(w[r].max()!) / Double(w[r].min()!) }
            #expect(w3[r].allSatisfy { $0 > 0 } && ratios[0] < ratios[1] && ratios[1] < ratios[2], "ratios \(ratios)")
        }
    }
}
