import Kiln
import KilnTestSupport
import Testing

/// The standard error of an exit test, as text.
func stderrText(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite struct GatherTests {
    let f = Fixtures.load("indexing")

    @Test func gatherAndScatterAddMatchPyTorch() {
        let x = f["x3"]!, index = f["gather_index"]!
        expectClose(x.gather(axis: 1, index: index).scalars, f["gathered"]!.scalars)
        expectClose(Tensor(zeros: [2, 3, 4]).scatterAdd(axis: -2, index: index, source: f["scatter_source"]!).scalars,
                    f["scattered"]!.scalars)
    }

    @Test func gatherPicksLabelsAndReadsStridedInput() {
        let logits = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let picked = logits.gather(axis: 1, index: Tensor([2, 0], shape: [2, 1]))
        #expect(picked.scalars == [3, 4])
        // Through a transpose: column j of the transpose is row j of the original.
        #expect(logits.T.gather(axis: 0, index: Tensor([1, 2], shape: [1, 2])).scalars == [2, 6])
        #expect(Tensor([10, 20, 30]).gather(axis: 0, index: Tensor([2, 2, 0])).integers == [30, 30, 10])
    }

    @Test func scatterAddAccumulatesRepeats() {
        let out = Tensor(ones: [4]).scatterAdd(axis: 0, index: Tensor([1, 1, 3]), source: Tensor([2, 3, 5] as [Float]))
        #expect(out.scalars == [1, 6, 1, 6])
    }

    @Test func indexSelectAndIndexAdd() {
        let x = f["x3"]!
        expectClose(x.indexSelect(axis: -1, indices: f["select_indices"]!).scalars, f["selected"]!.scalars)
        let table = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2])
        #expect(table.indexSelect(axis: 0, indices: Tensor([2, 0, 2])).scalars == [5, 6, 1, 2, 5, 6])
        let added = Tensor(zeros: [3, 2]).indexAdd(axis: 0, indices: Tensor([2, 0, 2]),
                                                   source: Tensor([1, 1, 2, 2, 3, 3] as [Float], shape: [3, 2]))
        #expect(added.scalars == [2, 2, 0, 0, 4, 4])
        #expect(Tensor([true, false]).indexSelect(axis: 0, indices: Tensor([1, 1, 0])).booleans == [false, false, true])
    }

    @Test func largeIndexAddSplitsColumnsWithSameResult() {
        let n = 10_000
        let ids = Tensor((0..<64).map { $0 % 3 })
        let source = Tensor(ones: [64, n])
        let out = Tensor(zeros: [3, n]).indexAdd(axis: 0, indices: ids, source: source).scalars
        #expect(out[0] == 22 && out[n - 1] == 22 && out[n] == 21 && out[3 * n - 1] == 21)
    }

    @Test func oneHot() {
        let h = Tensor([2, 0, 1], shape: [3]).oneHot(classes: 3)
        #expect(h.shape == [3, 3] && h.scalars == [0, 0, 1, 1, 0, 0, 0, 1, 0])
        #expect(Tensor([1, 0], shape: [2, 1]).oneHot(classes: 2).shape == [2, 1, 2])
    }

    @Test func outOfRangeIndexStopsNamingOpIndexAndShape() async {
        let gather = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [2, 3]).gather(axis: 1, index: Tensor([0, 7], shape: [2, 1]))
        }
        #expect(stderrText(gather).contains("gather: index 7 out of range for dimension 1 of size 3 (input shape [2, 3])"))
        let select = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [4, 2]).indexSelect(axis: 0, indices: Tensor([1, -1]))
        }
        #expect(stderrText(select).contains("indexSelect: index -1 out of range for dimension 0 of size 4 (shape [4, 2])"))
        let oneHot = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([0, 3]).oneHot(classes: 3)
        }
        #expect(stderrText(oneHot).contains("oneHot: class 3 out of range for 3 classes (shape [2])"))
    }

    @Test func gradients() {
        let x = testTensor([3, 4], seed: 1)
        let index = Tensor([0, 2, 2, 1, 3, 0], shape: [3, 2])
        checkGradients([x]) { $0[0].gather(axis: 1, index: index) }
        checkGradients([x, testTensor([3, 2], seed: 2)]) { $0[0].scatterAdd(axis: 1, index: index, source: $0[1]) }
        // A source larger than the index: its uncovered part gets a zero gradient.
        checkGradients([x, testTensor([3, 3], seed: 3)]) { $0[0].scatterAdd(axis: 1, index: index, source: $0[1]) }
        let ids = Tensor([3, 0, 3])
        checkGradients([x]) { $0[0].indexSelect(axis: 1, indices: ids) }
        checkGradients([x, testTensor([3, 3], seed: 4)]) { $0[0].indexAdd(axis: 1, indices: ids, source: $0[1]) }
    }
}

@Suite struct GatherSingleIndexTests {
    /// Picking one class per row (the cross-entropy pattern) sends each row's gradient to its own row.
    @Test func pickingOneEntryPerRowRoutesGradientsToEachRow() {
        let x = Tensor((0..<12).map { Float($0) }, shape: [4, 3])
        let labels = Tensor([2, 2, 0, 2], shape: [4, 1])
        let (value, g) = valueAndGradient(at: x) { $0.gather(axis: 1, index: labels).sum() }
        #expect(value.item == 2 + 5 + 6 + 11)
        #expect(g.scalars == [0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1])
        #expect(Tensor(zeros: [2, 3]).scatterAdd(axis: 1, index: Tensor([1, 1], shape: [2, 1]),
                                                 source: Tensor([5, 7] as [Float], shape: [2, 1])).scalars == [0, 5, 0, 0, 7, 0])
    }
}
