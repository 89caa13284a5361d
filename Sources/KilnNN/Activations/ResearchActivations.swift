import Kiln

// MARK: Functions

/// min(max(x, 0), t): ReLU clipped at a threshold `t` that broadcasts against `x` and may be
/// learned (ProAct, Mousavi et al. 2024).
///
/// The gradient reaches `t` from the elements above it (x > t) and `x` from those in (0, t).
public func clippedReLU(_ x: Tensor, threshold t: Tensor) -> Tensor { minimum(relu(x), t) }

/// ReLU(x) + ε·x·e^{−x²/2}, the correction-regularized ReLU (CRReLU) of the EAFO method.
public func crrelu(_ x: Tensor, epsilon: Tensor) -> Tensor {
    relu(x) + epsilon * x * (x * x * -0.5).exp()
}

/// `weight[0]`·r³ + `weight[1]`·r² + `weight[2]`·r + `bias` with r = ReLU(x), the third-order
/// PolyReLU of Polynomial Composition Activations (Zhuo et al. 2024).
///
/// The coefficients run from the highest power down, as the PolyCom code stores them.
public func polyReLU(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
    precondition(weight.shape == [3] && bias.count == 1,
                 "polyReLU: expects weight [3] and one bias, got \(weight.shape) and \(bias.shape)")
    let r = relu(x), r2 = r * r
    return coefficient(weight, 0) * (r2 * r) + coefficient(weight, 1) * r2 + coefficient(weight, 2) * r
        + bias.reshaped([])
}

/// `weight[0]`·N(x³) + `weight[1]`·N(x²) + `weight[2]`·N(x) + `bias`, the third-order PolyNorm of
/// Zhuo et al. 2024, where N(y) = y / √(mean(y²) + eps) over the last dimension.
///
/// Without `eps`, PolyNorm(c·x) = PolyNorm(x) for every c > 0.
public func polyNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float = 1e-6) -> Tensor {
    precondition(weight.shape == [3] && bias.count == 1,
                 "polyNorm: expects weight [3] and one bias, got \(weight.shape) and \(bias.shape)")
    func normalized(_ y: Tensor) -> Tensor { y * ((y * y).mean(axis: -1, keepingDims: true) + eps).rsqrt() }
    let x2 = x * x
    return coefficient(weight, 0) * normalized(x2 * x) + coefficient(weight, 1) * normalized(x2)
        + coefficient(weight, 2) * normalized(x) + bias.reshaped([])
}

/// Element `i` of a coefficient vector as a scalar tensor that keeps its gradient.
private func coefficient(_ weight: Tensor, _ i: Int) -> Tensor { weight.select(axis: 0, i) }

/// p·s + (1 − p)·α·s with p = σ((s − mean) / √(variance + eps)), the data-adaptive activation
/// of Deep Interest Network (Zhou et al. 2018).
///
/// `alpha`, `mean` and `variance` broadcast against `s` (one value per feature, the last dimension).
public func dice(_ s: Tensor, alpha: Tensor, mean: Tensor, variance: Tensor, eps: Float = 1e-8) -> Tensor {
    let p = ((s - mean) * (variance + eps).rsqrt()).sigmoid()
    return p * s + (1 - p) * alpha * s
}

// MARK: Modules

/// ReLU clipped at a learned threshold (ProAct): one threshold for the layer, or one per neuron.
///
/// The threshold parameter is `threshold`, of shape `shape`, which broadcasts against the input's
/// trailing dimensions: `[1]` for layer-wise clipping, the feature shape (`[features]`,
/// `[C, H, W]`, or `[C, 1, 1]` per channel) for neuron-wise clipping.
public final class ClippedReLU: Module {
    /// The learned clipping thresholds.
    @Parameter public var threshold: Tensor

    /// Learned thresholds of shape `shape`, all starting at `threshold`.
    public init(threshold: Float = 6, shape: [Int] = [1]) {
        self.threshold = Tensor(repeating: threshold, shape: shape)
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { clippedReLU(x, threshold: threshold) }
}

/// ReLU(x) + ε·x·e^{−x²/2} with a learned ε (`epsilon`, one element).
public final class CRReLU: Module {
    /// The learned correction weight ε.
    @Parameter public var epsilon: Tensor

    /// The activation with ε starting at `epsilon`.
    public init(epsilon: Float = 0.01) {
        self.epsilon = Tensor([epsilon])
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { crrelu(x, epsilon: epsilon) }
}

/// Third-order PolyReLU with learned `weight` (3, initialized to 1/3) and `bias` (1, zero).
public final class PolyReLU: Module {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor

    public override init() {
        weight = Tensor(repeating: 1.0 / 3, shape: [3])
        bias = Tensor(zeros: [1])
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { polyReLU(x, weight: weight, bias: bias) }
}

/// Third-order PolyNorm with learned `weight` (3, initialized to 1/3) and `bias` (1, zero).
public final class PolyNorm: Module {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor
    /// Added to the mean square before the square root.
    public let eps: Float

    /// PolyNorm with `eps` added to the mean square.
    public init(eps: Float = 1e-6) {
        weight = Tensor(repeating: 1.0 / 3, shape: [3])
        bias = Tensor(zeros: [1])
        self.eps = eps
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { polyNorm(x, weight: weight, bias: bias, eps: eps) }
}

/// Dice: the activation of Deep Interest Network, with statistics over the batch while training
/// and their running averages in evaluation.
///
/// Features lie along the last dimension; statistics are taken over all other dimensions.
/// As in PyTorch's batch norm, the batch variance is the biased one, and the running variance is
/// updated with the unbiased one: running ← (1 − momentum)·running + momentum·batch.
public final class Dice: Module {
    /// The learned slope α of the suppressed branch, one per feature (initialized to 0).
    @Parameter public var alpha: Tensor
    @Buffer public var runningMean: Tensor
    @Buffer public var runningVariance: Tensor
    public let eps: Float
    public let momentum: Float

    /// Dice over `features` features, with `eps` added to the variance and `momentum` the weight of each
    /// new batch in the running statistics.
    public init(features: Int, eps: Float = 1e-8, momentum: Float = 0.1) {
        alpha = Tensor(zeros: [features])
        runningMean = Tensor(zeros: [features])
        runningVariance = Tensor(ones: [features])
        self.eps = eps
        self.momentum = momentum
        super.init()
    }

    public override func forward(_ s: Tensor) -> Tensor {
        let features = alpha.count
        precondition(s.rank >= 1 && s.shape.last == features, "Dice: input \(s.shape) does not end in \(features) features")
        guard isTraining else { return dice(s, alpha: alpha, mean: runningMean, variance: runningVariance, eps: eps) }
        let axes = Array(0..<(s.rank - 1))
        let n = s.count / features
        precondition(n > 1, "Dice: training needs more than one sample per feature, got input \(s.shape)")
        let mean = s.mean(axes: axes)
        let variance = s.variance(axes: axes, correction: 0)
        withoutGradient {
            runningMean = runningMean * (1 - momentum) + mean.detached() * momentum
            runningVariance = runningVariance * (1 - momentum) + variance.detached() * (momentum * Float(n) / Float(n - 1))
        }
        return dice(s, alpha: alpha, mean: mean, variance: variance, eps: eps)
    }
}
