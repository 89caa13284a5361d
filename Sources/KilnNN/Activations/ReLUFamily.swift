import Kiln

// MARK: Functions

/// max(x, 0); the gradient at 0 is 0, as in PyTorch.
public func relu(_ x: Tensor) -> Tensor { x.activated(.relu) }

/// x for x > 0, else `negativeSlope`·x.
public func leakyReLU(_ x: Tensor, negativeSlope: Float = 0.01) -> Tensor {
    x.activated(.leakyReLU(negativeSlope: negativeSlope))
}

/// max(x, 0)², the squared ReLU of Primer (So et al. 2021).
public func squaredReLU(_ x: Tensor) -> Tensor { x.activated(.squaredReLU) }

/// x for x > 0, else `weight`·x, with one learned slope or one per channel (dimension 1, as PyTorch).
///
/// At 0 the gradient with respect to x is the slope, as in PyTorch.
///
/// - Parameter weight: one element, or as many as `x` has channels (`x.shape[1]`).
public func prelu(_ x: Tensor, weight: Tensor) -> Tensor {
    let slope: Tensor
    if weight.count == 1 {
        slope = weight.reshaped([])
    } else {
        precondition(weight.rank == 1 && x.rank >= 2 && x.shape[1] == weight.count,
                     "prelu: \(weight.count) slopes for input \(x.shape); give one or one per channel (dimension 1)")
        slope = weight.reshaped([weight.count] + Array(repeating: 1, count: x.rank - 2))
    }
    return Tensor.where(x .> 0, x, slope * x)
}

// MARK: Modules

/// Applies ``relu(_:)``.
public final class ReLU: Module {
    public override func forward(_ x: Tensor) -> Tensor { relu(x) }
}

/// Applies ``leakyReLU(_:negativeSlope:)``.
public final class LeakyReLU: Module {
    /// The slope for negative inputs.
    public let negativeSlope: Float

    /// The activation with slope `negativeSlope` for negative inputs (PyTorch's default 0.01).
    public init(negativeSlope: Float = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { leakyReLU(x, negativeSlope: negativeSlope) }

    public override var extraDescription: String { "negative_slope=\(PythonText.float(negativeSlope))" }
}

/// Applies ``squaredReLU(_:)``.
public final class SquaredReLU: Module {
    public override func forward(_ x: Tensor) -> Tensor { squaredReLU(x) }
}

/// ReLU with a learned negative slope (He et al. 2015): one shared slope or one per channel.
///
/// The slope parameter is `weight`, initialized to 0.25 as in PyTorch.
public final class PReLU: Module {
    /// The learned slopes, `[parameterCount]`.
    @Parameter public var weight: Tensor

    /// - Parameters:
    ///   - parameterCount: 1 for a shared slope, or the number of channels (input dimension 1).
    ///   - initialValue: the starting slope.
    public init(parameterCount: Int = 1, initialValue: Float = 0.25) {
        precondition(parameterCount >= 1, "PReLU: parameterCount must be at least 1, got \(parameterCount)")
        weight = Tensor(repeating: initialValue, shape: [parameterCount])
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { prelu(x, weight: weight) }

    public override var extraDescription: String { "num_parameters=\(weight.shape[0])" }
}
