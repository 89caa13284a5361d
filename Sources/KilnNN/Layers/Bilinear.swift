import Kiln

/// A bilinear layer of two inputs, PyTorch's `Bilinear`: `y_o = x1ᵀ·weight_o·x2 + bias_o`, with `weight`
/// `[out, in1, in2]` and `bias` `[out]`, both starting uniform in `±1/√in1` as PyTorch's do.
///
/// It takes two inputs, `bilinear(x1, x2)`, so it cannot be a layer of a ``Sequential``.
public final class Bilinear: Module {
    @Parameter public var weight: Tensor
    /// The bias, or nil for a layer built with `bias: false`.
    public let bias: Parameter?

    /// A layer from inputs of `in1Features` and `in2Features` to `outFeatures`, with a bias unless `bias`
    /// is false, its parameters drawn from `generator`.
    public init(_ in1Features: Int, _ in2Features: Int, _ outFeatures: Int, bias: Bool = true,
                generator: RandomGenerator = Random.default) {
        precondition(in1Features > 0 && in2Features > 0 && outFeatures >= 0,
                     "Bilinear: sizes \(in1Features), \(in2Features) → \(outFeatures) must be positive")
        let bound = 1 / Float(in1Features).squareRoot()
        weight = Init.uniform([outFeatures, in1Features, in2Features], low: -bound, high: bound, generator: generator)
        self.bias = bias ? Parameter(wrappedValue: Init.layerBias(outFeatures, fanIn: in1Features, generator: generator)) : nil
        super.init()
    }

    public override var inputArity: ClosedRange<Int> { 2...2 }

    /// `inputs` are `x1` `[..., in1]` and `x2` `[..., in2]` with the same leading shape; the result is `[..., out]`.
    public override func forward(_ inputs: [Tensor]) -> Tensor {
        let (x1, x2) = (inputs[0], inputs[1])
        let (outFeatures, in1, in2) = (weight.shape[0], weight.shape[1], weight.shape[2])
        precondition(x1.rank >= 1 && x1.shape.last == in1 && x2.shape.last == in2 && x1.shape.dropLast() == x2.shape.dropLast(),
                     "Bilinear: inputs \(x1.shape) and \(x2.shape) are not [..., \(in1)] and [..., \(in2)] with the same leading shape")
        let leading = Array(x1.shape.dropLast())
        let rows = leading.reduce(1, *)
        // x1·W as one product over in1, giving [rows, out, in2], then contracted with x2 over in2.
        let byInput1 = weight.permuted([1, 0, 2]).reshaped([in1, outFeatures * in2])
        let projected = x1.reshaped([rows, in1]).matmul(byInput1).reshaped([rows, outFeatures, in2])
        var y = (projected * x2.reshaped([rows, 1, in2])).sum(axis: 2)
        if let bias { y = y + bias.value }
        return y.reshaped(leading + [outFeatures])
    }

    public override var extraDescription: String {
        "in1_features=\(weight.shape[1]), in2_features=\(weight.shape[2]), out_features=\(weight.shape[0]), "
            + "bias=\(PythonText.bool(bias != nil))"
    }
}
