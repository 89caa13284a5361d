import Foundation

extension SVGPlot {
    /// Predicted against true values: one dot per example on shared axes, with the dashed
    /// diagonal where predictions would be exact.
    public static func predictedVersusTrue(_ points: [(truth: Double, predicted: Double)], title: String, size: Int = 360) -> String {
        let left = 64.0, right = 16.0, top = 32.0, bottom = 44.0
        let plot = Double(size) - left - right, height = Int(top + plot + bottom)
        let finite = points.filter { $0.truth.isFinite && $0.predicted.isFinite }
        let values = finite.flatMap { [$0.truth, $0.predicted] }
        guard let lo = values.min(), let hi = values.max() else {
            return header(size, height, title) + text(Double(size) / 2, Double(height) / 2, "no data", anchor: "middle") + "</svg>"
        }
        let (v0, span) = AxisTicks.padded(lo, hi)
        func px(_ v: Double) -> Double { left + (v - v0) / span * plot }
        func py(_ v: Double) -> Double { top + plot - (v - v0) / span * plot }
        var svg = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plot))\" height=\"\(f(plot))\" fill=\"none\" stroke=\"#999\"/>\n"
        let ticks = AxisTicks.linear(v0, v0 + span)
        for (tick, name) in zip(ticks, AxisTicks.labels(evenlySpaced: ticks)) {
            svg += line(px(tick), top + plot, px(tick), top + plot + 4, "#999")
            svg += text(px(tick), top + plot + 16, name, anchor: "middle", role: "tick-x")
            svg += line(left - 4, py(tick), left + plot, py(tick), "#eee")
            svg += text(left - 6, py(tick) + 4, name, anchor: "end", role: "tick-y")
        }
        svg += line(px(v0), py(v0), px(v0 + span), py(v0 + span), "#999", dashed: true)
        for p in finite {
            svg += "<circle class=\"point\" cx=\"\(f(px(p.truth)))\" cy=\"\(f(py(p.predicted)))\" r=\"2.5\" fill=\"\(palette[0])\" fill-opacity=\"0.6\"/>\n"
        }
        svg += text(left + plot / 2, top + plot + 36, "true value", anchor: "middle")
        svg += "<text transform=\"translate(14 \(f(top + plot / 2))) rotate(-90)\" text-anchor=\"middle\">predicted value</text>\n"
        return header(size, height, title) + svg + "</svg>"
    }
}
