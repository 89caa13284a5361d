import Foundation
import Kiln
import KilnNN

/// A model with post-training quantized linear weights as a safetensors file that NumPy can
/// dequantize without Kiln.
///
/// Every tensor of the model's state dictionary is stored as it is, except each quantized weight
/// `NAME` (`<layer>.weight`), which becomes:
///
/// | tensor | dtype, shape | holds |
/// |---|---|---|
/// | `NAME.codes` | `I8 [out, in]` (8-bit symmetric), `U8 [out, in]` (8-bit asymmetric), `U8 [out, ⌈in/2⌉]` (4-bit) | the integer codes |
/// | `NAME.shape` | `I64 [2]` | `[out, in]` |
/// | `NAME.scales` | `F32 [out]` per channel, `F32 [1]` per tensor | the step of each group |
/// | `NAME.zero_points` | `U8`, as the scales (asymmetric grids only) | the code that stands for zero |
/// | `NAME.input_scales` | `F32 [in]` (AWQ only) | AWQ's per-input-channel scales `s` |
///
/// 4-bit codes are packed two per byte along each row, the even column in the low nibble and the
/// odd one in the high nibble (`byte = c[2j] & 0xF | (c[2j+1] & 0xF) << 4`); symmetric codes are
/// 4-bit two's complement, and an odd row ends with a zero nibble. The weight is
/// `w[r, c] = scale[g]·(code[r, c] − zero_point[g])`, with `g = r` per channel and `0` per tensor;
/// under NUPES `w ← sign(w)|w|^(1/power)`; under AWQ `w[r, c] ← w[r, c] / s[c]`. The header's
/// metadata names the scheme: `quantization` (``formatName``), `quantization.method`,
/// `quantization.bits`, `quantization.groups` (`per_channel` or `per_tensor`), `quantization.grid`
/// (`symmetric` or `asymmetric`) and, for NUPES, `quantization.power`.
public enum QuantizedModelFile {
    /// The value of the `quantization` metadata entry that marks such a file.
    public static let formatName = "kiln-int/1"

    /// What a quantized model file holds.
    public struct Contents {
        /// How the weights were rounded.
        public let method: QuantizedLayer.Method
        /// The scheme shared by every quantized weight (with NUPES's power).
        public let scheme: QuantizationScheme
        /// The quantized layers, by path order.
        public let layers: [QuantizedLayer]
        /// The model's state dictionary with every quantized weight dequantized.
        public let stateDict: [String: Tensor]
    }

    private static let suffixes = [".codes", ".shape", ".scales", ".zero_points", ".input_scales"]

    /// Writes `model`'s state dictionary with the weights of `layers` (8 or 4 bits, one scheme) in
    /// their quantized form to `path`, atomically; an existing file is an error unless `replacing`.
    public static func write(model: Module, layers: [QuantizedLayer], method: QuantizedLayer.Method, to path: String,
                             replacing: Bool = false) throws(TensorFileError) {
        try checkWritable(path, replacing: replacing)
        try AtomicFile.write(encode(stateDict: model.stateDict(), layers: layers, method: method, path: path), to: path)
    }

    /// Throws unless `path` is free to write: absent, or `replacing` an existing file.
    public static func checkWritable(_ path: String, replacing: Bool) throws(TensorFileError) {
        guard replacing || !FileManager.default.fileExists(atPath: path) else {
            throw TensorFileError(path: path, reason: "already exists; not replaced")
        }
    }

