import CKilnKernels

/// Elementwise comparisons (bool results, broadcasting) and logical operations on bool tensors.
///
/// The operators are the standard library's pointwise ones: `a .< b`, `x .== 0`, `m .& n`, `.!m`.
/// Float and integer tensors compare directly; mixed types compare as floats. None of these
/// is differentiable.
extension Tensor {
    static func compare(_ op: kiln_compare_op, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        var a = a.detached(), b = b.detached()
        if a.dtype != b.dtype || a.dtype == .bool {
            let common: DType = a.dtype == .float32 || b.dtype == .float32 ? .float32 : .int64
            a = a.cast(to: common)
            b = b.cast(to: common)
        }
        let walk = ElementwiseRows([a, b], outputType: .bool, name: name)
        let po = walk.output.elementPointer(UInt8.self)
        let s = walk.rows.innerStrides
        if a.dtype == .float32 {
            let pa = walk.inputs[0].floatPointer, pb = walk.inputs[1].floatPointer
            walk.forEachRow { o, n in kiln_compare_f32(op, pa + o[1], s[1], pb + o[2], s[2], po + o[0], s[0], n) }
        } else {
            let pa = walk.inputs[0].elementPointer(Int64.self), pb = walk.inputs[1].elementPointer(Int64.self)
            walk.forEachRow { o, n in kiln_compare_i64(op, pa + o[1], s[1], pb + o[2], s[2], po + o[0], s[0], n) }
        }
        return walk.output
    }

    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(KILN_EQ, a, b, name: "==") }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(KILN_NE, a, b, name: "!=") }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(KILN_LT, a, b, name: "<") }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(KILN_LE, a, b, name: "<=") }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(KILN_GT, a, b, name: ">") }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(KILN_GE, a, b, name: ">=") }

    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
    public static func .!= (a: Tensor, b: Float) -> Tensor { a .!= Tensor(b) }
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }

    public static func .== (a: Float, b: Tensor) -> Tensor { Tensor(a) .== b }
    public static func .!= (a: Float, b: Tensor) -> Tensor { Tensor(a) .!= b }
    public static func .< (a: Float, b: Tensor) -> Tensor { Tensor(a) .< b }
    public static func .<= (a: Float, b: Tensor) -> Tensor { Tensor(a) .<= b }
    public static func .> (a: Float, b: Tensor) -> Tensor { Tensor(a) .> b }
    public static func .>= (a: Float, b: Tensor) -> Tensor { Tensor(a) .>= b }

    static func logical(_ op: kiln_logical_op, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        precondition(a.dtype == .bool && b.dtype == .bool,
                     "\(name): expects bool tensors, got \(a.dtype) \(a.shape) and \(b.dtype) \(b.shape)")
        let walk = ElementwiseRows([a.detached(), b.detached()], outputType: .bool, name: name)
        let pa = walk.inputs[0].elementPointer(UInt8.self), pb = walk.inputs[1].elementPointer(UInt8.self)
        let po = walk.output.elementPointer(UInt8.self)
        let s = walk.rows.innerStrides
        walk.forEachRow { o, n in kiln_logical_u8(op, pa + o[1], s[1], pb + o[2], s[2], po + o[0], s[0], n) }
        return walk.output
    }

    /// Elementwise AND of two bool tensors.
    public static func .& (a: Tensor, b: Tensor) -> Tensor { logical(KILN_AND, a, b, name: "and") }
    /// Elementwise OR of two bool tensors.
    public static func .| (a: Tensor, b: Tensor) -> Tensor { logical(KILN_OR, a, b, name: "or") }
    /// Elementwise exclusive OR of two bool tensors.
    public static func .^ (a: Tensor, b: Tensor) -> Tensor { logical(KILN_XOR, a, b, name: "xor") }
    /// Elementwise NOT of a bool tensor.
    public static prefix func .! (a: Tensor) -> Tensor { logical(KILN_XOR, a, Tensor([true], shape: []), name: "not") }
}
