import Foundation

/// One benchmark result: a name and its figures.
struct BenchRow {
    let name: String
    let figures: [(key: String, value: Double)]
}

/// Prints rows as they come: JSON lines, or a table with aligned columns.
final class BenchReport {
    let json: Bool

    init(json: Bool) { self.json = json }

    func add(_ name: String, _ figures: KeyValuePairs<String, Double>) {
        let row = BenchRow(name: name, figures: figures.map { ($0.key, $0.value) })
        if json {
            var object: [String: Any] = ["name": row.name, "threads": Threads.count]
            for (k, v) in row.figures { object[k] = (v * 1000).rounded() / 1000 }
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            let cells = row.figures.map { "\($0.key) \(Self.format($0.value))" }
            print(row.name.padding(toLength: 34, withPad: " ", startingAt: 0) + cells.joined(separator: "   "))
        }
        fflush(stdout)
    }

    func finish() {}

    private static func format(_ v: Double) -> String {
        if v >= 100 { return String(format: "%.1f", v) }
        if v >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.3f", v)
    }
}

import Kiln

/// Median-of-samples timing.
enum Timing {
    /// Seconds per call of `body`: the median of `samples` samples, each repeating the call
    /// enough times to last at least `minimumSeconds`, after `warmup` calls.
    static func secondsPerCall(samples: Int = 7, minimumSeconds: Double = 0.05, warmup: Int = 2,
                               _ body: () -> Void) -> Double {
        let start = now()
        for _ in 0..<warmup { body() }
        let perCall = max((now() - start) / Double(max(warmup, 1)), 1e-9)
        let repeats = max(1, Int(minimumSeconds / perCall) + 1)
        var times: [Double] = []
        for _ in 0..<samples {
            let t0 = now()
            for _ in 0..<repeats { body() }
            times.append((now() - t0) / Double(repeats))
        }
        return median(times)
    }

    /// Seconds per call of each of `bodies`, measured in turns (one call of each per round, after
    /// one warm-up call of each), so a slow spell of a shared machine hits all of them alike.
    static func interleavedSecondsPerCall(rounds: Int, _ bodies: [() -> Void]) -> [Double] {
        for body in bodies { body() }
        var times = [[Double]](repeating: [], count: bodies.count)
        for _ in 0..<rounds {
            for (i, body) in bodies.enumerated() {
                let t0 = now()
                body()
                times[i].append(now() - t0)
            }
        }
        return times.map(median)
    }

    /// The time of each of `samples` calls of `body`, timed one by one after `warmup` calls.
    static func individualSeconds(warmup: Int, samples: Int, _ body: () -> Void) -> [Double] {
        for _ in 0..<warmup { body() }
        return (0..<samples).map { _ in
            let t0 = now()
            body()
            return now() - t0
        }
    }

    /// The value at fraction `q` of the sorted `values` (index ⌊q·count⌋, as the anchors' ops.py takes it).
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let s = values.sorted()
        return s[Swift.min(s.count - 1, Int(q * Double(s.count)))]
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
