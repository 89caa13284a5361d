import CKilnKernels

/// 2-D transposed convolution of `input` `[N, C, H, W]` with `weight` `[C, O/groups, kH, kW]`, plus an
/// optional `bias` `[O]`, as PyTorch's `conv_transpose2d`.
///
/// It is the adjoint of ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` with respect to its
/// input: the output `[N, O, oH, oW]` has `oH = (H − 1)·stride − 2·padding + dilation·(kH − 1) +
/// outputPadding + 1` (likewise `oW`), and `outputPadding` must be smaller than the stride or the dilation.
/// The forward pass is conv2d's input-gradient computation and the backward pass reuses conv2d's
/// forward (input gradient) and weight-gradient computations.
public func convTranspose2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                            stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
                            dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    precondition(input.rank == 4 && weight.rank == 4,
                 "convTranspose2d: expects input [N, C, H, W] and weight [C, O/groups, kH, kW], got \(input.shape) and \(weight.shape)")
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (kh, kw) = (weight.shape[2], weight.shape[3])
    precondition(groups >= 1 && c % groups == 0 && weight.shape[0] == c,
                 "convTranspose2d: input \(input.shape) and weight \(weight.shape) do not match with \(groups) groups")
    let o = weight.shape[1] * groups
    precondition(stride.0 >= 1 && stride.1 >= 1 && dilation.0 >= 1 && dilation.1 >= 1 && padding.0 >= 0 && padding.1 >= 0,
                 "convTranspose2d: stride and dilation must be positive, padding non-negative")
    precondition(outputPadding.0 >= 0 && outputPadding.1 >= 0
                 && (outputPadding.0 < stride.0 || outputPadding.0 < dilation.0)
                 && (outputPadding.1 < stride.1 || outputPadding.1 < dilation.1),
                 "convTranspose2d: output padding \(outputPadding) must be smaller than the stride \(stride) or the dilation \(dilation)")
    if let bias { precondition(bias.shape == [o], "convTranspose2d: bias shape \(bias.shape) does not match \(o) output channels") }
    let outH = (h - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kh - 1) + outputPadding.0 + 1
    let outW = (w - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kw - 1) + outputPadding.1 + 1
    precondition(outH > 0 && outW > 0, "convTranspose2d: padding \(padding) leaves no output for input \(input.shape)")
    // The convolution this one transposes: from [N, O, outH, outW] to [N, C, H, W] with the same weight.
    let geometry = ConvolutionGeometry(batch: n, inChannels: o, height: outH, width: outW, outChannels: c, kernelH: kh, kernelW: kw,
                                       strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                                       dilationH: dilation.0, dilationW: dilation.1, groups: groups, outH: h, outW: w)
    let x = input.contiguousData(), k = weight.contiguousData()
    let outShape = [n, o, outH, outW]
    // The input gradient of the convolution never reads the convolution's input, only its shape.
    let shapeOnly = Tensor(storage: x.storage, shape: outShape, strides: Tensor.contiguousStrides(outShape), offset: 0, dtype: .float32)
    var out = Convolution.backward(x, shapeOnly, k, geometry, needInput: true, needWeight: false).0!
    if let bias { out = addChannelBias(out, bias.contiguousData()) }
    return Autograd.record(out, [input, weight] + (bias.map { [$0] } ?? [])) { g in
        let gc = g.contiguousData()
        let dx = input.requiresGradient ? Convolution.forward(gc, k, nil, geometry) : nil
        let dw = weight.requiresGradient
            ? Convolution.backward(x, gc, k, geometry, needInput: false, needWeight: true).1 : nil
        let db = bias?.requiresGradient == true ? g.sum(axes: [0, 2, 3]) : nil
        return [dx, dw] + (bias == nil ? [] : [db])
    }
}

/// `out` `[N, O, H, W]` with `bias[o]` added to every element of channel `o`, in place.
private func addChannelBias(_ out: Tensor, _ bias: Tensor) -> Tensor {
    let (channels, plane) = (out.shape[1], out.shape[2] * out.shape[3])
    let (po, pb) = (out.floatPointer, bias.floatPointer)
    parallelChunks(out.shape[0] * channels, costPerItem: plane) { range in
        for item in range {
            let p = po + item * plane
            kiln_binary_f32(KILN_ADD, p, 1, pb + item % channels, 0, p, plane)
        }
    }
    return out
}
