/// Finds a place for a chart's legend that covers no plotted line or point.
struct LegendPlacement {
    /// A rectangle in SVG pixels.
    struct Box: Equatable {
        var x, y, width, height: Double

        func contains(_ p: (x: Double, y: Double)) -> Bool {
            p.x >= x && p.x <= x + width && p.y >= y && p.y <= y + height
        }

        /// Whether the segment from `a` to `b` passes through the box (Liang–Barsky clipping).
        func intersects(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Bool {
            let dx = b.x - a.x, dy = b.y - a.y
            var t0 = 0.0, t1 = 1.0
            for (p, q) in [(-dx, a.x - x), (dx, x + width - a.x), (-dy, a.y - y), (dy, y + height - a.y)] {
                if p == 0 {
                    if q < 0 { return false }
                } else {
                    let t = q / p
                    if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
                    if t0 > t1 { return false }
                }
            }
            return true
        }
    }

    /// The plot area.
    let plot: Box
    /// Each series' points, in pixels.
    let lines: [[(x: Double, y: Double)]]

    /// The first corner of the plot (top right, top left, bottom right, bottom left) where a
    /// legend of `width` × `height` touches no line or point, or nil when every corner does.
    func corner(width: Double, height: Double, margin: Double = 8) -> Box? {
        guard width + 2 * margin <= plot.width, height + 2 * margin <= plot.height else { return nil }
        let left = plot.x + margin, right = plot.x + plot.width - margin - width
        let top = plot.y + margin, bottom = plot.y + plot.height - margin - height
        let corners = [(right, top), (left, top), (right, bottom), (left, bottom)]
        return corners.map { Box(x: $0.0, y: $0.1, width: width, height: height) }.first { box in
            // A point's marker reaches 3 pixels around it.
            let probe = Box(x: box.x - 3, y: box.y - 3, width: box.width + 6, height: box.height + 6)
            return !lines.contains { points in
                points.contains(where: probe.contains)
                    || zip(points, points.dropFirst()).contains { probe.intersects($0, $1) }
            }
        }
    }
}
