import Foundation

/// Where an axis puts its ticks and how it writes them.
enum AxisTicks {
    /// About five round values (1, 2, 2.5 or 5 times a power of ten apart) spanning `lo…hi`;
    /// with `integer`, only whole numbers at least 1 apart (for epoch axes).
    static func linear(_ lo: Double, _ hi: Double, integer: Bool = false) -> [Double] {
        guard (hi - lo).isFinite else { return [] }
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let multiples = integer && magnitude < 10 ? [1.0, 2, 5, 10] : [1.0, 2, 2.5, 5, 10]
        var step = multiples.map { $0 * magnitude }.first { $0 >= raw } ?? raw
        if integer { step = max(1, step.rounded()) }
        // A tick at zero is written "0", never "-0" (rounding up a small negative start gives -0.0).
        return stride(from: (lo / step).rounded(.up) * step, through: hi + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }

    /// Positions (as log10 values) at 1, 2 and 5 times powers of ten within `lo…hi` (log10
    /// units), or evenly spaced ones when fewer than two such values fall inside.
    static func logarithmic(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi - lo < 400 else { return linear(lo, hi) }
        let candidates = (Int(floor(lo))...Int(ceil(hi))).flatMap { e in [1.0, 2, 5].map { log10($0) + Double(e) } }
        let inside = candidates.filter { $0 >= lo && $0 <= hi }
        return inside.count >= 2 ? inside : linear(lo, hi)
    }

    /// The labels of `values`, each written with the fewest significant digits that keep it
    /// within a millionth of `resolution` (the tick spacing; each value's own size when nil), so
    /// two different ticks never share a label.
    /// Values from 10⁻⁴ up to 10⁵ are written in plain decimals (`2000`, `0.0015`), others with an
    /// exponent (`2e5`, `1.5e-7`).
    static func labels(_ values: [Double], resolution: Double? = nil) -> [String] {
        values.map { v in
            let tolerance = 1e-6 * (resolution ?? abs(v))
            if abs(v) <= tolerance { return "0" }
            let plain = v == 0 || (1e-4...1e5).contains(abs(v))
            for digits in plain ? 0...17 : 1...17 {
                let text = String(format: plain ? "%.\(digits)f" : "%.\(digits)g", v)
                if let back = Double(text), abs(back - v) <= tolerance { return tidy(text) }
            }
            return String(v)
        }
    }

    /// The labels of evenly spaced `ticks`, exact to a millionth of their spacing.
    static func labels(evenlySpaced ticks: [Double]) -> [String] {
        labels(ticks, resolution: ticks.count >= 2 ? ticks[1] - ticks[0] : nil)
    }

    /// The range an axis shows for data from `lo` to `hi`: 5% of the span added at each end, or
    /// a tenth of the value (at least 10⁻⁹) when the data are one value.
    static func padded(_ lo: Double, _ hi: Double) -> (start: Double, span: Double) {
        let pad = hi > lo ? (hi - lo) * 0.05 : max(abs(hi) * 0.1, 1e-9)
        let start = lo - pad
        return (start, (hi + pad) - start)
    }

    /// The label of one value, accurate to a millionth of itself.
    static func label(_ v: Double) -> String { labels([v])[0] }

    /// `1e+05` → `1e5`, `2.5e-07` → `2.5e-7`: the exponent without its plus sign and padding.
    private static func tidy(_ text: String) -> String {
        guard let e = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: e)...]) else { return text }
        return text[..<e] + "e\(exponent)"
    }
}
