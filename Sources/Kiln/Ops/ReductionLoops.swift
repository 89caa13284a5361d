import CKilnKernels

/// The loops shared by reductions over any set of axes of a strided tensor.
///
/// Neither layout copies the input:
/// - when the input's memory-innermost dimension is reduced, each output element reduces its own
///   runs of elements (``Plan/forEachOutput(_:)``);
/// - when it is kept, whole rows of the input are combined into rows of the output
///   (``Plan/forEachRow(_:)``), so reducing the batch of a `[B, D]` tensor streams through
///   memory instead of walking columns with stride `D`.
///
/// Sums add in blocks whose partial sums meet in a balanced tree, in both layouts, so their rounding
/// error grows with the logarithm of the number of elements reduced rather than with the number.
enum Reduction {
    /// `shape` with each of `axes` set to 1.
    static func keptShape(_ shape: [Int], _ axes: [Int]) -> [Int] {
        var s = shape
        for a in axes { s[a] = 1 }
        return s
    }

    /// The result shape of reducing `axes` of `shape`.
    static func resultShape(_ shape: [Int], _ axes: [Int], keepingDims: Bool) -> [Int] {
        keepingDims ? keptShape(shape, axes) : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// The value a reduction starts from: what it returns for zero elements.
    static func identity(_ op: kiln_reduce_op) -> Float {
        switch op {
        case KILN_REDUCE_MAX: -.infinity
        case KILN_REDUCE_MIN: .infinity
        default: 0
        }
    }

    /// `acc op v`, with NaN propagating through max and min.
    @inline(__always)
    static func combine(_ op: kiln_reduce_op, _ acc: Float, _ v: Float) -> Float {
        switch op {
        case KILN_REDUCE_MAX: v.isNaN || v > acc ? v : acc
        case KILN_REDUCE_MIN: v.isNaN || v < acc ? v : acc
        default: acc + v
        }
    }

    /// How the loops of one reduction of `x` over `axes` walk memory.
    struct Plan {
        /// Base pointer of the input's first element.
        let base: UnsafePointer<Float>
        /// Number of output elements and of input elements folded into each.
        let outCount: Int, reducedCount: Int
        /// The reduced dimensions of one output element, memory-outermost first.
        let runs: RowLayout
        /// Kept dimensions (output strides, input strides), used by ``forEachOutput(_:)``.
        let outputs: RowLayout
        /// The memory-innermost dimension when it is kept: its length and its input and output strides.
        let column: (length: Int, inputStride: Int, outputStride: Int)?
        /// The kept dimensions other than `column`, with output and input strides.
        let outerShape: [Int], outerStrides: [[Int]]

        /// A plan for `x` (float, kept alive by the caller) over sorted `axes`; `ordered` keeps the reduced
        /// dimensions in index order, as arg-reductions need.
        init(_ x: Tensor, axes: [Int], ordered: Bool = false) {
            base = UnsafePointer(x.floatPointer)
            let kept = (0..<x.rank).filter { !axes.contains($0) }
            let keptSizes = kept.map { x.shape[$0] }
            let outStrides = Tensor.contiguousStrides(keptSizes)
            outCount = keptSizes.reduce(1, *)
            reducedCount = axes.reduce(1) { $0 * x.shape[$1] }
            let reduced = ordered ? axes : axes.sorted { abs(x.strides[$0]) > abs(x.strides[$1]) }
            runs = RowLayout(shape: reduced.map { x.shape[$0] }, strides: [reduced.map { x.strides[$0] }])
            outputs = RowLayout(shape: keptSizes, strides: [outStrides, kept.map { x.strides[$0] }])

            // The memory-innermost dimension of more than one element; rows of a few elements are not
            // worth a call each, so short ones are reduced per output instead.
            var innermost: Int?
            for d in 0..<x.rank where x.shape[d] > 1 {
                if innermost == nil || abs(x.strides[d]) <= abs(x.strides[innermost!]) { innermost = d }
            }
            if let c = innermost, let k = kept.firstIndex(of: c), reducedCount > 1, x.shape[c] >= 8 {
                column = (x.shape[c], x.strides[c], outStrides[k])
                let others = kept.indices.filter { $0 != k }
                outerShape = others.map { keptSizes[$0] }
                outerStrides = [others.map { outStrides[$0] }, others.map { x.strides[kept[$0]] }]
            } else {
                column = nil
                outerShape = []
                outerStrides = [[], []]
            }
        }

        /// Whether ``forEachRow(_:)`` applies (the memory-innermost dimension is kept).
        var combinesRows: Bool { column != nil }

        /// Calls `body(outIndex, start)` for every output element, where `start` points at its first
        /// input element; the reduced elements are walked with ``runs``. Splits across threads.
        func forEachOutput(_ body: (Int, UnsafePointer<Float>) -> Void) {
            let outputs = outputs, base = base
            parallelChunks(outCount, costPerItem: Swift.max(reducedCount, 1)) { range in
                outputs.forEachRowPiece(in: range) { o, n in
                    for j in 0..<n {
                        body(o[0] + j * outputs.innerStrides[0], base + o[1] + j * outputs.innerStrides[1])
                    }
                }
            }
        }

        /// The reduction of one output element's runs starting at `start`.
        func reduce(_ op: kiln_reduce_op, from start: UnsafePointer<Float>) -> Float {
            let s = runs.innerStrides[0]
            if runs.rowCount == 1 { return kiln_reduce_f32(op, start, s, runs.rowLength) }
            if op == KILN_REDUCE_SUM { return sum(from: start, runRows: 0..<runs.rowCount) }
            var acc = Reduction.identity(op)
            runs.forEachRow(in: 0..<runs.rowCount) { o, n in
                acc = Reduction.combine(op, acc, kiln_reduce_f32(op, start + o[0], s, n))
            }
            return acc
        }

        /// Like ``reduce(_:from:)`` but splits one long reduction across threads.
        func reduceSplitting(_ op: kiln_reduce_op, from start: UnsafePointer<Float>) -> Float {
            let threads = Threads.count
            guard threads > 1, reducedCount >= 1 << 17 else { return reduce(op, from: start) }
            let runs = runs, s = runs.innerStrides[0]
            let single = runs.rowCount == 1
            let items = single ? runs.rowLength : runs.rowCount
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: threads) { partials in
                partials.initialize(repeating: Reduction.identity(op))
                let p = partials.baseAddress!
                parallelChunks(threads, costPerItem: reducedCount / threads) { chunks in
                    for c in chunks {
                        let lo = items * c / threads, hi = items * (c + 1) / threads
                        if single {
                            p[c] = kiln_reduce_f32(op, start + lo * s, s, hi - lo)
                        } else if op == KILN_REDUCE_SUM {
                            p[c] = sum(from: start, runRows: lo..<hi)
                        } else {
                            runs.forEachRow(in: lo..<hi) { o, n in
                                p[c] = Reduction.combine(op, p[c], kiln_reduce_f32(op, start + o[0], s, n))
                            }
                        }
                    }
                }
                return partials.reduce(Reduction.identity(op)) { Reduction.combine(op, $0, $1) }
            }
        }

        /// Calls `body(outOffset, inputRow, columns, position)` for every reduced element of every
        /// output row: `columns` elements starting at `inputRow` (stride `column.inputStride`) fold into
        /// the output at `outOffset` (stride `column.outputStride`). `position` counts the reduced
        /// elements of an output row in order. Threads own disjoint output elements.
        func forEachRow(_ body: (Int, UnsafePointer<Float>, Int, Int) -> Void) {
            let runs = runs
            forEachColumnPiece { outOffset, start, columns in
                var position = 0
                runs.forEachRow(in: 0..<runs.rowCount) { r, n in
                    for i in 0..<n {
                        body(outOffset, start + r[0] + i * runs.innerStrides[0], columns, position)
                        position += 1
                    }
                }
            }
        }

        /// Calls `body(outOffset, start, columns)` once for every piece of an output row: `columns`
        /// outputs from `outOffset` (stride `column.outputStride`) whose first reduced row starts at
        /// `start`. Threads own disjoint pieces.
        func forEachColumnPiece(_ body: (Int, UnsafePointer<Float>, Int) -> Void) {
            guard let column else { preconditionFailure("reduction: the innermost dimension is reduced") }
            let outer = RowLayout(shape: outerShape, strides: outerStrides)
            let outerCount = outer.rowCount * outer.rowLength
            let threads = Threads.count
            let pieces = outerCount >= threads ? 1 : max(1, min(threads, column.length / 64))
            let base = base
            parallelChunks(outerCount * pieces, costPerItem: reducedCount * column.length / pieces) { items in
                for item in items {
                    let (k, piece) = item.quotientAndRemainder(dividingBy: pieces)
                    let lo = column.length * piece / pieces, hi = column.length * (piece + 1) / pieces
                    let (row, j) = k.quotientAndRemainder(dividingBy: max(outer.rowLength, 1))
                    outer.forEachRow(in: row..<(row + 1)) { o, _ in
                        let outOffset = o[0] + j * outer.innerStrides[0] + lo * column.outputStride
                        body(outOffset, base + o[1] + j * outer.innerStrides[1] + lo * column.inputStride, hi - lo)
                    }
                }
            }
        }

        /// Writes to `out` (stride `stride`) the column sums of the reduced rows in runs `runRows`,
        /// `columns` wide from `start`: each run is summed by a blocked tree, and runs meet in halves.
        func sumRows(from start: UnsafePointer<Float>, runRows: Range<Int>, columns: Int,
                     into out: UnsafeMutablePointer<Float>, stride: Int) {
            guard let column else { preconditionFailure("reduction: the innermost dimension is reduced") }
            let runs = runs, rowStride = runs.innerStrides[0]
            if runRows.count <= 1 {
                // No rows at all sum to zeros.
                if runRows.isEmpty { kiln_sum_rows_f32(start, rowStride, column.inputStride, 0, columns, out, stride) }
                runs.forEachRow(in: runRows) { r, n in
                    kiln_sum_rows_f32(start + r[0], rowStride, column.inputStride, n, columns, out, stride)
                }
                return
            }
            let middle = (runRows.lowerBound + runRows.upperBound) / 2
            sumRows(from: start, runRows: runRows.lowerBound..<middle, columns: columns, into: out, stride: stride)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: columns) { right in
                sumRows(from: start, runRows: middle..<runRows.upperBound, columns: columns, into: right.baseAddress!, stride: 1)
                kiln_accumulate_f32(right.baseAddress!, 1, out, stride, columns)
            }
        }

