import CKilnKernels

/// 2-D max pooling of `input` `[N, C, H, W]` (or `[C, H, W]`), as PyTorch's `max_pool2d`: windows of
/// `kernelSize` taps spaced by `dilation`, moved by `stride` (default: the kernel size), over the input
/// padded by `padding` (at most half the kernel) with −∞. With `ceilMode` a last partial window is kept
/// (see ``poolOutputSize(_:kernel:stride:padding:dilation:ceilMode:)``).
///
/// The gradient of each output goes to the position of its window's maximum (the first one on ties;
/// a NaN counts as the maximum).
public func maxPool2d(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) -> Tensor {
    maxPool2dWithIndices(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                         ceilMode: ceilMode).output
}

/// ``maxPool2d(_:kernelSize:stride:padding:dilation:ceilMode:)`` that also returns, per output, the int64
/// position of its maximum within the input plane (`row · W + column`), as PyTorch's `return_indices=True`.
public func maxPool2dWithIndices(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                                 padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                                 ceilMode: Bool = false) -> (output: Tensor, indices: Tensor) {
    let stride = stride ?? kernelSize
    let planes = PoolPlanes(input, op: "maxPool2d")
    precondition(kernelSize.0 >= 1 && kernelSize.1 >= 1 && stride.0 >= 1 && stride.1 >= 1 && dilation.0 >= 1 && dilation.1 >= 1,
                 "maxPool2d: kernel size \(kernelSize), stride \(stride) and dilation \(dilation) must be positive")
    precondition(padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernelSize.0 / 2 && padding.1 <= kernelSize.1 / 2,
                 "maxPool2d: padding \(padding) must be between 0 and half the kernel size \(kernelSize)")
    let outH = poolOutputSize(planes.height, kernel: kernelSize.0, stride: stride.0, padding: padding.0,
                              dilation: dilation.0, ceilMode: ceilMode)
    let outW = poolOutputSize(planes.width, kernel: kernelSize.1, stride: stride.1, padding: padding.1,
                              dilation: dilation.1, ceilMode: ceilMode)
    precondition(outH > 0 && outW > 0, "maxPool2d: kernel \(kernelSize) larger than padded input \(input.shape)")
    let geometry = kiln_pool_geometry(height: Int32(planes.height), width: Int32(planes.width), out_h: Int32(outH), out_w: Int32(outW),
                                      kernel_h: Int32(kernelSize.0), kernel_w: Int32(kernelSize.1),
                                      stride_h: Int32(stride.0), stride_w: Int32(stride.1), pad_h: Int32(padding.0), pad_w: Int32(padding.1),
                                      dilation_h: Int32(dilation.0), dilation_w: Int32(dilation.1))
    let x = input.contiguousData()
    let outShape = planes.outputShape(outH, outW)
    let out = Tensor(uninitializedShape: outShape), indices = Tensor(uninitializedShape: outShape, dtype: .int64)
    let (px, po, pi) = (UnsafePointer(x.floatPointer), out.floatPointer, indices.storage.base.assumingMemoryBound(to: Int64.self))
    let (inPlane, outPlane) = (planes.height * planes.width, outH * outW)
    withUnsafePointer(to: geometry) { g in
        parallelChunks(planes.count, costPerItem: outPlane * kernelSize.0 * kernelSize.1) { r in
            kiln_max_pool2d_f32(px + r.lowerBound * inPlane, g, r.count, po + r.lowerBound * outPlane, pi + r.lowerBound * outPlane)
        }
    }
    let inputShape = input.shape
    let result = Autograd.record(out, input) { g in
        let gc = g.contiguousData()
        let dx = Tensor(uninitializedShape: inputShape)
        let (pg, pdx) = (UnsafePointer(gc.floatPointer), dx.floatPointer)
        let pidx = UnsafePointer(indices.storage.base.assumingMemoryBound(to: Int64.self))
        withUnsafePointer(to: geometry) { geo in
            parallelChunks(planes.count, costPerItem: inPlane) { r in
                kiln_max_pool2d_backward_f32(pg + r.lowerBound * outPlane, pidx + r.lowerBound * outPlane,
                                             geo, r.count, pdx + r.lowerBound * inPlane)
            }
        }
        return dx
    }
    return (result, indices)
}

