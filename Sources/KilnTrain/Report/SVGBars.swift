import Foundation

extension SVGPlot {
    /// Grouped bars: for each category (an expert), one bar per series (a layer) side by side, from 0,
    /// with a dashed line at `reference` (the balanced share) when given.
    public static func groupedBars(_ series: [(name: String, values: [Double])], categories: [String], title: String, yLabel: String,
                                   reference: Double? = nil, width: Int = 560, height: Int = 320) -> String {
        let left = 64.0, right = 16.0, top = 32.0, bottom = 44.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let values = series.flatMap(\.values).filter(\.isFinite) + (reference.map { [$0] } ?? [])
        guard !categories.isEmpty, let high = values.max(), high > 0 else {
            return header(width, height, title) + text(Double(width) / 2, Double(height) / 2, "no data", anchor: "middle") + "</svg>"
        }
        let span = high * 1.1
        func py(_ v: Double) -> Double { top + plotH - v / span * plotH }
        var svg = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#999\"/>\n"
        let ticks = AxisTicks.linear(0, span)
        for (tick, name) in zip(ticks, AxisTicks.labels(evenlySpaced: ticks)) {
            svg += line(left - 4, py(tick), left + plotW, py(tick), "#eee")
            svg += text(left - 6, py(tick) + 4, name, anchor: "end", role: "tick-y")
        }
        let slot = plotW / Double(categories.count), bar = slot * 0.8 / Double(max(series.count, 1))
        for (c, category) in categories.enumerated() {
            let x0 = left + Double(c) * slot + slot * 0.1
            for (s, entry) in series.enumerated() where c < entry.values.count && entry.values[c].isFinite {
                let v = entry.values[c]
                svg += "<rect class=\"bar\" x=\"\(f(x0 + Double(s) * bar))\" y=\"\(f(py(v)))\" width=\"\(f(bar))\" height=\"\(f(py(0) - py(v)))\" "
                    + "fill=\"\(palette[s % palette.count])\"/>\n"
            }
            svg += text(left + (Double(c) + 0.5) * slot, top + plotH + 16, category, anchor: "middle", role: "tick-x")
        }
        if let reference { svg += line(left, py(reference), left + plotW, py(reference), "#555", dashed: true) }
        svg += "<text transform=\"translate(14 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        var legendX = left
        for (s, entry) in series.enumerated() {
            svg += "<rect class=\"legend\" x=\"\(f(legendX))\" y=\"\(f(top + plotH + 28))\" width=\"10\" height=\"10\" fill=\"\(palette[s % palette.count])\"/>\n"
            svg += text(legendX + 14, top + plotH + 37, entry.name, anchor: "start", role: "legend")
            legendX += 24 + 6.5 * Double(entry.name.count)
        }
        return header(width, height, title) + svg + "</svg>"
    }
}
