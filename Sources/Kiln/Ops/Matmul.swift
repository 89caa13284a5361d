import CKilnKernels

/// Matrix products on BLAS: `matmul` with PyTorch's rules and the fused `linear` layer product.
extension Tensor {
    /// The matrix product with `torch.matmul` semantics.
    ///
    /// - 1-D · 1-D: the dot product (a rank-0 tensor);
    /// - 2-D · 2-D: the matrix product;
    /// - a 1-D operand is treated as a row (left) or column (right) vector, and that dimension is removed;
    /// - higher ranks are stacks of matrices whose batch dimensions broadcast:
    ///   `[B, M, K] · [K, N]`, `[B, M, K] · [B, K, N]`, `[..., M, K] · [..., K, N]`.
    ///
    /// Transposed views reach BLAS as transposed operands without copying.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 1 && other.rank >= 1,
                     "matmul: shapes \(shape) and \(other.shape) need at least one dimension each")
        precondition(dtype == .float32 && other.dtype == .float32,
                     "matmul: expects float tensors, got \(dtype) \(shape) and \(other.dtype) \(other.shape)")
        let k = shape[rank - 1], k2 = other.shape[Swift.max(other.rank - 2, 0)]
        precondition(k == k2, "matmul: shapes \(shape) and \(other.shape) are incompatible (inner dimensions \(k) and \(k2))")
        switch (rank, other.rank) {
        case (1, 1): return unsqueezed(0).matmul(other.unsqueezed(1)).reshaped([])
        case (1, _): return unsqueezed(0).matmul(other).squeezed(-2)
        case (_, 1): return matmul(other.unsqueezed(1)).squeezed(-1)
        default: break
        }
        let a = detached(), b = other.detached()
        let out = Matmul.product(a, b, shapes: (shape, other.shape))
        return Autograd.record(out, self, other) { g in
            (requiresGradient ? Matmul.product(g, b.transposed(), reducedTo: a.shape) : nil,
             other.requiresGradient ? Matmul.product(a.transposed(), g, reducedTo: b.shape) : nil)
        }
    }
}

/// The matrix product `a · b` with `torch.matmul` semantics; see ``Tensor/matmul(_:)``.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { a.matmul(b) }

/// The affine map of a linear layer, `x · weightᵀ + bias`, with PyTorch's weight layout.
///
/// `x` is `[..., in]`, `weight` is `[out, in]` and `bias` (optional) is `[out]`; the result is
/// `[..., out]`. The bias is written into the output first and BLAS adds the product to it.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    precondition(x.rank >= 1 && weight.rank == 2 && x.shape[x.rank - 1] == weight.shape[1],
                 "linear: input \(x.shape) does not match weight \(weight.shape) (expected [out, \(x.shape.last ?? 0)])")
    let outFeatures = weight.shape[0], inFeatures = weight.shape[1]
    if let bias {
        precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape) does not match weight \(weight.shape)")
    }
    let x2 = withoutGradient { x.detached().reshaped([-1, inFeatures]) }
    let w = weight.detached()
    let rows = x2.shape[0]
    let out = Tensor(uninitializedShape: [rows, outFeatures])
    let po = out.floatPointer
    if let bias {
        let b = bias.contiguousData()
        parallelChunks(rows, costPerItem: outFeatures) { range in
            for r in range { (po + r * outFeatures).initialize(from: b.floatPointer, count: outFeatures) }
        }
        Matmul.multiply(x2, w.transposed(), into: po, ldc: outFeatures, beta: 1)
    } else {
        Matmul.multiply(x2, w.transposed(), into: po, ldc: outFeatures, beta: 0)
    }
    let result = out.reshaped(Array(x.shape.dropLast()) + [outFeatures])
    return Autograd.record(result, [x, weight] + (bias.map { [$0] } ?? [])) { g in
        let g2 = g.reshaped([rows, outFeatures])
        let dx = x.requiresGradient ? Matmul.product(g2, w, shapes: (g2.shape, w.shape)).reshaped(x.shape) : nil
        let dw = weight.requiresGradient ? Matmul.product(g2.transposed(), x2, shapes: (g2.shape, x2.shape)) : nil
        guard let bias else { return [dx, dw] }
        return [dx, dw, bias.requiresGradient ? g2.sum(axis: 0) : nil]
    }
}

