/// Walks several same-shaped strided operands row by row.
///
/// Dimensions that are contiguous in every operand are merged, so the innermost row is as
/// long as possible and kernels see `count` elements with one stride per operand.
/// Operand 0 is usually the output.
struct RowLayout {
    /// Sizes of the outer (non-innermost) dimensions after merging.
    let outerShape: [Int]
    /// Per operand, strides of the outer dimensions.
    let outerStrides: [[Int]]
    /// Length of each innermost row.
    let rowLength: Int
    /// Per operand, the stride along the innermost row.
    let innerStrides: [Int]
    /// Number of innermost rows.
    let rowCount: Int

    init(shape: [Int], strides: [[Int]]) {
        // Drop size-1 dimensions, then merge neighbours that are contiguous in every operand.
        var dims: [Int] = []
        var st: [[Int]] = Array(repeating: [], count: strides.count)
        for (i, d) in shape.enumerated() where d != 1 {
            if let last = dims.last, strides.indices.allSatisfy({ st[$0].last! == strides[$0][i] * d }) {
                dims[dims.count - 1] = last * d
                for k in strides.indices { st[k][st[k].count - 1] = strides[k][i] }
            } else {
                dims.append(d)
                for k in strides.indices { st[k].append(strides[k][i]) }
            }
        }
        if dims.isEmpty {
            dims = [shape.contains(0) ? 0 : 1]
            st = strides.map { _ in [1] }
        }
        rowLength = dims.last!
        innerStrides = st.map { $0.last! }
        outerShape = Array(dims.dropLast())
        outerStrides = st.map { Array($0.dropLast()) }
        rowCount = rowLength == 0 ? 0 : outerShape.reduce(1, *)
    }

    /// Calls `body(offsets, rowLength)` for rows `range`, where `offsets[k]` is operand k's element offset of the row start.
    func forEachRow(in range: Range<Int>, _ body: (UnsafeBufferPointer<Int>, Int) -> Void) {
        guard !range.isEmpty else { return }
        let operands = innerStrides.count
        let depth = outerShape.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: operands + depth) { scratch in
            let offsets = UnsafeMutableBufferPointer(rebasing: scratch[0..<operands])
            let index = UnsafeMutableBufferPointer(rebasing: scratch[operands...])
            // Unravel the first row number into an index and offsets.
            var r = range.lowerBound
            for d in stride(from: depth - 1, through: 0, by: -1) {
                index[d] = r % outerShape[d]
                r /= outerShape[d]
            }
            for k in 0..<operands {
                var o = 0
                for d in 0..<depth { o += index[d] * outerStrides[k][d] }
                offsets[k] = o
            }
            for _ in range {
                body(UnsafeBufferPointer(offsets), rowLength)
                // Advance the odometer.
                var d = depth - 1
                while d >= 0 {
                    index[d] += 1
                    for k in 0..<operands { offsets[k] += outerStrides[k][d] }
                    if index[d] < outerShape[d] { break }
                    for k in 0..<operands { offsets[k] -= outerStrides[k][d] * outerShape[d] }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }
}
