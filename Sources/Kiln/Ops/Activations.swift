import CKilnKernels

/// A pointwise activation with a fused kernel: the forward pass and the backward pass each
/// read their inputs once and write once (`KilnNN` builds its activation layers on these).
///
/// The derivatives at kinks are PyTorch's: 0 for ReLU at 0, 0 for HardTanh at its bounds.
public enum PointwiseActivation: Sendable, Equatable {
    /// max(x, 0).
    case relu
    /// x for x > 0, else `negativeSlope`·x.
    case leakyReLU(negativeSlope: Float)
    /// x limited to `min...max`; the gradient is 0 on and outside the bounds.
    case hardTanh(min: Float, max: Float)
    /// `scale`·x for x > 0, else `scale`·`alpha`·(e^{`inputScale`·x} − 1): ELU, SELU and CELU.
    case elu(alpha: Float, scale: Float = 1, inputScale: Float = 1)
    /// x·Φ(x) with Φ the standard normal distribution function (exact, by erf).
    case gelu
    /// GELU with Φ(x) approximated by (1 + tanh(√(2/π)·(x + 0.044715·x³)))/2.
    case geluTanh
    /// x·σ(`beta`·x): SiLU for `beta` = 1, Swish otherwise.
    case silu(beta: Float = 1)
    /// x·tanh(softplus(x)).
    case mish
    /// log(1 + e^{βx})/β, and x itself where βx > `threshold`.
    case softplus(beta: Float = 1, threshold: Float = 20)
    /// log σ(x) = −log(1 + e^{−x}): softplus with β = −1, so x itself where x < −20.
    case logSigmoid
    /// x / (1 + |x|).
    case softsign
    /// min(max(x + 3, 0), 6) / 6.
    case hardSigmoid
    /// x·min(max(x + 3, 0), 6) / 6.
    case hardSwish
    /// max(x, 0)².
    case squaredReLU
    /// x − tanh x, by a polynomial x³·P(x²) near 0 where the difference would cancel.
    case tanhshrink

    /// The kernel and its parameters.
    var kernel: (op: kiln_activation, params: kiln_activation_params) {
        func p(_ a: Float = 0, _ b: Float = 0, _ c: Float = 0) -> kiln_activation_params {
            kiln_activation_params(a: a, b: b, c: c)
        }
        switch self {
        case .relu: return (KILN_ACT_RELU, p())
        case .leakyReLU(let slope): return (KILN_ACT_LEAKY_RELU, p(slope))
        case .hardTanh(let lo, let hi): return (KILN_ACT_HARDTANH, p(lo, hi))
        case .elu(let alpha, let scale, let inputScale): return (KILN_ACT_ELU, p(alpha * scale, scale, inputScale))
        case .gelu: return (KILN_ACT_GELU_ERF, p())
        case .geluTanh: return (KILN_ACT_GELU_TANH, p())
        case .silu(let beta): return (KILN_ACT_SILU, p(beta))
        case .mish: return (KILN_ACT_MISH, p())
        case .softplus(let beta, let threshold): return (KILN_ACT_SOFTPLUS, p(beta, threshold))
        case .logSigmoid: return PointwiseActivation.softplus(beta: -1, threshold: 20).kernel
        case .softsign: return (KILN_ACT_SOFTSIGN, p())
        case .hardSigmoid: return (KILN_ACT_HARDSIGMOID, p())
        case .hardSwish: return (KILN_ACT_HARDSWISH, p())
        case .squaredReLU: return (KILN_ACT_SQUARED_RELU, p())
        case .tanhshrink: return (KILN_ACT_TANHSHRINK, p())
        }
    }

    /// Rough cost per element relative to a copy, for splitting work across threads.
    var cost: Int {
        switch self {
        case .relu, .leakyReLU, .hardTanh, .softsign, .hardSigmoid, .hardSwish, .squaredReLU: return 1
        default: return 8
        }
    }
}

extension Tensor {
    /// The activation `f` applied to every element, with its fused backward rule.
    ///
    /// ```swift
    /// let y = x.activated(.gelu)
    /// ```
    public func activated(_ f: PointwiseActivation) -> Tensor {
        precondition(dtype == .float32, "activated(\(f)): expects a float tensor, got \(dtype) \(shape)")
        let x = contiguousData().detached()
        let y = Tensor(uninitializedShape: shape)
        let (op, params) = f.kernel
        let px = x.floatPointer, py = y.floatPointer
        parallelChunks(count, costPerItem: f.cost) { r in
            kiln_activation_forward_f32(op, params, px + r.lowerBound, py + r.lowerBound, r.count)
        }
        return Autograd.record(y, self) { g in
            let g = g.contiguousData()
            let dx = Tensor(uninitializedShape: x.shape)
            let px = x.floatPointer, pg = g.floatPointer, pd = dx.floatPointer
            parallelChunks(x.count, costPerItem: f.cost) { r in
                kiln_activation_backward_f32(op, params, px + r.lowerBound, pg + r.lowerBound, pd + r.lowerBound, r.count)
            }
            return dx
        }
    }
}
