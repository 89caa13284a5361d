import Foundation

/// Live progress of a loop: a redrawn bar with ETA, samples/s and running figures on a terminal,
/// plain periodic lines otherwise (logs, CI).
public final class ProgressDisplay {
    /// The number of units (batches) in the pass.
    public let total: Int
    /// What the pass is called ("epoch 3/10").
    public let label: String
    /// Whether the output is redrawn in place.
    public let interactive: Bool
    private let output: UnsafeMutablePointer<FILE>
    private let start = ProgressDisplay.now()
    private var lastDraw = 0.0
    /// Seconds between plain lines when not interactive.
    private let plainInterval: Double

    /// - Parameters:
    ///   - interactive: redraw in place; defaults to whether standard error is a terminal.
    ///   - plainInterval: seconds between plain lines when not interactive.
    public init(total: Int, label: String, interactive: Bool? = nil, plainInterval: Double = 10) {
        self.total = total
        self.label = label
        self.output = stderr
        self.interactive = interactive ?? (isatty(STDERR_FILENO) == 1)
        self.plainInterval = plainInterval
    }

    /// Reports `completed` units done, `samples` examples processed and running figures.
    public func update(completed: Int, samples: Int, figures: KeyValuePairs<String, Double>) {
        let now = Self.now()
        let due = interactive ? now - lastDraw >= 0.1 : now - lastDraw >= plainInterval
        guard due || completed == total else { return }
        lastDraw = now
        let line = Self.line(label: label, completed: completed, total: total, elapsed: now - start,
                             samples: samples, figures: Array(figures), width: interactive ? 28 : 0)
        fputs(interactive ? "\r\u{1B}[2K" + line : line + "\n", output)
        fflush(output)
    }

    /// Ends the display (moves past the redrawn line).
    public func finish() {
        if interactive { fputs("\n", output) }
        fflush(output)
    }

    /// The text of one progress line; a bar of `width` cells when `width` > 0.
    static func line(label: String, completed: Int, total: Int, elapsed: Double, samples: Int,
                     figures: [(key: String, value: Double)], width: Int) -> String {
        let fraction = total > 0 ? Double(completed) / Double(total) : 1
        var parts = [label]
        if width > 0 {
            let filled = Int((fraction * Double(width)).rounded(.down))
            parts.append("[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "]")
        }
        parts.append("\(completed)/\(total)")
        let remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        parts.append("\(duration(elapsed))<\(duration(remaining))")
        if elapsed > 0 { parts.append(String(format: "%.0f samples/s", Double(samples) / elapsed)) }
        for (k, v) in figures { parts.append(String(format: "\(k) %.4f", v)) }
        return parts.joined(separator: " ")
    }

    /// `m:ss` or `h:mm:ss`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
