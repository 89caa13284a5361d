import Kiln

/// The input `[N, C, ...]` as `[N, C, S]` with the spatial dimensions flattened.
private func channelsAndSpace(_ x: Tensor, channels: Int, op: String) -> Tensor {
    precondition(x.rank >= 2 && x.shape[1] == channels,
                 "\(op): expects input [N, \(channels), ...], got \(x.shape)")
    return x.reshaped([x.shape[0], channels, x.count / Swift.max(1, x.shape[0] * channels)])
}

/// A per-channel parameter `[C]` shaped to broadcast against `[N, C, S]`.
private func perChannel(_ p: Tensor) -> Tensor { p.reshaped([1, p.count, 1]) }

/// EvoNorm-S0 (Liu et al. 2020): y = x·σ(v·x) / group_std(x)·γ + β.
///
/// group_std is the standard deviation (population, plus `eps` under the root) over each group of
/// channels and all spatial positions of one sample, so S0 needs no batch statistics. Parameters
/// `weight` (γ, ones), `bias` (β, zeros) and `v` (ones) are one per channel; input is `[N, C, ...]`.
public final class EvoNormS0: Module {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor
    @Parameter public var v: Tensor
    /// Channel groups for the standard deviation (at most the channel count, which it must divide).
    public let groups: Int
    public let eps: Float

    /// EvoNorm-S0 over `channels` channels in `groups` groups (reduced to the channel count if larger),
    /// with `eps` added to the variance.
    public init(channels: Int, groups: Int = 32, eps: Float = 1e-5) {
        let groups = Swift.min(groups, channels)
        precondition(groups >= 1 && channels % groups == 0,
                     "EvoNormS0: \(groups) groups do not divide \(channels) channels")
        weight = Tensor(ones: [channels])
        bias = Tensor(zeros: [channels])
        v = Tensor(ones: [channels])
        self.groups = groups
        self.eps = eps
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        let c = weight.count
        let x = channelsAndSpace(input, channels: c, op: "EvoNormS0")
        let n = x.shape[0], s = x.shape[2]
        let numerator = x * (perChannel(v) * x).sigmoid()
        let grouped = x.reshaped([n, groups, c / groups * s])
        let std = (grouped.variance(axis: 2, correction: 0, keepingDims: true) + eps).sqrt()
        let normalized = (numerator.reshaped([n, groups, c / groups * s]) / std).reshaped([n, c, s])
        return (normalized * perChannel(weight) + perChannel(bias)).reshaped(input.shape)
    }
}

/// EvoNorm-B0 (Liu et al. 2020): y = x / max(√(batch_var(x) + eps), v·x + instance_std(x))·γ + β.
///
/// batch_var is the population variance per channel over the batch and spatial positions while
/// training, and its running average in evaluation (updated with the unbiased variance, momentum
/// as in PyTorch's batch norm); instance_std is √(variance + eps) per sample and channel over
/// the spatial positions. Parameters `weight` (γ), `bias` (β) and `v` are one per channel.
public final class EvoNormB0: Module {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor
    @Parameter public var v: Tensor
    @Buffer public var runningVariance: Tensor
    public let eps: Float
    public let momentum: Float

    /// EvoNorm-B0 over `channels` channels, with `eps` added to the variances and `momentum` the weight of
    /// each new batch in the running variance.
    public init(channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        weight = Tensor(ones: [channels])
        bias = Tensor(zeros: [channels])
        v = Tensor(ones: [channels])
        runningVariance = Tensor(ones: [channels])
        self.eps = eps
        self.momentum = momentum
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        let c = weight.count
        let x = channelsAndSpace(input, channels: c, op: "EvoNormB0")
        let variance: Tensor
        if isTraining {
            let n = x.count / c
            precondition(n > 1, "EvoNormB0: training needs more than one value per channel, got input \(input.shape)")
            variance = x.variance(axes: [0, 2], correction: 0)
            withoutGradient {
                runningVariance = runningVariance * (1 - momentum)
                    + variance.detached() * (momentum * Float(n) / Float(n - 1))
            }
        } else {
            variance = runningVariance
        }
        let left = perChannel((variance + eps).sqrt())
        let instanceStd = (x.variance(axis: 2, correction: 0, keepingDims: true) + eps).sqrt()
        let right = x * perChannel(v) + instanceStd
        let y = x / maximum(left, right) * perChannel(weight) + perChannel(bias)
        return y.reshaped(input.shape)
    }
}
