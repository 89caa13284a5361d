import Kiln

/// Weight initializers with the formulas of `torch.nn.init`, each a fresh tensor drawn from `generator`
/// (the current scope's ``Random/default`` unless given).
///
/// ```swift
/// layer.weight = Init.kaimingNormal([256, 128], mode: .fanOut, nonlinearity: .relu)
/// ```
public enum Init {
    /// Zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(zeros: shape) }

    /// Ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(ones: shape) }

    /// Uniform draws from `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               generator: RandomGenerator = Random.default) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, generator: generator)
    }

    /// Normal draws with `mean` and standard deviation `std`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              generator: RandomGenerator = Random.default) -> Tensor {
        Tensor.normal(shape, mean: mean, std: std, generator: generator)
    }

    /// Normal draws with `mean` and `std` restricted to the absolute bounds `[low, high]` (`trunc_normal_`).
    public static func truncatedNormal(_ shape: [Int], mean: Float = 0, std: Float = 1, low: Float = -2, high: Float = 2,
                                       generator: RandomGenerator = Random.default) -> Tensor {
        Tensor.truncatedNormal(shape, mean: mean, std: std, low: low, high: high, generator: generator)
    }

    /// Glorot & Bengio (2010): `U(−a, a)` with `a = gain·√(6 / (fanIn + fanOut))`.
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, generator: RandomGenerator = Random.default) -> Tensor {
        let bound = Float(3).squareRoot() * xavierStd(shape, gain)
        return Tensor.uniform(shape, low: -bound, high: bound, generator: generator)
    }

    /// Glorot & Bengio (2010): `N(0, std²)` with `std = gain·√(2 / (fanIn + fanOut))`.
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, generator: RandomGenerator = Random.default) -> Tensor {
        Tensor.normal(shape, std: xavierStd(shape, gain), generator: generator)
    }

    /// He et al. (2015): `U(−b, b)` with `b = gain·√(3 / fan)`; the default (leaky ReLU with slope 0) has gain √2.
    public static func kaimingUniform(_ shape: [Int], mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU(slope: 0),
                                      generator: RandomGenerator = Random.default) -> Tensor {
        let bound = Float(3).squareRoot() * kaimingStd(shape, mode, nonlinearity)
        return Tensor.uniform(shape, low: -bound, high: bound, generator: generator)
    }

    /// He et al. (2015): `N(0, std²)` with `std = gain / √fan`.
    public static func kaimingNormal(_ shape: [Int], mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyReLU(slope: 0),
                                     generator: RandomGenerator = Random.default) -> Tensor {
        Tensor.normal(shape, std: kaimingStd(shape, mode, nonlinearity), generator: generator)
    }

    /// PyTorch's default for the weight of linear and convolution layers: `kaiming_uniform_(a=√5)`,
    /// which is `U(−1/√fanIn, 1/√fanIn)`.
    public static func layerWeight(_ shape: [Int], generator: RandomGenerator = Random.default) -> Tensor {
        kaimingUniform(shape, nonlinearity: .leakyReLU(slope: Float(5).squareRoot()), generator: generator)
    }

    /// PyTorch's default for the bias of a layer whose weight has `fanIn` inputs per output: `U(−1/√fanIn, 1/√fanIn)`.
    public static func layerBias(_ count: Int, fanIn: Int, generator: RandomGenerator = Random.default) -> Tensor {
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return Tensor.uniform([count], low: -bound, high: bound, generator: generator)
    }

    private static func xavierStd(_ shape: [Int], _ gain: Float) -> Float {
        let fans = Fans(shape)
        return gain * (2 / Float(fans.fanIn + fans.fanOut)).squareRoot()
    }

    private static func kaimingStd(_ shape: [Int], _ mode: FanMode, _ nonlinearity: Nonlinearity) -> Float {
        let fan = Fans(shape)[mode]
        precondition(fan > 0, "Init.kaiming: weight of shape \(shape) has a zero fan")
        return nonlinearity.gain / Float(fan).squareRoot()
    }
}
