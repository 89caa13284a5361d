import Kiln
import KilnNN

/// One linear layer's weight after post-training quantization: its codes and, for AWQ, the
/// per-input-channel scales `s` its columns were multiplied by before rounding.
public struct QuantizedLayer: Sendable {
    /// How the weights are rounded.
    public enum Method: String, CaseIterable, Sendable {
        /// Round to nearest.
        case rtn
        /// AWQ's activation-aware scales (``ActivationAwareQuantization``).
        case awq
        /// NUPES's power transform with exponent 1/2 before the grid.
        case nupes
    }

    /// The linear layer's path in its model.
    public let path: String
    /// The codes of the weight (of `W·diag(s)` under AWQ).
    public let quantized: QuantizedWeight
    /// AWQ's input-channel scales `s`; nil for the other methods.
    public let inputScales: [Float]?

    /// The layer at `path` quantized as `quantized`, its columns scaled by `inputScales` before rounding (AWQ).
    public init(path: String, quantized: QuantizedWeight, inputScales: [Float]? = nil) {
        precondition(inputScales.map { quantized.shape.count == 2 && $0.count == quantized.shape[1] } ?? true,
                     "QuantizedLayer: \(inputScales?.count ?? 0) input scales for a weight of shape \(quantized.shape)")
        self.path = path
        self.quantized = quantized
        self.inputScales = inputScales
    }

    /// The weight the layer computes with: the reconstruction, divided column by column by `s` under AWQ.
    public func dequantized() -> Tensor {
        let weight = quantized.dequantized()
        return inputScales.map { weight / Tensor($0) } ?? weight
    }

    /// Bytes of the codes, scales and zero points, and of AWQ's input scales.
    public var byteCount: Int { quantized.byteCount + 4 * (inputScales?.count ?? 0) }

    /// Every linear layer of `model` quantized by `method` under `scheme` (NUPES with exponent 1/2);
    /// AWQ calibrates each layer on its inputs while `model` runs on `calibration`.
    public static func linears(of model: Module, method: Method, scheme: QuantizationScheme, calibration: [Tensor] = []) -> [QuantizedLayer] {
        let linears = model.namedModules().compactMap { path, module in (module as? Linear).map { (path, $0) } }
        precondition(method != .awq || !calibration.isEmpty, "QuantizedLayer.linears: AWQ needs calibration inputs")
        var inputs: [String: [Tensor]] = [:]
        if method == .awq {
            inputs = withoutGradient { model.capturingInputs(of: linears.map(\.0)) { for batch in calibration { _ = model(batch) } } }
        }
        return linears.map { path, layer in
            switch method {
            case .rtn, .nupes:
                var chosen = scheme
                if method == .nupes { chosen.power = 0.5 }
                return QuantizedLayer(path: path, quantized: QuantizedWeight(layer.weight.detached(), scheme: chosen))
            case .awq:
                let awq = ActivationAwareQuantization(weight: layer.weight, inputs: Tensor.concatenate(inputs[path]!, axis: 0), scheme: scheme)
                return QuantizedLayer(path: path, quantized: awq.quantized, inputScales: awq.inputScales)
            }
        }
    }
}
