import Foundation
import KilnOptimizers

/// The mixture-of-experts part of a language model's report: its settings and last routing figures
/// in the summary, and the expert-load histogram of the last `moe` record of the log.
enum MixtureReport {
    /// The summary rows for a run of `moe` whose log holds `records`.
    static func summary(_ moe: MixtureSettings, records: [LogRecord]) -> [(String, String)] {
        var rows = [("mixture of experts", "\(moe.experts) experts, router \(moe.router.rawValue)"
                     + (moe.router == .topk ? " (top-\(moe.topK))" : "") + ", balancing \(moe.balancing.rawValue), z-loss \(moe.zLoss), "
                     + (moe.capacityFactor.map { "capacity factor \($0)" } ?? "dropless") + ", \(moe.sharedExperts) shared")]
        if let last = records.last(where: { $0.kind == "moe" })?.values {
            rows.append(("expert routing (last log interval)",
                         String(format: "max / mean load %.3f (worst layer), router entropy %.3f nats, %.2f%% of assignments dropped",
                                last["max_over_mean"] ?? .nan, last["entropy"] ?? .nan, 100 * (last["dropped"] ?? .nan))))
        }
        return rows
    }

    /// The expert-load histogram of the last `moe` record, one bar per layer and expert, or nil when there is none.
    static func loadHistogram(_ moe: MixtureSettings, records: [LogRecord]) -> (String, String)? {
        guard let last = records.last(where: { $0.kind == "moe" }) else { return nil }
        var layers: [(name: String, values: [Double])] = []
        while let first = last.values["layer\(layers.count)_load0"] {
            let i = layers.count
            layers.append(("layer \(i)", [first] + (1..<moe.experts).map { last.values["layer\(i)_load\($0)"] ?? .nan }))
        }
        let chart = SVGPlot.groupedBars(layers, categories: (0..<moe.experts).map(String.init), title: "Expert load at step \(last.step + 1)",
                                        yLabel: "share of assignments", reference: 1 / Double(moe.experts))
        return ("Expert load (share of each layer's assignments over the last log interval; dashed: balanced)", chart)
    }
}
