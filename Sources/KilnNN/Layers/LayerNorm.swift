import Kiln

/// Layer normalization (Ba et al., 2016), PyTorch's `LayerNorm`: each sample is normalized over its last
/// dimensions `normalizedShape` by their mean and population variance, then scaled by `weight` and
/// shifted by `bias` (both of shape `normalizedShape`, ones and zeros at first).
///
/// Runs on the fused row kernels of ``layerNorm(_:weight:bias:eps:)``, the normalized dimensions flattened into one.
public final class LayerNorm: Module {
    public let normalizedShape: [Int]
    public let eps: Float
    /// γ, or nil without `elementwiseAffine`.
    public let weight: Parameter?
    /// β, or nil without `elementwiseAffine` or `bias`.
    public let bias: Parameter?

    /// Normalization over the last dimensions `normalizedShape`; `elementwiseAffine` adds the learned
    /// `weight`, and `bias` (with it) the learned shift.
    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
                     "LayerNorm: normalized shape \(normalizedShape) must be non-empty and positive")
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Parameter(wrappedValue: Init.ones(normalizedShape)) : nil
        self.bias = elementwiseAffine && bias ? Parameter(wrappedValue: Init.zeros(normalizedShape)) : nil
        super.init()
    }

    /// Normalizes over one last dimension of size `features`.
    public convenience init(_ features: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.init([features], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank >= normalizedShape.count && Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
                     "LayerNorm: input \(x.shape) does not end in the normalized shape \(normalizedShape)")
        let size = normalizedShape.reduce(1, *)
        let rows = Array(x.shape.dropLast(normalizedShape.count)) + [size]
        return layerNorm(x.reshaped(rows), weight: weight?.value.reshaped([size]), bias: bias?.value.reshaped([size]), eps: eps)
            .reshaped(x.shape)
    }

    /// PyTorch's text; `bias` reads False without `elementwiseAffine`, as Kiln keeps no bias switch then.
    public override var extraDescription: String {
        "\(PythonText.tuple(normalizedShape)), eps=\(PythonText.float(eps)), elementwise_affine=\(PythonText.bool(weight != nil)), "
            + "bias=\(PythonText.bool(bias != nil))"
    }
}

/// Root-mean-square normalization (Zhang & Sennrich, 2019), PyTorch's `RMSNorm`:
/// `x / √(mean(x²) + eps) · weight` over the last dimensions `normalizedShape`.
/// A nil `eps` means the machine epsilon of `Float`, as in PyTorch.
public final class RMSNorm: Module {
    public let normalizedShape: [Int]
    public let eps: Float?
    /// γ (ones at first), or nil without `elementwiseAffine`.
    public let weight: Parameter?

    /// Normalization over the last dimensions `normalizedShape`, with a learned `weight` when `elementwiseAffine`.
    public init(_ normalizedShape: [Int], eps: Float? = nil, elementwiseAffine: Bool = true) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
                     "RMSNorm: normalized shape \(normalizedShape) must be non-empty and positive")
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Parameter(wrappedValue: Init.ones(normalizedShape)) : nil
        super.init()
    }

    /// Normalizes over one last dimension of size `features`.
    public convenience init(_ features: Int, eps: Float? = nil, elementwiseAffine: Bool = true) {
        self.init([features], eps: eps, elementwiseAffine: elementwiseAffine)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank >= normalizedShape.count && Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
                     "RMSNorm: input \(x.shape) does not end in the normalized shape \(normalizedShape)")
        let axes = Array((x.rank - normalizedShape.count)..<x.rank)
        let y = x * ((x * x).mean(axes: axes, keepingDims: true) + (eps ?? Float.ulpOfOne)).rsqrt()
        return weight.map { y * $0.value } ?? y
    }

    public override var extraDescription: String {
        "\(PythonText.tuple(normalizedShape)), eps=\(eps.map(PythonText.float) ?? "None"), elementwise_affine=\(PythonText.bool(weight != nil))"
    }
}
