import CKilnKernels

/// The shape arithmetic of a 2-D convolution: sizes, strides, padding, dilation and groups.
struct ConvolutionGeometry {
    let batch, inChannels, height, width: Int
    let outChannels, kernelH, kernelW: Int
    let strideH, strideW, padH, padW, dilationH, dilationW, groups: Int
    let outH, outW: Int
    /// How the passes are computed (tests force one to compare them).
    var method = ConvolutionMethod.automatic

    /// Channels of one group, input and output side.
    var groupIn: Int { inChannels / groups }
    var groupOut: Int { outChannels / groups }
    /// Rows of the patch matrix: one per (channel of a group, kernel tap).
    var patchRows: Int { groupIn * kernelH * kernelW }
    /// Output positions per image.
    var plane: Int { outH * outW }

    /// Images per chunk, so the patch matrix stays within about 32 MiB.
    var chunk: Int { max(1, min(batch, (8 << 20) / max(patchRows * plane, 1))) }

    /// The C view of one group of `images` images starting anywhere (strides are the caller's).
    func kernelGeometry(images: Int) -> kiln_conv_geometry {
        kiln_conv_geometry(channels: Int32(groupIn), height: Int32(height), width: Int32(width),
                           kernel_h: Int32(kernelH), kernel_w: Int32(kernelW),
                           stride_h: Int32(strideH), stride_w: Int32(strideW), pad_h: Int32(padH), pad_w: Int32(padW),
                           dilation_h: Int32(dilationH), dilation_w: Int32(dilationW),
                           out_h: Int32(outH), out_w: Int32(outW), batch: Int32(images),
                           image_stride: inChannels * height * width)
    }

    /// Patches of images `first..<first+count`, group `g`, into `col` (`patchRows × count·plane`),
    /// split across threads when `parallel`.
    func im2col(_ x: UnsafePointer<Float>, first: Int, count: Int, group g: Int, into col: UnsafeMutablePointer<Float>,
                parallel: Bool = true) {
        var geometry = kernelGeometry(images: count)
        let source = x + first * inChannels * height * width + g * groupIn * height * width
        parallelChunks(patchRows, costPerItem: parallel ? count * plane : 0) { rows in
            kiln_im2col_f32(source, &geometry, col, Int32(rows.lowerBound), Int32(rows.upperBound))
        }
    }

    /// Adds `col` back into the gradient images (the adjoint of ``im2col``), split by whole channels
    /// across threads when `parallel`.
    func col2im(_ col: UnsafePointer<Float>, first: Int, count: Int, group g: Int, into dx: UnsafeMutablePointer<Float>,
                parallel: Bool = true) {
        var geometry = kernelGeometry(images: count)
        let target = dx + first * inChannels * height * width + g * groupIn * height * width
        let taps = kernelH * kernelW
        parallelChunks(groupIn, costPerItem: parallel ? taps * count * plane : 0) { channels in
            kiln_col2im_f32(col, &geometry, target, Int32(channels.lowerBound * taps), Int32(channels.upperBound * taps))
        }
    }
}

/// 2-D convolution (cross-correlation, as PyTorch's `conv2d`) of `input` `[N, C, H, W]` with
/// `weight` `[O, C/groups, kH, kW]`, plus an optional `bias` `[O]`.
///
/// 3×3, stride-1, ungrouped convolutions (padding up to 2) run Winograd F(2×2, 3×3) when a pass
/// reads and writes 8 channels or more, else a direct kernel; every other geometry is lowered to im2col
/// and sgemm over chunks of the batch, and its backward pass reuses the lowering (col2im for the
/// input gradient).
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                   stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                   dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
           method: .automatic)
}

/// ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` computed by `method`.
package func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                    stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                    dilation: (Int, Int) = (1, 1), groups: Int = 1, method: ConvolutionMethod) -> Tensor {
    precondition(input.rank == 4 && weight.rank == 4,
                 "conv2d: expects input [N, C, H, W] and weight [O, C/groups, kH, kW], got \(input.shape) and \(weight.shape)")
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
    precondition(groups >= 1 && c % groups == 0 && o % groups == 0 && weight.shape[1] == c / groups,
                 "conv2d: input \(input.shape) and weight \(weight.shape) do not match with \(groups) groups")
    precondition(stride.0 >= 1 && stride.1 >= 1 && dilation.0 >= 1 && dilation.1 >= 1 && padding.0 >= 0 && padding.1 >= 0,
                 "conv2d: stride and dilation must be positive, padding non-negative")
    if let bias { precondition(bias.shape == [o], "conv2d: bias shape \(bias.shape) does not match \(o) output channels") }
    let outH = (h + 2 * padding.0 - dilation.0 * (kh - 1) - 1) / stride.0 + 1
    let outW = (w + 2 * padding.1 - dilation.1 * (kw - 1) - 1) / stride.1 + 1
    precondition(outH > 0 && outW > 0, "conv2d: kernel \(weight.shape) larger than padded input \(input.shape)")
    let geometry = ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o, kernelH: kh, kernelW: kw,
                                       strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                                       dilationH: dilation.0, dilationW: dilation.1, groups: groups, outH: outH, outW: outW,
                                       method: method)
    let x = input.contiguousData(), k = weight.contiguousData(), b = bias?.contiguousData()
    let out = Convolution.forward(x, k, b, geometry)
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    return Autograd.record(out, inputs) { g in
        let (dx, dw) = Convolution.backward(g.contiguousData(), x, k, geometry,
                                            needInput: input.requiresGradient, needWeight: weight.requiresGradient)
        let db = bias?.requiresGradient == true ? g.sum(axes: [0, 2, 3]) : nil
        return [dx, dw] + (bias == nil ? [] : [db])
    }
}

/// The forward and backward passes of ``conv2d(_:weight:bias:stride:padding:dilation:groups:)``:
/// each pass goes to ``Convolution3x3`` when the geometry's method says so, else it is lowered.
///
/// With several threads the batch is split between them and each lowers and multiplies its own
/// images with BLAS on one thread: the products of a small convolution are too small to split
/// well inside BLAS, and BLAS's idle workers would spin against Kiln's own loops.
enum Convolution {
    /// Calls `body(worker, images, parallel)` for each thread's share of the batch; `parallel`
    /// says whether the body may split its own loops (only when it runs alone).
    static func forEachWorker(_ g: ConvolutionGeometry, _ body: (Int, Range<Int>, Bool) -> Void) {
        let workers = min(Threads.count, g.batch)
        guard workers > 1 else { return body(0, 0..<g.batch, true) }
        parallelWorkers(workers) { w in
            body(w, (g.batch * w / workers)..<(g.batch * (w + 1) / workers), false)
        }
    }

