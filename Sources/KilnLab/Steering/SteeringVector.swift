import Kiln
import KilnNN

/// Activation steering by a mean difference: `v` = the mean output of one layer over a set of inputs
/// showing a property minus its mean over a set that does not, and steering adds `α·v` to that
/// layer's output on every forward pass (as activation addition does with a contrast of two prompts,
/// here averaged over whole sets).
///
/// ```swift
/// let v = try SteeringVector(model: net, layer: "3", toward: shirts, awayFrom: tops)
/// let logits = try v.applied(to: net, scale: 4) { net(images) }
/// ```
public struct SteeringVector {
    /// The dotted path of the steered module (`"3"`, `"blocks.1.mlp"`).
    public let layer: String
    /// `v`, of the layer output's trailing feature shape; it broadcasts over the leading axes.
    public let vector: Tensor

    /// A steering vector given directly.
    public init(layer: String, vector: Tensor) {
        self.layer = layer
        self.vector = vector
    }

    /// The mean output of `layer` over the batches `toward` minus its mean over `awayFrom`, the model
    /// run in evaluation mode without gradients. The mean is taken over every axis but the last
    /// `featureAxes` (by default all but the batch axis; 1 for a language model's `[B, T, D]`
    /// residual stream, so the vector applies at every position).
    ///
    /// An unknown layer, a layer the model never calls through its module call, an empty set, or
    /// outputs whose feature shapes differ or have too few axes are errors naming the layer.
    public init(model: Module, layer: String, toward: [Tensor], awayFrom: [Tensor], featureAxes: Int? = nil) throws(InputError) {
        guard model.module(at: layer) != nil else { throw Self.unknownLayer(layer, in: model) }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        func mean(_ inputs: [Tensor], _ set: String) throws(InputError) -> Tensor {
            guard !inputs.isEmpty, inputs.allSatisfy({ $0.shape.first ?? 0 > 0 }) else {
                throw InputError(path: "layer \(layer)", reason: "the \(set) set holds no input")
            }
            let outputs = withoutGradient { model.capturingOutputs(of: [layer]) { for batch in inputs { _ = model(batch) } } }[layer] ?? []
            guard let first = outputs.first else {
                throw InputError(path: "layer \(layer)", reason: "the model never calls this module through its module call, so it cannot be steered")
            }
            let axes = featureAxes ?? first.rank - 1
            guard axes >= 0, first.rank > axes else {
                throw InputError(path: "layer \(layer)", reason: "outputs of shape \(first.shape) have no \(axes) feature axes after a batch axis")
            }
            let features = Array(first.shape.suffix(axes))
            guard let odd = outputs.first(where: { $0.rank != first.rank || Array($0.shape.suffix(axes)) != features }) else {
                let rows = outputs.map { $0.reshaped([-1] + features) }
                return Tensor.concatenate(rows, axis: 0).mean(axis: 0)
            }
            throw InputError(path: "layer \(layer)", reason: "outputs of shapes \(first.shape) and \(odd.shape) have different feature shapes")
        }
        let toward = try mean(toward, "toward"), away = try mean(awayFrom, "away-from")
        guard toward.shape == away.shape else {
            throw InputError(path: "layer \(layer)", reason: "feature shape \(toward.shape) on one set but \(away.shape) on the other")
        }
        self.init(layer: layer, vector: toward - away)
    }

    /// Adds `scale · vector` to the output of ``layer`` in `model` from now until the returned handle
    /// is removed; ``applied(to:scale:during:)`` scopes this.
    ///
    /// An unknown layer is an error; a layer output that does not end in the vector's shape stops
    /// with a message naming both shapes.
    public func install(in model: Module, scale: Float) throws(InputError) -> HookHandle {
        guard let module = model.module(at: layer) else { throw Self.unknownLayer(layer, in: model) }
        let shift = vector * scale, layer = self.layer
        return module.addForwardHook(replacingOutput: { _, _, output in
            precondition(output.shape.suffix(shift.rank).elementsEqual(shift.shape),
                         "SteeringVector: layer \(layer) output \(output.shape) does not end in the vector's shape \(shift.shape)")
            return output + shift
        })
    }

    /// Runs `body` with `scale · vector` added to the output of ``layer`` in `model`, then removes the
    /// hook (``install(in:scale:)``).
    public func applied<R>(to model: Module, scale: Float, during body: () throws -> R) throws -> R {
        let handle = try install(in: model, scale: scale)
        defer { handle.remove() }
        return try body()
    }

    private static func unknownLayer(_ layer: String, in model: Module) -> InputError {
        let names = model.namedModules().map(\.name).filter { !$0.isEmpty }
        let shown = names.prefix(12).joined(separator: ", ") + (names.count > 12 ? ", …" : "")
        return InputError(path: "layer \(layer)", reason: "no such module in the model; its modules are \(shown)")
    }
}
