import Kiln

// MARK: Functions

/// x limited to `min...max`; the gradient is 1 strictly inside and 0 elsewhere, as in PyTorch.
public func hardTanh(_ x: Tensor, min: Float = -1, max: Float = 1) -> Tensor {
    precondition(min <= max, "hardTanh: min \(min) is above max \(max)")
    return x.activated(.hardTanh(min: min, max: max))
}

/// min(max(x, 0), 6).
public func relu6(_ x: Tensor) -> Tensor { x.activated(.hardTanh(min: 0, max: 6)) }

/// min(max(x + 3, 0), 6) / 6, a piecewise-linear sigmoid.
public func hardSigmoid(_ x: Tensor) -> Tensor { x.activated(.hardSigmoid) }

/// x·hardSigmoid(x) (Howard et al. 2019, MobileNetV3); the gradient is 0 at -3 and 1 at 3, as in PyTorch.
public func hardSwish(_ x: Tensor) -> Tensor { x.activated(.hardSwish) }

// MARK: Modules

/// Applies ``hardTanh(_:min:max:)``.
public final class HardTanh: Module {
    /// The lower bound.
    public let min: Float
    /// The upper bound.
    public let max: Float

    /// Clamping to [`min`, `max`], by default [−1, 1] as in PyTorch.
    public init(min: Float = -1, max: Float = 1) {
        precondition(min <= max, "HardTanh: min \(min) is above max \(max)")
        self.min = min
        self.max = max
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { hardTanh(x, min: min, max: max) }

    /// PyTorch's `Hardtanh` text.
    public override var extraDescription: String { "min_val=\(PythonText.float(min)), max_val=\(PythonText.float(max))" }
}

/// Applies ``relu6(_:)``.
public final class ReLU6: Module {
    public override func forward(_ x: Tensor) -> Tensor { relu6(x) }
}

/// Applies ``hardSigmoid(_:)``.
public final class HardSigmoid: Module {
    public override func forward(_ x: Tensor) -> Tensor { hardSigmoid(x) }
}

/// Applies ``hardSwish(_:)``.
public final class HardSwish: Module {
    public override func forward(_ x: Tensor) -> Tensor { hardSwish(x) }
}
