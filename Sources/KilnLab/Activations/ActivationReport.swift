import Foundation
import KilnTrain

extension ActivationStatistics {
    /// One line: the ratio, dead channels, median magnitude and the largest entry with its position.
    public var summaryLine: String {
        let top = largest.first.map { e in
            String(format: "largest %.3g at [%@] (%.0f× median)", e.value, e.position.map(String.init).joined(separator: ", "), e.ratioToMedian)
        } ?? ""
        return String(format: "activation ratio %.3f  dead %.1f%%  median |a| %.3g  ", activationRatio, 100 * deadChannelFraction,
                      medianMagnitude) + top + (massive.isEmpty ? "" : "  massive: \(massive.count)")
    }
}

extension ActivationAnalysis {
    /// An HTML page with the summary and figures: activation ratio and dead channels per layer, the
    /// largest magnitude over the median per layer, each layer's histogram, and each head's weight on
    /// the first position.
    public func report(title: String, facts: [(String, String)] = []) -> HTMLReport {
        var report = HTMLReport(title: title)
        report.summary = facts + layers.map { ($0.name, $0.summaryLine) }
        report.summary += tailTruncation.map { entry in
            ("\(entry.layer) at CETT \(cettTarget)", String(format: "activation ratio %.3f (threshold %.3g)", entry.ratio, entry.threshold))
        }
        report.summary += heads.map { head in
            ("\(head.layer) head \(head.head)",
             String(format: "weight on position 0: %.3f, dormant on %.0f%% of inputs", head.sinkWeight, 100 * head.dormantFraction))
        }
        let indexed = layers.enumerated().map { (x: Double($0.offset), stats: $0.element) }
        report.figures.append(("Activation ratio and dead channels by layer (x: layer in the table's order)", SVGPlot.lineChart(
            [SVGPlot.Series("activation ratio", indexed.map { ($0.x, $0.stats.activationRatio) }, markers: true),
             SVGPlot.Series("dead channels", indexed.map { ($0.x, $0.stats.deadChannelFraction) }, markers: true)],
            title: "Activation ratio", xLabel: "layer", yLabel: "fraction", integerX: true)))
        report.figures.append(("Largest |activation| over the median |activation| by layer", SVGPlot.lineChart(
            [SVGPlot.Series("largest / median", indexed.map { ($0.x, $0.stats.peakRatio) }, markers: true)],
            title: "Massive activations", xLabel: "layer", yLabel: "ratio", logY: true, integerX: true)))
        if !heads.isEmpty {
            let byLayer = Dictionary(grouping: heads, by: \.layer).sorted { $0.key < $1.key }
            report.figures.append(("Mean attention weight on position 0 by head (above 0.5: dormant)", SVGPlot.lineChart(
                byLayer.map { layer, heads in SVGPlot.Series(layer, heads.map { (Double($0.head), $0.sinkWeight) }, markers: true) },
                title: "Attention sinks", xLabel: "head", yLabel: "weight on position 0", integerX: true)))
        }
        for stats in layers {
            let bins = stats.histogram.counts.enumerated().filter { $0.element > 0 }
            report.figures.append(("Histogram of \(stats.name)", SVGPlot.lineChart(
                [SVGPlot.Series(stats.name, bins.map { (stats.histogram.center($0.offset), Double($0.element)) }, markers: true)],
                title: stats.name, xLabel: "activation", yLabel: "count", logY: true, width: 380, height: 240)))
        }
        return report
    }
}
