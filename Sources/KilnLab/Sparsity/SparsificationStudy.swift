import Kiln
import KilnNN

/// What sparse inference costs and gains on a checkpoint: its figure (validation loss or test
/// accuracy) with each method's masks against the dense model's, and the time per token of each
/// sparsified layer at batch size 1 against the dense layer.
public struct SparsificationStudy {
    /// One method's outcome.
    public struct Outcome {
        /// The method.
        public let method: SparsityMethod
        /// The fraction of the chosen layers' inputs dropped on the held-out inputs observed.
        public let measuredSparsity: Double
        /// The figure with the masks in place.
        public let figure: Double
        /// Dense against sparse time per token of each chosen layer.
        public let timings: [(layer: String, timing: DecodeTiming)]

        /// Dense over sparse time, summed over the chosen layers.
        public var speedup: Double { timings.map(\.timing.dense).reduce(0, +) / timings.map(\.timing.candidate).reduce(0, +) }
    }

    /// The layers sparsified.
    public let layers: [String]
    /// The target sparsity.
    public let sparsity: Double
    /// The dense model's figure.
    public let denseFigure: Double
    /// One outcome per method, in the order asked.
    public let outcomes: [Outcome]

    /// Evaluates `subject` dense and with each of `methods` at `sparsity` on `layers` (by default
    /// ``SparseInference/defaultLayers(of:)``), over the first `evaluationLimit` held-out windows of a
    /// language model (all when nil); CHESS calibrates on `calibrationCount` training inputs, and each
    /// layer is timed on the inputs it receives from `timedInputs` held-out inputs, one token at a time.
    /// - Precondition: every layer is a ``Linear`` of the model; counts are positive; `0 ≤ sparsity < 1`;
    ///   for ``SparsityMethod/winaOrthogonal``, every layer reads a LayerNorm (``WINAOrthogonalization/absorbingModule(of:in:)``),
    ///   and its sparse timing leaves out the rotation, which belongs to that LayerNorm's map.
    public init(subject: LabCheckpoint, methods: [SparsityMethod], sparsity: Double, layers: [String]? = nil,
                evaluationLimit: Int? = nil, calibrationCount: Int = 32, timedInputs: Int = 2, timedTokens: Int = 256) {
        let model = subject.model
        let layers = layers ?? SparseInference.defaultLayers(of: model)
        let calibration = subject.trainingInputs(count: calibrationCount)
        let heldOut = subject.heldOutInputs(count: timedInputs)
        let observed = withoutGradient { model.capturingInputs(of: layers) { for batch in heldOut { _ = model(batch) } } }
        self.layers = layers
        self.sparsity = sparsity
        denseFigure = subject.evaluate(limit: evaluationLimit)
        outcomes = methods.map { method in
            let inference = SparseInference(model: model, layers: layers, method: method, sparsity: sparsity, calibration: calibration)
            let figure = inference.applied(to: model) { subject.evaluate(limit: evaluationLimit) }
            let timings = inference.sparsifiers.map { path, sparsifier -> (layer: String, timing: DecodeTiming) in
                let layer = model.module(at: path) as! Linear
                let tokens = Tensor.concatenate(observed[path]!, axis: 0).reshaped([-1, sparsifier.width])
                let timed = inference.sparsifierInputs(of: path, tokens[0..<min(timedTokens, tokens.shape[0])])
                let sparse = inference.orthogonalizations[path].map { $0.withRotatedWeight(of: layer) { SparseLinear(layer, sparsifier: sparsifier) } }
                    ?? SparseLinear(layer, sparsifier: sparsifier)
                return (path, DecodeTiming(layer: layer, candidate: { sparse($0) }, tokens: timed))
            }
            return Outcome(method: method, measuredSparsity: inference.measuredSparsity(of: model, on: heldOut), figure: figure,
                           timings: timings)
        }
    }
}
