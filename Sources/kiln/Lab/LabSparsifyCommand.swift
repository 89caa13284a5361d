import ArgumentParser
import Foundation
import KilnLab
import KilnTrain

/// `kiln lab sparsify CHECKPOINT`: validation loss or accuracy and decode speed with sparse activations.
struct LabSparsifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sparsify",
        abstract: "Drop activations before linear layers and report the figure and batch-1 speed against the dense model.",
        discussion: """
        Methods: magnitude (top-k by |x|, TEAL's criterion), wina (top-k by |x_i|·‖W[:,i]‖₂), chess (per-channel \
        thresholds calibrated on training data), statistical (Spark Transformer's mean + std·Φ⁻¹(1 − k/d)), \
        wina-orthogonal (WINA after its orthogonalization W = UΣVᵀ → WV, the input rotated by Vᵀ; only for \
        layers reading a LayerNorm, whose affine map absorbs the rotation: blocks.N.mlp.0, blocks.N.attn.qkv). \
        By default the inputs of each transformer block's second MLP layer are sparsified (every linear layer \
        but the first in other models). Timings are per token at batch size 1, dense layer against the \
        column-skipping kernel, mask choice included.
        """)

    @Argument(help: "A checkpoint written by kiln lm train or kiln train.") var checkpoint: String
    @Option(help: "Comma-separated methods: \(SparsityMethod.allCases.map(\.rawValue).joined(separator: ", ")).") var method = "wina"
    @Option(help: "The fraction of inputs to drop, in [0, 1).") var sparsity = 0.5
    @Option(help: "Comma-separated paths of the linear layers to sparsify (default: see above).") var layers: String?
    @Option(help: "Validation windows to evaluate a language model on (default: all).") var windows: Int?
    @Option(help: "Training inputs CHESS calibrates its thresholds on.") var calibration = 32
    @Option(help: "Tokens each layer is timed on.") var tokens = 256
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?
    @Flag(help: "Print the results as one JSON line.") var json = false

    func validate() throws {
        guard sparsity >= 0 && sparsity < 1 else { throw CommandError("--sparsity must be in [0, 1), got \(sparsity)") }
        if let windows, windows < 1 { throw CommandError("--windows must be positive, got \(windows)") }
        guard calibration >= 1 else { throw CommandError("--calibration must be positive, got \(calibration)") }
        guard tokens >= 1 else { throw CommandError("--tokens must be positive, got \(tokens)") }
        _ = try methods()
    }

    private func methods() throws -> [SparsityMethod] {
        try method.split(separator: ",").map { name in
            guard let method = SparsityMethod(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw CommandError("--method '\(name)' is not one of \(SparsityMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return method
        }
    }

    func run() throws {
        if let threads { try RunLimits.check(threads: threads) }
        let methods = try methods()
        let (study, figureName, absorbing) = try Threads.withCount(threads ?? Threads.count) { () throws -> (SparsificationStudy, String, [String]) in
            let subject = try LabCheckpoint(path: checkpoint)
            var chosen: [String]?
            if let layers {
                chosen = layers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                for path in chosen! where !(subject.model.module(at: path) is Linear) {
                    throw CommandError("--layers: '\(path)' is no linear layer of the model")
                }
            }
            var absorbing: [String] = []
            if methods.contains(.winaOrthogonal) {
                for path in chosen ?? SparseInference.defaultLayers(of: subject.model) {
                    guard let norm = WINAOrthogonalization.absorbingModule(of: path, in: subject.model) else {
                        throw CommandError("--method wina-orthogonal: layer '\(path)' does not read a LayerNorm whose affine map could "
                                           + "absorb the rotation (a nonlinearity before it cannot); choose blocks.N.mlp.0 or blocks.N.attn.qkv with --layers")
                    }
                    absorbing.append(norm)
                }
            }
            return (SparsificationStudy(subject: subject, methods: methods, sparsity: sparsity, layers: chosen, evaluationLimit: windows,
                                        calibrationCount: calibration, timedTokens: tokens), subject.figureName, absorbing)
        }
        if json {
            let rows = study.outcomes.map { o -> [String: Any] in
                ["method": o.method.rawValue, "measured_sparsity": o.measuredSparsity, "figure": o.figure, "speedup": o.speedup,
                 "dense_us_per_token": o.timings.map(\.timing.dense).reduce(0, +) * 1e6,
                 "sparse_us_per_token": o.timings.map(\.timing.candidate).reduce(0, +) * 1e6]
            }
            let line: [String: Any] = ["figure_name": figureName, "dense_figure": study.denseFigure, "sparsity": sparsity,
                                       "layers": study.layers, "methods": rows]
            print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("layers: \(study.layers.joined(separator: ", "))")
        if !absorbing.isEmpty { print("wina-orthogonal: each rotation absorbed into the affine map of \(absorbing.joined(separator: ", ")) (left out of its timing)") }
        print(String(format: "dense: %@ %.4f", figureName, study.denseFigure))
        for o in study.outcomes {
            let dense = o.timings.map(\.timing.dense).reduce(0, +) * 1e6, sparse = o.timings.map(\.timing.candidate).reduce(0, +) * 1e6
            print(String(format: "%@ at %.0f%% (measured %.1f%%): %@ %.4f (%+.4f)  per token %.1f µs dense, %.1f µs sparse (%.2f×)",
                         o.method.rawValue, 100 * sparsity, 100 * o.measuredSparsity, figureName, o.figure, o.figure - study.denseFigure,
                         dense, sparse, o.speedup))
        }
    }
}
