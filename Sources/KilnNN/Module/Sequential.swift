import Kiln

/// Modules applied one after another; children are named `0`, `1`, … as in PyTorch.
///
/// Each layer gets one tensor, the previous layer's output, so a layer that needs several inputs
/// (see ``Module/inputArity``) cannot be a layer of a `Sequential`: call it from a module's `forward`.
///
/// ```swift
/// let model = Sequential {
///     Linear(784, 128); ReLU()
///     Linear(128, 10)
/// }
/// ```
public final class Sequential: Module {
    /// The layers, in order.
    public let layers: [Module]

    /// - Precondition: every layer can be called with one input.
    public init(_ layers: [Module]) {
        for (i, layer) in layers.enumerated() where !layer.inputArity.contains(1) {
            preconditionFailure("Sequential: layer \(i) (\(type(of: layer))) takes \(layer.inputArity.countDescription) inputs, but Sequential "
                                + "passes one tensor from layer to layer; call it from a Module's forward(_ inputs:) instead")
        }
        self.layers = layers
        super.init()
    }

    /// The layers listed in `build`, in order: `Sequential { Linear(4, 8); ReLU(); Linear(8, 2) }`.
    public convenience init(@ModuleBuilder _ build: () -> [Module]) {
        self.init(build())
    }

    public override var namedChildren: [(name: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    /// Runs the layers in order; a run that ``LayerFusion`` recognizes (batch norm, ReLU, 2 × 2 max
    /// pooling) runs as one op with the same result.
    public override func forward(_ input: Tensor) -> Tensor {
        var (x, i) = (input, 0)
        while i < layers.count {
            if let fused = LayerFusion.apply(layers, at: i, to: x) {
                (x, i) = (fused.output, i + fused.layers)
            } else {
                (x, i) = (layers[i](x), i + 1)
            }
        }
        return x
    }
}

/// Builds a list of modules from a block of module expressions.
@resultBuilder
public enum ModuleBuilder {
    public static func buildExpression(_ module: Module) -> [Module] { [module] }
    public static func buildExpression(_ modules: [Module]) -> [Module] { modules }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    public static func buildEither(first: [Module]) -> [Module] { first }
    public static func buildEither(second: [Module]) -> [Module] { second }
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}
