import Kiln
import KilnNN
import KilnTestSupport
import Testing

@Suite struct KeyValueCacheTests {
    /// Keys `[2, 3, length, 4]` and values `[2, 3, length, 5]` whose every element differs.
    private static func piece(_ length: Int, seed: UInt64) -> (keys: Tensor, values: Tensor) {
        (testTensor([2, 3, length, 4], seed: seed), testTensor([2, 3, length, 5], seed: seed + 100))
    }

    /// Appends written in place, through growth past the reserve, hold exactly the concatenation of
    /// every piece; capacity is the reserve, then doubles (or jumps to the count when doubling is short).
    @Test func growsPastItsReserveAndKeepsEveryPosition() {
        let cache = KeyValueCache(capacity: 2)
        #expect(cache.capacity == 2 && cache.count == 0 && cache.keys == nil)
        var pieces: [(keys: Tensor, values: Tensor)] = []
        for (i, (length, capacity)) in [(1, 2), (1, 2), (3, 5), (1, 10), (4, 10)].enumerated() {
            let piece = Self.piece(length, seed: UInt64(i + 1))
            pieces.append(piece)
            let (keys, values) = withoutGradient { cache.append(keys: piece.keys, values: piece.values) }
            #expect(cache.count == pieces.reduce(0) { $0 + $1.keys.shape[2] })
            #expect(cache.capacity == capacity, "after append \(i)")
            #expect(keys.scalars == Tensor.concatenate(pieces.map(\.keys), axis: 2).scalars)
            #expect(values.scalars == Tensor.concatenate(pieces.map(\.values), axis: 2).scalars)
            #expect(cache.keys!.shape == [2, 3, cache.count, 4] && cache.values!.shape == [2, 3, cache.count, 5])
        }
    }

    /// With no view of the cache held elsewhere, appends write into the storage reserved at the
    /// first append: once full again after a reset, the keys are the same memory.
    @Test func writesInPlaceIntoItsReservedStorage() {
        let cache = KeyValueCache(capacity: 3)
        func address() -> UnsafeRawPointer { cache.keys!.withUnsafeFloats { UnsafeRawPointer($0.baseAddress!) } }
        withoutGradient {
            for seed in 1...3 { _ = cache.append(keys: Self.piece(1, seed: UInt64(seed)).keys, values: Self.piece(1, seed: UInt64(seed)).values) }
        }
        let full = address()
        cache.removeAll()
        let pieces = (4...6).map { Self.piece(1, seed: UInt64($0)) }
        withoutGradient {
            for piece in pieces { _ = cache.append(keys: piece.keys, values: piece.values) }
        }
        #expect(address() == full)
        #expect(cache.keys!.scalars == Tensor.concatenate(pieces.map(\.keys), axis: 2).scalars)
    }

    /// A non-contiguous piece (a transposed view, as attention's projections give) is written by value.
    @Test func writesStridedPieces() {
        let cache = KeyValueCache()
        let keys = testTensor([2, 2, 3, 4], seed: 3).transposed(1, 2), values = testTensor([2, 2, 3, 4], seed: 4).transposed(1, 2)
        _ = withoutGradient { cache.append(keys: keys, values: values) }
        #expect(cache.keys!.scalars == keys.scalars && cache.values!.scalars == values.scalars)
    }

    /// removeAll starts a new sequence in the old storage, which may change the batch; a view taken
    /// before keeps its values (copy-on-write), so in-place writes never reach a caller's tensor.
    @Test func removeAllStartsOverWithoutTouchingEarlierViews() {
        let cache = KeyValueCache(capacity: 4)
        let first = Self.piece(3, seed: 1)
        _ = withoutGradient { cache.append(keys: first.keys, values: first.values) }
        let held = cache.keys!
        cache.removeAll()
        #expect(cache.count == 0 && cache.keys == nil && cache.values == nil && cache.capacity == 4)
        let second = Self.piece(2, seed: 2)
        _ = withoutGradient { cache.append(keys: second.keys, values: second.values) }
        #expect(cache.keys!.scalars == second.keys.scalars && cache.values!.scalars == second.values.scalars)
        #expect(held.scalars == first.keys.scalars)
        // A different batch after a reset.
        cache.removeAll()
        let single = (testTensor([1, 3, 2, 4], seed: 5), testTensor([1, 3, 2, 5], seed: 6))
        _ = withoutGradient { cache.append(keys: single.0, values: single.1) }
        #expect(cache.keys!.scalars == single.0.scalars && cache.count == 2)
    }

    /// Appends that record gradients join by a recorded concatenation: the gradient of a weighted sum
    /// of all cached keys and values reaches every piece as its slice of the weights.
    @Test func recordedAppendsPassGradientsToEveryPiece() {
        let cache = KeyValueCache(capacity: 8)
        let a = Self.piece(2, seed: 1), b = Self.piece(3, seed: 2)
        let wk = testTensor([2, 3, 5, 4], seed: 7), wv = testTensor([2, 3, 5, 5], seed: 8)
        let (_, gradients) = valueAndGradient(at: [a.keys, a.values, b.keys, b.values]) { x in
            cache.removeAll()
            _ = cache.append(keys: x[0], values: x[1])
            let (keys, values) = cache.append(keys: x[2], values: x[3])
            return (keys * wk).sum() + (values * wv).sum()
        }
        #expect(gradients[0].scalars == wk.slice(axis: 2, 0..<2).scalars)
        #expect(gradients[1].scalars == wv.slice(axis: 2, 0..<2).scalars)
        #expect(gradients[2].scalars == wk.slice(axis: 2, 2..<5).scalars)
        #expect(gradients[3].scalars == wv.slice(axis: 2, 2..<5).scalars)
    }
}
