import Kiln
import KilnTestSupport
import Testing

@Suite struct ComparisonTests {
    let a = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
    let row = Tensor([2, 2, 7] as [Float])

    @Test func comparisonsBroadcast() {
        #expect((a .== row).booleans == [false, true, false, false, false, false])
        #expect((a .!= row).booleans == [true, false, true, true, true, true])
        #expect((a .< row).booleans == [true, false, true, false, false, true])
        #expect((a .<= row).booleans == [true, true, true, false, false, true])
        #expect((a .> row).booleans == [false, false, false, true, true, false])
        #expect((a .>= row).booleans == [false, true, false, true, true, false])
        let column = Tensor([2, 5] as [Float], shape: [2, 1])
        let c = a .> column
        #expect(c.shape == [2, 3] && c.dtype == .bool)
        #expect(c.booleans == [false, false, true, false, false, true])
    }

    @Test func scalarsOnEitherSide() {
        #expect((a .> 3).booleans == [false, false, false, true, true, true])
        #expect((3 .> a).booleans == [true, true, false, false, false, false])
        #expect((a .== 6).booleans == [false, false, false, false, false, true])
        #expect((2 .<= a.transposed()).booleans == [false, true, true, true, true, true])
    }

    @Test func nanComparesUnequalToEverything() {
        let x = Tensor([.nan, 1] as [Float]), y = Tensor([.nan, 1] as [Float])
        #expect((x .== y).booleans == [false, true])
        #expect((x .!= y).booleans == [true, false])
        #expect((x .< y).booleans == [false, false] && (x .>= y).booleans == [false, true])
    }

    @Test func integerAndMixedTensors() {
        let labels = Tensor([0, 3, 2, 3] as [Int]), predictions = Tensor([0, 1, 2, 3] as [Int])
        #expect((labels .== predictions).booleans == [true, false, true, true])
        #expect((labels .> predictions).booleans == [false, true, false, false])
        #expect((labels .== 3).booleans == [false, true, false, true])
        #expect((Tensor([0.5, 3] as [Float]) .< labels.slice(axis: 0, 1..<3)).booleans == [true, false])
        let m = Tensor([true, false, true]), n = Tensor([true, true, false])
        #expect((m .== n).booleans == [true, false, false])
    }

    @Test func logicalOperations() {
        let m = Tensor([true, false, true, false]), n = Tensor([true, true, false, false])
        #expect((m .& n).booleans == [true, false, false, false])
        #expect((m .| n).booleans == [true, true, true, false])
        #expect((m .^ n).booleans == [false, true, true, false])
        #expect((.!m).booleans == [false, true, false, true])
        let grid = Tensor([true, false], shape: [2, 1]) .& Tensor([true, false, true])
        #expect(grid.shape == [2, 3] && grid.booleans == [true, false, true, false, false, false])
    }

    @Test func whereSelectsAndBroadcasts() {
        let condition = Tensor([true, false, true])
        let y = Tensor.where(condition, a, Tensor(-1))
        #expect(y.shape == [2, 3])
        #expect(y.scalars == [1, -1, 3, 4, -1, 6])
        let picked = Tensor.where(a .> 3, a, a * 10)
        #expect(picked.scalars == [10, 20, 30, 4, 5, 6])
    }

    @Test func whereRoutesGradientByMask() {
        let condition = Tensor([true, false, true, false, false, true], shape: [2, 3])
        let (_, g) = valueAndGradient(at: [a, row]) { xs in (Tensor.where(condition, xs[0], xs[1]) * 3).sum() }
        #expect(g[0].scalars == [3, 0, 3, 0, 0, 3])
        #expect(g[1].scalars == [3, 6, 0])
        checkGradients([testTensor([2, 3], seed: 1), testTensor([3], seed: 2)]) { xs in
            Tensor.where(condition, xs[0], xs[1])
        }
    }

    @Test func maskedFill() {
        let mask = Tensor([false, true, true])
        let inf = Float.infinity
        let y = a.maskedFill(mask, -inf)
        #expect(y.scalars == [1, -inf, -inf, 4, -inf, -inf])
        #expect(gradient(at: a) { $0.maskedFill(mask, 0).sum() }.scalars == [1, 0, 0, 1, 0, 0])
        checkGradients([testTensor([2, 3], seed: 3)]) { $0[0].maskedFill(mask, 2) }
    }

    @Test func largeScalarBroadcastSplitsAcrossThreads() {
        let x = testTensor([1 << 20], seed: 8)
        let v = x.scalars
        #expect((x .< 0.25).booleans == v.map { $0 < 0.25 })
        #expect((0.25 .< x).booleans == v.map { 0.25 < $0 })
        #expect((x * 2 + 1).scalars == v.map { $0 * 2 + 1 })
        #expect((1 - x).scalars == v.map { 1 - $0 })
    }
}
