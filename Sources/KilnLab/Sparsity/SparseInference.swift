import Kiln
import KilnNN

/// Sparse inference on a whole model: an ``InputSparsifier`` before each chosen linear layer, applied
/// through forward pre-hooks so that every forward pass computes `y = W(m ⊙ x)` there.
///
/// ```swift
/// let sparse = SparseInference(model: gpt, layers: SparseInference.defaultLayers(of: gpt), method: .wina,
///                              sparsity: 0.5, calibration: batches)
/// let loss = sparse.applied(to: gpt) { evaluate(gpt) }
/// ```
public struct SparseInference: Sendable {
    /// The sparsifier of each chosen linear layer, by path.
    public let sparsifiers: [(layer: String, sparsifier: InputSparsifier)]

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
    /// - Precondition: every path names a ``Linear``; calibration batches are given for CHESS.
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
        sparsifiers = zip(layers, linears).map { path, linear in
            (path, InputSparsifier(method: method, sparsity: sparsity, weight: linear.weight,
                                   calibration: inputs[path].map { Tensor.concatenate($0, axis: 0) }))
        }
    }

    /// Runs `body` with the masks before their layers, then removes them.
    public func applied<R>(to model: Module, during body: () throws -> R) rethrows -> R {
        let handles = sparsifiers.map { path, sparsifier in
            model.module(at: path)!.addForwardPreHook { _, inputs in [inputs[0] * sparsifier.mask(inputs[0])] }
        }
        defer { handles.forEach { $0.remove() } }
        return try body()
    }

    /// The fraction of inputs the masks drop while `model` runs on `batches`, over every chosen layer.
    public func measuredSparsity(of model: Module, on batches: [Tensor]) -> Double {
        let captured = withoutGradient {
            model.capturingInputs(of: sparsifiers.map(\.layer)) { for batch in batches { _ = model(batch) } }
        }
        var dropped = 0.0, total = 0.0
        for (path, sparsifier) in sparsifiers {
            for x in captured[path] ?? [] {
                dropped += Double(x.count) - Double(sparsifier.mask(x).sum().item)
                total += Double(x.count)
            }
        }
        return total > 0 ? dropped / total : 0
    }
}
