import Kiln
import KilnTestSupport
import Testing

@Suite struct MatmulTests {
    static let fixtures = Fixtures.load("matmul")

    func expectFixture(_ actual: Tensor, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = Self.fixtures[key]!
        #expect(actual.shape == expected.shape, "\(key): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
        expectClose(actual.scalars, expected.scalars, relative: 1e-5, sourceLocation: sourceLocation)
    }

    @Test func productsMatchNumPy() {
        let f = Self.fixtures
        let (a, b, c, d, e, ff, v) = (f["a"]!, f["b"]!, f["c"]!, f["d"]!, f["e"]!, f["f"]!, f["v"]!)
        expectFixture(a.matmul(b), "ab")
        expectFixture(c.matmul(b), "cb")
        expectFixture(matmul(c, d), "cd")
        expectFixture(e.matmul(ff), "ef")
        expectFixture(v.matmul(v), "vv")
        expectFixture(a.matmul(v), "av")
        expectFixture(v.matmul(b), "vb")
        expectFixture(c.matmul(v), "cv")
        expectFixture(v.matmul(d), "vd")
    }

    @Test func transposedViewsMatchNumPy() {
        let f = Self.fixtures
        let (a, b, p, q) = (f["a"]!, f["b"]!, f["p"]!, f["q"]!)
        expectFixture(p.T.matmul(b), "ptb")
        expectFixture(a.matmul(q.T), "aqt")
        expectFixture(p.T.matmul(q.T), "ptqt")
        // A view BLAS cannot read directly (every other column) is copied first.
        let wide = Tensor.arange(0, Float(8)).reshaped([2, 4]).slice(axis: 1, 0..<4, step: 2)
        #expect(wide.matmul(Tensor([1, 10] as [Float], shape: [2, 1])).scalars == [20, 64])
    }

    @Test func linearMatchesNumPy() {
        let f = Self.fixtures
        let bias = f["f"]![0][0].slice(axis: 0, 0..<5)
        expectFixture(linear(f["c"]!, weight: f["q"]!, bias: bias), "linear")
        let noBias = linear(f["c"]!, weight: f["q"]!)
        expectClose(noBias.scalars, f["c"]!.matmul(f["q"]!.T).scalars)
    }

    @Test func closedFormsAndEdgeShapes() {
        let a = Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])
        #expect(a.matmul(a).scalars == [7, 10, 15, 22])
        #expect(Tensor(zeros: [3, 0]).matmul(Tensor(zeros: [0, 2])).scalars == [0, 0, 0, 0, 0, 0])
        #expect(Tensor(zeros: [0, 4]).matmul(Tensor(zeros: [4, 2])).shape == [0, 2])
        #expect(Tensor(zeros: [2, 0, 3]).matmul(Tensor(zeros: [3, 5])).shape == [2, 0, 5])
        // Many small matrices: split across threads, each product still exact.
        let batch = Tensor.arange(0, Float(4096)).reshaped([1024, 2, 2])
        let identity = Tensor([1, 0, 0, 1] as [Float], shape: [2, 2])
        #expect(batch.matmul(identity.expanded(to: [1024, 2, 2])).scalars == batch.scalars)
    }

    @Test func largeProductMatchesColumnSums() {
        // (A · 1) holds the row sums of A: exercises the multithreaded BLAS path on a transposed view.
        let a = testTensor([300, 500], seed: 8)
        let ones = Tensor(ones: [500, 1])
        expectClose(a.T.T.matmul(ones).scalars, a.sum(axis: 1).scalars, relative: 1e-4)
        expectClose(ones.T.matmul(a.T).scalars, a.sum(axis: 1).scalars, relative: 1e-4)
    }

    @Test func productsSplitAcrossThreadsMatchOneThread() {
        // Blocks of rows (m ≥ n) and of columns (n > m), with plain and transposed operands, and a
        // linear layer whose bias BLAS adds to: two threads give one thread's values.
        let a = testTensor([100, 64], seed: 1), b = testTensor([64, 90], seed: 2)
        let c = testTensor([40, 64], seed: 3), d = testTensor([64, 230], seed: 4)
        let w = testTensor([230, 64], seed: 5), bias = testTensor([230], seed: 6)
        func transposedLayout(_ t: Tensor) -> Tensor { t.T.contiguous().T }
        func products() -> [[Float]] {
            [a.matmul(b), transposedLayout(a).matmul(transposedLayout(b)), c.matmul(d),
             transposedLayout(c).matmul(transposedLayout(d)), linear(a, weight: w, bias: bias), b.T.matmul(a.T)].map(\.scalars)
        }
        let one = Threads.withCount(1) { products() }, two = Threads.withCount(2) { products() }
        for (x, y) in zip(two, one) { expectClose(x, y, relative: 1e-6) }
    }

    @Test func gradients() {
        let a = testTensor([3, 4], seed: 1), b = testTensor([4, 5], seed: 2)
        checkGradients([a, b]) { $0[0].matmul($0[1]) }
        checkGradients([a, b]) { $0[0].T.T.matmul($0[1].T.T) }
        checkGradients([testTensor([4, 3], seed: 3), testTensor([5, 4], seed: 4)]) { $0[0].T.matmul($0[1].T) }
        // Batched, with the batch broadcast on either side.
        checkGradients([testTensor([2, 3, 4], seed: 5), b]) { $0[0].matmul($0[1]) }
        checkGradients([a, testTensor([2, 4, 5], seed: 6)]) { $0[0].matmul($0[1]) }
        checkGradients([testTensor([2, 3, 4], seed: 7), testTensor([2, 4, 5], seed: 8)]) { $0[0].matmul($0[1]) }
        checkGradients([testTensor([2, 1, 3, 4], seed: 9), testTensor([3, 4, 2], seed: 10)]) { $0[0].matmul($0[1]) }
        checkGradients([testTensor([2, 4, 3], seed: 11), testTensor([1, 5, 4], seed: 12)]) {
            $0[0].transposed().matmul($0[1].transposed())
        }
        // Vectors.
        let v = testTensor([4], seed: 13)
        checkGradients([v, v * 2]) { $0[0].matmul($0[1]) }
        checkGradients([a, v]) { $0[0].matmul($0[1]) }
        checkGradients([v, b]) { $0[0].matmul($0[1]) }
        checkGradients([testTensor([2, 3, 4], seed: 14), v]) { $0[0].matmul($0[1]) }
        checkGradients([v, testTensor([2, 4, 5], seed: 15)]) { $0[0].matmul($0[1]) }
        // The fused linear map, with and without bias, on 2-D and 3-D input.
        let w = testTensor([5, 4], seed: 16), bias = testTensor([5], seed: 17)
        checkGradients([testTensor([3, 4], seed: 18), w, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([testTensor([2, 3, 4], seed: 19), w]) { linear($0[0], weight: $0[1]) }
        checkGradients([testTensor([4, 3], seed: 20), w, bias]) { linear($0[0].T, weight: $0[1], bias: $0[2]) }
    }
}
