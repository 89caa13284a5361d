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
        var sums = tensors.map { Tensor(zeros: $0.shape) }
        var bucket = [Float](repeating: 0, count: min(capacityBytes / 4, total))
        // Pieces of tensors in the bucket being filled: (tensor, first element, count).
        var pieces: [(tensor: Int, start: Int, count: Int)] = []
        var filled = 0

        func reduceBucket() throws {
            try bucket.withUnsafeMutableBufferPointer { try communicator.allReduce(UnsafeMutableBufferPointer(rebasing: $0[0..<filled]), .sum) }
            var at = 0
            for piece in pieces {
                bucket.withUnsafeBufferPointer { summed in
                    sums[piece.tensor].withUnsafeMutableFloats { out in
                        for i in 0..<piece.count { out[piece.start + i] = summed[at + i] }
                    }
                }
                at += piece.count
            }
            pieces.removeAll(keepingCapacity: true)
            filled = 0
        }

        for (index, tensor) in tensors.enumerated() {
            var start = 0
            while start < tensor.count {
                let count = min(tensor.count - start, bucket.count - filled)
                tensor.withUnsafeFloats { values in
                    bucket.withUnsafeMutableBufferPointer { b in
                        for i in 0..<count { b[filled + i] = values[start + i] * scale }
                    }
                }
                pieces.append((index, start, count))
                filled += count
                start += count
                if filled == bucket.count { try reduceBucket() }
            }
        }
        if filled > 0 { try reduceBucket() }
        return sums
    }
}
