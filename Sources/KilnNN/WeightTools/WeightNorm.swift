import Kiln

/// Weight normalization (Salimans & Kingma, 2016): the layer's weight is `w = g · v / ‖v‖`, the norm
/// taken over every dimension but `dim`, so each output row (for `dim` 0) has length `g`.
///
/// Parameters are named as PyTorch's `torch.nn.utils.weight_norm`: `weight_g` (shape 1 except along
/// `dim`) and `weight_v` (the weight's shape), so its state dicts load directly. A state dict of
/// `torch.nn.utils.parametrizations.weight_norm` loads after renaming `parametrizations.weight.original0`
/// to `weight_g` and `original1` to `weight_v`. At creation `g = ‖w‖` and `v = w`, so the layer computes
/// what it did before.
///
/// ```swift
/// let layer = WeightNormalized(Linear(784, 128))
/// let y = layer(x)        // parameters: bias, weight_g [128, 1], weight_v [128, 784]
/// ```
public final class WeightNormalized<Layer: Module>: Reparameterized<Layer> {
    /// The dimension that keeps one magnitude per slice.
    public let dim: Int
    /// `g`, named `<parameter>_g`.
    public let magnitude: Parameter
    /// `v`, named `<parameter>_v`.
    public let direction: Parameter
    private let normAxes: [Int]

    /// Wraps `layer`, reparameterizing its parameter `name` (a tensor of rank ≥ 2) along `dim`.
    public init(_ layer: Layer, parameter name: String = "weight", dim: Int = 0) {
        let w = Self.parameter(name, of: layer).value.detached()
        precondition(w.rank >= 2 && dim >= -w.rank && dim < w.rank,
                     "WeightNormalized: parameter '\(name)' of shape \(w.shape) has no dimension \(dim) to keep apart")
        let kept = dim < 0 ? dim + w.rank : dim
        self.dim = kept
        normAxes = (0..<w.rank).filter { $0 != kept }
        magnitude = Parameter(wrappedValue: w.norm(axes: normAxes, keepingDims: true))
        direction = Parameter(wrappedValue: w)
        super.init(layer, parameter: name)
    }

    /// `g · v / ‖v‖`.
    public override func computeWeight() -> Tensor {
        let v = direction.value
        return magnitude.value * (v / v.norm(axes: normAxes, keepingDims: true))
    }

    public override var ownParameters: [(name: String, parameter: Parameter)] {
        super.ownParameters + [("\(parameterName)_g", magnitude), ("\(parameterName)_v", direction)]
    }
}