    static func forward(_ x: Tensor, _ k: Tensor, _ bias: Tensor?, _ g: ConvolutionGeometry) -> Tensor {
        let method = g.method(from: g.inChannels, to: g.outChannels)
        if method != .lowered { return Convolution3x3.forward(x, k, bias, g, method: method) }
        let out = Tensor(uninitializedShape: [g.batch, g.outChannels, g.outH, g.outW])
        let px = UnsafePointer(x.floatPointer), pk = UnsafePointer(k.floatPointer), po = out.floatPointer
        let pbias = bias.map { UnsafePointer($0.floatPointer) }
        forEachWorker(g) { _, images, parallel in
            let chunk = min(g.chunk, images.count)
            let col = Tensor(uninitializedShape: [g.patchRows, chunk * g.plane])
            let product = Tensor(uninitializedShape: [g.groupOut, chunk * g.plane])
            let pcol = col.floatPointer, pprod = product.floatPointer
            for first in stride(from: images.lowerBound, to: images.upperBound, by: chunk) {
                let count = min(chunk, images.upperBound - first), columns = count * g.plane
                for group in 0..<g.groups {
                    g.im2col(px, first: first, count: count, group: group, into: pcol, parallel: parallel)
                    BLAS.sgemm(m: g.groupOut, n: columns, k: g.patchRows,
                               BLAS.Operand(pk + group * g.groupOut * g.patchRows, rows: g.groupOut, cols: g.patchRows,
                                            rowStride: g.patchRows, colStride: 1)!,
                               BLAS.Operand(UnsafePointer(pcol), rows: g.patchRows, cols: columns, rowStride: columns, colStride: 1)!,
                               beta: 0, pprod, ldc: columns)
                    // [groupOut, count, plane] → out[first + i, group·groupOut + j, plane], adding the bias.
                    parallelChunks(count * g.groupOut, costPerItem: parallel ? g.plane : 0) { range in
                        for item in range {
                            let i = item / g.groupOut, j = item % g.groupOut, channel = group * g.groupOut + j
                            let src = pprod + j * columns + i * g.plane
                            let dst = po + ((first + i) * g.outChannels + channel) * g.plane
                            if let pbias {
                                var value = pbias[channel]
                                kiln_binary_f32(KILN_ADD, src, 1, &value, 0, dst, g.plane)
                            } else {
                                dst.update(from: src, count: g.plane)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Gradients of the input and the weight from the output gradient `dy` `[N, O, oH, oW]`.
    static func backward(_ dy: Tensor, _ x: Tensor, _ k: Tensor, _ g: ConvolutionGeometry,
                         needInput: Bool, needWeight: Bool) -> (Tensor?, Tensor?) {
        let inputMethod = g.method(from: g.outChannels, to: g.inChannels)
        let weightMethod = g.method(from: g.inChannels, to: g.outChannels)
        let dx = needInput && inputMethod != .lowered ? Convolution3x3.inputGradient(dy, k, g, method: inputMethod) : nil
        let dw = needWeight && weightMethod != .lowered ? Convolution3x3.weightGradient(dy, x, g, method: weightMethod) : nil
        let (loweredDx, loweredDw) = loweredBackward(dy, x, k, g, needInput: needInput && dx == nil,
                                                     needWeight: needWeight && dw == nil)
        return (dx ?? loweredDx, dw ?? loweredDw)
    }

    /// ``backward(_:_:_:_:needInput:needWeight:)`` by im2col, sgemm and col2im.
    static func loweredBackward(_ dy: Tensor, _ x: Tensor, _ k: Tensor, _ g: ConvolutionGeometry,
                                needInput: Bool, needWeight: Bool) -> (Tensor?, Tensor?) {
        guard needInput || needWeight else { return (nil, nil) }
        let dx = needInput ? Tensor(zeros: x.shape) : nil
        let workers = max(1, min(Threads.count, g.batch))
        // One weight-gradient partial per thread, summed at the end.
        let partials = needWeight ? (0..<workers).map { _ in Tensor(zeros: k.shape) } : []
        let px = UnsafePointer(x.floatPointer), pk = UnsafePointer(k.floatPointer), pdy = UnsafePointer(dy.floatPointer)
        forEachWorker(g) { worker, images, parallel in
            let chunk = min(g.chunk, images.count)
            let col = Tensor(uninitializedShape: [g.patchRows, chunk * g.plane])
            let gathered = Tensor(uninitializedShape: [g.groupOut, chunk * g.plane])
            let pcol = col.floatPointer, pgather = gathered.floatPointer
            for first in stride(from: images.lowerBound, to: images.upperBound, by: chunk) {
                let count = min(chunk, images.upperBound - first), columns = count * g.plane
                for group in 0..<g.groups {
                    // dy[first + i, group·groupOut + j, plane] → [groupOut, count·plane].
                    for item in 0..<(count * g.groupOut) {
                        let i = item / g.groupOut, j = item % g.groupOut
                        (pgather + j * columns + i * g.plane)
                            .update(from: pdy + ((first + i) * g.outChannels + group * g.groupOut + j) * g.plane, count: g.plane)
                    }
                    let dyOperand = BLAS.Operand(UnsafePointer(pgather), rows: g.groupOut, cols: columns, rowStride: columns, colStride: 1)!
                    if needWeight {
                        g.im2col(px, first: first, count: count, group: group, into: pcol, parallel: parallel)
                        // dW_g [groupOut, patchRows] += dy_g · colᵀ
                        BLAS.sgemm(m: g.groupOut, n: g.patchRows, k: columns, dyOperand,
                                   BLAS.Operand(UnsafePointer(pcol), rows: columns, cols: g.patchRows, rowStride: 1, colStride: columns)!,
                                   beta: 1, partials[worker].floatPointer + group * g.groupOut * g.patchRows, ldc: g.patchRows)
                    }
                    if let dx {
                        // dcol [patchRows, columns] = W_gᵀ · dy_g, then scattered back to the image taps.
                        BLAS.sgemm(m: g.patchRows, n: columns, k: g.groupOut,
                                   BLAS.Operand(pk + group * g.groupOut * g.patchRows, rows: g.patchRows, cols: g.groupOut,
                                                rowStride: 1, colStride: g.patchRows)!,
                                   dyOperand, beta: 0, pcol, ldc: columns)
                        g.col2im(UnsafePointer(pcol), first: first, count: count, group: group, into: dx.floatPointer, parallel: parallel)
                    }
                }
            }
        }
        guard needWeight else { return (dx, nil) }
        let dw = partials[0]
        for partial in partials.dropFirst() {
            kiln_accumulate_f32(partial.floatPointer, 1, dw.floatPointer, 1, dw.count)
        }
        return (dx, dw)
    }
}
