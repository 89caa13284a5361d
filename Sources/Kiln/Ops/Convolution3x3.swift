import CKilnKernels

/// How ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` computes a pass.
package enum ConvolutionMethod: Sendable {
    /// Winograd or direct for 3×3, stride-1 convolutions (whichever suits the channel count), else lowered.
    case automatic
    /// im2col and sgemm (col2im for the input gradient): any geometry.
    case lowered
    /// The direct 3×3 kernel, summing in the lowered path's order.
    case direct
    /// Winograd F(2×2, 3×3).
    case winograd
}

extension ConvolutionGeometry {
    /// Whether the 3×3 kernels apply: 3×3 taps, stride 1, no dilation, one group, padding at most 2.
    var isStrideOne3x3: Bool {
        kernelH == 3 && kernelW == 3 && strideH == 1 && strideW == 1 && dilationH == 1 && dilationW == 1
            && groups == 1 && padH <= 2 && padW <= 2
    }

    /// The method of a pass from `channels` to `outChannels` channels (swapped for the input gradient):
    /// Winograd when both are at least 8, else the direct kernel, as Winograd's products round both
    /// counts up to 8 and would be mostly padding.
    func method(from channels: Int, to outChannels: Int) -> ConvolutionMethod {
        switch method {
        case .automatic: return !isStrideOne3x3 ? .lowered : min(channels, outChannels) >= 8 ? .winograd : .direct
        case .lowered: return .lowered
        case .direct, .winograd:
            precondition(isStrideOne3x3, "conv2d: the \(method) method needs a 3×3, stride-1, ungrouped kernel with padding ≤ 2, got \(self)")
            return method
        }
    }

    /// The C view of one image's forward convolution.
    var forward3x3: kiln_conv3x3_geometry {
        kiln_conv3x3_geometry(channels: Int32(inChannels), out_channels: Int32(outChannels), height: Int32(height), width: Int32(width),
                              pad_h: Int32(padH), pad_w: Int32(padW), out_h: Int32(outH), out_w: Int32(outW))
    }

    /// The C view of the convolution of the output gradient that gives the input gradient: the
    /// channels' roles swapped and padding 2 − p, with the weights of ``Convolution3x3/transposedWeights(_:_:)``.
    var inputGradient3x3: kiln_conv3x3_geometry {
        kiln_conv3x3_geometry(channels: Int32(outChannels), out_channels: Int32(inChannels), height: Int32(outH), width: Int32(outW),
                              pad_h: Int32(2 - padH), pad_w: Int32(2 - padW), out_h: Int32(height), out_w: Int32(width))
    }
}

/// 3×3, stride-1 convolutions without lowering: Winograd F(2×2, 3×3) or the direct kernel, over
/// shares of the batch, one per thread, each with its own workspace (drawn from the storage cache).
enum Convolution3x3 {
    /// `y` = `x` ⋆ `w` (+ `bias`) for the one-image geometry `c`, over the batch of `g`.
    static func convolve(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                         _ c: kiln_conv3x3_geometry, _ g: ConvolutionGeometry, method: ConvolutionMethod, into y: UnsafeMutablePointer<Float>) {
        let inImage = Int(c.channels) * Int(c.height) * Int(c.width), outImage = Int(c.out_channels) * Int(c.out_h) * Int(c.out_w)
        var c = c
        let u: Tensor? = method == .winograd ? Tensor(uninitializedShape: [kiln_winograd_weight_floats(&c)]) : nil
        if let u { kiln_winograd_weights_f32(w, &c, u.floatPointer) }
        let floats = method == .winograd ? kiln_winograd_workspace_floats(&c) : kiln_direct3x3_workspace_floats(&c)
        Convolution.forEachWorker(g) { _, images, _ in
            var c = c
            let workspace = Tensor(uninitializedShape: [floats])
            let (source, target) = (x + images.lowerBound * inImage, y + images.lowerBound * outImage)
            withExtendedLifetime(workspace) {
                if let u {
                    kiln_winograd_forward_f32(source, u.floatPointer, bias, &c, Int32(images.count), target, workspace.floatPointer)
                } else {
                    kiln_direct3x3_forward_f32(source, w, bias, &c, Int32(images.count), target, workspace.floatPointer)
                }
            }
        }
        withExtendedLifetime(u) {}
    }

