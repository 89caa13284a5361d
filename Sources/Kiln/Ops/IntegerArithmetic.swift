import CKilnKernels

/// Arithmetic on integer and bool tensors, and PyTorch's type promotion between them and floats.
///
/// - A float operand makes the result float: `int64 + float32 → float32`, `bool · float32 → float32`.
/// - Otherwise `+`, `−`, `×`, maximum and minimum stay `int64` (bool counts as 0 and 1) and wrap
///   around on overflow, as PyTorch's do.
/// - `/` is true division: integers divide as floats (`7 / 2 = 3.5`), as `torch.div` does;
///   ``Tensor/floorDivided(by:)`` is the integer quotient. Powers are taken in float.
/// - Two bool tensors do not take part in arithmetic; cast one first.
///
/// Scalar operands in Swift are `Float`, so `x * 2` is float32 even for an int64 `x` (PyTorch keeps
/// int64 for a Python int); multiply by an int64 tensor, `x * Tensor([2], shape: [])`, to stay integer.
extension Tensor {
    /// The element type of `a op b` under PyTorch's promotion rules (see above).
    static func arithmeticType(_ op: kiln_binary_op, _ a: Tensor, _ b: Tensor, name: String) -> DType {
        precondition(a.dtype != .bool || b.dtype != .bool,
                     "\(name): arithmetic on two bool tensors \(a.shape) and \(b.shape); cast one to int64 or float32 first")
        let floatOnly = op == KILN_DIV || op == KILN_POW
        return a.dtype == .float32 || b.dtype == .float32 || floatOnly ? .float32 : .int64
    }

    /// `a op b` on two tensors cast to int64, broadcast to a common shape; not differentiable.
    static func integerBinary(_ op: kiln_binary_op, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        let walk = ElementwiseRows([a.detached().cast(to: .int64), b.detached().cast(to: .int64)], outputType: .int64, name: name)
        let pa = walk.inputs[0].elementPointer(Int.self), pb = walk.inputs[1].elementPointer(Int.self)
        let po = walk.output.elementPointer(Int.self)
        let s = walk.rows.innerStrides
        /// Applies `f` along one row.
        func rows(_ f: (Int, Int) -> Int) {
            walk.forEachRow { o, n in
                for i in 0..<n { po[o[0] + i * s[0]] = f(pa[o[1] + i * s[1]], pb[o[2] + i * s[2]]) }
            }
        }
        switch op {
        case KILN_ADD: rows(&+)
        case KILN_SUB: rows(&-)
        case KILN_MUL: rows(&*)
        case KILN_MAX: rows(Swift.max)
        case KILN_MIN: rows(Swift.min)
        default: preconditionFailure("\(name): no integer form")
        }
        return walk.output
    }

    /// The integer quotient rounded towards −∞ (PyTorch's `floor_divide`, Python's `//`) of two
    /// integer or bool tensors, broadcast; stops on division by zero, as PyTorch raises.
    public func floorDivided(by divisor: Tensor) -> Tensor {
        precondition(dtype != .float32 && divisor.dtype != .float32,
                     "floorDivided: expects integer tensors, got \(dtype) and \(divisor.dtype); use (a / b).floor() for floats")
        let walk = ElementwiseRows([detached().cast(to: .int64), divisor.detached().cast(to: .int64)], outputType: .int64,
                                   name: "floorDivided")
        let pa = walk.inputs[0].elementPointer(Int.self), pb = walk.inputs[1].elementPointer(Int.self)
        let po = walk.output.elementPointer(Int.self)
        let s = walk.rows.innerStrides
        walk.forEachRow { o, n in
            for i in 0..<n {
                let (x, y) = (pa[o[1] + i * s[1]], pb[o[2] + i * s[2]])
                precondition(y != 0, "floorDivided: integer division by zero")
                let q = x.dividedReportingOverflow(by: y).partialValue
                let r = x.remainderReportingOverflow(dividingBy: y).partialValue
                po[o[0] + i * s[0]] = r != 0 && (r < 0) != (y < 0) ? q - 1 : q
            }
        }
        return walk.output
    }

    /// The int64 sum over sorted `axes` of an integer or bool tensor (PyTorch sums these to int64),
    /// wrapping around on overflow; not differentiable.
    func integerSum(axes: [Int], keepingDims: Bool) -> Tensor {
        let x = detached().cast(to: .int64)
        let out = Tensor(zeros: Reduction.resultShape(shape, axes, keepingDims: keepingDims), dtype: .int64)
        // Each input element adds into the output at its kept coordinates: reduced axes have output stride 0.
        let keptStrides = Tensor.contiguousStrides(Reduction.keptShape(shape, axes))
        let outStrides = shape.indices.map { axes.contains($0) ? 0 : keptStrides[$0] }
        let rows = RowLayout(shape: shape, strides: [outStrides, x.strides])
        let px = x.elementPointer(Int.self), po = out.elementPointer(Int.self)
        let (so, sx) = (rows.innerStrides[0], rows.innerStrides[1])
        rows.forEachRow(in: 0..<rows.rowCount) { o, n in
            for i in 0..<n { po[o[0] + i * so] &+= px[o[1] + i * sx] }
        }
        return withExtendedLifetime(x) { out }
    }
}
