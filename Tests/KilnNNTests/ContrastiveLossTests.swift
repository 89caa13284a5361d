import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct ContrastiveLossTests {
    let fixture = Fixtures.load("losses")

    @Test func decoupledContrastiveLossMatchesThePaper() {
        let (a, b) = (fixture["dcl_a"]!, fixture["dcl_b"]!)
        expectClose(decoupledContrastiveLoss(a, b, temperature: 0.5).scalars, fixture["dcl_value"]!.scalars)
        let (_, grads) = valueAndGradient(at: [a, b]) { decoupledContrastiveLoss($0[0], $0[1], temperature: 0.5) }
        expectClose(grads[0].scalars, fixture["dcl_grad_a"]!.scalars)
        expectClose(grads[1].scalars, fixture["dcl_grad_b"]!.scalars)
        checkGradients([testTensor([3, 2], seed: 21), testTensor([3, 2], seed: 22)]) {
            decoupledContrastiveLoss($0[0], $0[1], temperature: 0.7)
        }
    }

    @Test func decoupledContrastiveLossHandComputedTwoByTwo() {
        // Unit vectors: a₁ = (1, 0), a₂ = (0, 1), b₁ = (c, s), b₂ = (0, 1) with c = cos θ.
        // Each anchor's only negatives are the other sample in both views, never its positive.
        let theta = 0.6, tau = 0.5
        let (c, s) = (cos(theta), sin(theta))
        let first = Tensor([1, 0, 0, 1] as [Float], shape: [2, 2])
        let second = Tensor([Float(c), Float(s), 0, 1], shape: [2, 2])
        func lse(_ xs: [Double]) -> Double { Foundation.log(xs.reduce(0) { $0 + Foundation.exp($1 / tau) }) }
        // Anchors a₁, a₂, b₁, b₂ with (positive similarity, negative similarities).
        let anchors: [(Double, [Double])] = [(c, [0, 0]), (1, [0, s]), (c, [s, s]), (1, [0, s])]
        let expected = anchors.reduce(0) { $0 - $1.0 / tau + lse($1.1) } / 4
        expectClose(decoupledContrastiveLoss(first, second, temperature: Float(tau)).scalars, [Float(expected)])
        // Scaling the embeddings changes nothing (cosine similarity); closer positives lower the loss.
        expectClose(decoupledContrastiveLoss(3 * first, 0.5 * second, temperature: Float(tau)).scalars, [Float(expected)])
        let closer = Tensor([Float(cos(0.2)), Float(sin(0.2)), 0, 1], shape: [2, 2])
        #expect(decoupledContrastiveLoss(first, closer, temperature: Float(tau)).item < Float(expected))
    }

    @Test func cauchySchwarzDivergenceMatchesKernelDensityForm() {
        let (x, y) = (fixture["cs_x"]!, fixture["cs_y"]!)
        expectClose(cauchySchwarzDivergence(x, y, bandwidth: 0.8).scalars, fixture["cs_value"]!.scalars)
        let (_, grads) = valueAndGradient(at: [x, y]) { cauchySchwarzDivergence($0[0], $0[1], bandwidth: 0.8) }
        expectClose(grads[0].scalars, fixture["cs_grad_x"]!.scalars)
        expectClose(grads[1].scalars, fixture["cs_grad_y"]!.scalars)
        checkGradients([testTensor([4, 2], seed: 23), testTensor([3, 2], seed: 24, shift: 0.5)]) {
            cauchySchwarzDivergence($0[0], $0[1], bandwidth: 0.7)
        }
    }

    @Test func cauchySchwarzDivergenceIsZeroOnItselfSymmetricAndNonNegative() {
        let x = testTensor([6, 3], seed: 25), y = testTensor([4, 3], seed: 26, shift: 0.3)
        #expect(abs(cauchySchwarzDivergence(x, x).item) < 1e-6)
        let (xy, yx) = (cauchySchwarzDivergence(x, y, bandwidth: 0.5).item, cauchySchwarzDivergence(y, x, bandwidth: 0.5).item)
        #expect(abs(xy - yx) <= 1e-5 * max(1, abs(xy)))
        #expect(xy > 0)
        // One point each, distance r: D = −log(K(r)²) = r²/(2σ²).
        let p = Tensor(zeros: [1, 2]), q = Tensor([3, 4] as [Float], shape: [1, 2])
        expectClose(cauchySchwarzDivergence(p, q, bandwidth: 2).scalars, [25.0 / 8])
        // Samples further apart diverge more.
        #expect(cauchySchwarzDivergence(x, y + 2, bandwidth: 0.5).item > xy)
    }
}