    /// The output `[N, O, oH, oW]` of the convolution by `method`, the bias added in the same pass.
    static func forward(_ x: Tensor, _ k: Tensor, _ bias: Tensor?, _ g: ConvolutionGeometry, method: ConvolutionMethod) -> Tensor {
        let out = Tensor(uninitializedShape: [g.batch, g.outChannels, g.outH, g.outW])
        convolve(x.floatPointer, k.floatPointer, bias.map { UnsafePointer($0.floatPointer) }, g.forward3x3, g,
                 method: method, into: out.floatPointer)
        return out
    }

    /// The input gradient: the output gradient convolved with the transposed, rotated weights.
    static func inputGradient(_ dy: Tensor, _ k: Tensor, _ g: ConvolutionGeometry, method: ConvolutionMethod) -> Tensor {
        let dx = Tensor(uninitializedShape: [g.batch, g.inChannels, g.height, g.width])
        let transposed = Tensor(uninitializedShape: [g.inChannels, g.outChannels, 3, 3])
        kiln_conv3x3_transpose_weights_f32(k.floatPointer, Int32(g.outChannels), Int32(g.inChannels), transposed.floatPointer)
        withExtendedLifetime(transposed) {
            convolve(dy.floatPointer, transposed.floatPointer, nil, g.inputGradient3x3, g, method: method, into: dx.floatPointer)
        }
        return dx
    }

    /// The weight gradient: per thread a partial sum (in the Winograd domain, or channels-last for the
    /// direct kernel), added up and folded into `[O, C, 3, 3]` at the end.
    static func weightGradient(_ dy: Tensor, _ x: Tensor, _ g: ConvolutionGeometry, method: ConvolutionMethod) -> Tensor {
        var c = g.forward3x3
        let winograd = method == .winograd
        let (workspaceFloats, partialFloats) = winograd
            ? (kiln_winograd_workspace_floats(&c), kiln_winograd_weight_floats(&c))
            : (kiln_direct3x3_workspace_floats(&c), kiln_direct3x3_weight_partial_floats(&c))
        let workers = max(1, min(Threads.count, g.batch))
        let partials = (0..<workers).map { _ in Tensor(zeros: [partialFloats]) }
        let (px, pdy) = (UnsafePointer(x.floatPointer), UnsafePointer(dy.floatPointer))
        let inImage = g.inChannels * g.height * g.width, outImage = g.outChannels * g.plane
        Convolution.forEachWorker(g) { worker, images, _ in
            var c = c
            let workspace = Tensor(uninitializedShape: [workspaceFloats])
            let (source, gradient) = (px + images.lowerBound * inImage, pdy + images.lowerBound * outImage)
            withExtendedLifetime(workspace) {
                if winograd {
                    kiln_winograd_weight_grad_f32(source, gradient, &c, Int32(images.count), partials[worker].floatPointer,
                                                  workspace.floatPointer)
                } else {
                    kiln_direct3x3_weight_grad_f32(source, gradient, &c, Int32(images.count), partials[worker].floatPointer,
                                                   workspace.floatPointer)
                }
            }
        }
        let dw = Tensor(zeros: [g.outChannels, g.inChannels, 3, 3])
        // The partials are read through raw pointers: they must outlive every C call here.
        withExtendedLifetime(partials) {
            for partial in partials.dropFirst() {
                kiln_accumulate_f32(partial.floatPointer, 1, partials[0].floatPointer, 1, partialFloats)
            }
            if winograd {
                kiln_winograd_fold_weight_grad_f32(partials[0].floatPointer, &c, dw.floatPointer)
            } else {
                kiln_direct3x3_fold_weight_grad_f32(partials[0].floatPointer, &c, dw.floatPointer)
            }
        }
        return dw
    }

}
