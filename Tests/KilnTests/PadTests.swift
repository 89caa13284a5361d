import Kiln
import KilnTestSupport
import Testing

@Suite struct PadTests {
    let f = Fixtures.load("indexing")
    // F.pad(x, (2, 1, 1, 2)) pads width by (2, 1) and height by (1, 2).
    let widths: [(before: Int, after: Int)] = [(1, 2), (2, 1)]

    @Test func modesMatchPyTorch() {
        let x = f["x4"]!
        let constant = x.padded(widths, mode: .constant(0.5))
        #expect(constant.shape == [1, 2, 6, 7])
        expectClose(constant.scalars, f["pad_constant"]!.scalars)
        expectClose(x.padded(widths, mode: .reflect).scalars, f["pad_reflect"]!.scalars)
        expectClose(x.padded(widths, mode: .replicate).scalars, f["pad_replicate"]!.scalars)
    }

    @Test func smallCasesByHand() {
        let x = Tensor([1, 2, 3] as [Float])
        #expect(x.padded([(2, 2)], mode: .reflect).scalars == [3, 2, 1, 2, 3, 2, 1])
        #expect(x.padded([(2, 2)], mode: .replicate).scalars == [1, 1, 1, 2, 3, 3, 3])
        #expect(x.padded([(1, 0)]).scalars == [0, 1, 2, 3])
        #expect(Tensor([4, 5]).padded([(0, 2)], mode: .constant(-1)).integers == [4, 5, -1, -1])
        #expect(Tensor([true]).padded([(1, 1)]).booleans == [false, true, false])
    }

    @Test func reflectGradientMatchesPyTorch() {
        let weight = f["pad_reflect_weight"]!
        let g = gradient(at: f["x4"]!) { x in (x.padded(widths, mode: .reflect) * weight).sum() }
        expectClose(g.scalars, f["pad_reflect_grad"]!.scalars)
    }

    @Test func gradients() {
        let x = testTensor([2, 3, 4], seed: 1)
        checkGradients([x]) { $0[0].padded([(1, 0), (2, 1)], mode: .constant(3)) }
        checkGradients([x]) { $0[0].padded([(2, 1), (1, 3)], mode: .reflect) }
        checkGradients([x]) { $0[0].padded([(1, 2), (0, 2)], mode: .replicate) }
    }
}
