import Kiln
import KilnNN

/// Sparse inference on a whole model: an ``InputSparsifier`` before each chosen linear layer, applied
/// through forward pre-hooks so that every forward pass computes `y = W(m ⊙ x)` there; with
/// ``SparsityMethod/winaOrthogonal`` each layer is first orthogonalized (``WINAOrthogonalization``) and
/// computes `Ŵ(m ⊙ x̂)` with `x̂ = Vᵀx`.
///
/// ```swift
/// let sparse = SparseInference(model: gpt, layers: SparseInference.defaultLayers(of: gpt), method: .wina,
///                              sparsity: 0.5, calibration: batches)
/// let loss = sparse.applied(to: gpt) { evaluate(gpt) }
/// ```
public struct SparseInference: Sendable {
    /// The sparsifier of each chosen linear layer, by path.
    public let sparsifiers: [(layer: String, sparsifier: InputSparsifier)]
    /// Each layer's orthogonalization, by path, for ``SparsityMethod/winaOrthogonal``.
    public let orthogonalizations: [String: WINAOrthogonalization]

    /// The layers whose inputs are activations worth skipping: in a transformer the second linear layer
    /// of each block's MLP (its input is the hidden activation), elsewhere every linear layer but the
    /// first (whose input is the data).
    public static func defaultLayers(of model: Module) -> [String] {
        let linears = model.namedModules().filter { $0.module is Linear }.map(\.name)
        let mlp = linears.filter { $0.hasSuffix(".mlp.2") }
        return mlp.isEmpty ? Array(linears.dropFirst()) : mlp
    }

    /// Sparsifiers by `method` at `sparsity` for the linear layers at `layers` of `model`; CHESS
    /// calibrates on each layer's inputs while `model` runs on `calibration`.
    /// - Precondition: every path names a ``Linear``; calibration batches are given for CHESS; for
    ///   ``SparsityMethod/winaOrthogonal`` every layer has at least as many outputs as inputs.
    public init(model: Module, layers: [String], method: SparsityMethod, sparsity: Double, calibration: [Tensor] = []) {
        let linears = layers.map { path -> Linear in
            guard let linear = model.module(at: path) as? Linear else { preconditionFailure("SparseInference: '\(path)' is no Linear layer") }
            return linear
        }
        var inputs: [String: [Tensor]] = [:]
        if method == .chess {
            precondition(!calibration.isEmpty, "SparseInference: CHESS needs calibration batches")
            inputs = withoutGradient { model.capturingInputs(of: layers) { for batch in calibration { _ = model(batch) } } }
        }
        var orthogonalizations: [String: WINAOrthogonalization] = [:]
        if method == .winaOrthogonal {
            for (path, linear) in zip(layers, linears) { orthogonalizations[path] = WINAOrthogonalization(weight: linear.weight) }
        }
        self.orthogonalizations = orthogonalizations
        sparsifiers = zip(layers, linears).map { path, linear in
            (path, InputSparsifier(method: method, sparsity: sparsity, weight: orthogonalizations[path]?.rotatedWeight ?? linear.weight,
                                   calibration: inputs[path].map { Tensor.concatenate($0, axis: 0) }))
        }
    }

    /// The inputs `x` of the layer at `path` as its sparsifier sees them: rotated when it is orthogonalized.
    public func sparsifierInputs(of path: String, _ x: Tensor) -> Tensor {
        orthogonalizations[path]?.rotated(x) ?? x
    }

    /// Runs `body` with the masks before their layers, then removes them.
    public func applied<R>(to model: Module, during body: () throws -> R) rethrows -> R {
        try applying(sparsifiers[...], to: model, during: body)
    }

    /// Puts the first of `remaining` sparsifiers in place (orthogonalizing its layer when asked), then the rest, then runs `body`.
    private func applying<R>(_ remaining: ArraySlice<(layer: String, sparsifier: InputSparsifier)>, to model: Module,
                             during body: () throws -> R) rethrows -> R {
        guard let (path, sparsifier) = remaining.first else { return try body() }
        let layer = model.module(at: path) as! Linear
        let mask = { (x: Tensor) in x * sparsifier.mask(x) }
        if let orthogonalization = orthogonalizations[path] {
            return try orthogonalization.applied(to: layer, then: mask) { try applying(remaining.dropFirst(), to: model, during: body) }
        }
        let handle = layer.addForwardPreHook { _, inputs in [mask(inputs[0])] }
        defer { handle.remove() }
        return try applying(remaining.dropFirst(), to: model, during: body)
    }

    /// The fraction of inputs the masks drop while `model` runs on `batches`, over every chosen layer.
    public func measuredSparsity(of model: Module, on batches: [Tensor]) -> Double {
        let captured = withoutGradient {
            model.capturingInputs(of: sparsifiers.map(\.layer)) { for batch in batches { _ = model(batch) } }
        }
        var dropped = 0.0, total = 0.0
        for (path, sparsifier) in sparsifiers {
            for x in (captured[path] ?? []).map({ sparsifierInputs(of: path, $0) }) {
                dropped += Double(x.count) - Double(sparsifier.mask(x).sum().item)
                total += Double(x.count)
            }
        }
        return total > 0 ? dropped / total : 0
    }
}
