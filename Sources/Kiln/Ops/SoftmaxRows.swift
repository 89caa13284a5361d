import CKilnKernels

/// The rows a softmax-like op works on: the op's axis moved last and made contiguous.
///
/// Each row is walked in two phases — a partial result per segment, merged per row, then a write
/// per segment — so a long row can be split across threads as well as a batch of rows.
struct SoftmaxRows {
    /// The data with the axis last, contiguous and detached.
    let data: Tensor
    /// Number of rows and elements per row.
    let count: Int, length: Int
    /// Segments each row is split into (1 unless rows are long or too few to keep every thread busy).
    let segments: Int
    /// Outputs of at least this many floats (the last-level cache's size) are written past the cache.
    static var streamingCount: Int { CacheSizes.running.shared / 4 }
    /// The permutation that moved the axis last (`nil` when it already was).
    private let order: [Int]?, inverse: [Int]?

    init(_ x: Tensor, axis: Int) {
        let last = x.rank == 0 || axis == x.rank - 1
        if last {
            order = nil
            inverse = nil
            data = x.detached().contiguousData()
        } else {
            let moved = (0..<x.rank).filter { $0 != axis } + [axis]
            var back = [Int](repeating: 0, count: x.rank)
            for (i, o) in moved.enumerated() { back[o] = i }
            order = moved
            inverse = back
            data = withoutGradient { x.detached().permuted(moved).contiguousData() }
        }
        length = x.rank == 0 ? 1 : x.shape[axis]
        count = length == 0 ? 0 : x.count / length
        segments = Self.segments(rows: count, length: length)
    }

    /// Rows are split across threads only when there are fewer rows than threads and each thread's
    /// part stays large (32 KiB or more), so no thread idles. Otherwise each thread walks whole rows:
    /// a reload then keeps a row's exponentials in the thread's own scratch and writes the output
    /// once, where a split row stores them in the output and scales it in place, one more pass.
    static func segments(rows: Int, length: Int) -> Int {
        let threads = Threads.count
        return threads > 1 && rows < threads && length >= 1 << 15 ? threads : 1
    }

    /// `t` (of the op's input shape) laid out like ``data``, contiguous and detached.
    func arrange(_ t: Tensor) -> Tensor {
        guard let order else { return t.detached().contiguousData() }
        return withoutGradient { t.detached().permuted(order).contiguousData() }
    }

    /// `t` (laid out like ``data``) viewed in the op's input shape.
    func restore(_ t: Tensor) -> Tensor {
        guard let inverse else { return t }
        return withoutGradient { t.permuted(inverse) }
    }

    /// The elements of segment `s` of a row.
    func segment(_ s: Int) -> Range<Int> { (length * s / segments)..<(length * (s + 1) / segments) }

    /// Runs `first(row, range)` on every segment of every row, merges each row's partials with
    /// `merge`, then runs `second(row, range, partial, total)` on every segment.
    func run<Partial>(_ first: (Int, Range<Int>) -> Partial,
                      merge: (UnsafeBufferPointer<Partial>) -> Partial,
                      _ second: (Int, Range<Int>, Partial, Partial) -> Void) {
        let length = length
        if segments == 1 {
            parallelChunks(count, costPerItem: length * 4) { rows in
                for r in rows {
                    let p = first(r, 0..<length)
                    second(r, 0..<length, p, p)
                }
            }
            return
        }
        let segments = segments
        withUnsafeTemporaryAllocation(of: Partial.self, capacity: segments) { parts in
            let p = parts.baseAddress!
            for r in 0..<count {
                parallelChunks(segments, costPerItem: length / segments * 4) { ss in
                    for s in ss { (p + s).initialize(to: first(r, segment(s))) }
                }
                let total = merge(UnsafeBufferPointer(parts))
                parallelChunks(segments, costPerItem: length / segments * 4) { ss in
                    for s in ss { second(r, segment(s), p[s], total) }
                }
                _ = parts.deinitialize()
            }
        }
    }
}
