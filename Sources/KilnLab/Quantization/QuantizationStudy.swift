import Kiln
import KilnNN

/// What post-training weight quantization costs on a checkpoint: its figure (validation loss or test
/// accuracy) with every linear weight replaced by its reconstruction, against the float model, and
/// the weights' size, and for int8 the time per token at batch 1 of the int8 kernel against the float layers.
public struct QuantizationStudy {
    /// How the weights are rounded.
    public typealias Method = QuantizedLayer.Method

    /// The float model's figure.
    public let floatFigure: Double
    /// The figure with quantized linear weights.
    public let quantizedFigure: Double
    /// Bytes of the linear weights in float32.
    public let floatBytes: Int
    /// Bytes of their codes, scales and zero points.
    public let quantizedBytes: Int
    /// For int8 round to nearest (symmetric, per channel): each linear layer's time per token at batch 1
    /// through ``Int8Linear`` against the float layer, on held-out inputs; empty otherwise.
    public let timings: [(layer: String, timing: DecodeTiming)]
    /// Every linear layer's quantized weight, as ``QuantizedModelFile`` saves them.
    public let layers: [QuantizedLayer]

    /// Float over int8 time, summed over the linear layers (nan without timings).
    public var speedup: Double { timings.map(\.timing.dense).reduce(0, +) / timings.map(\.timing.candidate).reduce(0, +) }

    /// Quantizes every linear weight of `subject` by `method` under `scheme` (AWQ calibrating on the
    /// layer inputs of `calibrationCount` training inputs), evaluates, and restores the float weights.
    public init(subject: LabCheckpoint, method: Method, scheme: QuantizationScheme, evaluationLimit: Int? = nil,
                calibrationCount: Int = 16) {
        let model = subject.model
        let linears = model.namedModules().compactMap { path, module in (module as? Linear).map { (path, $0) } }
        floatFigure = subject.evaluate(limit: evaluationLimit)
        if method == .rtn && scheme == QuantizationScheme(bits: 8) {
            let heldOut = subject.heldOutInputs(count: 2)
            let observed = withoutGradient { model.capturingInputs(of: linears.map(\.0)) { for batch in heldOut { _ = model(batch) } } }
            timings = linears.map { path, layer in
                let tokens = Tensor.concatenate(observed[path]!, axis: 0).reshaped([-1, layer.weight.shape[1]])
                let int8 = Int8Linear(layer)
                return (path, DecodeTiming(layer: layer, candidate: { int8($0) }, tokens: tokens[0..<min(256, tokens.shape[0])]))
            }
        } else {
            timings = []
        }
        let originals = linears.map { $0.1.weight }
        layers = QuantizedLayer.linears(of: model, method: method, scheme: scheme,
                                        calibration: method == .awq ? subject.trainingInputs(count: calibrationCount) : [])
        for ((_, layer), quantized) in zip(linears, layers) { layer.weight = quantized.dequantized() }
        quantizedFigure = subject.evaluate(limit: evaluationLimit)
        for ((_, layer), original) in zip(linears, originals) { layer.weight = original }
        floatBytes = originals.map { 4 * $0.count }.reduce(0, +)
        quantizedBytes = layers.map(\.byteCount).reduce(0, +)
    }
}