/// Batched products over BLAS, without recording.
enum Matmul {
    /// `a · b` for operands of rank ≥ 2 whose batch dimensions broadcast; `shapes` name the
    /// user's operands in error messages.
    static func product(_ a: Tensor, _ b: Tensor, shapes: ([Int], [Int])) -> Tensor {
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        precondition(k == b.shape[b.rank - 2], "matmul: shapes \(shapes.0) and \(shapes.1) are incompatible")
        let batch = batchShape(a, b, shapes: shapes)
        let out = Tensor(uninitializedShape: batch + [m, n])
        if out.count == 0 { return out }
        if k == 0 {
            kiln_fill_f32(out.floatPointer, 0, out.count)
            return out
        }
        // One product when `b` is shared by the whole batch and `a`'s batch folds into its rows.
        if b.shape.dropLast(2).allSatisfy({ $0 == 1 }), a.rank - 2 == batch.count,
           let rowsOfA = merged(a, 0..<(a.rank - 1)) {
            multiply(rowsOfA, matrix(b), into: out.floatPointer, ldc: n, beta: 0)
            return out
        }
        let ea = blasReady(a).expandedData(to: batch + [m, k]), eb = blasReady(b).expandedData(to: batch + [k, n])
        let la = operand(ea), lb = operand(eb)
        // Element offsets of each batch entry's matrices in out, a and b.
        var offsets: [(Int, Int, Int)] = []
        let rows = RowLayout(shape: batch, strides: [Array(out.strides.dropLast(2)), Array(ea.strides.dropLast(2)),
                                                     Array(eb.strides.dropLast(2))])
        rows.forEachRow(in: 0..<rows.rowCount) { o, count in
            for j in 0..<count {
                offsets.append((o[0] + j * rows.innerStrides[0], o[1] + j * rows.innerStrides[1], o[2] + j * rows.innerStrides[2]))
            }
        }
        let po = out.floatPointer, pa = ea.floatPointer, pb = eb.floatPointer
        let work = m * n * k
        withExtendedLifetime((ea, eb)) {
            // A batch of several products is split across Kiln's threads, one BLAS thread each.
            if offsets.count >= Threads.count {
                parallelChunks(offsets.count, costPerItem: work) { range in
                    for (oc, oa, ob) in offsets[range] {
                        BLAS.sgemm(m: m, n: n, k: k, la.at(pa + oa), lb.at(pb + ob), beta: 0, po + oc, ldc: n)
                    }
                }
            } else {
                for (oc, oa, ob) in offsets {
                    sgemm(m: m, n: n, k: k, la.at(pa + oa), lb.at(pb + ob), beta: 0, po + oc, ldc: n)
                }
            }
        }
        return out
    }

    /// `a · b` summed over the batch dimensions that `target` (the shape of the operand whose
    /// gradient this is) broadcast: one product over a longer inner dimension when the whole batch
    /// is summed and both operands fold it in.
    static func product(_ a: Tensor, _ b: Tensor, reducedTo target: [Int]) -> Tensor {
        let batch = a.shape.dropLast(2)
        if target.dropLast(2).allSatisfy({ $0 == 1 }), batch.reduce(1, *) > 1, b.shape.dropLast(2) == batch {
            let r = a.rank
            if let lhs = merged(a.permuted([r - 2] + Array(0..<(r - 2)) + [r - 1]), 1..<r),
               let rhs = merged(b, 0..<(r - 1)) {
                return product(lhs, rhs, shapes: (a.shape, b.shape)).reshaped(target)
            }
        }
        return product(a, b, shapes: (a.shape, b.shape)).summed(toShape: target)
    }

    /// `a · b` for 2-D views into `c` (row-major, leading dimension `ldc`): `c = a · b + beta · c`.
    static func multiply(_ a: Tensor, _ b: Tensor, into c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        let a = blasReady(a), b = blasReady(b)
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        if m == 0 || n == 0 { return }
        withExtendedLifetime((a, b)) {
            if k == 0 {
                for r in 0..<m { for j in 0..<n { c[r * ldc + j] *= beta } }
                return
            }
            sgemm(m: m, n: n, k: k, operand(a).at(a.floatPointer), operand(b).at(b.floatPointer), beta: beta, c, ldc: ldc)
        }
    }