    /// The file image of `stateDict` with the weights of `layers` (8 or 4 bits, one scheme) in their
    /// quantized form; `path` names it in errors.
    public static func encode(stateDict: [String: Tensor], layers: [QuantizedLayer], method: QuantizedLayer.Method,
                              path: String) throws(TensorFileError) -> Data {
        guard let scheme = layers.first?.quantized.scheme else { preconditionFailure("QuantizedModelFile: no layers to write") }
        precondition([4, 8].contains(scheme.bits) && layers.allSatisfy { $0.quantized.scheme == scheme && $0.quantized.shape.count == 2 },
                     "QuantizedModelFile: writes 8- or 4-bit [out, in] weights of one scheme, got \(scheme.bits) bits")
        var tensors = stateDict, narrowed: [String: String] = [:]
        for layer in layers {
            let name = layer.path + ".weight", q = layer.quantized
            let (rows, columns) = (q.shape[0], q.shape[1])
            tensors[name] = nil
            if scheme.bits == 8 {
                tensors[name + ".codes"] = Tensor(q.codes.map(Int.init), shape: q.shape)
            } else {
                let width = (columns + 1) / 2
                var bytes = [Int](repeating: 0, count: rows * width)
                for r in 0..<rows {
                    for c in 0..<columns { bytes[r * width + c / 2] |= (Int(q.codes[r * columns + c]) & 0xF) << (4 * (c % 2)) }
                }
                tensors[name + ".codes"] = Tensor(bytes, shape: [rows, width])
            }
            narrowed[name + ".codes"] = scheme.bits == 8 && scheme.symmetric ? "I8" : "U8"
            tensors[name + ".shape"] = Tensor(q.shape, shape: [2])
            tensors[name + ".scales"] = Tensor(q.scales)
            if !scheme.symmetric {
                tensors[name + ".zero_points"] = Tensor(q.zeroPoints)
                narrowed[name + ".zero_points"] = "U8"
            }
            if let s = layer.inputScales { tensors[name + ".input_scales"] = Tensor(s) }
        }
        var metadata = ["quantization": formatName, "quantization.method": method.rawValue, "quantization.bits": "\(scheme.bits)",
                        "quantization.groups": scheme.perChannel ? "per_channel" : "per_tensor",
                        "quantization.grid": scheme.symmetric ? "symmetric" : "asymmetric"]
        if let power = scheme.power { metadata["quantization.power"] = "\(power)" }
        return try Safetensors.encode(tensors, metadata: metadata, narrowed: narrowed, path: path)
    }

    /// Reads and checks the quantized model file at `path`.
    public static func read(_ path: String) throws(TensorFileError) -> Contents {
        try decode(AtomicFile.read(path), path: path)
    }

    /// Loads the file at `path` into `model`, whose state dictionary it must match name for name and
    /// shape for shape; returns what the file holds.
    @discardableResult
    public static func load(_ path: String, into model: Module) throws(TensorFileError) -> Contents {
        let contents = try read(path)
        do {
            try model.load(stateDict: contents.stateDict)
        } catch {
            throw TensorFileError(path: path, reason: "does not fit the model: \(error)")
        }
        return contents
    }

