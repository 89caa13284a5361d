import Foundation
import KilnLab
import KilnTestSupport
import Testing

@Suite struct QuantizedModelFileTests {
    /// A bias-free MLP whose linear weights dominate the file.
    private func mlp(seed: UInt64) -> Sequential {
        let generator = RandomGenerator(seed: seed)
        return Sequential { Linear(95, 128, bias: false, generator: generator); ReLU(); Linear(128, 33, bias: false, generator: generator) }
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-quantized-\(getpid())-\(name).safetensors").path
    }

    /// Saving and loading gives exactly the dequantized weights, so the loaded model's outputs equal the
    /// in-memory quantized model's, for every method, 8 and 4 bits, symmetric and asymmetric, per channel
    /// and per tensor (33 output rows and an odd input count exercise the 4-bit padding through the transpose).
    @Test func roundTripIsExact() throws {
        let inputs = Tensor.normal([64, 95], generator: RandomGenerator(seed: 9))
        for method in QuantizedLayer.Method.allCases {
            for bits in [8, 4] {
                for (perChannel, symmetric) in [(true, true), (false, false), (true, false)] {
                    let model = mlp(seed: 1)
                    let scheme = QuantizationScheme(bits: bits, perChannel: perChannel, symmetric: symmetric)
                    let layers = QuantizedLayer.linears(of: model, method: method, scheme: scheme, calibration: [inputs])
                    let path = temporaryPath("\(method)-\(bits)-\(perChannel)-\(symmetric)")
                    defer { try? FileManager.default.removeItem(atPath: path) }
                    try QuantizedModelFile.write(model: model, layers: layers, method: method, to: path)
                    let loaded = mlp(seed: 2)
                    let contents = try QuantizedModelFile.load(path, into: loaded)
                    #expect(contents.method == method && contents.scheme.bits == bits && contents.layers.count == 2)
                    for layer in layers {
                        #expect(contents.stateDict[layer.path + ".weight"]!.scalars == layer.dequantized().scalars, "\(method) \(bits) \(layer.path)")
                    }
                    for (layer, quantized) in zip(model.namedModules().compactMap { $0.module as? Linear }, layers) {
                        layer.weight = quantized.dequantized()
                    }
                    #expect(withoutGradient { loaded(inputs).scalars == model(inputs).scalars }, "\(method) \(bits) bits")
                }
            }
        }
    }

    /// The file holds 8 or 4 bits per weight: about 1/4 or 1/8 of the float file, plus scales and header.
    @Test func fileSizeIsAboutBitsOver32OfFloat() throws {
        let model = mlp(seed: 3)
        let floatPath = temporaryPath("float")
        defer { try? FileManager.default.removeItem(atPath: floatPath) }
        try Safetensors.write(model.stateDict(), to: floatPath)
        let floatSize = Double(try FileManager.default.attributesOfItem(atPath: floatPath)[.size] as! Int)
        for bits in [8, 4] {
            let path = temporaryPath("size-\(bits)")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let layers = QuantizedLayer.linears(of: model, method: .rtn, scheme: QuantizationScheme(bits: bits))
            try QuantizedModelFile.write(model: model, layers: layers, method: .rtn, to: path)
            let ratio = Double(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int) / floatSize
            // Beyond the codes: a float scale per row (1/24 and 1/12 of the codes of a 96-wide row) and the header.
            #expect(ratio > Double(bits) / 32 && ratio < Double(bits) / 32 + 0.025, "\(bits) bits: \(ratio)")
        }
    }

