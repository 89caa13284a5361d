import ArgumentParser
import Foundation
import KilnLab
import KilnTrain

/// `kiln lab quantize CHECKPOINT`: the figure and weight size with post-training quantized linear weights.
struct LabQuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Round every linear weight to a few bits and report validation loss or accuracy and size against float.",
        discussion: """
        Methods: rtn (round to nearest), awq (activation-aware scales searched on training inputs), nupes \
        (power exponent 1/2 before the grid). The weights are reconstructed in float for evaluation. For \
        int8 round to nearest (symmetric, per channel) each linear layer is also timed per token at batch 1 \
        through the int8 kernel against the float layer. --save writes the 8- or 4-bit codes, scales and zero \
        points to a safetensors file (the layout is documented on QuantizedModelFile); --load evaluates the \
        checkpoint with the weights of such a file.
        """)

    @Argument(help: "A checkpoint written by kiln lm train or kiln train.") var checkpoint: String
    @Option(help: "Bits per weight, 2 to 8.") var bits = 8
    @Option(help: "Comma-separated methods: \(QuantizationStudy.Method.allCases.map(\.rawValue).joined(separator: ", ")).") var method = "rtn"
    @Flag(help: "One scale per tensor instead of one per output channel.") var perTensor = false
    @Flag(help: "An asymmetric grid with a zero point instead of one symmetric about zero.") var asymmetric = false
    @Option(help: "Validation windows to evaluate a language model on (default: all).") var windows: Int?
    @Option(help: "Write the quantized model to this safetensors file (one method, 8 or 4 bits).") var save: String?
    @Flag(help: "Let --save replace an existing file.") var overwrite = false
    @Option(help: "Evaluate the checkpoint with the weights of this quantized model file instead of quantizing.") var load: String?
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?

    func validate() throws {
        guard (2...8).contains(bits) else { throw CommandError("--bits must be from 2 to 8, got \(bits)") }
        if let windows, windows < 1 { throw CommandError("--windows must be positive, got \(windows)") }
        let chosen = try methods()
        if save != nil {
            guard bits == 8 || bits == 4 else { throw CommandError("--save writes 8 or 4 bits, got \(bits)") }
            guard chosen.count == 1 else { throw CommandError("--save takes one --method, got \(chosen.count)") }
            guard load == nil else { throw CommandError("--save and --load exclude each other") }
        }
    }

    private func methods() throws -> [QuantizationStudy.Method] {
        try method.split(separator: ",").map { name in
            guard let method = QuantizationStudy.Method(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw CommandError("--method '\(name)' is not one of \(QuantizationStudy.Method.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return method
        }
    }

    func run() throws {
        if let threads { try RunLimits.check(threads: threads) }
        let scheme = QuantizationScheme(bits: bits, perChannel: !perTensor, symmetric: !asymmetric)
        let methods = try methods()
        if let save { try QuantizedModelFile.checkWritable(save, replacing: overwrite) }
        try Threads.withCount(threads ?? Threads.count) {
            let subject = try LabCheckpoint(path: checkpoint)
            if let load {
                let float = subject.evaluate(limit: windows)
                let contents = try QuantizedModelFile.load(load, into: subject.model)
                let figure = subject.evaluate(limit: windows)
                print(String(format: "%@ (%@ int%d): %@ %.4f (float %.4f, %+.4f)", load, contents.method.rawValue, contents.scheme.bits,
                             subject.figureName, figure, float, figure - float))
                return
            }
            for method in methods {
                let study = QuantizationStudy(subject: subject, method: method, scheme: scheme, evaluationLimit: windows)
                print(String(format: "%@ int%d: %@ %.4f (float %.4f, %+.4f)  linear weights %d bytes (float %d, %.1f×)",
                             method.rawValue, bits, subject.figureName, study.quantizedFigure, study.floatFigure,
                             study.quantizedFigure - study.floatFigure, study.quantizedBytes, study.floatBytes,
                             Double(study.floatBytes) / Double(study.quantizedBytes)))
                if let save {
                    try QuantizedModelFile.write(model: subject.model, layers: study.layers, method: method, to: save, replacing: overwrite)
                    print("wrote \(save)")
                }
                if !study.timings.isEmpty {
                    let float = study.timings.map(\.timing.dense).reduce(0, +) * 1e6, int8 = study.timings.map(\.timing.candidate).reduce(0, +) * 1e6
                    print(String(format: "  per token at batch 1, all linear layers: %.1f µs float, %.1f µs int8 (%.2f×)", float, int8, study.speedup))
                }
            }
        }
    }
}
