import Kiln
import KilnTestSupport
import Testing

/// Products with a dimension of 1 (a row or a column times a matrix; a column times a row by the
/// outer-product path), against the product summed in Double, on plain, transposed and strided
/// layouts, on one thread and two.
@Suite struct SmallProductsTests {
    /// `a · b` of two matrices, summed in Double from their values.
    func reference(_ a: Tensor, _ b: Tensor) -> [Float] {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        let x = a.scalars, y = b.scalars
        return (0..<m * n).map { index in
            let (i, j) = (index / n, index % n)
            return Float((0..<k).reduce(0.0) { $0 + Double(x[i * k + $1]) * Double(y[$1 * n + j]) })
        }
    }

    /// `t`'s values stored transposed (column-major), as BLAS sees a transposed operand.
    func transposedLayout(_ t: Tensor) -> Tensor { t.T.contiguous().T }

    /// Pairs covering each layout of each operand: plain, stored transposed, and a strided row or
    /// column of a wider matrix.
    func pairs(m: Int, k: Int, n: Int) -> [(Tensor, Tensor)] {
        let a = testTensor([m, k], seed: 1), b = testTensor([k, n], seed: 2)
        // Every third column of a wider matrix: a row or column reached with a stride.
        let stridedA = testTensor([m, 3 * k], seed: 3).slice(axis: 1, 0..<(3 * k), step: 3)
        let stridedB = testTensor([3 * k, n], seed: 4).slice(axis: 0, 0..<(3 * k), step: 3)
        let columnOfB = testTensor([k, 3], seed: 5).slice(axis: 1, 1..<2), rowOfA = testTensor([3, k], seed: 6).slice(axis: 0, 1..<2)
        var result = [(a, b), (transposedLayout(a), b), (a, transposedLayout(b)), (transposedLayout(a), transposedLayout(b))]
        if m == 1 { result += [(stridedA, b), (rowOfA, transposedLayout(b)), (columnOfB.T, b)] }
        if n == 1 { result += [(a, stridedB), (transposedLayout(a), columnOfB), (a, rowOfA.T)] }
        if k == 1 { result += [(testTensor([m, 3], seed: 7).slice(axis: 1, 1..<2), b), (a, testTensor([n, 3], seed: 7).slice(axis: 1, 2..<3).T)] }
        return result.filter { $0.0.shape == [m, k] && $0.1.shape == [k, n] }
    }

    @Test(arguments: [(1, 7, 5), (6, 7, 1), (1, 9, 1), (6, 1, 5), (1, 1, 5), (1, 784, 512), (512, 256, 1), (512, 1, 784)])
    func productsMatchTheSumInDouble(shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        let cases = pairs(m: m, k: k, n: n)
        #expect(cases.count >= 4)
        for threads in [1, 2] {
            for (a, b) in cases {
                let product = Threads.withCount(threads) { a.matmul(b) }
                #expect(product.shape == [m, n])
                expectClose(product.scalars, reference(a, b), relative: 1e-5, absolute: 1e-5)
            }
        }
    }

    @Test func outerProductIsExactlyTheProducts() {
        // With an inner dimension of 1 each entry is one rounded product, as sgemm gives it.
        let x = testTensor([400, 1], seed: 8), y = testTensor([1, 700], seed: 9)
        let expected = x.scalars.flatMap { xi in y.scalars.map { xi * $0 } }
        for threads in [1, 2] {
            #expect(Threads.withCount(threads) { x.matmul(y) }.scalars == expected)
        }
    }

    @Test func linearAtBatchOneMatchesTheSumInDouble() {
        // Forward a row times the weight's transpose; the bias added once.
        let x = testTensor([1, 784], seed: 10), w = testTensor([512, 784], seed: 11), bias = testTensor([512], seed: 12)
        let y = Threads.withCount(2) { linear(x, weight: w, bias: bias) }
        expectClose(y.scalars, zip(reference(x, w.T), bias.scalars).map { $0 + $1 }, relative: 1e-5, absolute: 1e-5)
    }

    @Test func linearGradientsAtBatchOne() {
        // Backward at batch 1: the input gradient is a row times the weight, the weight's an outer product.
        let w = testTensor([4, 5], seed: 13), bias = testTensor([4], seed: 14)
        checkGradients([testTensor([1, 5], seed: 15), w, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([testTensor([5], seed: 16), w, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([testTensor([1, 5], seed: 17), testTensor([5, 1], seed: 18)]) { $0[0].matmul($0[1]) }
        checkGradients([testTensor([4, 1], seed: 19), testTensor([1, 3], seed: 20)]) { $0[0].matmul($0[1]) }
    }
}
