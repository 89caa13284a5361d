import Kiln
import KilnTestSupport
import Testing

/// Integer arithmetic and PyTorch's type promotion; every expected value is the one `torch` gives.
@Suite struct IntegerArithmeticTests {
    @Test func theTensorDocumentationExampleRuns() {
        let x = Tensor([1, 2, 3, 4], shape: [2, 2])   // int64, as the literals are integers
        let y = (x * x).sum()                          // int64 30, as in PyTorch
        let z = x / 2 + 0.5                            // float32 [1, 1.5, 2, 2.5]: true division
        #expect(x.dtype == .int64)
        #expect(y.dtype == .int64 && y.shape == [] && y.integers == [30])
        #expect(z.dtype == .float32 && z.scalars == [1, 1.5, 2, 2.5])
    }

    @Test func integersStayIntegersAndWrapAround() {
        let a = Tensor([5, -3, 7, 0, 2, 9], shape: [2, 3]), b = Tensor([2, -4, 3], shape: [3])
        #expect((a + b).integers == [7, -7, 10, 2, -2, 12] && (a + b).dtype == .int64)
        #expect((a - b).integers == [3, 1, 4, -2, 6, 6])
        #expect((a * b).integers == [10, 12, 21, 0, -8, 27])
        #expect((-a).integers == [-5, 3, -7, 0, -2, -9] && (-a).dtype == .int64)
        #expect(maximum(a, b).integers == [5, -3, 7, 2, 2, 9])
        // int64 arithmetic wraps around like PyTorch's (two's complement).
        #expect((Tensor([Int.max]) + Tensor([1])).integers == [Int.min])
        // A transposed (strided) operand.
        #expect((a.transposed(0, 1) * Tensor([1, 10], shape: [1, 2])).integers == [5, 0, -3, 20, 7, 90])
    }

    @Test func floatOperandsPromoteToFloat() {
        let i = Tensor([1, 2, 3]), f = Tensor([0.5, 0.25, 2] as [Float])
        let sum = i + f
        #expect(sum.dtype == .float32 && sum.scalars == [1.5, 2.25, 5])
        #expect((f - i).scalars == [-0.5, -1.75, -1] && (i * 1.5).scalars == [1.5, 3, 4.5])
        let mask = Tensor([true, false, true])
        #expect((mask * f).dtype == .float32 && (mask * f).scalars == [0.5, 0, 2])
        #expect((mask + i).dtype == .int64 && (mask + i).integers == [2, 2, 4])
    }

    @Test func divisionIsTrueDivisionAndFloorDivisionIsNamed() {
        let a = Tensor([7, -7, 7, -7, 6]), b = Tensor([2, 2, -2, -2, 3])
        #expect((a / b).dtype == .float32 && (a / b).scalars == [3.5, -3.5, -3.5, 3.5, 2])
        let q = a.floorDivided(by: b)
        #expect(q.dtype == .int64 && q.integers == [3, -4, -4, 3, 2])   // Python's 7 // 2 … -7 // -2
    }

    @Test func sumsOfIntegersAndBoolsAreInt64() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(a.sum(axes: [0]).integers == [5, 7, 9] && a.sum(axes: [0]).shape == [3])
        let rows = a.sum(axis: 1, keepingDims: true)
        #expect(rows.shape == [2, 1] && rows.integers == [6, 15])
        #expect(a.transposed(0, 1).sum(axis: 1).integers == [5, 7, 9])
        let mask = Tensor([true, false, true, true], shape: [2, 2])
        #expect(mask.sum().dtype == .int64 && mask.sum().integers == [3])
        #expect(Tensor(zeros: [0, 2], dtype: .int64).sum(axes: [0]).integers == [0, 0])
    }

    @Test func integersCompareWithFloats() {
        let i = Tensor([1, 2, 3])
        #expect((i .< Tensor([2.5] as [Float])).booleans == [true, true, false])
        #expect((i .== 2).booleans == [false, true, false])
    }

    @Test func aFloatFactorTimesAnIntegerTensorIsDifferentiable() {
        let counts = Tensor([3, -1, 2], shape: [3])
        let x = testTensor([2, 3], seed: 1)
        let (_, g) = valueAndGradient(at: x) { ($0 * counts).sum() }
        #expect(g.scalars == [3, -1, 2, 3, -1, 2])
        checkGradients([x]) { $0[0] * counts + counts }
    }

    @Test func meanOfIntegersAndBoolArithmeticStopWithAClearMessage() async {
        let mean = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([1, 2, 3]).mean()
        }
        #expect(stderrText(mean).contains("mean: expects a float tensor, got int64 [3]; cast(to: .float32) first"))
        let bools = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([true]) + Tensor([false])
        }
        #expect(stderrText(bools).contains("add: arithmetic on two bool tensors [1] and [1]"))
        let nan = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([1, .nan] as [Float]).cast(to: .int64)
        }
        #expect(stderrText(nan).contains("cast: nan has no int64 value"))
    }

    @Test func floatsCastToIntegersByTruncation() {
        #expect(Tensor([2.7, -2.7, 0.5, -0.0] as [Float]).cast(to: .int64).integers == [2, -2, 0, 0])
    }
}
