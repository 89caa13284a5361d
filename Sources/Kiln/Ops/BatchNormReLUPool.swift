import CKilnKernels

/// Batch normalization with the statistics of the batch (training mode), ReLU and 2 × 2 max pooling
/// (stride 2, no padding, floor mode) of `input` `[N, C, H, W]` as one op: the same values and
/// gradients as `maxPool2d(relu(batchNorm(input, …).output), kernelSize: (2, 2))`, with the batch mean
/// and population variance of each channel as ``batchNorm(_:weight:bias:eps:)`` returns them.
///
/// The normalized and activated tensors are never stored: one pass writes the pooled output, a byte
/// per window naming the position of its maximum (or none when the maximum is not positive, where ReLU
/// stops the gradient) and the input value there; the backward pass sums the statistics' gradients over
/// those pooled tensors and reads the input once more to write its gradient.
public func batchNormReLUMaxPool2x2(_ input: Tensor, weight: Tensor? = nil, bias: Tensor? = nil,
                                    eps: Float = 1e-5) -> (output: Tensor, mean: Tensor, variance: Tensor) {
    let layout = FusedPoolLayout(input, weight: weight, bias: bias)
    let x = input.contiguousData()
    let mean = Tensor(uninitializedShape: [layout.channels.channels]), variance = Tensor(uninitializedShape: [layout.channels.channels])
    let (pm, pv) = (mean.floatPointer, variance.floatPointer)
    let c = layout.channels
    c.splitChannels(passes: 2) { r in
        kiln_channel_moments_f32(x.floatPointer, c.outer, c.channels, c.inner, r.lowerBound, r.upperBound, pm, pv)
    }
    let output = layout.apply(input, x, mean: mean, variance: variance, weight: weight, bias: bias, eps: eps, batchStatistics: true)
    return (output, mean, variance)
}

/// ``batchNormReLUMaxPool2x2(_:weight:bias:eps:)`` with given statistics (evaluation mode): the same as
/// `maxPool2d(relu(batchNorm(input, mean:, variance:, …)), kernelSize: (2, 2))`.
public func batchNormReLUMaxPool2x2(_ input: Tensor, mean: Tensor, variance: Tensor, weight: Tensor? = nil,
                                    bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    let layout = FusedPoolLayout(input, weight: weight, bias: bias)
    let channels = layout.channels.channels
    precondition(mean.shape == [channels] && variance.shape == [channels],
                 "batchNormReLUMaxPool2x2: mean \(mean.shape) and variance \(variance.shape) must be [\(channels)] for input \(input.shape)")
    return layout.apply(input, input.contiguousData(), mean: mean.contiguousData(), variance: variance.contiguousData(),
                        weight: weight, bias: bias, eps: eps, batchStatistics: false)
}

/// An input `[N, C, H, W]` with its pooled size, and the fused step with its backward rule.
private struct FusedPoolLayout {
    let channels: ChannelLayout
    let height, width: Int
    var planes: Int { channels.outer * channels.channels }
    var outputPlane: Int { (height / 2) * (width / 2) }

    init(_ input: Tensor, weight: Tensor?, bias: Tensor?) {
        precondition(input.rank == 4 && input.shape[2] >= 2 && input.shape[3] >= 2,
                     "batchNormReLUMaxPool2x2: expects [N, C, H, W] with H, W ≥ 2, got \(input.shape)")
        channels = ChannelLayout(input, weight: weight, bias: bias, op: "batchNormReLUMaxPool2x2")
        (height, width) = (input.shape[2], input.shape[3])
    }

    func apply(_ input: Tensor, _ x: Tensor, mean: Tensor, variance: Tensor, weight: Tensor?, bias: Tensor?,
               eps: Float, batchStatistics: Bool) -> Tensor {
        let (c, h, w, inPlane, outPlane) = (channels.channels, height, width, height * width, outputPlane)
        let maps = ChannelMaps(mean: mean, variance: variance, weight: weight, bias: bias, eps: eps)
        let out = Tensor(uninitializedShape: [channels.outer, c, h / 2, w / 2]), picked = Tensor(uninitializedShape: out.shape)
        let (po, pp, px) = (out.floatPointer, picked.floatPointer, UnsafePointer(x.floatPointer))
        let codes = [UInt8](unsafeUninitializedCapacity: planes * outPlane) { buffer, count in
            maps.scale.withUnsafeBufferPointer { scale in
                maps.shift.withUnsafeBufferPointer { shift in
                    parallelChunks(planes, costPerItem: inPlane) { r in
                        kiln_affine_relu_max_pool2x2_f32(px, scale.baseAddress!, shift.baseAddress!, c, h, w,
                                                         r.lowerBound, r.upperBound, po, buffer.baseAddress!, pp)
                    }
                }
            }
            count = planes * outPlane
        }
        let inputs = [input] + [weight, bias].compactMap { $0 }
        let layout = self
        return Autograd.record(out, inputs) { g in
            let gc = g.contiguousData()
            let pg = UnsafePointer(gc.floatPointer), px = UnsafePointer(x.floatPointer)
            let sumG = Tensor(uninitializedShape: [c]), sumGX = Tensor(uninitializedShape: [c])
            let (psg, psgx) = (sumG.floatPointer, sumGX.floatPointer)
            codes.withUnsafeBufferPointer { code in
                maps.mean.withUnsafeBufferPointer { center in
                    parallelChunks(c, costPerItem: layout.channels.outer * outPlane) { r in
                        kiln_relu_max_pool2x2_grad_sums_f32(pg, code.baseAddress!, picked.floatPointer, center.baseAddress!,
                                                            layout.channels.outer, c, outPlane, r.lowerBound, r.upperBound, psg, psgx)
                    }
                }
            }
            var dx: Tensor?
            if input.requiresGradient {
                let (b, d) = maps.inputGradient(sumG: psg, sumGX: psgx, count: layout.channels.perChannel,
                                                batchStatistics: batchStatistics)
                let result = Tensor(uninitializedShape: input.shape)
                let pdx = result.floatPointer
                codes.withUnsafeBufferPointer { code in
                    maps.scale.withUnsafeBufferPointer { k in
                        b.withUnsafeBufferPointer { pb in
                            d.withUnsafeBufferPointer { pd in
                                parallelChunks(layout.planes, costPerItem: inPlane) { r in
                                    kiln_affine_relu_max_pool2x2_backward_f32(pg, code.baseAddress!, px, k.baseAddress!,
                                                                              pb.baseAddress!, pd.baseAddress!, c, h, w,
                                                                              r.lowerBound, r.upperBound, pdx)
                                }
                            }
                        }
                    }
                }
                dx = result
            }
            let dWeight = weight?.requiresGradient == true ? Tensor((0..<c).map { psgx[$0] * maps.invStd[$0] }) : nil
            let dBias = bias?.requiresGradient == true ? sumG : nil
            // gc, sumG and sumGX were used through raw pointers above: keep them alive until here.
            withExtendedLifetime((gc, sumG, sumGX)) {}
            return [dx] + (weight == nil ? [] : [dWeight]) + (bias == nil ? [] : [dBias])
        }
    }
}
