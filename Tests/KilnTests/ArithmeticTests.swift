import Kiln
import KilnTestSupport
import Testing

@Suite struct ArithmeticTests {
    @Test func addBroadcastsRowAndColumn() {
        let a = Tensor([1, 2, 3] as [Float], shape: [3, 1])
        let b = Tensor([10, 20] as [Float], shape: [1, 2])
        let c = a + b
        #expect(c.shape == [3, 2])
        #expect(c.scalars == [11, 21, 12, 22, 13, 23])
    }

    @Test func broadcastsAgainstScalarAndLeadingDims() {
        let a = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 1, 3])
        let b = Tensor([1, 10] as [Float], shape: [2, 1])
        let c = a * b
        #expect(c.shape == [2, 2, 3])
        #expect(c.scalars == [1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60])
        #expect((a - 1).scalars == [0, 1, 2, 3, 4, 5])
        #expect((12 / Tensor([4, 3] as [Float])).scalars == [3, 4])
    }

    @Test func emptyAndRankZeroShapes() {
        let e = Tensor(zeros: [0, 3]) + Tensor([1, 2, 3] as [Float])
        #expect(e.shape == [0, 3])
        #expect((Tensor(2) * Tensor(3)).item == 6)
    }

    @Test func largeAddSplitsAcrossThreadsWithSameResult() {
        let n = 1 << 20
        let a = Tensor((0..<n).map { Float($0) })
        let b = Tensor(repeating: 0.5, shape: [n])
        let c = (a + b).scalars
        #expect(c[0] == 0.5 && c[n - 1] == Float(n - 1) + 0.5 && c[n / 2] == Float(n / 2) + 0.5)
    }

    @Test func gradients() {
        let a = testTensor([2, 3], seed: 1), b = testTensor([3], seed: 2, shift: 2)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, b]) { $0[0] / $0[1] }
        checkGradients([a]) { -$0[0] }
    }

    @Test func reusedTensorAccumulatesGradient() {
        let x = Tensor([3] as [Float])
        let g = gradient(at: x) { x in (x * x + x).sum() }
        #expect(g.scalars == [7])
    }
}
