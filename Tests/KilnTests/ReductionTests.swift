import Foundation
import Kiln
import KilnTestSupport
import Testing

@Suite struct ReductionTests {
    static let fixtures = Fixtures.load("reductions")
    static let axisSets: [(String, [Int])] = [("all", []), ("0", [0]), ("1", [1]), ("2", [-1]), ("02", [0, -1]),
                                              ("01", [1, 0]), ("12", [1, 2])]

    func expectFixture(_ actual: Tensor, _ key: String, relative: Float = 1e-5, absolute: Float = 1e-7,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = Self.fixtures[key]!
        #expect(actual.shape == expected.shape, "\(key): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
        if expected.dtype == .int64 {
            #expect(actual.integers == expected.integers, "\(key)", sourceLocation: sourceLocation)
        } else {
            expectClose(actual.scalars, expected.scalars, relative: relative, absolute: absolute, sourceLocation: sourceLocation)
        }
    }

    @Test func valuesMatchNumPyOverEveryAxisSet() {
        let x = Self.fixtures["x"]!
        for (name, axes) in Self.axisSets {
            expectFixture(x.sum(axes: axes), "sum_" + name)
            expectFixture(x.mean(axes: axes), "mean_" + name)
            expectFixture(x.max(axes: axes), "amax_" + name)
            expectFixture(x.min(axes: axes), "amin_" + name)
            expectFixture(x.variance(axes: axes), "var_" + name, relative: 1e-4)
            expectFixture(x.variance(axes: axes, correction: 0), "var0_" + name, relative: 1e-4)
            expectFixture(x.logSumExp(axes: axes), "lse_" + name)
            for (p, tag) in [(1, "1"), (2, "2"), (3, "3"), (0.5, "half"), (.infinity, "inf"), (-.infinity, "minf")] as [(Float, String)] {
                expectFixture(x.norm(p: p, axes: axes), "norm\(tag)_\(name)", relative: 1e-4)
            }
        }
        expectFixture(x.sum(axes: [0, -1], keepingDims: true), "sum_02_keep")
        #expect(x.mean(axes: [0, 2], keepingDims: true).shape == [1, 6, 1])
        #expect(x.max(axes: [1], keepingDims: true).shape == [4, 1, 16])
    }

    @Test func argReductionsMatchNumPy() {
        let x = Self.fixtures["x"]!
        for axis in 0..<3 {
            expectFixture(x.argmax(axis: axis), "argmax_\(axis)")
            expectFixture(x.argmin(axis: axis - 3), "argmin_\(axis)")
            let (values, indices) = x.max(axis: axis)
            expectFixture(values, "amax_\(axis)")
            expectFixture(indices, "argmax_\(axis)")
            expectFixture(x.min(axis: axis).indices, "argmin_\(axis)")
        }
        expectFixture(x.argmax(), "argmax_flat")
        expectFixture(x.argmin(), "argmin_flat")
        #expect(x.argmax(keepingDims: true).shape == [1, 1, 1])
        #expect(x.argmax(axis: 1, keepingDims: true).shape == [4, 1, 16])
        #expect(x.argmax(axis: 1).dtype == .int64)
    }

    @Test func stridedInputsAreReducedInPlace() {
        let x = Self.fixtures["x"]!
        let t = x.permuted([2, 0, 1])
        for axis in 0..<3 {
            expectFixture(t.sum(axis: axis), "perm_sum_\(axis)")
            expectFixture(t.max(axes: [axis]), "perm_amax_\(axis)")
            expectFixture(t.argmax(axis: axis), "perm_argmax_\(axis)")
        }
        expectFixture(t.sum(axes: [1, 2]), "perm_sum_12")
        let s = x.slice(axis: 1, 0..<6, step: 2)
        expectFixture(s.sum(axis: 0), "slice_sum_0")
        expectFixture(s.sum(axes: [0, 2]), "slice_sum_02")
        expectFixture(s.min(axes: [1]), "slice_amin_1")
    }

    @Test func largeBatchReductionSplitsRowsAcrossThreads() {
        var values = [Float](repeating: 0, count: 1200 * 128)
        for i in 0..<1200 {
            for j in 0..<128 { values[i * 128 + j] = Float((i * 31 + j * 17) % 101) / 50 - 1 }
        }
        let y = Tensor(values, shape: [1200, 128])
        // Columns that cancel to about 1e-7: float32 rounding of 1,200 terms leaves up to 1.1e-6.
        expectFixture(y.sum(axis: 0), "y_sum_0", absolute: 1.5e-6)
        expectFixture(y.max(axes: [0]), "y_amax_0")
        expectFixture(y.argmin(axis: 0), "y_argmin_0")
        expectFixture(y.T.sum(axis: 1), "y_sum_0", absolute: 1.5e-6)
        // Many short rows: the outputs of one long merged row are split across threads.
        var rowSums = [Float](), rowNorms = [Float]()
        for i in 0..<1200 {
            let row = values[(i * 128)..<((i + 1) * 128)].map(Double.init)
            rowSums.append(Float(row.reduce(0, +)))
            rowNorms.append(Float(row.reduce(0) { $0 + $1 * $1 }.squareRoot()))
        }
        expectClose(y.sum(axis: 1).scalars, rowSums, relative: 1e-5)
        expectClose(y.norm(axis: -1).scalars, rowNorms, relative: 1e-5)
    }

