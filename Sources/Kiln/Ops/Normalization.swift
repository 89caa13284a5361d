import CKilnKernels

/// Batch normalization of `input` `[N, C, *]` with the statistics of the batch (training mode):
/// each channel is shifted by its mean and divided by `sqrt(variance + eps)`, then scaled by
/// `weight` `[C]` and shifted by `bias` `[C]` when given (PyTorch's `F.batch_norm(training=True)`).
///
/// Also returns the batch mean and the population (biased) variance of each channel, for running
/// statistics; they are not differentiable. A channel with a single value normalizes to zero (PyTorch's
/// batch-norm layers refuse such inputs in training, and so do Kiln's).
///
/// The statistics and the normalization run as fused per-channel C kernels, channels split across
/// threads; layer and group normalization reuse them with one "channel" per normalized group.
public func batchNorm(_ input: Tensor, weight: Tensor? = nil, bias: Tensor? = nil,
                      eps: Float = 1e-5) -> (output: Tensor, mean: Tensor, variance: Tensor) {
    let layout = ChannelLayout(input, weight: weight, bias: bias, op: "batchNorm")
    let x = input.contiguousData()
    let mean = Tensor(uninitializedShape: [layout.channels]), variance = Tensor(uninitializedShape: [layout.channels])
    let (pm, pv) = (mean.floatPointer, variance.floatPointer)
    layout.splitChannels(passes: 2) { c in
        kiln_channel_moments_f32(x.floatPointer, layout.outer, layout.channels, layout.inner, c.lowerBound, c.upperBound, pm, pv)
    }
    let output = ChannelNormalization.apply(input, x, layout: layout, mean: mean, variance: variance,
                                            weight: weight, bias: bias, eps: eps, batchStatistics: true)
    return (output, mean, variance)
}

/// Batch normalization of `input` `[N, C, *]` with given statistics (evaluation mode): each channel
/// is shifted by `mean` `[C]`, divided by `sqrt(variance + eps)`, then scaled by `weight` and shifted
/// by `bias` when given. The statistics are constants; gradients reach the input, weight and bias.
public func batchNorm(_ input: Tensor, mean: Tensor, variance: Tensor, weight: Tensor? = nil, bias: Tensor? = nil,
                      eps: Float = 1e-5) -> Tensor {
    let layout = ChannelLayout(input, weight: weight, bias: bias, op: "batchNorm")
    precondition(mean.shape == [layout.channels] && variance.shape == [layout.channels],
                 "batchNorm: mean \(mean.shape) and variance \(variance.shape) must be [\(layout.channels)] for input \(input.shape)")
    return ChannelNormalization.apply(input, input.contiguousData(), layout: layout, mean: mean.contiguousData(),
                                      variance: variance.contiguousData(), weight: weight, bias: bias, eps: eps,
                                      batchStatistics: false)
}

/// A tensor `[N, C, *]` seen as `[outer, channels, inner]`.
struct ChannelLayout {
    let shape: [Int]
    let outer, channels, inner: Int

    /// Elements per channel.
    var perChannel: Int { outer * inner }

    init(_ input: Tensor, weight: Tensor?, bias: Tensor?, op: String) {
        precondition(input.rank >= 2 && input.dtype == .float32, "\(op): expects a float input [N, C, *], got \(input.dtype) \(input.shape)")
        shape = input.shape
        outer = input.shape[0]
        channels = input.shape[1]
        inner = input.shape.dropFirst(2).reduce(1, *)
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t { precondition(t.shape == [channels], "\(op): \(name) \(t.shape) must be [\(channels)] for input \(input.shape)") }
        }
    }

    /// Runs `body` over ranges of channels, across threads when the work is large.
    func splitChannels(passes: Int, _ body: (Range<Int>) -> Void) {
        parallelChunks(channels, costPerItem: passes * perChannel, body)
    }
}

