import ArgumentParser
import Foundation
import KilnData

/// `kiln inspect FILE`: the tensors of a safetensors, npy or npz file.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "List the tensors of a .safetensors, .npy or .npz file.")

    @Argument(help: "The file to list.")
    var file: String

    @Flag(help: "Print one JSON object per tensor.")
    var json = false

    func run() throws {
        let tensors: [String: Tensor]
        var metadata: [String: String] = [:]
        switch (file as NSString).pathExtension.lowercased() {
        case "npy": tensors = [(file as NSString).lastPathComponent: try NPY.read(file)]
        case "npz": tensors = try NPZ.read(file)
        case "safetensors":
            let contents = try Safetensors.read(file)
            tensors = contents.tensors
            metadata = contents.metadata
        default: throw CommandError("\(file): unknown file type; expected .safetensors, .npy or .npz")
        }
        var total = 0
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            total += t.count
            if json {
                // JSON has no NaN or infinity: such statistics are written as the strings "nan", "inf", "-inf".
                let stats = summary(t).mapValues { $0.isFinite ? $0 as Any : "\($0)" }
                let object: [String: Any] = ["name": name, "dtype": t.dtype.rawValue, "shape": t.shape].merging(stats) { a, _ in a }
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                let stats = summary(t).sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4g", $0.value))" }
                print("\(name)  \(t.dtype)  \(t.shape)  \(stats.joined(separator: "  "))")
            }
        }
        if !json {
            for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { print("metadata \(k) = \(v)") }
            print("\(tensors.count) tensors, \(total) elements")
        }
    }

    /// Minimum, maximum and mean of a non-empty float tensor's values other than NaN, and how many are NaN.
    func summary(_ t: Tensor) -> [String: Double] {
        guard t.dtype == .float32, t.count > 0 else { return [:] }
        let values = t.scalars.filter { !$0.isNaN }
        let nanCount = t.count - values.count
        guard let lowest = values.min(), let highest = values.max() else { return ["nan": Double(nanCount)] }
        let stats = ["min": Double(lowest), "max": Double(highest), "mean": values.reduce(0.0) { $0 + Double($1) } / Double(values.count)]
        return nanCount > 0 ? stats.merging(["nan": Double(nanCount)]) { a, _ in a } : stats
    }
}
