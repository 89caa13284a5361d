import Foundation

/// Small, dependency-free SVG charts for training reports.
public enum SVGPlot {
    /// One named series of (x, y) points.
    public struct Series {
        public let name: String
        public let points: [(x: Double, y: Double)]
        /// Whether each point is drawn as a dot on the line (for sparse series such as per-epoch values).
        public let markers: Bool

        /// A series of the finite points among `points`.
        public init(_ name: String, _ points: [(x: Double, y: Double)], markers: Bool = false) {
            self.name = name
            self.points = points.filter { $0.x.isFinite && $0.y.isFinite }
            self.markers = markers
        }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]

    /// A line chart of `series` with axes, ticks, labels and a legend that covers no data (in a
    /// free corner of the plot, else below it). `integerX` keeps x ticks on whole numbers (epochs).
    public static func lineChart(_ series: [Series], title: String, xLabel: String, yLabel: String,
                                 logY: Bool = false, integerX: Bool = false, width: Int = 560, height: Int = 320) -> String {
        let left = 64.0, right = 16.0, top = 32.0, bottom = 44.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let transform: (Double) -> Double = logY ? { log10(max($0, 1e-12)) } : { $0 }
        let all = series.flatMap(\.points)
        guard let xMin = all.map(\.x).min(), let xMax = all.map(\.x).max(),
              let yMin = all.map({ transform($0.y) }).min(), let yMax = all.map({ transform($0.y) }).max() else {
            return header(width, height, title) + text(Double(width) / 2, Double(height) / 2, "no data", anchor: "middle") + "</svg>"
        }
        let xSpan = xMax > xMin ? xMax - xMin : 1
        let (y0, ySpan) = AxisTicks.padded(yMin, yMax)
        func px(_ x: Double) -> Double { left + (x - xMin) / xSpan * plotW }
        func py(_ y: Double) -> Double { top + plotH - (transform(y) - y0) / ySpan * plotH }
        var svg = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#999\"/>\n"
        let xTicks = AxisTicks.linear(xMin, xMax, integer: integerX)
        for (tick, name) in zip(xTicks, AxisTicks.labels(evenlySpaced: xTicks)) {
            svg += line(px(tick), top + plotH, px(tick), top + plotH + 4, "#999")
            svg += text(px(tick), top + plotH + 16, name, anchor: "middle", role: "tick-x")
        }
        let yTicks = logY ? AxisTicks.logarithmic(y0, y0 + ySpan) : AxisTicks.linear(y0, y0 + ySpan)
        let yNames = logY ? AxisTicks.labels(yTicks.map { pow(10, $0) }) : AxisTicks.labels(evenlySpaced: yTicks)
        for (tick, name) in zip(yTicks, yNames) {
            let y = top + plotH - (tick - y0) / ySpan * plotH
            svg += line(left - 4, y, left + plotW, y, "#eee")
            svg += text(left - 6, y + 4, name, anchor: "end", role: "tick-y")
        }
        svg += "<text transform=\"translate(14 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        let drawn = series.map { s in s.points.map { (x: px($0.x), y: py($0.y)) } }
        for (i, (s, points)) in zip(series, drawn).enumerated() where !points.isEmpty {
            let color = palette[i % palette.count]
            let path = points.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
            svg += "<polyline class=\"series\" points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
            if s.markers || points.count == 1 {
                for p in points { svg += "<circle class=\"point\" cx=\"\(f(p.x))\" cy=\"\(f(p.y))\" r=\"3\" fill=\"\(color)\"/>\n" }
            }
        }
        let named = series.enumerated().filter { !$0.element.points.isEmpty }
        let legendW = 22 + 6.5 * Double(named.map(\.element.name.count).max() ?? 0), legendH = 16 * Double(named.count)
        let placement = LegendPlacement(plot: .init(x: left, y: top, width: plotW, height: plotH), lines: drawn)
        var totalHeight = Double(height)
        let legend: LegendPlacement.Box
        if let free = placement.corner(width: legendW, height: legendH) {
            legend = free
        } else {
            legend = .init(x: left, y: Double(height), width: legendW, height: legendH)
            totalHeight += legendH + 4
        }
        svg += text(left + plotW / 2, top + plotH + 36, xLabel, anchor: "middle")
        for (row, (i, s)) in named.enumerated() {
            let y = legend.y + Double(row) * 16
            svg += "<rect class=\"legend\" x=\"\(f(legend.x))\" y=\"\(f(y + 2))\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\"/>\n"
            svg += text(legend.x + 14, y + 11, s.name, anchor: "start", role: "legend")
        }
        return header(width, Int(totalHeight.rounded(.up)), title) + svg + "</svg>"
    }

