import CKilnKernels
import Foundation

/// Vector p-norms over axes.
extension Tensor {
    /// The p-norm over `axes` (all axes when empty), like PyTorch's `linalg.vector_norm`:
    /// `(Σ |x|^p)^(1/p)` for p > 0, the largest `|x|` for p = ∞ and the smallest for p = -∞.
    ///
    /// Gradients match PyTorch: 0 where the norm is 0, and for p = ±∞ shared evenly among ties.
    public func norm(p: Float = 2, axes: [Int] = [], keepingDims: Bool = false) -> Tensor {
        precondition(dtype == .float32, "norm: expects a float tensor, got \(dtype)")
        precondition(p > 0 || p == -.infinity, "norm: p must be positive or ±infinity, got \(p)")
        let axes = normalizedAxes(axes, op: "norm")
        let x = detached()
        let keptShape = Reduction.keptShape(shape, axes)
        let out: Tensor
        switch p {
        case .infinity, -.infinity:
            precondition(axes.allSatisfy { shape[$0] > 0 }, "norm: p = \(p) of an empty dimension of shape \(shape)")
            out = Reduction.reduce(Reduction.map(KILN_MAP_ABS, x), over: axes, keepingDims: true,
                                   op: p > 0 ? KILN_REDUCE_MAX : KILN_REDUCE_MIN, name: "norm")
        case 1:
            out = Reduction.reduce(Reduction.map(KILN_MAP_ABS, x), over: axes, keepingDims: true, op: KILN_REDUCE_SUM, name: "norm")
        case 2:
            out = Reduction.reduce(Reduction.map(KILN_MAP_SQUARE, x), over: axes, keepingDims: true, op: KILN_REDUCE_SUM, name: "norm")
            let po = out.floatPointer
            for i in 0..<out.count { po[i] = po[i].squareRoot() }
        default:
            out = Reduction.reduce(Reduction.map(KILN_MAP_ABS_POW, x, p: p), over: axes, keepingDims: true,
                                   op: KILN_REDUCE_SUM, name: "norm")
            let po = out.floatPointer
            for i in 0..<out.count { po[i] = Foundation.pow(po[i], 1 / p) }
        }
        let result = out.reshaped(Reduction.resultShape(shape, axes, keepingDims: keepingDims))
        return Autograd.record(result, self) { g in
            let g = g.reshaped(keptShape)
            switch p {
            case .infinity, -.infinity:
                let mask = Reduction.map(KILN_MAP_ABS_EQUAL, x, out)
                let ties = mask.sum(axes: axes, keepingDims: true)
                return Reduction.map(KILN_MAP_SIGN, x) * mask * (g / ties)
            case 1:
                return Reduction.map(KILN_MAP_SIGN, x) * g
            default:
                return Reduction.map(KILN_MAP_NORM_GRAD, x, out, p: p) * g
            }
        }
    }

    /// The p-norm over one axis.
    public func norm(p: Float = 2, axis: Int, keepingDims: Bool = false) -> Tensor {
        norm(p: p, axes: [axis], keepingDims: keepingDims)
    }
}