/// 2-D average pooling of `input` `[N, C, H, W]` (or `[C, H, W]`), as PyTorch's `avg_pool2d`: each
/// output is the mean of a `kernelSize` window moved by `stride` (default: the kernel size) over the
/// input padded by `padding` (at most half the kernel) with zeros. With `countIncludePad` the padded
/// zeros count in the divisor, otherwise only the input elements do. With `ceilMode` a last partial
/// window is kept (see ``poolOutputSize(_:kernel:stride:padding:dilation:ceilMode:)``); as in PyTorch,
/// the part of it past the padded input never counts in the divisor.
public func avgPool2d(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0), countIncludePad: Bool = true, ceilMode: Bool = false) -> Tensor {
    let stride = stride ?? kernelSize
    let planes = PoolPlanes(input, op: "avgPool2d")
    precondition(kernelSize.0 >= 1 && kernelSize.1 >= 1 && stride.0 >= 1 && stride.1 >= 1,
                 "avgPool2d: kernel size \(kernelSize) and stride \(stride) must be positive")
    precondition(padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernelSize.0 / 2 && padding.1 <= kernelSize.1 / 2,
                 "avgPool2d: padding \(padding) must be between 0 and half the kernel size \(kernelSize)")
    let outH = poolOutputSize(planes.height, kernel: kernelSize.0, stride: stride.0, padding: padding.0, ceilMode: ceilMode)
    let outW = poolOutputSize(planes.width, kernel: kernelSize.1, stride: stride.1, padding: padding.1, ceilMode: ceilMode)
    precondition(outH > 0 && outW > 0, "avgPool2d: kernel \(kernelSize) larger than padded input \(input.shape)")
    /// Window bounds along one axis, clipped to the input, and the reciprocal of the divisor's factor.
    func windows(_ n: Int, _ out: Int, _ k: Int, _ s: Int, _ p: Int) -> PoolWindows {
        var w = PoolWindows()
        for o in 0..<out {
            let start = o * s - p, end = Swift.min(start + k, n + p)
            let (lo, hi) = (Swift.max(start, 0), Swift.min(end, n))
            w.append(lo, hi, divisor: countIncludePad ? end - start : hi - lo)
        }
        return w
    }
    return windowMean(input, planes, rows: windows(planes.height, outH, kernelSize.0, stride.0, padding.0),
                      cols: windows(planes.width, outW, kernelSize.1, stride.1, padding.1))
}

/// Adaptive 2-D average pooling of `input` `[N, C, H, W]` (or `[C, H, W]`) to `outputSize`, as PyTorch's
/// `adaptive_avg_pool2d`: output row `i` averages input rows `⌊i·H/oH⌋ ..< ⌈(i+1)·H/oH⌉`, and likewise for columns.
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: (Int, Int)) -> Tensor {
    let planes = PoolPlanes(input, op: "adaptiveAvgPool2d")
    precondition(outputSize.0 >= 1 && outputSize.1 >= 1, "adaptiveAvgPool2d: output size \(outputSize) must be positive")
    func windows(_ n: Int, _ out: Int) -> PoolWindows {
        var w = PoolWindows()
        for o in 0..<out {
            let lo = o * n / out, hi = ((o + 1) * n + out - 1) / out
            w.append(lo, hi, divisor: hi - lo)
        }
        return w
    }
    return windowMean(input, planes, rows: windows(planes.height, outputSize.0), cols: windows(planes.width, outputSize.1))
}