/// The shared normalization step and its backward rule.
enum ChannelNormalization {
    /// `weight·(x − mean)/sqrt(variance + eps) + bias` per channel, recording the backward rule; with
    /// `batchStatistics` the mean and variance are functions of the input and the rule differentiates
    /// through them. `x` is the contiguous data of `input`.
    static func apply(_ input: Tensor, _ x: Tensor, layout: ChannelLayout, mean: Tensor, variance: Tensor,
                      weight: Tensor?, bias: Tensor?, eps: Float, batchStatistics: Bool) -> Tensor {
        let c = layout.channels
        let maps = ChannelMaps(mean: mean, variance: variance, weight: weight, bias: bias, eps: eps)
        let (mu, invStd, scale) = (maps.mean, maps.invStd, maps.scale)
        let out = affine(x, scale, nil, nil, maps.shift, layout)
        let inputs = [input] + [weight, bias].compactMap { $0 }
        return Autograd.record(out, inputs) { g in
            let gc = g.contiguousData()
            let sumG = Tensor(uninitializedShape: [c]), sumGX = Tensor(uninitializedShape: [c])
            let (psg, psgx) = (sumG.floatPointer, sumGX.floatPointer)
            mu.withUnsafeBufferPointer { center in
                layout.splitChannels(passes: 2) { r in
                    kiln_channel_grad_sums_f32(gc.floatPointer, x.floatPointer, center.baseAddress!, layout.outer, c,
                                               layout.inner, r.lowerBound, r.upperBound, psg, psgx)
                }
            }
            var dx: Tensor?
            if input.requiresGradient {
                let (b, d) = maps.inputGradient(sumG: psg, sumGX: psgx, count: layout.perChannel, batchStatistics: batchStatistics)
                dx = affine(gc, scale, x, b, d, layout)
            }
            let dWeight = weight?.requiresGradient == true ? Tensor((0..<c).map { psgx[$0] * invStd[$0] }) : nil
            let dBias = bias?.requiresGradient == true ? sumG : nil
            // gc, sumG and sumGX were used through raw pointers above: keep them alive until here.
            withExtendedLifetime((gc, sumG, sumGX)) {}
            return [dx] + (weight == nil ? [] : [dWeight]) + (bias == nil ? [] : [dBias])
        }
    }

    /// `a[c]·u + b[c]·v + d[c]` per channel (`v` optional), split across threads by channel.
    private static func affine(_ u: Tensor, _ a: [Float], _ v: Tensor?, _ b: [Float]?, _ d: [Float],
                               _ layout: ChannelLayout) -> Tensor {
        let out = Tensor(uninitializedShape: layout.shape)
        let pu = UnsafePointer(u.floatPointer), pv = v.map { UnsafePointer($0.floatPointer) }, po = out.floatPointer
        a.withUnsafeBufferPointer { pa in
            d.withUnsafeBufferPointer { pd in
                (b ?? []).withUnsafeBufferPointer { pb in
                    layout.splitChannels(passes: 1) { r in
                        kiln_channel_affine_f32(pu, pa.baseAddress!, pv, b == nil ? nil : pb.baseAddress!, pd.baseAddress!,
                                                layout.outer, layout.channels, layout.inner, r.lowerBound, r.upperBound, po)
                    }
                }
            }
        }
        return out
    }
}

/// The per-channel maps of a normalization with statistics `mean` and `variance`: the output is
/// `scale·x + shift` with `scale = γ/sqrt(variance + eps)` and `shift = β − mean·scale`.
struct ChannelMaps {
    let mean, invStd, scale, shift: [Float]

    init(mean: Tensor, variance: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) {
        let mu = mean.scalars, invStd = variance.scalars.map { 1 / ($0 + eps).squareRoot() }
        let gamma = weight?.contiguousData().scalars, beta = bias?.contiguousData().scalars
        let scale = invStd.indices.map { (gamma?[$0] ?? 1) * invStd[$0] }
        (self.mean, self.invStd, self.scale) = (mu, invStd, scale)
        shift = scale.indices.map { (beta?[$0] ?? 0) - mu[$0] * scale[$0] }
    }

    /// `b` and `d` of the input gradient `dx = scale·g + b·x + d`, from each channel's `Σg` and `Σg·(x − mean)`
    /// over its `count` values: zero for constant statistics; batch statistics add
    /// `b = −scale·Σg(x−μ)/(count·σ²)` and `d = −scale·Σg/count − b·μ`.
    func inputGradient(sumG: UnsafePointer<Float>, sumGX: UnsafePointer<Float>, count: Int,
                       batchStatistics: Bool) -> (b: [Float], d: [Float]) {
        let m = Float(count)
        let b = scale.indices.map { batchStatistics ? -scale[$0] * sumGX[$0] * invStd[$0] * invStd[$0] / m : 0 }
        let d = scale.indices.map { batchStatistics ? -scale[$0] * sumG[$0] / m - b[$0] * mean[$0] : 0 }
        return (b, d)
    }
}
