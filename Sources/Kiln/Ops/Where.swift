import CKilnKernels

/// Selection by a bool mask.
extension Tensor {
    /// Elements of `a` where `condition` is true and of `b` elsewhere; all three broadcast together.
    ///
    /// The gradient of each branch is the incoming gradient where that branch was chosen.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(condition.dtype == .bool, "where: condition must be bool, got \(condition.dtype) \(condition.shape)")
        precondition(a.dtype == .float32 && b.dtype == .float32,
                     "where: expects float branches, got \(a.dtype) \(a.shape) and \(b.dtype) \(b.shape)")
        let c = condition.detached()
        let walk = ElementwiseRows([c, a.detached(), b.detached()], outputType: .float32, name: "where")
        let pc = walk.inputs[0].elementPointer(UInt8.self)
        let pa = walk.inputs[1].floatPointer, pb = walk.inputs[2].floatPointer, po = walk.output.floatPointer
        let s = walk.rows.innerStrides
        walk.forEachRow { o, n in kiln_where_f32(pc + o[1], s[1], pa + o[2], s[2], pb + o[3], s[3], po + o[0], s[0], n) }
        return Autograd.record(walk.output, a, b) { g in
            let zero = Tensor(0)
            return (a.requiresGradient ? Tensor.where(c, g, zero).summed(toShape: a.shape) : nil,
                    b.requiresGradient ? Tensor.where(c, zero, g).summed(toShape: b.shape) : nil)
        }
    }

    /// This tensor with `value` wherever `mask` (bool, broadcastable to this shape) is true.
    public func maskedFill(_ mask: Tensor, _ value: Float) -> Tensor {
        let shape = Broadcast.shape(self.shape, mask.shape, op: "maskedFill")
        precondition(shape == self.shape, "maskedFill: mask \(mask.shape) does not broadcast to \(self.shape)")
        return Tensor.where(mask, Tensor(value), self)
    }
}