/// The number of pooling windows along an axis of `n` elements, as PyTorch's `pooling_output_shape`.
///
/// Without `ceilMode` only whole windows inside the padded input count: `⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1`.
/// With `ceilMode` the division rounds up, so a last window may run past the padded input, but only
/// while it starts inside the input or its left padding (PyTorch drops a window that would start in
/// the right padding).
public func poolOutputSize(_ n: Int, kernel: Int, stride: Int, padding: Int, dilation: Int = 1, ceilMode: Bool) -> Int {
    let span = n + 2 * padding - dilation * (kernel - 1) - 1
    let numerator = ceilMode ? span + stride - 1 : span
    let windows = (numerator >= 0 ? numerator / stride : -((stride - 1 - numerator) / stride)) + 1
    return ceilMode && (windows - 1) * stride >= n + padding ? windows - 1 : windows
}

/// Window sums scaled per row and column window, with their backward rule.
private func windowMean(_ input: Tensor, _ planes: PoolPlanes, rows: PoolWindows, cols: PoolWindows) -> Tensor {
    let (outH, outW) = (rows.begin.count, cols.begin.count)
    let (inPlane, outPlane) = (planes.height * planes.width, outH * outW)
    let taps = Swift.max(1, (planes.height / outH + 1) * (planes.width / outW + 1))
    /// Calls `body` with the C description of the windows.
    func withGeometry(_ body: (UnsafePointer<kiln_window_geometry>) -> Void) {
        rows.begin.withUnsafeBufferPointer { rb in rows.end.withUnsafeBufferPointer { re in
            cols.begin.withUnsafeBufferPointer { cb in cols.end.withUnsafeBufferPointer { ce in
                rows.scale.withUnsafeBufferPointer { rs in cols.scale.withUnsafeBufferPointer { cs in
                    var g = kiln_window_geometry(height: Int32(planes.height), width: Int32(planes.width),
                                                 out_h: Int32(outH), out_w: Int32(outW),
                                                 row_begin: rb.baseAddress, row_end: re.baseAddress,
                                                 col_begin: cb.baseAddress, col_end: ce.baseAddress,
                                                 row_scale: rs.baseAddress, col_scale: cs.baseAddress)
                    body(&g)
                } }
            } }
        } }
    }
    let x = input.contiguousData()
    let out = Tensor(uninitializedShape: planes.outputShape(outH, outW))
    let (px, po) = (UnsafePointer(x.floatPointer), out.floatPointer)
    withGeometry { g in
        parallelChunks(planes.count, costPerItem: outPlane * taps) { r in
            kiln_window_mean_f32(px + r.lowerBound * inPlane, g, r.count, po + r.lowerBound * outPlane)
        }
    }
    let inputShape = input.shape
    return Autograd.record(out, input) { grad in
        let gc = grad.contiguousData()
        let dx = Tensor(uninitializedShape: inputShape)
        let (pg, pdx) = (UnsafePointer(gc.floatPointer), dx.floatPointer)
        withGeometry { g in
            parallelChunks(planes.count, costPerItem: outPlane * taps) { r in
                kiln_window_mean_backward_f32(pg + r.lowerBound * outPlane, g, r.count, pdx + r.lowerBound * inPlane)
            }
        }
        return dx
    }
}

/// The image planes of a pooling input `[N, C, H, W]` or `[C, H, W]`.
private struct PoolPlanes {
    let leading: [Int]
    let height, width: Int
    var count: Int { leading.reduce(1, *) }

    init(_ input: Tensor, op: String) {
        precondition((input.rank == 3 || input.rank == 4) && input.dtype == .float32,
                     "\(op): expects a float input [N, C, H, W] or [C, H, W], got \(input.dtype) \(input.shape)")
        leading = Array(input.shape.dropLast(2))
        height = input.shape[input.rank - 2]
        width = input.shape[input.rank - 1]
    }

    func outputShape(_ outH: Int, _ outW: Int) -> [Int] { leading + [outH, outW] }
}

/// Averaging windows along one axis.
private struct PoolWindows {
    var begin: [Int32] = [], end: [Int32] = [], scale: [Float] = []

    mutating func append(_ lo: Int, _ hi: Int, divisor: Int) {
        begin.append(Int32(lo))
        end.append(Int32(hi))
        scale.append(1 / Float(divisor))
    }
}
