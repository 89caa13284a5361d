import Kiln
import KilnNN

extension BenchSuite {
    /// Softmax over the last axis of [4096 × 4096] and [64 × 1,048,576] with each algorithm, GB/s
    /// counting 4 bytes read and 4 written per element, beside a single-threaded copy's GB/s.
    static func softmax(_ report: BenchReport) {
        let copy = copyBandwidth().gbPerSecond
        report.add("softmax_copy_reference_1_thread", ["gb_per_s": copy])
        for shape in [[4096, 4096], [64, 1_048_576]] {
            let x = Tensor.normal(shape, generator: RandomGenerator(seed: 0))
            let bytes = Double(8 * x.count)
            for algorithm in SoftmaxAlgorithm.allCases {
                let t = Timing.secondsPerCall(samples: shape[1] > 4096 ? 5 : 7, minimumSeconds: 0) {
                    _ = x.softmax(algorithm: algorithm)
                }
                let gbs = bytes / t / 1e9
                let isDefault = algorithm == .default ? 1.0 : 0.0
                report.add("softmax_\(shape[0])x\(shape[1])_\(algorithm.rawValue)",
                           ["ms": t * 1e3, "gb_per_s": gbs, "of_copy": gbs / copy, "default": isDefault])
            }
        }
    }

    /// Fused cross-entropy (mean over class-index labels) forward and backward on [4096 × 32000] logits, ms.
    static func crossEntropy(_ report: BenchReport) {
        let (n, c) = (4096, 32_000)
        let logits = Tensor.normal([n, c], generator: RandomGenerator(seed: 0))
        let labels = Tensor.randint([n], high: c, generator: RandomGenerator(seed: 1))
        let t = Timing.secondsPerCall(samples: 7, minimumSeconds: 0) {
            _ = valueAndGradient(at: logits) { KilnNN.crossEntropy(logits: $0, labels: labels) }
        }
        report.add("crossentropy_4096x32000_fwd_bwd", ["ms": t * 1e3])
    }
}
