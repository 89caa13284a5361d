import Kiln
import KilnTestSupport
import Testing

@Suite struct SortTests {
    let f = Fixtures.load("indexing")

    @Test func stableSortMatchesPyTorch() {
        let x = f["sort_input"]!
        let asc = x.sorted(axis: 1), desc = x.sorted(axis: -1, descending: true)
        #expect(asc.values.scalars == f["sort_asc_values"]!.scalars)
        #expect(asc.indices.integers == f["sort_asc_indices"]!.integers)
        #expect(desc.values.scalars == f["sort_desc_values"]!.scalars)
        #expect(desc.indices.integers == f["sort_desc_indices"]!.integers)
        let cols = f["x3"]!.sorted(axis: 1)
        #expect(cols.values.scalars == f["sort_cols_values"]!.scalars)
        #expect(cols.indices.integers == f["sort_cols_indices"]!.integers)
        #expect(x.argsort(axis: 1, descending: true).integers == f["sort_desc_indices"]!.integers)
    }

    @Test func nanSortsAboveNumbers() {
        let x = Tensor([2, .nan, -1, 5] as [Float])
        #expect(x.argsort().integers == [2, 0, 3, 1])
        #expect(x.argsort(descending: true).integers == [1, 3, 0, 2])
    }

    @Test func topKMatchesPyTorch() {
        let x = f["topk_input"]!
        let top = x.topK(2, axis: 1), bottom = x.topK(3, largest: false)
        #expect(top.values.scalars == f["top_values"]!.scalars && top.indices.integers == f["top_indices"]!.integers)
        #expect(bottom.values.scalars == f["bottom_values"]!.scalars && bottom.indices.integers == f["bottom_indices"]!.integers)
    }

    @Test func largeSortIsOrdered() {
        let n = 50_000
        let x = testTensor([4, n], seed: 5)
        let (values, indices) = x.sorted()
        let v = values.scalars, i = indices.integers, original = x.scalars
        var ok = true
        for r in 0..<4 {
            for j in 0..<n {
                if original[r * n + i[r * n + j]] != v[r * n + j] { ok = false }
                if j > 0 && v[r * n + j - 1] > v[r * n + j] { ok = false }
            }
        }
        #expect(ok)
    }

    @Test func gradients() {
        let x = testTensor([3, 5], seed: 1)
        checkGradients([x]) { $0[0].sorted(axis: 1).values }
        checkGradients([x]) { $0[0].sorted(axis: 0, descending: true).values }
        checkGradients([x]) { $0[0].topK(2, axis: 1).values }
    }
}
