import KilnNN
import KilnTestSupport
import Testing

/// One case of `Fixtures/layers.json` (written by `scripts/fixtures/make_layers.py`): a PyTorch layer's
/// state dictionary, input, output, cotangent and gradients.
struct LayerFixture {
    nonisolated(unsafe) private static let all = Fixtures.load("layers")
    let name: String

    init(_ name: String) {
        precondition(Self.all["\(name).x"] != nil, "no layer fixture \(name)")
        self.name = name
    }

    subscript(key: String) -> Tensor { Self.all["\(name).\(key)"]! }

    /// The tensors under `<case>.<group>.`, by their remaining name.
    func group(_ group: String) -> [String: Tensor] {
        let prefix = "\(name).\(group)."
        var out: [String: Tensor] = [:]
        for (key, value) in Self.all where key.hasPrefix(prefix) { out[String(key.dropFirst(prefix.count))] = value }
        return out
    }

    /// Loads the case's weights into `layer` by name, then checks its output and the gradients of the
    /// input and every parameter under the case's cotangent, to 1e-5 relative above `absolute`.
    func check(_ layer: Module, gradients: String = "grad", output: String = "y", inputGradient: String = "dx",
               absolute: Float = 1e-7, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try layer.load(stateDict: group("state"))
        try checkLoaded(layer, gradients: gradients, output: output, inputGradient: inputGradient, absolute: absolute,
                        sourceLocation: sourceLocation)
    }

    /// ``check(_:gradients:output:inputGradient:absolute:sourceLocation:)`` without loading the weights first.
    func checkLoaded(_ layer: Module, gradients: String = "grad", output: String = "y", inputGradient: String = "dx",
                     absolute: Float = 1e-7, sourceLocation: SourceLocation = #_sourceLocation) throws {
        layer.zeroGradients()
        let input = self["x"]
        let x = input.dtype == .float32 ? input.requiringGradient() : input
        let y = layer(x)
        #expect(y.shape == self[output].shape, "output shape", sourceLocation: sourceLocation)
        expectClose(y.scalars, self[output].scalars, relative: 1e-5, absolute: absolute, sourceLocation: sourceLocation)
        (y * self["cot"]).backward(Tensor(ones: y.shape))
        if input.dtype == .float32 {
            expectClose(try #require(x.grad, sourceLocation: sourceLocation).scalars, self[inputGradient].scalars,
                        relative: 1e-5, absolute: absolute, sourceLocation: sourceLocation)
        }
        let expected = group(gradients)
        #expect(Set(expected.keys) == Set(layer.namedParameters().map(\.name)), "parameter names", sourceLocation: sourceLocation)
        for (name, parameter) in layer.namedParameters() {
            let grad = try #require(parameter.gradient, "gradient of \(name)", sourceLocation: sourceLocation)
            expectClose(grad.scalars, try #require(expected[name], sourceLocation: sourceLocation).scalars,
                        relative: 1e-5, absolute: absolute, sourceLocation: sourceLocation)
        }
    }
}
