import Kiln
import KilnNN

/// The activation statistics of a whole model over a set of inputs, read with forward hooks: the
/// input of every linear layer (what a sparse kernel would skip), the residual stream entering each
/// transformer block and the final norm (where massive activations live), and the attention sinks of
/// every ``MultiHeadAttention``.
///
/// ```swift
/// let analysis = ActivationAnalysis(model: gpt, batches: [ids])
/// for layer in analysis.layers { print(layer.name, layer.activationRatio) }
/// ```
public struct ActivationAnalysis {
    /// One entry per observed tensor, in the order of the model's modules: linear inputs are named by
    /// the linear layer's path, the residual stream as `residual before <path>`.
    public let layers: [ActivationStatistics]
    /// One entry per head of every attention layer.
    public let heads: [AttentionSinkStatistics]
    /// For the layers sparse inference acts on (``SparseInference/defaultLayers(of:)``): the activation
    /// ratio where CETT crosses ``cettTarget`` (``TailTruncation``), meaningful for smooth activations too.
    public let tailTruncation: [(layer: String, threshold: Float, ratio: Double)]
    /// The CETT target of ``tailTruncation``.
    public let cettTarget: Double

    /// The statistics of `model` (in evaluation mode, without gradients) on each of `batches`, with
    /// `threshold` deciding which entries count as active, and CETT ratios at `cettTarget`.
    public init(model: Module, batches: [Tensor], threshold: Float = 0, cettTarget: Double = 0.2) {
        precondition(!batches.isEmpty, "ActivationAnalysis: needs at least one batch")
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let modules = model.namedModules()
        let order = Dictionary(modules.enumerated().map { ($0.element.name, $0.offset) }) { first, _ in first }
        let observed = (modules.compactMap { path, module in module is Linear ? (path: path, label: path) : nil } + Self.residualStream(of: model))
            .sorted { order[$0.path, default: 0] < order[$1.path, default: 0] }
        let attentionLayers = modules.compactMap { path, module in
            (module as? MultiHeadAttention).map { (path: path, layer: $0, input: $0.qkv != nil ? "\(path).qkv" : "\(path).q") }
        }
        let captured = withoutGradient {
            model.capturingInputs(of: observed.map(\.path)) { for batch in batches { _ = model(batch) } }
        }
        layers = observed.compactMap { path, label in
            captured[path].map { ActivationStatistics(name: label, activations: Tensor.concatenate($0, axis: 0), threshold: threshold) }
        }
        self.cettTarget = cettTarget
        tailTruncation = SparseInference.defaultLayers(of: model).compactMap { path in
            guard let inputs = captured[path], let layer = model.module(at: path) as? Linear else { return nil }
            let found = TailTruncation.activationRatio(activations: Tensor.concatenate(inputs, axis: 0), weight: layer.weight, target: cettTarget)
            return (path, found.threshold, found.ratio)
        }
        heads = attentionLayers.flatMap { path, layer, input -> [AttentionSinkStatistics] in
            guard let inputs = captured[input], inputs[0].rank == 3, inputs[0].shape[1] >= 2 else { return [] }
            let weights = withoutGradient { Tensor.concatenate(inputs.map(layer.attentionWeights), axis: 0) }
            return AttentionSinkStatistics.heads(of: path, weights: weights)
        }
    }
}

extension ActivationAnalysis {
    /// Where massive activations live: the residual stream entering each ``TransformerBlock`` (the
    /// input of its first norm, labelled `residual before <block>`) and GPT's final norm, as the paths
    /// whose inputs to capture, in the order of the model's modules.
    public static func residualStream(of model: Module) -> [(path: String, label: String)] {
        let modules = model.namedModules()
        var observed = modules.compactMap { path, module in module is TransformerBlock ? (path: "\(path).ln1", label: "residual before \(path)") : nil }
        if let gpt = model as? GPT, let final = modules.first(where: { $0.module === gpt.finalNorm }) {
            observed.append((final.name, "residual before \(final.name)"))
        }
        return observed
    }
}
