/// Operands broadcast to one shape with a new contiguous output, walked row by row.
///
/// Elementwise kernels that are not plain float arithmetic (comparisons, selection, clamping)
/// share this walk: the output is operand 0 of ``rows`` and input `k` is operand `k + 1`.
struct ElementwiseRows {
    let output: Tensor
    let inputs: [Tensor]
    let rows: RowLayout

    init(_ inputs: [Tensor], outputType: DType, name: String) {
        var shape = inputs[0].shape
        for t in inputs.dropFirst() { shape = Broadcast.shape(shape, t.shape, op: name) }
        self.inputs = inputs.map { $0.expandedData(to: shape) }
        output = Tensor(uninitializedShape: shape, dtype: outputType)
        rows = RowLayout(shape: shape, strides: [output.strides] + self.inputs.map(\.strides))
    }

    /// Calls `body(offsets, count)` for every row, across threads when the output is large.
    ///
    /// A single row (contiguous operands, or a tensor against a broadcast scalar) is cut into pieces.
    func forEachRow(costPerElement: Int = 1, _ body: (UnsafeBufferPointer<Int>, Int) -> Void) {
        if rows.rowCount == 1 {
            parallelChunks(rows.rowLength, costPerItem: costPerElement) { piece in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: rows.innerStrides.count) { offsets in
                    for (k, stride) in rows.innerStrides.enumerated() { offsets[k] = piece.lowerBound * stride }
                    body(UnsafeBufferPointer(offsets), piece.count)
                }
            }
            return
        }
        parallelChunks(rows.rowCount, costPerItem: rows.rowLength * costPerElement) { range in
            rows.forEachRow(in: range, body)
        }
    }
}

extension Tensor {
    /// Pointer to the first element as `T` (for kernels; the tensor must be kept alive).
    func elementPointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        (storage.base + offset * dtype.byteSize).assumingMemoryBound(to: T.self)
    }
}
