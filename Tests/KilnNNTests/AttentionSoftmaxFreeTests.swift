import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct AttentionSoftmaxFreeTests {
    /// exp(−‖q − k‖² / (2√D)).
    static let gaussian: ([Double], [Double]) -> Double = { q, k in
        Foundation.exp(-zip(q, k).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * Double(q.count).squareRoot()))
    }

    /// The iteration inverts a well-conditioned matrix: X·A = A·X = I.
    @Test func newtonInverseInvertsAWellConditionedMatrix() {
        // A = MᵀM + I, symmetric positive definite; and a non-symmetric diagonally dominant matrix.
        let m = testTensor([4, 4], seed: 31)
        let identity = Tensor((0..<16).map { $0 / 4 == $0 % 4 ? Float(1) : 0 }, shape: [4, 4])
        for a in [m.transposed().matmul(m) + identity, m + identity * 3] {
            let x = newtonPseudoInverse(a)
            expectClose(x.matmul(a).scalars, identity.scalars, relative: 1e-4, absolute: 1e-5)
            expectClose(a.matmul(x).scalars, identity.scalars, relative: 1e-4, absolute: 1e-5)
        }
        // The identity itself, where the unshrunk step 2/(‖A‖₁‖A‖∞) would stall at zero.
        expectClose(newtonPseudoInverse(identity).scalars, identity.scalars, relative: 1e-6)
    }

    /// On a singular matrix the iteration gives the Moore–Penrose inverse: the rank-one
    /// `(u·uᵀ)⁺ = u·uᵀ/‖u‖⁴` in closed form, and the four Penrose conditions for a rank-two
    /// matrix (they determine the pseudo-inverse uniquely). Both have converged after 8 iterations;
    /// more would let rounding in the null spaces grow (see ``newtonPseudoInverse(_:iterations:)``).
    @Test func newtonInverseIsTheMoorePenroseInverseOfASingularMatrix() {
        let u = Tensor([1, 2, -1, 0.5] as [Float], shape: [4, 1])
        let rankOne = u.matmul(u.transposed())
        let normFourth = Float(1 + 4 + 1 + 0.25) * Float(1 + 4 + 1 + 0.25)
        expectClose(newtonPseudoInverse(rankOne, iterations: 8).scalars, (rankOne / normFourth).scalars, relative: 1e-4, absolute: 1e-6)
        let columns = testTensor([4, 2], seed: 32), rows = testTensor([2, 3], seed: 33)
        let a = columns.matmul(rows) // 4 × 3, rank 2
        let x = newtonPseudoInverse(a, iterations: 8)
        #expect(x.shape == [3, 4])
        expectClose(a.matmul(x).matmul(a).scalars, a.scalars, relative: 1e-4, absolute: 1e-5)
        expectClose(x.matmul(a).matmul(x).scalars, x.scalars, relative: 1e-4, absolute: 1e-5)
        let ax = a.matmul(x), xa = x.matmul(a)
        expectClose(ax.scalars, ax.transposed().contiguous().scalars, relative: 1e-4, absolute: 1e-5)
        expectClose(xa.scalars, xa.transposed().contiguous().scalars, relative: 1e-4, absolute: 1e-5)
    }

    @Test func gaussianKernelMatchesItsDefinition() {
        let a = testTensor([2, 3, 4], seed: 34), b = testTensor([2, 5, 4], seed: 35)
        var expected = [Float]()
        let (av, bv) = (a.scalars.map(Double.init), b.scalars.map(Double.init))
        for batch in 0..<2 {
            for i in 0..<3 {
                for j in 0..<5 {
                    let ai = Array(av[(batch * 3 + i) * 4..<(batch * 3 + i) * 4 + 4]), bj = Array(bv[(batch * 5 + j) * 4..<(batch * 5 + j) * 4 + 4])
                    expected.append(Float(Self.gaussian(ai, bj)))
                }
            }
        }
        expectClose(gaussianAttentionKernel(a, b).scalars, expected, relative: 1e-5)
    }

    /// With every token its own landmark, S·S⁺·S·V = S·V: SOFT is the exact kernel attention.
    @Test func fullRankLandmarksReproduceExactKernelAttention() {
        let q = testTensor([1, 2, 5, 4], seed: 36, scale: 2), v = testTensor([1, 2, 5, 3], seed: 37)
        let expected = referenceAttention(query: q, key: q, value: v, score: Self.gaussian) { s, _ in s }
        expectClose(softmaxFreeAttention(query: q, value: v, landmarks: q).scalars, expected, relative: 1e-4, absolute: 1e-5)
    }

    /// Nyström is exact when the landmarks are every distinct token: here each of 3 tokens appears
    /// twice in a row, so average pooling to 3 landmarks recovers them and S has rank 3.
    @Test func pooledLandmarksSpanningTheTokensAreExact() {
        let distinct = testTensor([1, 1, 3, 4], seed: 38, scale: 2)
        let q = distinct.unsqueezed(3).expanded(to: [1, 1, 3, 2, 4]).reshaped([1, 1, 6, 4])
        let v = testTensor([1, 1, 6, 2], seed: 39)
        let landmarks = averagePooledLandmarks(q, count: 3)
        expectClose(landmarks.scalars, distinct.scalars, relative: 1e-6)
        let expected = referenceAttention(query: q, key: q, value: v, score: Self.gaussian) { s, _ in s }
        expectClose(softmaxFreeAttention(query: q, value: v, landmarks: landmarks).scalars, expected, relative: 1e-4, absolute: 1e-5)
    }

    @Test func gradientsAreChecked() {
        checkGradients([testTensor([1, 1, 4, 3], seed: 40, scale: 2), testTensor([1, 1, 4, 2], seed: 41)]) { x in
            softmaxFreeAttention(query: x[0], value: x[1], landmarks: averagePooledLandmarks(x[0], count: 2))
        }
        checkGradients([testTensor([3, 3], seed: 42), testTensor([2, 3], seed: 43)]) { x in gaussianAttentionKernel(x[0], x[1]) }
        let m = testTensor([3, 3], seed: 44)
        let identity = Tensor([1, 0, 0, 0, 1, 0, 0, 0, 1] as [Float], shape: [3, 3])
        checkGradients([m.transposed().matmul(m) + identity]) { x in newtonPseudoInverse(x[0], iterations: 30) }
    }
}
