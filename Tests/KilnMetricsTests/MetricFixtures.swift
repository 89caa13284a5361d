import Foundation
import KilnMetrics
import KilnTestSupport
import Testing

/// Reference data and values written by `scripts/fixtures/make_metrics.py` (scikit-learn and
/// SciPy) as JSON: `{"name": {"shape": [..], "dtype": .., "data": [..]}, ...}`.
enum MetricFixtures {
    nonisolated(unsafe) static let all: [String: Tensor] = load("metrics")

    static func load(_ file: String) -> [String: Tensor] { FixtureFile.load(file, from: .module) }

    /// The tensor stored under `key`.
    static subscript(_ key: String) -> Tensor {
        guard let t = all[key] else { fatalError("fixture key \(key) is missing") }
        return t
    }

    /// The single reference value stored under `key`.
    static func value(_ key: String) -> Double { Double(self[key].item) }

    /// The float reference values stored under `key`.
    static func values(_ key: String) -> [Double] { self[key].scalars.map(Double.init) }
}

/// Feeds `outputs` and `targets` to `metric` in consecutive batches of the given sizes along axis 0.
func feed<M: Metric>(_ metric: inout M, _ outputs: Tensor, _ targets: Tensor, batches: [Int]) {
    var start = 0
    for size in batches {
        metric.update(outputs.slice(axis: 0, start..<start + size), targets: targets.slice(axis: 0, start..<start + size))
        start += size
    }
    precondition(start == targets.shape[0], "batches cover \(start) of \(targets.shape[0]) samples")
}

/// The value of `metric` fed once with everything, after checking that uneven batches give the same bits.
func streamed<M: Metric>(_ metric: M, _ outputs: Tensor, _ targets: Tensor,
                         sourceLocation: SourceLocation = #_sourceLocation) -> Double {
    let n = targets.shape[0]
    var whole = metric, split = metric
    whole.update(outputs, targets: targets)
    feed(&split, outputs, targets, batches: [1, n / 3, 7, n - 8 - n / 3])
    let value = whole.compute()
    #expect(split.compute() == value, "\(metric.name): batched \(split.compute()) vs one batch \(value)",
            sourceLocation: sourceLocation)
    return value
}

/// Expects `actual` within `tolerance` relative of `expected`, above a floor of `absolute`:
/// `|a − e| ≤ absolute + tolerance·|e|`.
func expectNear(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-6, _ what: String = "",
                absolute: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected || abs(actual - expected) <= absolute + tolerance * abs(expected),
            "\(what) \(actual) vs expected \(expected)", sourceLocation: sourceLocation)
}

/// Expects two arrays to agree elementwise within `tolerance`.
func expectNear(_ actual: [Double], _ expected: [Double], _ tolerance: Double = 1e-6, _ what: String = "",
                sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values vs \(expected.count)", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        expectNear(a, e, tolerance, "\(what)[\(i)]", sourceLocation: sourceLocation)
    }
}

/// The standard error text captured by an exit test.
func stderrText(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}
