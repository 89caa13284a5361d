import Foundation
import Kiln

/// Peak resident memory over 10,000 value-and-gradient steps of a small two-layer network:
/// the graph must be released every step, so the peak stays flat.
enum MemoryBench {
    static func run(_ report: BenchReport) {
        let g = RandomGenerator(seed: 0)
        var params = [Tensor.normal([64, 128], std: 0.1, generator: g), Tensor(zeros: [128]),
                      Tensor.normal([128, 10], std: 0.1, generator: g), Tensor(zeros: [10])]
        let x = Tensor.normal([32, 64], generator: g)
        let target = Tensor.normal([32, 10], generator: g)
        func step() {
            let (_, grads) = valueAndGradient(at: params) { p in
                let out = (x.matmul(p[0]) + p[1]).tanh().matmul(p[2]) + p[3]
                let diff = out - target
                return (diff * diff).mean()
            }
            params = zip(params, grads).map { $0 - 0.01 * $1 }
        }
        for _ in 0..<1_000 { step() }
        let warm = peakResidentKiB()
        let start = Timing.now()
        for _ in 0..<10_000 { step() }
        let seconds = Timing.now() - start
        let after = peakResidentKiB()
        report.add("memory_10k_steps_two_layer", [
            "peak_rss_mib_after_1k": Double(warm) / 1024, "peak_rss_mib_after_11k": Double(after) / 1024,
            "growth_percent": Double(after - warm) / Double(warm) * 100, "us_per_step": seconds / 10_000 * 1e6,
        ])
    }

    /// The process's peak resident set size (VmHWM), KiB.
    static func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
}