    /// `c = a · b + beta · c` as ``BLAS/sgemm(m:n:k:alpha:_:_:beta:_:ldc:)`` computes it, always on one
    /// BLAS thread: a large product is split into blocks of rows (of columns when they are more) run on
    /// Kiln's threads. BLAS's own threads would otherwise spin beside Kiln's between products, and on
    /// two cores the two pools take turns instead of working together. An inner dimension of 1 takes
    /// ``outerProduct(m:n:_:_:_:ldc:)``.
    static func sgemm(m: Int, n: Int, k: Int, _ a: BLAS.Operand, _ b: BLAS.Operand, beta: Float,
                      _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        if k == 1 && beta == 0 { return outerProduct(m: m, n: n, a, b, c, ldc: ldc) }
        let alongRows = m >= n, extent = alongRows ? m : n
        let blocks = Swift.min(Threads.count, extent / blockAlignment, m * n * k / BLAS.singleThreadWork)
        guard blocks > 1 else {
            Threads.withCount(1) { BLAS.sgemm(m: m, n: n, k: k, a, b, beta: beta, c, ldc: ldc) }
            return
        }
        func bound(_ i: Int) -> Int { i == blocks ? extent : extent * i / blocks / blockAlignment * blockAlignment }
        parallelWorkers(blocks) { i in
            let lo = bound(i), size = bound(i + 1) - lo
            if alongRows {
                let rows = BLAS.Operand(pointer: a.pointer + (a.transposed ? lo : lo * a.leadingDimension),
                                        transposed: a.transposed, leadingDimension: a.leadingDimension)
                BLAS.sgemm(m: size, n: n, k: k, rows, b, beta: beta, c + lo * ldc, ldc: ldc)
            } else {
                let columns = BLAS.Operand(pointer: b.pointer + (b.transposed ? lo * b.leadingDimension : lo),
                                           transposed: b.transposed, leadingDimension: b.leadingDimension)
                BLAS.sgemm(m: m, n: size, k: k, a, columns, beta: beta, c + lo, ldc: ldc)
            }
        }
    }

    /// Blocks of a split product start at multiples of this many rows or columns (BLAS kernels' tile).
    private static let blockAlignment = 16

    /// The broadcast batch shape of two matrix stacks, or a stop naming both operands.
    private static func batchShape(_ a: Tensor, _ b: Tensor, shapes: ([Int], [Int])) -> [Int] {
        let ba = Array(a.shape.dropLast(2)), bb = Array(b.shape.dropLast(2))
        let n = Swift.max(ba.count, bb.count)
        return (0..<n).map { i in
            let da = i < n - ba.count ? 1 : ba[i - (n - ba.count)]
            let db = i < n - bb.count ? 1 : bb[i - (n - bb.count)]
            precondition(da == db || da == 1 || db == 1,
                         "matmul: batch dimensions of shapes \(shapes.0) and \(shapes.1) do not broadcast")
            return da == 1 ? db : da
        }
    }

    /// The matrix layout of the last two dimensions (shared by every batch entry).
    private struct Layout {
        let transposed: Bool, leadingDimension: Int
        func at(_ p: UnsafeMutablePointer<Float>) -> BLAS.Operand {
            BLAS.Operand(pointer: UnsafePointer(p), transposed: transposed, leadingDimension: leadingDimension)
        }
    }

    private static func operand(_ t: Tensor) -> Layout {
        let r = t.rank
        let o = BLAS.Operand(t.floatPointer, rows: t.shape[r - 2], cols: t.shape[r - 1],
                             rowStride: t.strides[r - 2], colStride: t.strides[r - 1])!
        return Layout(transposed: o.transposed, leadingDimension: o.leadingDimension)
    }

    /// `t` itself when BLAS can read its matrices, otherwise a contiguous copy.
    private static func blasReady(_ t: Tensor) -> Tensor {
        let r = t.rank
        let readable = BLAS.Operand(t.floatPointer, rows: t.shape[r - 2], cols: t.shape[r - 1],
                                    rowStride: t.strides[r - 2], colStride: t.strides[r - 1]) != nil
        return readable ? t : t.contiguousData()
    }

    /// The last two dimensions of `t`, whose other dimensions are all 1, as a 2-D view.
    private static func matrix(_ t: Tensor) -> Tensor {
        Tensor(storage: t.storage, shape: Array(t.shape.suffix(2)), strides: Array(t.strides.suffix(2)),
               offset: t.offset, dtype: t.dtype)
    }

    /// A view of `t` with the consecutive dimensions `dims` merged into one, or nil when their
    /// strides do not chain (merging would need a copy).
    private static func merged(_ t: Tensor, _ dims: Range<Int>) -> Tensor? {
        var stride: Int?
        var size = 1
        for d in dims.reversed() where t.shape[d] != 1 {
            if let s = stride, t.strides[d] != s * size { return nil }
            if stride == nil { stride = t.strides[d] }
            size *= t.shape[d]
        }
        let shape = Array(t.shape[..<dims.lowerBound]) + [dims.reduce(1) { $0 * t.shape[$1] }] + Array(t.shape[dims.upperBound...])
        let strides = Array(t.strides[..<dims.lowerBound]) + [stride ?? 1] + Array(t.strides[dims.upperBound...])
        return Tensor(storage: t.storage, shape: shape, strides: strides, offset: t.offset, dtype: t.dtype)
    }
}