    @Test func largeContiguousSumMatchesClosedForm() {
        let n = 1 << 21
        let x = Tensor((0..<n).map { Float($0 % 1000) })
        // Each full block of 1000 sums to 499500; the tail 0..<(n % 1000) adds its triangle number.
        let tail = n % 1000
        let expected = Float(n / 1000) * 499_500 + Float(tail * (tail - 1) / 2)
        #expect(abs(x.sum().item - expected) <= expected * 1e-6)
        #expect(x.reshaped([2048, 1024]).sum(axes: [0, 1]).item == x.sum().item)
        #expect(x.max().item == 999 && x.min().item == 0)
    }

    @Test func tiesAndNaN() {
        let x = Tensor([1, 3, 3, 2, 2, 0] as [Float], shape: [2, 3])
        #expect(x.max(axes: [1]).scalars == [3, 2])
        let (values, indices) = x.max(axis: 1)
        #expect(values.scalars == [3, 2] && indices.integers == [1, 0])
        #expect(x.argmin(axis: 0).integers == [0, 1, 1])
        let g = gradient(at: x) { $0.max(axes: [1]).sum() }
        #expect(g.scalars == [0, 0.5, 0.5, 0.5, 0.5, 0])
        let gi = gradient(at: x) { $0.max(axis: 1).values.sum() }
        #expect(gi.scalars == [0, 1, 0, 1, 0, 0])
        let gn = gradient(at: Tensor([-2, 2, 1] as [Float])) { $0.norm(p: .infinity) }
        #expect(gn.scalars == [-0.5, 0.5, 0])

        let withNaN = Tensor([1, .nan, 3, 4] as [Float], shape: [2, 2])
        #expect(withNaN.max().item.isNaN && withNaN.min().item.isNaN)
        #expect(withNaN.max(axes: [0]).scalars[1].isNaN && withNaN.max(axes: [0]).scalars[0] == 3)
        #expect(withNaN.argmax(axis: 1).integers == [1, 1])
        let row = Tensor((0..<40).map { $0 == 17 ? Float.nan : Float($0) })
        #expect(row.max().item.isNaN && row.argmax().integers == [17])
    }

    @Test func emptyReductions() {
        let e = Tensor(zeros: [0, 3])
        #expect(e.sum(axis: 0).scalars == [0, 0, 0])
        #expect(e.sum(axis: 1).shape == [0])
        #expect(e.mean(axis: 0).scalars.allSatisfy { $0.isNaN })
        #expect(e.logSumExp(axes: [0]).scalars == [-.infinity, -.infinity, -.infinity])
        #expect(e.norm(axis: 0).scalars == [0, 0, 0])
        #expect(e.max(axes: [1]).shape == [0])
        #expect(Tensor(5).sum().item == 5 && Tensor(5).max(axis: 0).indices.integers == [0])
    }

    @Test func logSumExpIsStableForLargeAndInfiniteInputs() {
        let x = Tensor([1000, 1000, -.infinity] as [Float])
        #expect(abs(x.logSumExp().item - 1000.693_147) < 1e-3)
        #expect(Tensor([-.infinity, -.infinity] as [Float]).logSumExp().item == -.infinity)
        #expect(Tensor([1, .infinity] as [Float]).logSumExp().item == .infinity)
        // The gradient is the softmax: at [0, log 3] it is [1/4, 3/4].
        let g = gradient(at: Tensor([0, Float(log(3.0))] as [Float])) { $0.logSumExp() }
        expectClose(g.scalars, [0.25, 0.75])
    }

    @Test func normGradientIsZeroAtZero() {
        let g = gradient(at: Tensor(zeros: [3])) { $0.norm() }
        #expect(g.scalars == [0, 0, 0])
        let g3 = gradient(at: Tensor([0, 1] as [Float])) { $0.norm(p: 3) }
        expectClose(g3.scalars, [0, 1])
    }

    /// Values of `shape` whose magnitudes are at least 0.1 and differ pairwise by at least 0.04, in a
    /// scrambled order with mixed signs, so finite differences never step across a kink of max, min or |x|.
    func separatedTensor(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        let order = testValues(n, seed: 5).enumerated().sorted { $0.element < $1.element }.map(\.offset)
        var values = [Float](repeating: 0, count: n)
        for (rank, i) in order.enumerated() { values[i] = (0.1 + 0.04 * Float(rank)) * (i % 3 == 0 ? -1 : 1) }
        return Tensor(values, shape: shape)
    }

    @Test func gradients() {
        let x = testTensor([3, 4, 10], seed: 3)
        let separated = separatedTensor([3, 4, 10])
        for (_, axes) in Self.axisSets {
            checkGradients([x]) { $0[0].sum(axes: axes) }
            checkGradients([x]) { $0[0].mean(axes: axes, keepingDims: true) }
            checkGradients([separated]) { $0[0].max(axes: axes) }
            checkGradients([separated]) { $0[0].min(axes: axes, keepingDims: true) }
            checkGradients([x]) { $0[0].variance(axes: axes) }
            checkGradients([x]) { $0[0].logSumExp(axes: axes) }
        }
        for axis in [0, 1, -1] {
            checkGradients([separated]) { $0[0].max(axis: axis).values }
            checkGradients([separated]) { $0[0].min(axis: axis, keepingDims: true).values }
        }
        let small = separatedTensor([4, 10])
        for p: Float in [1, 2, 3, 1.5, .infinity, -.infinity] {
            checkGradients([small]) { $0[0].norm(p: p, axes: [1]) }
            checkGradients([small]) { $0[0].norm(p: p) }
        }
        checkGradients([x]) { $0[0].standardDeviation(axes: [0, 2]) }
        checkGradients([x]) { $0[0].variance(axes: [1], correction: 0) }
        checkGradients([x]) { $0[0].permuted([2, 0, 1]).sum(axis: 1) }
    }
}
