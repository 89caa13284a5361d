import Kiln

/// A wrapper that computes one parameter of a layer from parameters of its own before every forward
/// pass: the base of ``WeightNormalized`` and ``SpectralNormalized``.
///
/// The wrapper takes the layer's place in the module tree. Its parameters and buffers are the
/// layer's, minus the reparameterized one, plus the wrapper's own, all at the layer's level, so a
/// wrapped `Linear` in a `Sequential` has `0.bias`, `0.weight_g`, `0.weight_v` — the names of
/// PyTorch's `torch.nn.utils.weight_norm` and `spectral_norm`. The layer's original parameter is frozen and,
/// after each forward pass, holds the last computed value (detached) for inspection.
///
/// Subclasses override ``computeWeight()``; layers called with more than one argument (a recurrent
/// layer with a state) go through ``withComputedWeight(_:)``.
open class Reparameterized<Layer: Module>: Module {
    /// The wrapped layer.
    public let layer: Layer
    /// The name of the layer's parameter that is computed (`"weight"`).
    public let parameterName: String
    let target: Parameter

    /// Wraps `layer`, whose own parameter `name` will be computed by ``computeWeight()``.
    public init(_ layer: Layer, parameter name: String) {
        self.layer = layer
        self.parameterName = name
        self.target = Self.parameter(name, of: layer)
        super.init()
        target.isFrozen = true
    }

    /// The layer's own parameter `name`, or a stop naming the ones it has.
    static func parameter(_ name: String, of layer: Layer) -> Parameter {
        guard let p = layer.ownParameters.first(where: { $0.name == name })?.parameter else {
            preconditionFailure("\(Self.self): \(type(of: layer)) has no parameter '\(name)' (it has \(layer.ownParameters.map(\.name)))")
        }
        return p
    }

    /// The layer's parameter as a function of this module's parameters; recorded for autodiff.
    open func computeWeight() -> Tensor {
        fatalError("\(type(of: self)) must override computeWeight()")
    }

    /// Runs `body` on the layer while its parameter holds the freshly computed value.
    public func withComputedWeight<R>(_ body: (Layer) -> R) -> R {
        if layer.isTraining != isTraining { layer.train(isTraining) }
        let weight = computeWeight()
        target.substitute = weight
        defer {
            target.substitute = nil
            target.value = weight.detached()
        }
        return body(layer)
    }

    /// The layer's output with the computed parameter.
    open override func forward(_ input: Tensor) -> Tensor { withComputedWeight { $0(input) } }

    /// The layer's output on several inputs with the computed parameter.
    open override func forward(_ inputs: [Tensor]) -> Tensor { withComputedWeight { $0(inputs) } }

    open override var inputArity: ClosedRange<Int> { layer.inputArity }

    /// The layer's text, as PyTorch's `weight_norm` and `spectral_norm` leave the layer's `repr` unchanged.
    open override var description: String { layer.description }

    open override var namedChildren: [(name: String, module: Module)] { layer.namedChildren }

    open override var ownParameters: [(name: String, parameter: Parameter)] {
        layer.ownParameters.filter { $0.name != parameterName }
    }

    open override var ownBuffers: [(name: String, buffer: Buffer)] { layer.ownBuffers }
}
