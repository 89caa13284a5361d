import CKilnKernels

/// Elementwise math functions with PyTorch semantics, each with its derivative.
extension Tensor {
    /// Applies a unary float kernel to every element; strided and broadcast views are read in place.
    func mapFloats(_ op: kiln_unary_op, name: String, costPerElement: Int = 4) -> Tensor {
        precondition(dtype == .float32, "\(name): expects a float tensor, got \(dtype) \(shape)")
        let out = Tensor(uninitializedShape: shape)
        let px = floatPointer, po = out.floatPointer
        if isContiguous {
            parallelChunks(count, costPerItem: costPerElement) { r in
                kiln_unary_f32(op, px + r.lowerBound, po + r.lowerBound, r.count)
            }
            return out
        }
        let rows = RowLayout(shape: shape, strides: [out.strides, strides])
        let sx = rows.innerStrides[1]
        parallelChunks(rows.rowCount, costPerItem: rows.rowLength * costPerElement) { range in
            rows.forEachRow(in: range) { o, n in kiln_unary_strided_f32(op, px + o[1], sx, po + o[0], 1, n) }
        }
        return out
    }

    /// e^x.
    public func exp() -> Tensor {
        let y = mapFloats(KILN_EXP, name: "exp")
        return Autograd.record(y, self) { g in g * y }
    }

    /// e^x - 1, accurate for small x.
    public func expm1() -> Tensor {
        let y = mapFloats(KILN_EXPM1, name: "expm1")
        return Autograd.record(y, self) { g in g * (y + 1) }
    }

    /// The natural logarithm (-inf at 0, NaN below).
    public func log() -> Tensor {
        let x = detached(), y = mapFloats(KILN_LOG, name: "log")
        return Autograd.record(y, self) { g in g / x }
    }

    /// log(1 + x), accurate for small x.
    public func log1p() -> Tensor {
        let x = detached(), y = mapFloats(KILN_LOG1P, name: "log1p")
        return Autograd.record(y, self) { g in g / (x + 1) }
    }

    /// The square root.
    public func sqrt() -> Tensor {
        let y = mapFloats(KILN_SQRT, name: "sqrt", costPerElement: 1)
        return Autograd.record(y, self) { g in g / (2 * y) }
    }

    /// 1 / √x.
    public func rsqrt() -> Tensor {
        let y = mapFloats(KILN_RSQRT, name: "rsqrt", costPerElement: 1)
        return Autograd.record(y, self) { g in g * (y * y * y) * -0.5 }
    }

    /// The absolute value; its gradient is sign(x), so 0 at 0.
    public func abs() -> Tensor {
        let x = detached(), y = mapFloats(KILN_ABS, name: "abs", costPerElement: 1)
        return Autograd.record(y, self) { g in g * x.sign() }
    }

    /// -1, 0 or 1 by the sign of each element (0 for ±0 and NaN, as PyTorch); its gradient is zero.
    public func sign() -> Tensor {
        let y = mapFloats(KILN_SIGN, name: "sign", costPerElement: 1)
        return Autograd.record(y, self) { g in Tensor(zeros: g.shape) }
    }

    /// The sine (radians).
    public func sin() -> Tensor {
        let x = detached(), y = mapFloats(KILN_SIN, name: "sin")
        return Autograd.record(y, self) { g in g * x.cos() }
    }

    /// The cosine (radians).
    public func cos() -> Tensor {
        let x = detached(), y = mapFloats(KILN_COS, name: "cos")
        return Autograd.record(y, self) { g in -(g * x.sin()) }
    }

    /// The hyperbolic tangent.
    public func tanh() -> Tensor {
        let y = mapFloats(KILN_TANH, name: "tanh")
        return Autograd.record(y, self) { g in g * (1 - y * y) }
    }

    /// The logistic function 1 / (1 + e^-x).
    public func sigmoid() -> Tensor {
        let y = mapFloats(KILN_SIGMOID, name: "sigmoid")
        return Autograd.record(y, self) { g in g * (y * (1 - y)) }
    }

    /// The error function.
    public func erf() -> Tensor {
        let x = detached(), y = mapFloats(KILN_ERF, name: "erf")
        return Autograd.record(y, self) { g in g * (-(x * x)).exp() * (2 / Float.pi.squareRoot()) }
    }
}
