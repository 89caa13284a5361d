import Kiln

// MARK: Functions

/// The two halves of `x` along `axis` (a, b); the dimension must be even.
private func halves(_ x: Tensor, axis: Int, op: String) -> (Tensor, Tensor) {
    let ax = axis < 0 ? axis + x.rank : axis
    precondition(ax >= 0 && ax < x.rank && x.shape[ax] % 2 == 0,
                 "\(op): dimension \(axis) of \(x.shape) must exist and be even")
    let parts = x.chunked(2, axis: ax)
    return (parts[0], parts[1])
}

/// a·σ(b), where a and b are the first and second halves of `x` along `axis` (Dauphin et al. 2017).
public func glu(_ x: Tensor, axis: Int = -1) -> Tensor {
    let (a, b) = halves(x, axis: axis, op: "glu")
    return a * b.sigmoid()
}

/// a·ReLU(b) over the two halves of `x` along `axis` (Shazeer 2020).
public func reglu(_ x: Tensor, axis: Int = -1) -> Tensor {
    let (a, b) = halves(x, axis: axis, op: "reglu")
    return a * relu(b)
}

/// a·GELU(b) over the two halves of `x` along `axis` (Shazeer 2020).
public func geglu(_ x: Tensor, axis: Int = -1, approximate: GELUApproximation = .none) -> Tensor {
    let (a, b) = halves(x, axis: axis, op: "geglu")
    return a * gelu(b, approximate: approximate)
}

/// a·SiLU(b) over the two halves of `x` along `axis` (Shazeer 2020).
public func swiglu(_ x: Tensor, axis: Int = -1) -> Tensor {
    let (a, b) = halves(x, axis: axis, op: "swiglu")
    return a * silu(b)
}

// MARK: Modules

/// Applies ``glu(_:axis:)``.
public final class GLU: Module {
    /// The dimension split in halves.
    public let axis: Int

    /// GLU splitting dimension `axis`, the last by default.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { glu(x, axis: axis) }
}

/// The gated feed-forward block of Shazeer 2020, without biases:
/// (act(x·Wᵀ) ⊙ x·Vᵀ)·W2ᵀ, with act SiLU (SwiGLU), GELU (GeGLU) or ReLU (ReGLU).
///
/// Weights use PyTorch's linear layout (`w`, `v`: `[hidden, input]`, `w2`: `[input, hidden]`)
/// and its default initialization, uniform in ±1/√fan_in.
public final class GatedFeedForward: Module {
    /// The gate nonlinearity.
    public enum Gate: Sendable { case swish, gelu, relu }

    @Parameter public var w: Tensor
    @Parameter public var v: Tensor
    @Parameter public var w2: Tensor
    public let gate: Gate

    /// A block from `inputSize` features through `hiddenSize` and back, gated by `gate`, its weights drawn from `generator`.
    public init(inputSize: Int, hiddenSize: Int, gate: Gate = .swish, generator: RandomGenerator = Random.default) {
        precondition(inputSize > 0 && hiddenSize > 0,
                     "GatedFeedForward: sizes must be positive, got \(inputSize) and \(hiddenSize)")
        let a = 1 / Float(inputSize).squareRoot(), b = 1 / Float(hiddenSize).squareRoot()
        w = Tensor.uniform([hiddenSize, inputSize], low: -a, high: a, generator: generator)
        v = Tensor.uniform([hiddenSize, inputSize], low: -a, high: a, generator: generator)
        w2 = Tensor.uniform([inputSize, hiddenSize], low: -b, high: b, generator: generator)
        self.gate = gate
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        linear(gateActivation(linear(x, weight: w)) * linear(x, weight: v), weight: w2)
    }

    /// The gate nonlinearity applied to `h`, the product with `w`.
    public func gateActivation(_ h: Tensor) -> Tensor {
        switch gate {
        case .swish: silu(h)
        case .gelu: gelu(h)
        case .relu: relu(h)
        }
    }
}
