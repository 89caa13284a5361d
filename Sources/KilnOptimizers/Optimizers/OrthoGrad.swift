import CKilnKernels
import KilnNN

/// ⊥Grad (Prieto et al. 2025, "Grokking at the Edge of Numerical Stability"): before the wrapped
/// optimizer's step, each parameter's gradient loses its component along the parameter and is
/// rescaled to its original norm,
///
///     g⊥ = g − (⟨θ, g⟩ / (⟨θ, θ⟩ + ε)) θ,    g ← g⊥ · ‖g‖ / (‖g⊥‖ + ε),    ε = 10⁻³⁰,
///
/// which stops the weights from growing merely to scale up the logits ("naïve loss minimization").
///
/// ```swift
/// let optimizer = OrthoGrad(AdamW(learningRate: 1e-3))
/// ```
public final class OrthoGrad<Base: Optimizer>: Optimizer {
    /// The optimizer that takes the projected gradients.
    public let base: Base

    /// Wraps `base`, which then steps along each parameter's gradient made orthogonal to it.
    public init(_ base: Base) { self.base = base }

    public var learningRate: Double {
        get { base.learningRate }
        set { base.learningRate = newValue }
    }

    public var groups: [ParameterGroup] {
        get { base.groups }
        set { base.groups = newValue }
    }

    public func step(gradients gradient: (_ name: String, _ parameter: Parameter) -> Tensor?) {
        base.step { name, parameter in
            gradient(name, parameter).map { orthogonalProjection(of: $0, to: parameter.value) }
        }
    }

    public func stateDict() -> [String: Tensor] { base.stateDict() }

    public func load(stateDict: [String: Tensor]) throws(OptimizerStateError) { try base.load(stateDict: stateDict) }
}

/// The part of `gradient` orthogonal to `parameter` (both flattened), rescaled to the norm of `gradient`.
///
/// This is ⊥Grad's projection; see ``OrthoGrad``.
public func orthogonalProjection(of gradient: Tensor, to parameter: Tensor) -> Tensor {
    precondition(gradient.shape == parameter.shape,
                 "orthogonalProjection: gradient shape \(gradient.shape) differs from parameter shape \(parameter.shape)")
    let tiny = 1e-30
    let values = gradient.withUnsafeFloats { g in
        parameter.withUnsafeFloats { w in
            let n = g.count
            guard n > 0 else { return [Float]() }
            let gp = g.baseAddress!, wp = w.baseAddress!
            let projection = Float(kiln_dot_accurate_f32(wp, gp, n) / (kiln_dot_accurate_f32(wp, wp, n) + tiny))
            return [Float](unsafeUninitializedCapacity: n) { out, initialized in
                let op = out.baseAddress!
                for i in 0..<n { op[i] = gp[i] - wp[i] * projection }
                let scale = Float(kiln_sum_squares_f32(gp, n).squareRoot()
                                  / (kiln_sum_squares_f32(op, n).squareRoot() + tiny))
                for i in 0..<n { op[i] *= scale }
                initialized = n
            }
        }
    }
    return Tensor(values, shape: gradient.shape)
}
