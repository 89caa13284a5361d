import Kiln

/// Sums a list of float tensors (a model's gradients) over a communicator's processes in
/// buckets: the tensors are read in order as one stream of values, cut into buckets of at most
/// ``capacityBytes``, and each bucket is summed by one all-reduce call. Buckets bound the extra
/// memory to one bucket and make one call for many small tensors (PyTorch's
/// `DistributedDataParallel` groups gradients the same way, 25 MiB per bucket by default).
///
/// ```swift
/// // The weighted mean gradient: each process scales by its share of the total weight.
/// let mean = try GradientBuckets().sum(gradients, scaledBy: Float(weight / totalWeight), over: communicator)
/// ```
public struct GradientBuckets: Sendable {
    /// PyTorch's default bucket size: 25 MiB.
    public static let defaultCapacityBytes = 25 << 20

    /// The most bytes of values one all-reduce call carries (at least one value's 4 bytes).
    public let capacityBytes: Int

    /// Buckets of at most `capacityBytes` bytes (at least 4: one float value).
    public init(capacityBytes: Int = defaultCapacityBytes) {
        precondition(capacityBytes >= 4, "GradientBuckets: a bucket must hold at least one 4-byte value, got \(capacityBytes) bytes")
        self.capacityBytes = capacityBytes
    }

    /// The sum over the processes of `scale` times each of `tensors` (float32, the same shapes in
    /// the same order on every process), each in its shape, without a gradient.
    public func sum(_ tensors: [Tensor], scaledBy scale: Float, over communicator: any Communicator) throws -> [Tensor] {
        for t in tensors { precondition(t.dtype == .float32, "GradientBuckets.sum: sums float32 tensors, not \(t.dtype) \(t.shape)") }
        let total = tensors.reduce(0) { $0 + $1.count }
        // Every element of every sum is written from a bucket, so the sums start uninitialized.
        var sums = tensors.map { Tensor(shape: $0.shape, of: Float.self) { _ in } }
        let bucket = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, min(capacityBytes / 4, total)))
        defer { bucket.deallocate() }
        var pieces: [Piece] = [], filled = 0
        for (index, tensor) in tensors.enumerated() {
            var start = 0
            while start < tensor.count {
                let piece = Piece(tensor: index, start: start, count: min(tensor.count - start, bucket.count - filled), bucketStart: filled)
                tensor.withUnsafeFloats { values in
                    for i in 0..<piece.count { bucket[piece.bucketStart + i] = values[piece.start + i] * scale }
                }
                pieces.append(piece)
                filled += piece.count
                start += piece.count
                if filled == bucket.count {
                    try reduce(bucket, pieces, into: &sums, over: communicator)
                    pieces.removeAll(keepingCapacity: true)
                    filled = 0
                }
            }
        }
        if filled > 0 { try reduce(UnsafeMutableBufferPointer(rebasing: bucket[0..<filled]), pieces, into: &sums, over: communicator) }
        return sums
    }

    /// A run of elements of one tensor in a bucket.
    private struct Piece {
        let tensor: Int, start: Int, count: Int
        /// Where the run starts in the bucket.
        let bucketStart: Int
    }

    /// Sums `bucket` over the processes and copies its `pieces` into their tensors in `sums`.
    private func reduce(_ bucket: UnsafeMutableBufferPointer<Float>, _ pieces: [Piece], into sums: inout [Tensor],
                        over communicator: any Communicator) throws {
        try communicator.allReduce(bucket, .sum)
        for piece in pieces {
            sums[piece.tensor].withUnsafeMutableFloats { out in
                _ = UnsafeMutableBufferPointer(rebasing: out[piece.start..<(piece.start + piece.count)])
                    .update(fromContentsOf: bucket[piece.bucketStart..<(piece.bucketStart + piece.count)])
            }
        }
    }
}
