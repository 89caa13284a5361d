import Foundation

/// A self-contained HTML page describing a run: a summary table and inline SVG plots.
public struct HTMLReport {
    /// The page title.
    public var title: String
    /// Summary rows (setting or result, value), shown first.
    public var summary: [(String, String)] = []
    /// Figures, each an SVG document with a caption.
    public var figures: [(caption: String, svg: String)] = []

    /// An empty report titled `title`.
    public init(title: String) { self.title = title }

    /// Adds the standard training plots drawn from a metrics log: loss, metrics and learning rate
    /// (with the validation split's loss and accuracy when the epoch records hold them).
    ///
    /// With `labelSmoothing` above 0 the loss chart says that the training loss was computed
    /// against smoothed targets (so it stays above the plain test loss).
    public mutating func addTrainingCurves(_ records: [LogRecord], labelSmoothing: Double = 0) {
        let steps = records.filter { $0.kind == "step" }
        let epochs = records.filter { $0.kind == "epoch" }
        func series(_ rs: [LogRecord], _ key: String, _ name: String, markers: Bool = false,
                    x: (LogRecord) -> Double) -> SVGPlot.Series {
            SVGPlot.Series(name, rs.compactMap { r in r.values[key].map { (x(r), $0) } }, markers: markers)
        }
        let trainLoss = labelSmoothing > 0 ? "train loss (per step, label smoothing \(labelSmoothing))" : "train loss (per step)"
        var loss = [series(steps, "loss", trainLoss) { Double($0.step) },
                    series(epochs, "test_loss", "test loss (per epoch)", markers: true) { Double($0.step) }]
        let validation = series(epochs, "val_loss", "validation loss (per epoch)", markers: true) { Double($0.step) }
        if !validation.points.isEmpty { loss.append(validation) }
        figures.append(("Loss", SVGPlot.lineChart(loss, title: "Loss", xLabel: "step", yLabel: "loss", logY: true)))
        let metricKeys = Set(epochs.flatMap(\.values.keys)).filter { $0.hasSuffix("accuracy") }.sorted()
        if !metricKeys.isEmpty {
            let curves = metricKeys.map { key in
                series(epochs, key, key.replacingOccurrences(of: "val_", with: "validation ").replacingOccurrences(of: "_", with: " "),
                       markers: true) { Double($0.epoch) }
            }
            figures.append(("Accuracy", SVGPlot.lineChart(curves, title: "Accuracy", xLabel: "epoch", yLabel: "accuracy", integerX: true)))
        }
        let lr = series(steps, "lr", "learning rate") { Double($0.step) }
        if !lr.points.isEmpty {
            figures.append(("Learning rate", SVGPlot.lineChart([lr], title: "Learning rate", xLabel: "step", yLabel: "lr")))
        }
    }

    /// The page.
    public func render() -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(SVGPlot.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
        table { border-collapse: collapse; margin-bottom: 1.5em; }
        td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
        .figures { display: flex; flex-wrap: wrap; gap: 1.5em; }
        figure { margin: 0; } figcaption { text-align: center; color: #555; }
        </style></head><body>
        <h1>\(SVGPlot.escape(title))</h1>
        <table>\n
        """
        for (k, v) in summary { html += "<tr><th>\(SVGPlot.escape(k))</th><td>\(SVGPlot.escape(v))</td></tr>\n" }
        html += "</table>\n<div class=\"figures\">\n"
        for (caption, svg) in figures {
            html += "<figure>\n\(svg)\n<figcaption>\(SVGPlot.escape(caption))</figcaption></figure>\n"
        }
        return html + "</div>\n</body></html>\n"
    }
}
