import Kiln

/// How ``gelu(_:approximate:)`` evaluates the normal distribution function (PyTorch's `approximate`).
public enum GELUApproximation: Sendable {
    /// Exactly, by erf.
    case none
    /// By (1 + tanh(√(2/π)·(x + 0.044715·x³)))/2.
    case tanh
}

// MARK: Functions

/// x·Φ(x), the Gaussian error linear unit (Hendrycks & Gimpel 2016).
public func gelu(_ x: Tensor, approximate: GELUApproximation = .none) -> Tensor {
    x.activated(approximate == .none ? .gelu : .geluTanh)
}

/// x·σ(x), the sigmoid linear unit.
public func silu(_ x: Tensor) -> Tensor { x.activated(.silu()) }

/// x·σ(β·x) with a fixed β (Ramachandran et al. 2017).
public func swish(_ x: Tensor, beta: Float = 1) -> Tensor { x.activated(.silu(beta: beta)) }

/// x·σ(β·x) with β a tensor that broadcasts against `x`, so it can be learned.
public func swish(_ x: Tensor, beta: Tensor) -> Tensor { x * (beta * x).sigmoid() }

/// x·tanh(softplus(x)) (Misra 2019).
public func mish(_ x: Tensor) -> Tensor { x.activated(.mish) }

/// log(1 + e^{βx})/β, and x itself where βx > `threshold` (PyTorch's `softplus`).
public func softplus(_ x: Tensor, beta: Float = 1, threshold: Float = 20) -> Tensor {
    precondition(beta != 0, "softplus: beta must not be zero")
    return x.activated(.softplus(beta: beta, threshold: threshold))
}

/// log σ(x) = −softplus(−x), stable for any x (PyTorch's `logsigmoid`).
public func logSigmoid(_ x: Tensor) -> Tensor { x.activated(.logSigmoid) }

/// x − tanh x (PyTorch's `tanhshrink`), without the cancellation of that difference near 0.
public func tanhshrink(_ x: Tensor) -> Tensor { x.activated(.tanhshrink) }

/// x for x > 0, else α·(eˣ − 1) (Clevert et al. 2015).
public func elu(_ x: Tensor, alpha: Float = 1) -> Tensor { x.activated(.elu(alpha: alpha)) }

/// Scaled ELU with the self-normalizing constants of Klambauer et al. 2017.
public func selu(_ x: Tensor) -> Tensor {
    x.activated(.elu(alpha: 1.6732632423543772848170429916717, scale: 1.0507009873554804934193349852946))
}

/// max(0, x) + min(0, α·(e^{x/α} − 1)), the continuously differentiable ELU (Barron 2017).
public func celu(_ x: Tensor, alpha: Float = 1) -> Tensor {
    precondition(alpha != 0, "celu: alpha must not be zero")
    return x.activated(.elu(alpha: alpha, inputScale: 1 / alpha))
}

/// x / (1 + |x|).
public func softsign(_ x: Tensor) -> Tensor { x.activated(.softsign) }

/// The hyperbolic tangent.
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }

/// The logistic function 1 / (1 + e^−x).
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }

// MARK: Modules

/// Applies ``gelu(_:approximate:)``.
public final class GELU: Module {
    /// How Φ is evaluated.
    public let approximate: GELUApproximation

    /// GELU with Φ exact (`.none`, PyTorch's default) or approximated with tanh.
    public init(approximate: GELUApproximation = .none) {
        self.approximate = approximate
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { gelu(x, approximate: approximate) }

    public override var extraDescription: String { "approximate='\(approximate == .none ? "none" : "tanh")'" }
}

/// Applies ``silu(_:)``.
public final class SiLU: Module {
    public override func forward(_ x: Tensor) -> Tensor { silu(x) }
}

/// x·σ(β·x) with β fixed or learned (one element named `beta`).
public final class Swish: Module {
    /// The learned β, when learnable.
    public let beta: Parameter?
    /// The fixed β, when not learnable.
    public let fixedBeta: Float

    /// Swish with β fixed at `beta`, or learned starting from it when `learnable`.
    public init(beta: Float = 1, learnable: Bool = false) {
        self.beta = learnable ? Parameter(wrappedValue: Tensor([beta])) : nil
        fixedBeta = beta
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        if let beta { return swish(x, beta: beta.value) }
        return swish(x, beta: fixedBeta)
    }
}

/// Applies ``mish(_:)``.
public final class Mish: Module {
    public override func forward(_ x: Tensor) -> Tensor { mish(x) }
}

/// Applies ``softplus(_:beta:threshold:)``.
public final class Softplus: Module {
    public let beta: Float
    public let threshold: Float

    /// Softplus with a nonzero `beta`, linear where β·x exceeds `threshold`; PyTorch's defaults.
    public init(beta: Float = 1, threshold: Float = 20) {
        precondition(beta != 0, "Softplus: beta must not be zero")
        self.beta = beta
        self.threshold = threshold
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { softplus(x, beta: beta, threshold: threshold) }

    public override var extraDescription: String { "beta=\(PythonText.float(beta)), threshold=\(PythonText.float(threshold))" }
}

/// Applies ``logSigmoid(_:)``.
public final class LogSigmoid: Module {
    public override func forward(_ x: Tensor) -> Tensor { logSigmoid(x) }
}

/// Applies ``tanhshrink(_:)``.
public final class Tanhshrink: Module {
    public override func forward(_ x: Tensor) -> Tensor { tanhshrink(x) }
}

/// Applies ``elu(_:alpha:)``.
public final class ELU: Module {
    public let alpha: Float

    /// ELU with scale `alpha` for negative inputs (PyTorch's default 1).
    public init(alpha: Float = 1) {
        self.alpha = alpha
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { elu(x, alpha: alpha) }

    public override var extraDescription: String { "alpha=\(PythonText.float(alpha))" }
}

/// Applies ``selu(_:)``.
public final class SELU: Module {
    public override func forward(_ x: Tensor) -> Tensor { selu(x) }
}

/// Applies ``celu(_:alpha:)``.
public final class CELU: Module {
    public let alpha: Float

    /// CELU with a nonzero `alpha` (PyTorch's default 1).
    public init(alpha: Float = 1) {
        precondition(alpha != 0, "CELU: alpha must not be zero")
        self.alpha = alpha
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { celu(x, alpha: alpha) }

    public override var extraDescription: String { "alpha=\(PythonText.float(alpha))" }
}

/// Applies ``softsign(_:)``.
public final class Softsign: Module {
    public override func forward(_ x: Tensor) -> Tensor { softsign(x) }
}

/// Applies the hyperbolic tangent.
public final class Tanh: Module {
    public override func forward(_ x: Tensor) -> Tensor { x.tanh() }
}

/// Applies the logistic function.
public final class Sigmoid: Module {
    public override func forward(_ x: Tensor) -> Tensor { x.sigmoid() }
}