    /// The header names the scheme, and the codes are stored as I8 (8-bit symmetric) or packed U8 (4-bit).
    @Test func headerNamesTheScheme() throws {
        let model = mlp(seed: 4)
        let layers = QuantizedLayer.linears(of: model, method: .nupes, scheme: QuantizationScheme(bits: 4, symmetric: false))
        let path = temporaryPath("header")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try QuantizedModelFile.write(model: model, layers: layers, method: .nupes, to: path)
        let file = try Safetensors.read(path)
        #expect(file.metadata == ["quantization": "kiln-int/1", "quantization.method": "nupes", "quantization.bits": "4",
                                  "quantization.groups": "per_channel", "quantization.grid": "asymmetric", "quantization.power": "0.5"])
        #expect(file.storedTypes["0.weight.codes"] == "U8" && file.tensors["0.weight.codes"]!.shape == [128, 48])
        #expect(file.storedTypes["2.weight.zero_points"] == "U8" && file.tensors["2.weight.shape"]!.integers == [33, 128])
        // Low nibble first: the first byte holds columns 0 and 1 of row 0.
        let codes = layers[0].quantized.codes
        #expect(file.tensors["0.weight.codes"]!.integers[0] == Int(codes[0]) | Int(codes[1]) << 4)
    }

    /// An existing file is not replaced silently, and malformed files are refused with one line.
    @Test func refusesOverwriteAndMalformedFiles() throws {
        let model = mlp(seed: 5)
        let layers = QuantizedLayer.linears(of: model, method: .rtn, scheme: QuantizationScheme(bits: 8))
        let path = temporaryPath("refuse")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try QuantizedModelFile.write(model: model, layers: layers, method: .rtn, to: path)
        #expect(throws: TensorFileError.self) { try QuantizedModelFile.write(model: model, layers: layers, method: .rtn, to: path) }
        var file = try Safetensors.read(path)
        func reason(_ change: (inout Safetensors.Contents) -> Void, narrowed: [String: String] = ["0.weight.codes": "I8", "2.weight.codes": "I8"]) -> String {
            var broken = file
            change(&broken)
            let data = try! Safetensors.encode(broken.tensors, metadata: broken.metadata, narrowed: narrowed.filter { broken.tensors[$0.key] != nil }, path: path)
            do { _ = try QuantizedModelFile.decode(data, path: path); return "accepted" } catch { return error.reason }
        }
        #expect(reason({ $0.tensors["0.weight.scales"] = nil }).contains("lacks its 'scales'"))
        #expect(reason({ _ in }, narrowed: ["2.weight.codes": "I8"]).contains("is I64, expected I8"))
        #expect(reason({ $0.tensors["0.weight.shape"] = Tensor([128, 94], shape: [2]) }).contains("expected [128, 94]"))
        #expect(reason({ $0.tensors["0.weight.shape"] = Tensor([Int.max, 3], shape: [2]) }).contains("not a valid"))
        #expect(reason({ $0.metadata["quantization.bits"] = "3" }).contains("'quantization.bits'"))
        #expect(reason({ $0.tensors["0.weight.codes"] = Tensor([Int](repeating: -128, count: 128 * 95), shape: [128, 95]) }).contains("outside"))
        #expect(reason({ $0.tensors["9.weight.scales"] = Tensor([Float(1)]) }).contains("belongs to no"))
        #expect(reason({ $0.tensors["0.weight.scales"] = Tensor([Float](repeating: .nan, count: 128)) }).contains("finite"))
        file.metadata = [:]
        #expect(reason({ _ in }).contains("not a quantized model file"))
        #expect(!reason({ _ in }).contains("\n"))
    }

    /// The fuzz seeds of scripts/fuzz/make_corpus.py, written without Kiln, dequantize to the closed
    /// forms of the documented layout: int8 codes times their scale; 4-bit nibbles low first with a
    /// zero point and AWQ's column scales; two's complement nibbles squared back under NUPES (power 1/2).
    @Test func seedsWrittenByTheLayoutDequantizeToTheirClosedForms() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz/Corpus/quantized/").path
        let expected: [(String, [Float])] = [
            ("rtn_int8", [0.25, -0.5, 31.75, -31.75, 0, 1.25]),
            ("awq_int4_asymmetric", [-1.75, -0.75, 3.5, -1.25, 0.875, -0.5]),
            ("nupes_int4", [-0.0625, -3.0625, 3.0625, 0.25, 0.0625, -0.25]),
        ]
        for (name, weight) in expected {
            let contents = try QuantizedModelFile.read(corpus + "/" + name + ".safetensors")
            #expect(contents.stateDict["l.weight"]!.shape == [2, 3] && contents.stateDict["l.weight"]!.scalars == weight, "\(name)")
            #expect(contents.stateDict["l.bias"]!.scalars == [0.5, -1], "\(name)")
        }
    }
}
