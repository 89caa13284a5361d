import Kiln

/// Batch normalization over the channel dimension of `[N, C, *]` inputs (Ioffe & Szegedy, 2015), the
/// shared body of ``BatchNorm1d`` and ``BatchNorm2d``.
///
/// In training the batch's statistics normalize the input and, when tracked, update the running
/// statistics: `running = (1 − momentum)·running + momentum·batch`, with the unbiased batch variance
/// (a cumulative average when `momentum` is nil). In evaluation the running statistics are used.
/// State dictionary names are PyTorch's: `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`.
public class BatchNorm: Module {
    public let featureCount: Int
    public let eps: Float
    /// The weight of each new batch in the running statistics; nil for a cumulative average.
    public let momentum: Float?
    /// The scale γ `[C]` (ones at first), or nil without `affine`.
    public let weight: Parameter?
    /// The shift β `[C]` (zeros at first), or nil without `affine`.
    public let bias: Parameter?
    /// The running mean `[C]`, or nil when running statistics are not tracked.
    public let runningMean: Buffer?
    /// The running (unbiased) variance `[C]`, or nil when running statistics are not tracked.
    public let runningVariance: Buffer?
    /// The number of training batches seen (an int64 scalar), or nil when not tracked.
    public let batchesTracked: Buffer?
    private let inputRanks: [Int]

    init(_ featureCount: Int, eps: Float, momentum: Float?, affine: Bool, trackRunningStats: Bool, inputRanks: [Int]) {
        self.featureCount = featureCount
        self.eps = eps
        self.momentum = momentum
        weight = affine ? Parameter(wrappedValue: Init.ones([featureCount])) : nil
        bias = affine ? Parameter(wrappedValue: Init.zeros([featureCount])) : nil
        runningMean = trackRunningStats ? Buffer(wrappedValue: Init.zeros([featureCount])) : nil
        runningVariance = trackRunningStats ? Buffer(wrappedValue: Init.ones([featureCount])) : nil
        batchesTracked = trackRunningStats ? Buffer(wrappedValue: Tensor([0], shape: [])) : nil
        self.inputRanks = inputRanks
        super.init()
    }

    public override var ownBuffers: [(name: String, buffer: Buffer)] {
        guard let runningMean, let runningVariance, let batchesTracked else { return [] }
        return [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked)]
    }

    /// PyTorch's text; `bias` is `affine`, as Kiln has no separate bias switch.
    public override var extraDescription: String {
        "\(featureCount), eps=\(PythonText.float(eps)), momentum=\(momentum.map(PythonText.float) ?? "None"), "
            + "affine=\(PythonText.bool(weight != nil)), bias=\(PythonText.bool(bias != nil)), "
            + "track_running_stats=\(PythonText.bool(runningMean != nil))"
    }

    public override func forward(_ x: Tensor) -> Tensor {
        normalize(x, evaluation: { batchNorm($0, mean: $1, variance: $2, weight: $3, bias: $4, eps: $5) },
                  training: { batchNorm($0, weight: $1, bias: $2, eps: $3) })
    }

    /// This layer followed by ReLU and 2 × 2 max pooling, as one fused op with the same values,
    /// gradients and running-statistics updates (see ``batchNormReLUMaxPool2x2(_:weight:bias:eps:)``).
    func forwardThroughReLUMaxPool2x2(_ x: Tensor) -> Tensor {
        normalize(x, evaluation: { batchNormReLUMaxPool2x2($0, mean: $1, variance: $2, weight: $3, bias: $4, eps: $5) },
                  training: { batchNormReLUMaxPool2x2($0, weight: $1, bias: $2, eps: $3) })
    }

    /// Checks `x`, then normalizes it by the running statistics in evaluation (`evaluation(x, mean, variance,
    /// weight, bias, eps)`), or by the batch's in training (`training(x, weight, bias, eps)` returns the
    /// output and the batch statistics), updating the running statistics.
    private func normalize(_ x: Tensor, evaluation: (Tensor, Tensor, Tensor, Tensor?, Tensor?, Float) -> Tensor,
                           training: (Tensor, Tensor?, Tensor?, Float) -> (output: Tensor, mean: Tensor, variance: Tensor)) -> Tensor {
        precondition(inputRanks.contains(x.rank) && x.shape[1] == featureCount,
                     "\(type(of: self)): expects \(inputRanks.map { "\($0)-D" }.joined(separator: " or ")) input with "
                     + "\(featureCount) channels in dimension 1, got \(x.shape)")
        if !isTraining, let runningMean, let runningVariance {
            return evaluation(x, runningMean.wrappedValue, runningVariance.wrappedValue, weight?.value, bias?.value, eps)
        }
        let perChannel = x.count / featureCount
        precondition(perChannel > 1, "\(type(of: self)): training needs more than one value per channel, got input \(x.shape)")
        let (y, mean, variance) = training(x, weight?.value, bias?.value, eps)
        if isTraining, let runningMean, let runningVariance, let batchesTracked {
            let batches = batchesTracked.wrappedValue.integers[0] + 1
            batchesTracked.wrappedValue = Tensor([batches], shape: [])
            let factor = momentum ?? 1 / Float(batches)
            let unbias = Float(perChannel) / Float(perChannel - 1)
            runningMean.wrappedValue = Self.blend(runningMean.wrappedValue, mean, factor: factor, scale: 1)
            runningVariance.wrappedValue = Self.blend(runningVariance.wrappedValue, variance, factor: factor, scale: unbias)
        }
        return y
    }

    /// `(1 − factor)·running + factor·scale·batch`.
    private static func blend(_ running: Tensor, _ batch: Tensor, factor: Float, scale: Float) -> Tensor {
        let r = running.scalars, b = batch.scalars
        return Tensor((0..<r.count).map { (1 - factor) * r[$0] + factor * scale * b[$0] })
    }
}

/// Batch normalization of `[N, C]` or `[N, C, L]` inputs, PyTorch's `BatchNorm1d`.
public final class BatchNorm1d: BatchNorm {
    /// Batch normalization of `featureCount` channels with PyTorch's defaults; a nil `momentum` keeps a
    /// cumulative average, and `trackRunningStats: false` normalizes by batch statistics in evaluation too.
    public init(_ featureCount: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true, trackRunningStats: Bool = true) {
        super.init(featureCount, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, inputRanks: [2, 3])
    }
}

/// Batch normalization of `[N, C, H, W]` images, PyTorch's `BatchNorm2d`.
public final class BatchNorm2d: BatchNorm {
    /// Batch normalization of `featureCount` channels with PyTorch's defaults; a nil `momentum` keeps a
    /// cumulative average, and `trackRunningStats: false` normalizes by batch statistics in evaluation too.
    public init(_ featureCount: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true, trackRunningStats: Bool = true) {
        super.init(featureCount, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, inputRanks: [4])
    }
}
