import CKilnKernels

/// Layer normalization over the last dimension (Ba et al., 2016; PyTorch's `F.layer_norm` with one
/// normalized dimension): each row of `input` `[..., n]` is shifted by its mean and divided by
/// `sqrt(variance + eps)` (the population variance), then scaled by `weight` `[n]` and shifted by
/// `bias` `[n]` when given.
///
/// Forward and backward are fused row kernels, rows split across threads: the output takes one pass
/// over the input (each row's statistics are taken while it sits in cache), and the three gradients
/// one pass over the input and the output gradient.
public func layerNorm(_ input: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    precondition(input.rank >= 1 && input.dtype == .float32,
                 "layerNorm: expects a float input [..., n], got \(input.dtype) \(input.shape)")
    let n = input.shape[input.rank - 1], rows = n == 0 ? 0 : input.count / n
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let t { precondition(t.shape == [n], "layerNorm: \(name) \(t.shape) must be [\(n)] for input \(input.shape)") }
    }
    let x = input.contiguousData(), w = weight?.contiguousData(), b = bias?.contiguousData()
    let out = Tensor(uninitializedShape: input.shape)
    let mean = Tensor(uninitializedShape: [rows]), rstd = Tensor(uninitializedShape: [rows])
    parallelChunks(rows, costPerItem: 3 * n) { r in
        kiln_layer_norm_rows_f32(x.floatPointer, w.map { UnsafePointer($0.floatPointer) }, b.map { UnsafePointer($0.floatPointer) },
                                 n, eps, r.lowerBound, r.upperBound, out.floatPointer, mean.floatPointer, rstd.floatPointer)
    }
    let inputs = [input] + [weight, bias].compactMap { $0 }
    return Autograd.record(out, inputs) { g in
        let (dx, dWeight, dBias) = LayerNormalization.backward(g.contiguousData(), x, weight: w, mean: mean, rstd: rstd,
                                                               inputGradient: input.requiresGradient)
        return [dx] + (weight == nil ? [] : [weight!.requiresGradient ? dWeight : nil])
            + (bias == nil ? [] : [bias!.requiresGradient ? dBias : nil])
    }
}

/// The backward rule of ``layerNorm(_:weight:bias:eps:)``.
enum LayerNormalization {
    /// Rows per block of the weight and bias sums: each block sums into its own row of partial sums,
    /// so the result does not depend on the thread count.
    static let blockRows = 64

    /// The input gradient (when asked for) and the weight and bias gradients for the output gradient `g`
    /// of a layer norm of `x` (both contiguous `[..., n]`) with per-row `mean` and `rstd`.
    static func backward(_ g: Tensor, _ x: Tensor, weight w: Tensor?, mean: Tensor, rstd: Tensor,
                         inputGradient: Bool) -> (Tensor?, Tensor, Tensor) {
        let n = x.shape[x.rank - 1], rows = mean.count
        let dx = inputGradient ? Tensor(uninitializedShape: x.shape) : nil
        let blocks = (rows + blockRows - 1) / blockRows
        let partials = Tensor(zeros: [Swift.max(blocks, 1), 2, n])
        parallelChunks(blocks, costPerItem: blockRows * 4 * n) { range in
            for block in range {
                let sums = partials.floatPointer + block * 2 * n
                kiln_layer_norm_backward_rows_f32(g.floatPointer, x.floatPointer, w.map { UnsafePointer($0.floatPointer) },
                                                  mean.floatPointer, rstd.floatPointer, n, block * blockRows,
                                                  Swift.min(rows, (block + 1) * blockRows), dx?.floatPointer, sums, sums + n)
            }
        }
        let sums = partials.sum(axes: [0])
        return (dx, sums[0].contiguous(), sums[1].contiguous())
    }
}