    /// A heat map of a count matrix (rows: true class, columns: predicted), with counts written in.
    public static func confusionMatrix(_ counts: [[Int]], labels: [String], title: String) -> String {
        let n = counts.count
        let cell = 34.0, left = 110.0, top = 40.0
        let width = Int(left + cell * Double(n) + 20), height = Int(top + cell * Double(n) + 90)
        let peak = Double(counts.flatMap { $0 }.max() ?? 1)
        var svg = header(width, height, title)
        for r in 0..<n {
            svg += text(left - 6, top + cell * (Double(r) + 0.6), labels[r], anchor: "end")
            for c in 0..<n {
                let v = Double(counts[r][c]) / max(peak, 1)
                let shade = Int(255 - v * 200)
                svg += "<rect x=\"\(f(left + cell * Double(c)))\" y=\"\(f(top + cell * Double(r)))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"#fff\"/>\n"
                svg += text(left + cell * (Double(c) + 0.5), top + cell * (Double(r) + 0.6), "\(counts[r][c])", anchor: "middle", size: 9)
            }
        }
        for c in 0..<n {
            let x = left + cell * (Double(c) + 0.5), y = top + cell * Double(n) + 8
            svg += "<text transform=\"translate(\(f(x)) \(f(y))) rotate(50)\" font-size=\"10\">\(escape(labels[c]))</text>\n"
        }
        return svg + "</svg>"
    }

    /// A reliability diagram: accuracy per confidence bin as bars against the diagonal.
    public static func reliabilityDiagram(confidence: [Double], accuracy: [Double], counts: [Int], title: String) -> String {
        let size = 320.0, left = 56.0, top = 32.0
        var svg = header(Int(left + size + 20), Int(top + size + 48), title)
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(size))\" height=\"\(f(size))\" fill=\"none\" stroke=\"#999\"/>\n"
        svg += line(left, top + size, left + size, top, "#aaa", dashed: true)
        let bins = accuracy.count
        let w = size / Double(max(bins, 1))
        for b in 0..<bins where counts[b] > 0 {
            let h = accuracy[b] * size
            svg += "<rect x=\"\(f(left + Double(b) * w + 1))\" y=\"\(f(top + size - h))\" width=\"\(f(w - 2))\" height=\"\(f(h))\" fill=\"#1f77b4\" fill-opacity=\"0.75\"/>\n"
            svg += "<circle cx=\"\(f(left + confidence[b] * size))\" cy=\"\(f(top + size - confidence[b] * size))\" r=\"2.5\" fill=\"#d62728\"/>\n"
        }
        for t in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += text(left + t * size, top + size + 16, AxisTicks.label(t), anchor: "middle", role: "tick-x")
            svg += text(left - 6, top + size - t * size + 4, AxisTicks.label(t), anchor: "end", role: "tick-y")
        }
        svg += text(left + size / 2, top + size + 36, "confidence", anchor: "middle")
        svg += "<text transform=\"translate(14 \(f(top + size / 2))) rotate(-90)\" text-anchor=\"middle\">accuracy</text>\n"
        return svg + "</svg>"
    }

    // MARK: Pieces

    static func header(_ width: Int, _ height: Int, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"11\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
            + text(Double(width) / 2, 18, title, anchor: "middle", size: 13)
    }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String, size: Int = 11, role: String? = nil) -> String {
        let attribute = role.map { " class=\"\($0)\"" } ?? ""
        return "<text\(attribute) x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\">\(escape(s))</text>\n"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ color: String, dashed: Bool = false) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(color)\"\(dashed ? " stroke-dasharray=\"4 3\"" : "")/>\n"
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
