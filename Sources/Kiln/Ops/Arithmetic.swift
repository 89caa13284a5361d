import CKilnKernels

/// Elementwise binary arithmetic with NumPy broadcasting and PyTorch's type promotion
/// (see ``Tensor/arithmeticType(_:_:_:name:)``).
extension Tensor {
    /// Applies a binary kernel to two tensors, broadcasting them to a common shape; integer and bool
    /// operands are promoted as PyTorch does.
    static func binary(_ op: kiln_binary_op, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        if a.dtype != .float32 || b.dtype != .float32 {
            if arithmeticType(op, a, b, name: name) == .int64 { return integerBinary(op, a, b, name: name) }
            return binary(op, a.detached().cast(to: .float32), b.detached().cast(to: .float32), name: name)
        }
        // Fast path: same shape, both contiguous.
        if a.shape == b.shape, a.isContiguous, b.isContiguous {
            let out = Tensor(uninitializedShape: a.shape)
            let n = out.count
            let pa = a.floatPointer, pb = b.floatPointer, po = out.floatPointer
            parallelChunks(n) { r in
                kiln_binary_f32(op, pa + r.lowerBound, 1, pb + r.lowerBound, 1, po + r.lowerBound, r.count)
            }
            return out
        }
        let shape = Broadcast.shape(a.shape, b.shape, op: name)
        // Fast path: a contiguous tensor against a single value (stride 0), split by elements.
        if b.count == 1, shape == a.shape, a.isContiguous {
            return scalarBroadcast(op, a, sa: 1, b, sb: 0)
        }
        if a.count == 1, shape == b.shape, b.isContiguous {
            return scalarBroadcast(op, a, sa: 0, b, sb: 1)
        }
        let ea = a.expandedData(to: shape), eb = b.expandedData(to: shape)
        let out = Tensor(uninitializedShape: shape)
        let rows = RowLayout(shape: shape, strides: [out.strides, ea.strides, eb.strides])
        let pa = ea.floatPointer, pb = eb.floatPointer, po = out.floatPointer
        let sa = rows.innerStrides[1], sb = rows.innerStrides[2]
        let vectorizable = (sa == 0 || sa == 1) && (sb == 0 || sb == 1)
        parallelChunks(rows.rowCount, costPerItem: rows.rowLength) { range in
            rows.forEachRow(in: range) { o, n in
                if vectorizable {
                    kiln_binary_f32(op, pa + o[1], sa, pb + o[2], sb, po + o[0], n)
                } else {
                    kiln_binary_strided_f32(op, pa + o[1], sa, pb + o[2], sb, po + o[0], 1, n)
                }
            }
        }
        return out
    }

    /// `a op b` where one operand is a single value (stride 0) and the other contiguous (stride 1).
    private static func scalarBroadcast(_ op: kiln_binary_op, _ a: Tensor, sa: Int, _ b: Tensor, sb: Int) -> Tensor {
        let out = Tensor(uninitializedShape: sa == 1 ? a.shape : b.shape)
        let pa = a.floatPointer, pb = b.floatPointer, po = out.floatPointer
        parallelChunks(out.count) { r in
            kiln_binary_f32(op, pa + r.lowerBound * sa, sa, pb + r.lowerBound * sb, sb, po + r.lowerBound, r.count)
        }
        return out
    }

    /// The data broadcast to `shape` as a view, without recording.
    func expandedData(to shape: [Int]) -> Tensor {
        withoutGradient { detached().expanded(to: shape) }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(KILN_ADD, a, b, name: "add")
        return Autograd.record(out, a, b) { g in
            (a.requiresGradient ? g.summed(toShape: a.shape) : nil,
             b.requiresGradient ? g.summed(toShape: b.shape) : nil)
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(KILN_SUB, a, b, name: "sub")
        return Autograd.record(out, a, b) { g in
            (a.requiresGradient ? g.summed(toShape: a.shape) : nil,
             b.requiresGradient ? (-g).summed(toShape: b.shape) : nil)
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(KILN_MUL, a, b, name: "mul")
        return Autograd.record(out, a, b) { g in
            (a.requiresGradient ? (g * b).summed(toShape: a.shape) : nil,
             b.requiresGradient ? (g * a).summed(toShape: b.shape) : nil)
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(KILN_DIV, a, b, name: "div")
        return Autograd.record(out, a, b) { g in
            (a.requiresGradient ? (g / b).summed(toShape: a.shape) : nil,
             b.requiresGradient ? (-(g * a) / (b * b)).summed(toShape: b.shape) : nil)
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        precondition(a.dtype != .bool, "neg: cannot negate a bool tensor \(a.shape); use .! for logical not")
        let out = binary(KILN_SUB, Tensor(zeros: [], dtype: a.dtype), a.detached(), name: "neg")
        return Autograd.record(out, a) { -$0 }
    }

    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
}
