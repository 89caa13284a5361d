import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct PositionTests {
    /// Rotate-half RoPE turns each pair (i, i + D/2) by m·θᵢ, so ⟨R(m)q, R(n)k⟩ has the closed form
    /// Σᵢ (q_a k_a + q_b k_b)·cos((n − m)θᵢ) + (q_b k_a − q_a k_b)·sin((n − m)θᵢ), a function of n − m alone.
    @Test func rotaryScoresDependOnlyOnTheRelativePosition() {
        let dimension = 8, rope = RotaryEmbedding(dimension: dimension)
        let q = testTensor([1, dimension], seed: 3), k = testTensor([1, dimension], seed: 4)
        let (qs, ks) = (q.scalars.map(Double.init), k.scalars.map(Double.init))
        func closedForm(_ m: Int, _ n: Int) -> Double {
            (0..<(dimension / 2)).reduce(0) { sum, i in
                let phi = Double(n - m) * pow(10_000, -2 * Double(i) / Double(dimension))
                let (qa, qb, ka, kb) = (qs[i], qs[i + dimension / 2], ks[i], ks[i + dimension / 2])
                return sum + (qa * ka + qb * kb) * cos(phi) + (qb * ka - qa * kb) * sin(phi)
            }
        }
        for (m, n) in [(0, 0), (3, 1), (1, 3), (103, 101), (57, 2)] {
            let score = (rope(q, offset: m) * rope(k, offset: n)).sum().item
            expectClose(Double(score), closedForm(m, n), relative: 1e-5, absolute: 1e-6, "positions \(m), \(n)")
        }
        expectClose(Double((rope(q, offset: 103) * rope(k, offset: 101)).sum().item), closedForm(2, 0), relative: 1e-5,
                    absolute: 1e-6, "shifted pair")
        // Rows of a sequence are rotated by their own positions: row 2 at offset 5 is position 7.
        let sequence = testTensor([4, dimension], seed: 5)
        expectClose(rope(sequence, offset: 5).slice(axis: 0, 2..<3).scalars,
                    rope(sequence.slice(axis: 0, 2..<3), offset: 7).scalars, relative: 1e-6)
    }

    @Test func alibiSlopesFollowThePaper() {
        #expect(ALiBi.slopes(heads: 8) == (1...8).map { Float(pow(2, -Double($0))) })
        // 6 heads: the 4-head slopes 2^-2, 2^-4, 2^-6, 2^-8, then the 1st and 3rd of the 8-head slopes.
        #expect(ALiBi.slopes(heads: 6) == [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125])
        // 12 heads: the 8-head slopes, then every other 16-head slope 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5.
        let twelve = ALiBi.slopes(heads: 12)
        expectClose(Array(twelve.suffix(4)), [-0.5, -1.5, -2.5, -3.5].map { Float(pow(2, $0)) }, relative: 1e-6)
        #expect(Array(twelve.prefix(8)) == ALiBi.slopes(heads: 8))
    }

    /// Two queries continuing two cached keys sit at positions 2 and 3: bias m·(j − i), slopes 2^-4 and 2^-8.
    @Test func alibiBiasIsTheSlopeTimesTheSignedDistance() {
        let bias = ALiBi.bias(heads: 2, queries: 2, keys: 4)
        #expect(bias.shape == [1, 2, 2, 4])
        let distances: [Float] = [-2, -1, 0, 1, -3, -2, -1, 0]
        #expect(bias.scalars == distances.map { $0 / 16 } + distances.map { $0 / 256 })
    }

    /// PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(…), and PE(p + k) is PE(p) turned by PE(k)'s angles.
    @Test func sinusoidalPositionsAreVaswanis() {
        let d = 6, pe = sinusoidalPositions(0..<9, dimension: d).scalars
        for (p, i) in [(0, 0), (1, 0), (3, 2), (8, 4)] {
            let angle = Double(p) / pow(10_000, Double(i) / Double(d))
            expectClose(Double(pe[p * d + i]), sin(angle), relative: 1e-6, absolute: 1e-7, "sin at \(p), \(i)")
            expectClose(Double(pe[p * d + i + 1]), cos(angle), relative: 1e-6, absolute: 1e-7, "cos at \(p), \(i)")
        }
        let shifted = sinusoidalPositions(5..<9, dimension: d).scalars
        #expect(shifted == Array(pe[(5 * d)...]))
        let (p, k) = (2, 5)
        for i in stride(from: 0, to: d, by: 2) {
            let (sp, cp, sk, ck) = (pe[p * d + i], pe[p * d + i + 1], pe[k * d + i], pe[k * d + i + 1])
            expectClose(Double(pe[(p + k) * d + i]), Double(sp * ck + cp * sk), relative: 1e-5, absolute: 1e-6, "sin sum \(i)")
            expectClose(Double(pe[(p + k) * d + i + 1]), Double(cp * ck - sp * sk), relative: 1e-5, absolute: 1e-6, "cos sum \(i)")
        }
    }
}
