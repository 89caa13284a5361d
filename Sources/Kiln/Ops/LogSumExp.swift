import CKilnKernels
import Foundation

/// The smooth maximum: log Σ exp.
extension Tensor {
    /// `log(sum(exp(x)))` over `axes` (all axes when empty), computed stably by shifting by the maximum.
    ///
    /// Its gradient is the softmax over `axes`. Zero elements give -inf, as in PyTorch.
    public func logSumExp(axes: [Int] = [], keepingDims: Bool = false) -> Tensor {
        precondition(dtype == .float32, "logSumExp: expects a float tensor, got \(dtype)")
        let axes = normalizedAxes(axes, op: "logSumExp")
        let x = detached()
        let keptShape = Reduction.keptShape(shape, axes)
        // Infinite maxima would make x - max NaN; shifting by 0 instead gives the right ±inf.
        let shift = Reduction.reduce(x, over: axes, keepingDims: true, op: KILN_REDUCE_MAX, name: "logSumExp")
        let ps = shift.floatPointer
        for i in 0..<shift.count where !ps[i].isFinite && !ps[i].isNaN { ps[i] = 0 }
        let exps = Reduction.map(KILN_MAP_EXP_SUB, x, shift)
        let sums = Reduction.reduce(exps, over: axes, keepingDims: true, op: KILN_REDUCE_SUM, name: "logSumExp")
        let out = Tensor(uninitializedShape: keptShape)
        let po = out.floatPointer, pe = sums.floatPointer
        for i in 0..<out.count { po[i] = Foundation.log(pe[i]) + ps[i] }
        let result = out.reshaped(Reduction.resultShape(shape, axes, keepingDims: keepingDims))
        return Autograd.record(result, self) { g in
            Reduction.map(KILN_MAP_EXP_SUB, x, out) * g.reshaped(keptShape)
        }
    }

    /// `log(sum(exp(x)))` over one axis.
    public func logSumExp(axis: Int, keepingDims: Bool = false) -> Tensor {
        logSumExp(axes: [axis], keepingDims: keepingDims)
    }
}
