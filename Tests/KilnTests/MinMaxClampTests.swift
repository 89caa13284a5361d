import Kiln
import KilnTestSupport
import Testing

@Suite struct MinMaxClampTests {
    @Test func maximumAndMinimumBroadcastAndPropagateNaN() {
        let a = Tensor([1, 5, -2, 4] as [Float], shape: [2, 2]), b = Tensor([3, 0] as [Float])
        #expect(maximum(a, b).scalars == [3, 5, 3, 4])
        #expect(minimum(a, b).scalars == [1, 0, -2, 0])
        let m = maximum(Tensor([.nan, 1] as [Float]), Tensor([1, .nan] as [Float])).scalars
        #expect(m[0].isNaN && m[1].isNaN)
        let n = minimum(Tensor([.nan, 1] as [Float]), Tensor([1, .nan] as [Float])).scalars
        #expect(n[0].isNaN && n[1].isNaN)
    }

    @Test func gradientGoesToTheWinnerAndSplitsTies() {
        // PyTorch: maximum([1, 2, 3], [1, 1, 4]) gives gradients [0.5, 1, 0] and [0.5, 0, 1].
        let a = Tensor([1, 2, 3] as [Float]), b = Tensor([1, 1, 4] as [Float])
        let (_, gmax) = valueAndGradient(at: [a, b]) { maximum($0[0], $0[1]).sum() }
        #expect(gmax[0].scalars == [0.5, 1, 0] && gmax[1].scalars == [0.5, 0, 1])
        let (_, gmin) = valueAndGradient(at: [a, b]) { minimum($0[0], $0[1]).sum() }
        #expect(gmin[0].scalars == [0.5, 0, 1] && gmin[1].scalars == [0.5, 1, 0])
        let x = testTensor([2, 3], seed: 1), y = testTensor([3], seed: 2)
        checkGradients([x, y]) { maximum($0[0], $0[1]) }
        checkGradients([x, y]) { minimum($0[0], $0[1]) }
    }

    @Test func clampedLimitsAndKeepsNaN() {
        let x = Tensor([-3, -1, 0, 0.5, 1, 7, .nan] as [Float])
        let y = x.clamped(min: -1, max: 1).scalars
        #expect(Array(y.prefix(6)) == [-1, -1, 0, 0.5, 1, 1] && y[6].isNaN)
        #expect(Array(x.clamped(min: 0).scalars.prefix(6)) == [0, 0, 0, 0.5, 1, 7])
        #expect(Array(x.clamped(max: 0).scalars.prefix(6)) == [-3, -1, 0, 0, 0, 0])
        let view = Tensor((0..<12).map(Float.init), shape: [3, 4]).transposed()
        #expect(view.clamped(min: 2, max: 9).scalars == view.scalars.map { Swift.min(Swift.max($0, 2), 9) })
    }

    @Test func clampedGradientIsOneInsideIncludingBounds() {
        let x = Tensor([-1, 0, 0.5, 1, 2] as [Float])
        #expect(gradient(at: x) { $0.clamped(min: 0, max: 1).sum() }.scalars == [0, 1, 1, 1, 0])
        checkGradients([Tensor([-2, -0.5, 0.3, 0.8, 1.6, 3] as [Float])]) { $0[0].clamped(min: -1, max: 1) }
    }
}
