import Kiln

/// The nonlinearity that follows a layer, which sets an initializer's gain (PyTorch's `calculate_gain`).
public enum Nonlinearity: Sendable, Equatable {
    /// No nonlinearity; also the gain for convolutions and sigmoid.
    case linear, convolution, sigmoid
    /// tanh: gain 5/3.
    case tanh
    /// ReLU: gain √2.
    case relu
    /// Leaky ReLU with negative `slope`: gain √(2 / (1 + slope²)).
    case leakyReLU(slope: Float = 0.01)
    /// SELU: gain 3/4.
    case selu

    /// The recommended gain: the factor that keeps the variance of activations steady through the layer.
    public var gain: Float {
        switch self {
        case .linear, .convolution, .sigmoid: 1
        case .tanh: 5.0 / 3
        case .relu: Float(2).squareRoot()
        case .leakyReLU(let slope): (2 / (1 + slope * slope)).squareRoot()
        case .selu: 0.75
        }
    }
}

/// Which fan an initializer scales by.
public enum FanMode: Sendable {
    /// The number of inputs of each output unit: keeps the forward pass's variance.
    case fanIn
    /// The number of outputs each input feeds: keeps the backward pass's variance.
    case fanOut
}

/// The fans of a weight, as PyTorch's `_calculate_fan_in_and_fan_out`: for a weight
/// `[out, in, k₁, k₂, …]`, `fanIn = in·k₁·k₂·…` and `fanOut = out·k₁·k₂·…`.
public struct Fans: Sendable, Equatable {
    public let fanIn: Int
    public let fanOut: Int

    /// The fans of a weight of `shape` (at least two dimensions).
    public init(_ shape: [Int]) {
        precondition(shape.count >= 2, "Fans: fan in and fan out need a weight with at least 2 dimensions, got shape \(shape)")
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        fanIn = shape[1] * receptiveField
        fanOut = shape[0] * receptiveField
    }

    /// The fan selected by `mode`.
    public subscript(mode: FanMode) -> Int { mode == .fanIn ? fanIn : fanOut }
}
