import Kiln

/// A fully connected layer, `y = x·weightᵀ + bias`, with PyTorch's parameter layout:
/// `weight` `[out, in]` and `bias` `[out]`.
///
/// Both start as PyTorch's do: uniform in `±1/√in`.
public final class Linear: Module {
    @Parameter public var weight: Tensor
    /// The bias, or nil for a layer built with `bias: false`.
    public let bias: Parameter?

    /// A layer from `inFeatures` to `outFeatures`, with a bias unless `bias` is false, its parameters
    /// drawn from `generator`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator = Random.default) {
        precondition(inFeatures >= 0 && outFeatures >= 0, "Linear: negative size \(inFeatures) → \(outFeatures)")
        weight = Init.layerWeight([outFeatures, inFeatures], generator: generator)
        self.bias = bias ? Parameter(wrappedValue: Init.layerBias(outFeatures, fanIn: inFeatures, generator: generator)) : nil
        super.init()
    }

    /// `x` is `[..., in]`; the result is `[..., out]`.
    public override func forward(_ x: Tensor) -> Tensor {
        linear(x, weight: weight, bias: bias?.value)
    }

    public override var extraDescription: String {
        "in_features=\(weight.shape[1]), out_features=\(weight.shape[0]), bias=\(PythonText.bool(bias != nil))"
    }
}
