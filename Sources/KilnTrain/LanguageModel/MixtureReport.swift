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

    /// The routing figures of every `moe` record over training: the worst layer's max / mean load and
    /// the mean router entropy; nil when there is none.
    static func routingCurves(records: [LogRecord]) -> (String, String)? {
        let routing = records.filter { $0.kind == "moe" }
        guard !routing.isEmpty else { return nil }
        func series(_ key: String, _ name: String) -> SVGPlot.Series {
            SVGPlot.Series(name, routing.compactMap { r in r.values[key].map { (Double(r.step), $0) } })
        }
        let chart = SVGPlot.lineChart([series("max_over_mean", "max / mean load (worst layer)"), series("entropy", "router entropy (nats)"),
                                       series("dropped", "share dropped")], title: "Routing", xLabel: "step", yLabel: "value")
        return ("Routing over training (per log interval)", chart)
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
