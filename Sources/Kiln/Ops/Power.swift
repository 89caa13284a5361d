import CKilnKernels

/// Powers: tensor to a tensor (broadcasting) and tensor to a scalar.
extension Tensor {
    /// Each element raised to the matching element of `exponent` (broadcasting).
    ///
    /// Gradients follow PyTorch: zero for the base where the exponent is 0, and zero for the
    /// exponent where the base is 0 and the exponent is non-negative.
    public func pow(_ exponent: Tensor) -> Tensor {
        let a = detached(), b = exponent.detached()
        let y = Tensor.binary(KILN_POW, a, b, name: "pow")
        return Autograd.record(y, self, exponent) { g in
            var ga: Tensor?, gb: Tensor?
            if self.requiresGradient {
                let slope = b * a.pow(b - 1)
                ga = (g * Tensor.where(b .== 0, Tensor(0), slope)).summed(toShape: a.shape)
            }
            if exponent.requiresGradient {
                let slope = y * a.log()
                gb = (g * Tensor.where((a .== 0) .& (b .>= 0), Tensor(0), slope)).summed(toShape: b.shape)
            }
            return (ga, gb)
        }
    }

    /// Each element raised to `exponent`; squares and square roots take exact fast paths.
    public func pow(_ exponent: Float) -> Tensor {
        let x = detached()
        let y: Tensor
        switch exponent {
        case 1: y = x.contiguousData()
        case 2: y = Tensor.binary(KILN_MUL, x, x, name: "pow")
        case 0.5: y = x.sqrt()
        default: y = Tensor.binary(KILN_POW, x, Tensor(exponent), name: "pow")
        }
        return Autograd.record(y, self) { g in
            switch exponent {
            case 0: Tensor(zeros: g.shape)
            case 1: g
            case 2: g * x * 2
            default: g * x.pow(exponent - 1) * exponent
            }
        }
    }
}