    /// Parses and checks a quantized model file image; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws(TensorFileError) -> Contents {
        func fail(_ reason: String) -> TensorFileError { TensorFileError(path: path, reason: reason) }
        let file = try Safetensors.decode(data, path: path)
        let (method, scheme) = try header(file.metadata, fail: fail)
        var stateDict = file.tensors
        var layers: [QuantizedLayer] = []
        for codesName in file.tensors.keys.filter({ $0.hasSuffix(".codes") }).sorted() {
            let name = String(codesName.dropLast(".codes".count))
            guard name.hasSuffix(".weight") else { throw fail("'\(codesName.snippet())' does not name a layer's '.weight.codes'") }
            guard stateDict[name] == nil else { throw fail("'\(name.snippet())' is stored both as floats and as codes") }
            let layer = try decodeLayer(name, file: file, method: method, scheme: scheme, fail: fail)
            for suffix in suffixes { stateDict[name + suffix] = nil }
            stateDict[name] = layer.dequantized()
            layers.append(layer)
        }
        if let stray = stateDict.keys.sorted().first(where: { name in suffixes.contains { name.hasSuffix($0) } }) {
            throw fail("tensor '\(stray.snippet())' belongs to no '.codes' tensor")
        }
        return Contents(method: method, scheme: scheme, layers: layers.sorted { $0.path < $1.path }, stateDict: stateDict)
    }

    /// The method and scheme the metadata names.
    private static func header(_ metadata: [String: String], fail: (String) -> TensorFileError) throws(TensorFileError)
        -> (QuantizedLayer.Method, QuantizationScheme) {
        guard metadata["quantization"] == formatName else {
            throw fail("not a quantized model file: metadata 'quantization' is \(metadata["quantization"].map { "'\($0.snippet())'" } ?? "missing"), expected '\(formatName)'")
        }
        func entry(_ key: String, _ allowed: [String]) throws(TensorFileError) -> String {
            guard let value = metadata[key], allowed.contains(value) else {
                throw fail("metadata '\(key)' is \(metadata[key].map { "'\($0.snippet())'" } ?? "missing"), expected one of \(allowed.joined(separator: ", "))")
            }
            return value
        }
        let method = QuantizedLayer.Method(rawValue: try entry("quantization.method", QuantizedLayer.Method.allCases.map(\.rawValue)))!
        let bits = Int(try entry("quantization.bits", ["4", "8"]))!
        let perChannel = try entry("quantization.groups", ["per_channel", "per_tensor"]) == "per_channel"
        let symmetric = try entry("quantization.grid", ["symmetric", "asymmetric"]) == "symmetric"
        var power: Float?
        if method == .nupes {
            guard let text = metadata["quantization.power"], let value = Float(text), value.isFinite, value > 0 else {
                throw fail("metadata 'quantization.power' must be a positive number for NUPES")
            }
            power = value
        } else if metadata["quantization.power"] != nil {
            throw fail("metadata 'quantization.power' is only for NUPES, not \(method.rawValue)")
        }
        return (method, QuantizationScheme(bits: bits, perChannel: perChannel, symmetric: symmetric, power: power))
    }

    /// The layer whose weight is `name`, its tensors checked against the scheme.
    private static func decodeLayer(_ name: String, file: Safetensors.Contents, method: QuantizedLayer.Method, scheme: QuantizationScheme,
                                    fail: (String) -> TensorFileError) throws(TensorFileError) -> QuantizedLayer {
        func tensor(_ suffix: String, _ dtype: String, _ shape: [Int]?) throws(TensorFileError) -> Tensor {
            guard let t = file.tensors[name + suffix] else { throw fail("'\(name.snippet())' lacks its '\(suffix.dropFirst())' tensor") }
            guard file.storedTypes[name + suffix] == dtype else {
                throw fail("'\((name + suffix).snippet())' is \(file.storedTypes[name + suffix] ?? "?"), expected \(dtype)")
            }
            if let shape, t.shape != shape { throw fail("'\((name + suffix).snippet())' has shape \(t.shape), expected \(shape)") }
            return t
        }
        let shape = try tensor(".shape", "I64", [2]).integers
        guard shape.allSatisfy({ $0 > 0 }), case .success(let count) = CheckedSize.elementCount(shape) else {
            throw fail("'\(name.snippet()).shape' \(shape) is not a valid [out, in] shape")
        }
        let (rows, columns) = (shape[0], shape[1])
        let packed = scheme.bits == 4
        let stored = try tensor(".codes", scheme.bits == 8 && scheme.symmetric ? "I8" : "U8", [rows, packed ? columns / 2 + columns % 2 : columns])
        var codes = [Int16](repeating: 0, count: count)
        let values = stored.integers
        for r in 0..<rows {
            for c in 0..<columns {
                var code = packed ? values[r * ((columns + 1) / 2) + c / 2] >> (4 * (c % 2)) & 0xF : values[r * columns + c]
                if packed && scheme.symmetric && code >= 8 { code -= 16 }
                guard scheme.codeRange.contains(code) else {
                    throw fail("'\(name.snippet()).codes' holds \(code) at [\(r), \(c)], outside \(scheme.codeRange)")
                }
                codes[r * columns + c] = Int16(code)
            }
            if packed && columns % 2 == 1 && values[r * ((columns + 1) / 2) + columns / 2] >> 4 != 0 {
                throw fail("'\(name.snippet()).codes' row \(r) ends in a non-zero padding nibble")
            }
        }
        let groups = scheme.perChannel ? rows : 1
        let scales = try tensor(".scales", "F32", [groups]).scalars
        guard scales.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw fail("'\(name.snippet()).scales' holds a scale that is not finite and positive") }
        var zeroPoints = [Int](repeating: 0, count: groups)
        if scheme.symmetric {
            guard file.tensors[name + ".zero_points"] == nil else { throw fail("'\(name.snippet()).zero_points' on a symmetric grid") }
        } else {
            zeroPoints = try tensor(".zero_points", "U8", [groups]).integers
            guard zeroPoints.allSatisfy(scheme.codeRange.contains) else { throw fail("'\(name.snippet()).zero_points' lie outside \(scheme.codeRange)") }
        }
        var inputScales: [Float]?
        if method == .awq {
            inputScales = try tensor(".input_scales", "F32", [columns]).scalars
            guard inputScales!.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw fail("'\(name.snippet()).input_scales' holds a scale that is not finite and positive")
            }
        } else if file.tensors[name + ".input_scales"] != nil {
            throw fail("'\(name.snippet()).input_scales' is only for AWQ, not \(method.rawValue)")
        }
        let quantized = QuantizedWeight(scheme: scheme, shape: shape, codes: codes, scales: scales, zeroPoints: zeroPoints)
        return QuantizedLayer(path: String(name.dropLast(".weight".count)), quantized: quantized, inputScales: inputScales)
    }
}
