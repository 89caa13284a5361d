import CKilnKernels

/// The elementwise larger of `a` and `b` (broadcasting; NaN wins, as in PyTorch).
///
/// The gradient goes to the larger input and is split evenly between equal inputs.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let y = Tensor.binary(KILN_MAX, a.detached(), b.detached(), name: "maximum")
    return Autograd.record(y, a, b) { g in
        Tensor.routeToWinner(g, a, b, aLoses: a.detached() .< b.detached(), bLoses: b.detached() .< a.detached())
    }
}

/// The elementwise smaller of `a` and `b` (broadcasting; NaN wins, as in PyTorch).
///
/// The gradient goes to the smaller input and is split evenly between equal inputs.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let y = Tensor.binary(KILN_MIN, a.detached(), b.detached(), name: "minimum")
    return Autograd.record(y, a, b) { g in
        Tensor.routeToWinner(g, a, b, aLoses: a.detached() .> b.detached(), bLoses: b.detached() .> a.detached())
    }
}

extension Tensor {
    /// Gradients of a max/min: `g` to each input except where it lost (`aLoses`, `bLoses`), halved on ties.
    static func routeToWinner(_ g: Tensor, _ a: Tensor, _ b: Tensor,
                              aLoses: Tensor, bLoses: Tensor) -> (Tensor?, Tensor?) {
        let tie = (a.detached() .== b.detached()).cast(to: .float32) * 0.5
        let ga = a.requiresGradient ? (g * (1 - aLoses.cast(to: .float32) - tie)).summed(toShape: a.shape) : nil
        let gb = b.requiresGradient ? (g * (1 - bLoses.cast(to: .float32) - tie)).summed(toShape: b.shape) : nil
        return (ga, gb)
    }

    /// Each element limited to `min...max` (either bound may be omitted); NaN stays NaN.
    ///
    /// The gradient is 1 where `min ≤ x ≤ max` and 0 outside, as in PyTorch.
    public func clamped(min lower: Float? = nil, max upper: Float? = nil) -> Tensor {
        precondition(lower != nil || upper != nil, "clamped: give at least one of min and max")
        precondition(dtype == .float32, "clamped: expects a float tensor, got \(dtype) \(shape)")
        let lo = lower ?? -.infinity, hi = upper ?? .infinity
        let walk = ElementwiseRows([detached()], outputType: .float32, name: "clamped")
        let px = walk.inputs[0].floatPointer, po = walk.output.floatPointer
        let sx = walk.rows.innerStrides[1]
        walk.forEachRow { o, n in kiln_clamp_f32(px + o[1], sx, po + o[0], 1, n, lo, hi) }
        let x = detached()
        return Autograd.record(walk.output, self) { g in
            g * ((x .>= lo) .& (x .<= hi)).cast(to: .float32)
        }
    }
}