        /// The sum of the reduced elements in runs `runRows` of one output element starting at `start`:
        /// each run is summed in blocks, and runs meet in halves.
        func sum(from start: UnsafePointer<Float>, runRows: Range<Int>) -> Float {
            if runRows.count <= 8 {
                var total: Float = 0
                runs.forEachRow(in: runRows) { o, n in total += kiln_sum_f32(start + o[0], runs.innerStrides[0], n) }
                return total
            }
            let middle = (runRows.lowerBound + runRows.upperBound) / 2
            return sum(from: start, runRows: runRows.lowerBound..<middle) + sum(from: start, runRows: middle..<runRows.upperBound)
        }
    }

    /// `x` reduced with `op` over sorted `axes`.
    static func reduce(_ x: Tensor, over axes: [Int], keepingDims: Bool, op: kiln_reduce_op, name: String) -> Tensor {
        precondition(x.dtype == .float32, "\(name): expects a float tensor, got \(x.dtype)")
        let out = Tensor(uninitializedShape: resultShape(x.shape, axes, keepingDims: keepingDims))
        let plan = Plan(x, axes: axes)
        let po = out.floatPointer
        if let column = plan.column, op == KILN_REDUCE_SUM {
            plan.forEachColumnPiece { o, start, n in
                plan.sumRows(from: start, runRows: 0..<plan.runs.rowCount, columns: n, into: po + o, stride: column.outputStride)
            }
        } else if let column = plan.column {
            kiln_fill_f32(po, identity(op), out.count)
            plan.forEachRow { o, row, n, _ in
                kiln_reduce_into_f32(op, row, column.inputStride, po + o, column.outputStride, n)
            }
        } else if plan.outCount < Threads.count {
            plan.outputs.forEachRow(in: 0..<plan.outputs.rowCount) { o, n in
                for j in 0..<n {
                    po[o[0] + j * plan.outputs.innerStrides[0]] =
                        plan.reduceSplitting(op, from: plan.base + o[1] + j * plan.outputs.innerStrides[1])
                }
            }
        } else {
            plan.forEachOutput { i, start in po[i] = plan.reduce(op, from: start) }
        }
        return withExtendedLifetime(x) { out }
    }

    /// The first maximum (`op` MAX) or minimum (MIN) along `axis` and its position.
    static func argReduce(_ x: Tensor, axis: Int, keepingDims: Bool, op: kiln_reduce_op,
                          name: String) -> (values: Tensor, indices: Tensor) {
        precondition(x.dtype == .float32, "\(name): expects a float tensor, got \(x.dtype)")
        precondition(x.shape[axis] > 0, "\(name): cannot reduce empty dimension \(axis) of shape \(x.shape)")
        let shape = resultShape(x.shape, [axis], keepingDims: keepingDims)
        let values = Tensor(uninitializedShape: shape)
        let indices = Tensor(zeros: shape, dtype: .int64)
        let plan = Plan(x, axes: [axis], ordered: true)
        let pv = values.floatPointer
        let pi = indices.storage.base.assumingMemoryBound(to: Int64.self)
        if let column = plan.column {
            kiln_fill_f32(pv, identity(op), values.count)
            plan.forEachRow { o, row, n, position in
                kiln_arg_reduce_into_f32(op, row, column.inputStride, pv + o, pi + o, column.outputStride, n, Int64(position))
            }
        } else {
            let s = plan.runs.innerStrides[0], n = plan.runs.rowLength
            plan.forEachOutput { i, start in pi[i] = kiln_arg_reduce_f32(op, start, s, n, pv + i) }
        }
        return withExtendedLifetime(x) { (values, indices) }
    }

    /// `op(x, r, p)` elementwise over `x`'s shape, where `r` (a reduction result with kept size-1
    /// dimensions) is broadcast; a contiguous float tensor, not recorded.
    static func map(_ op: kiln_map_op, _ x: Tensor, _ r: Tensor? = nil, p: Float = 0) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        let rr = r.map { $0.expandedData(to: x.shape) } ?? x
        let rows = RowLayout(shape: x.shape, strides: [out.strides, x.strides, r == nil ? out.strides.map { _ in 0 } : rr.strides])
        let po = out.floatPointer, px = UnsafePointer(x.floatPointer), pr = UnsafePointer(rr.floatPointer)
        parallelChunks(x.count, costPerItem: 4) { range in
            rows.forEachRowPiece(in: range) { o, n in
                kiln_map_f32(op, p, px + o[1], rows.innerStrides[1], pr + o[2], rows.innerStrides[2], po + o[0], n)
            }
        }
        return withExtendedLifetime((x, rr)) { out }
    }
}

extension RowLayout {
    /// Like ``forEachRow(in:_:)`` for the elements `range` in row-major order: the first and last
    /// rows may be pieces, so a range of elements splits across threads even when there is one long row.
    func forEachRowPiece(in range: Range<Int>, _ body: (UnsafeBufferPointer<Int>, Int) -> Void) {
        guard !range.isEmpty, rowLength > 0 else { return }
        let first = range.lowerBound / rowLength, last = (range.upperBound - 1) / rowLength
        var rowStart = first * rowLength
        withUnsafeTemporaryAllocation(of: Int.self, capacity: innerStrides.count) { shifted in
            forEachRow(in: first..<(last + 1)) { o, n in
                let lo = Swift.max(range.lowerBound - rowStart, 0), hi = Swift.min(range.upperBound - rowStart, n)
                for k in innerStrides.indices { shifted[k] = o[k] + lo * innerStrides[k] }
                body(UnsafeBufferPointer(shifted), hi - lo)
                rowStart += n
            }
        }
    }
}
