import Kiln
import KilnTestSupport
import Testing

@Suite struct JoinTests {
    @Test func concatenateAlongEachAxis() {
        let a = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let b = Tensor([7, 8] as [Float], shape: [2, 1])
        let c = Tensor.concatenate([a, b], axis: -1)
        #expect(c.shape == [2, 4])
        #expect(c.scalars == [1, 2, 3, 7, 4, 5, 6, 8])
        let rows = Tensor.concatenate([a, Tensor([9, 9, 9] as [Float], shape: [1, 3])], axis: 0)
        #expect(rows.scalars == [1, 2, 3, 4, 5, 6, 9, 9, 9])
        // A transposed (strided) input is read through its strides.
        let t = Tensor.concatenate([a.T, a.T], axis: 1)
        #expect(t.shape == [3, 4])
        #expect(t.scalars == [1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6])
    }

    @Test func concatenateIntegerAndBoolTensors() {
        let i = Tensor.concatenate([Tensor([1, 2]), Tensor([3])])
        #expect(i.dtype == .int64 && i.integers == [1, 2, 3])
        let m = Tensor.concatenate([Tensor([true]), Tensor([false, true])])
        #expect(m.booleans == [true, false, true])
        #expect(Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], axis: 1).integers == [1, 3, 2, 4])
        #expect(m.split(sizes: [2, 1]).map(\.booleans) == [[true, false], [true]])
    }

    @Test func stackInsertsNewAxis() {
        let a = Tensor([1, 2] as [Float]), b = Tensor([3, 4] as [Float])
        let s0 = Tensor.stack([a, b]), s1 = Tensor.stack([a, b], axis: -1)
        #expect(s0.shape == [2, 2] && s0.scalars == [1, 2, 3, 4])
        #expect(s1.shape == [2, 2] && s1.scalars == [1, 3, 2, 4])
        #expect(Tensor.stack([Tensor(1), Tensor(2)]).scalars == [1, 2])
    }

    @Test func splitAndChunkFollowPyTorch() {
        let x = Tensor.arange(0, Float(14)).reshaped(2, 7)
        let pieces = x.split(sizes: [2, 0, 5], axis: 1)
        #expect(pieces.map(\.shape) == [[2, 2], [2, 0], [2, 5]])
        #expect(pieces[2].scalars == [2, 3, 4, 5, 6, 9, 10, 11, 12, 13])
        // torch.split(x, 3, dim=1) → sizes 3, 3, 1; torch.chunk(x, 4, dim=1) → sizes 2, 2, 2, 1.
        #expect(x.split(size: 3, axis: 1).map { $0.shape[1] } == [3, 3, 1])
        #expect(x.chunked(4, axis: 1).map { $0.shape[1] } == [2, 2, 2, 1])
        // torch.chunk(arange(6), 4) gives three chunks of 2.
        #expect(Tensor.arange(0, 6).chunked(4).map(\.count) == [2, 2, 2])
        #expect(Tensor.concatenate(x.chunked(3, axis: 1), axis: 1).scalars == x.scalars)
    }

    @Test func largeConcatenateMatchesPieces() {
        let a = Tensor.arange(0, Float(300_000)).reshaped(1000, 300), b = Tensor.arange(0, Float(200_000)).reshaped(1000, 200)
        let c = Tensor.concatenate([a, b], axis: 1)
        let p = c.split(sizes: [300, 200], axis: 1)
        #expect(p[0].scalars == a.scalars && p[1].scalars == b.scalars)
    }

    @Test func gradients() {
        let a = testTensor([2, 3], seed: 1), b = testTensor([2, 2], seed: 2), c = testTensor([2, 3], seed: 3)
        checkGradients([a, b]) { Tensor.concatenate([$0[0], $0[1], $0[0]], axis: 1) }
        checkGradients([a, c]) { Tensor.stack([$0[0], $0[1]], axis: 1) }
        checkGradients([a]) { x in
            let p = x[0].split(sizes: [1, 2], axis: 1)
            return p[0] * 2 + p[1].sum(axis: 1, keepingDims: true)
        }
        checkGradients([b]) { x in
            let p = x[0].chunked(2, axis: 0)
            return p[0] * p[1]
        }
    }
}
