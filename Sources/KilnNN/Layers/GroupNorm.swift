import Kiln

/// Group normalization (Wu & He, 2018), PyTorch's `GroupNorm`: the channels of each sample `[N, C, *]`
/// are split into `groups` groups, each normalized by its own mean and population variance, then each
/// channel is scaled by `weight` `[C]` and shifted by `bias` `[C]` (ones and zeros at first).
///
/// Runs on the fused per-channel kernels of ``batchNorm(_:weight:bias:eps:)``, one "channel" per (sample, group).
public final class GroupNorm: Module {
    public let groups: Int
    public let channels: Int
    public let eps: Float
    /// γ `[C]`, or nil without `affine`.
    public let weight: Parameter?
    /// β `[C]`, or nil without `affine`.
    public let bias: Parameter?

    /// Normalization of `channels` channels in `groups` groups (`channels` must be a multiple of `groups`),
    /// with a learned per-channel `weight` and `bias` when `affine`; PyTorch's defaults.
    public init(groups: Int, channels: Int, eps: Float = 1e-5, affine: Bool = true) {
        precondition(groups >= 1 && channels % groups == 0, "GroupNorm: \(channels) channels do not split into \(groups) groups")
        (self.groups, self.channels, self.eps) = (groups, channels, eps)
        weight = affine ? Parameter(wrappedValue: Init.ones([channels])) : nil
        bias = affine ? Parameter(wrappedValue: Init.zeros([channels])) : nil
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 2 && x.shape[1] == channels, "GroupNorm: expects input [N, \(channels), *], got \(x.shape)")
        let n = x.shape[0]
        var y = batchNorm(x.reshaped([1, n * groups, x.count / max(n * groups, 1)]), eps: eps).output.reshaped(x.shape)
        let perChannel = [channels] + [Int](repeating: 1, count: x.rank - 2)
        if let weight { y = y * weight.value.reshaped(perChannel) }
        if let bias { y = y + bias.value.reshaped(perChannel) }
        return y
    }

    /// PyTorch's text; `bias` is `affine`, as Kiln has no separate bias switch.
    public override var extraDescription: String {
        "\(groups), \(channels), eps=\(PythonText.float(eps)), affine=\(PythonText.bool(weight != nil)), bias=\(PythonText.bool(bias != nil))"
    }
}
