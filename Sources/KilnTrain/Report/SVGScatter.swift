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

extension SVGPlot {
    /// One scatter panel of ``scatterPanels(_:title:xLabel:yLabel:columns:)``.
    public struct Panel {
        /// The heading above the panel.
        public let title: String
        /// The dots, finite ones only.
        public let points: [(x: Double, y: Double)]

        /// A panel of the finite points among `points`, headed `title`.
        public init(title: String, points: [(x: Double, y: Double)]) {
            self.title = title
            self.points = points.filter { $0.x.isFinite && $0.y.isFinite }
        }
    }

    /// Small scatter plots in a grid, `columns` wide, sharing the y range so panels compare at a glance.
    public static func scatterPanels(_ panels: [Panel], title: String, xLabel: String, yLabel: String, columns: Int = 4) -> String {
        let cell = 200.0, left = 44.0, top = 22.0, bottom = 30.0, gap = 14.0, titleHeight = 44.0
        let rows = (panels.count + columns - 1) / max(columns, 1)
        let width = Int(Double(columns) * (left + cell + gap)), height = Int(titleHeight + Double(rows) * (top + cell + bottom) + 10)
        let ys = panels.flatMap { $0.points.map(\.y) }
        guard let yLo = ys.min(), let yHi = ys.max() else {
            return header(width, height, title) + text(Double(width) / 2, Double(height) / 2, "no data", anchor: "middle") + "</svg>"
        }
        let (y0, ySpan) = AxisTicks.padded(yLo, yHi)
        let yTicks = AxisTicks.linear(y0, y0 + ySpan)
        var svg = ""
        for (i, panel) in panels.enumerated() {
            let ox = Double(i % columns) * (left + cell + gap) + left, oy = titleHeight + Double(i / columns) * (top + cell + bottom) + top
            let xs = panel.points.map(\.x)
            let (x0, xSpan) = AxisTicks.padded(xs.min() ?? 0, xs.max() ?? 1)
            func px(_ x: Double) -> Double { ox + (x - x0) / xSpan * cell }
            func py(_ y: Double) -> Double { oy + cell - (y - y0) / ySpan * cell }
            svg += "<rect x=\"\(f(ox))\" y=\"\(f(oy))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"none\" stroke=\"#999\"/>\n"
            svg += text(ox + cell / 2, oy - 6, panel.title, anchor: "middle", size: 11)
            for (tick, name) in zip(yTicks, AxisTicks.labels(evenlySpaced: yTicks)) {
                svg += line(ox, py(tick), ox + cell, py(tick), "#eee")
                svg += text(ox - 4, py(tick) + 4, name, anchor: "end", size: 9, role: "tick-y")
            }
            svg += text(ox + cell / 2, oy + cell + 14, xLabel, anchor: "middle", size: 9)
            for p in panel.points {
                svg += "<circle class=\"point\" cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.5\" fill=\"\(palette[0])\" fill-opacity=\"0.7\"/>\n"
            }
        }
        svg += text(Double(width) / 2, 34, "y: \(yLabel)", anchor: "middle", size: 10)
        return header(width, height, title) + svg + "</svg>"
    }
}
