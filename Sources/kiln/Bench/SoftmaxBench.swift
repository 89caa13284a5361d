import Kiln
import KilnNN

extension BenchSuite {
    /// Softmax over the last axis of [4096 × 4096] and [64 × 1,048,576] with each algorithm, GB/s
    /// counting 4 bytes read and 4 written per element, beside a single-threaded copy of 256 MiB
    /// (memcpy, as NumPy's `copyto` in the anchors' ops.py). The algorithms and the copy take
    /// turns, so their ratios hold even when the machine's speed drifts.
    static func softmax(_ report: BenchReport) {
        let buffers = CopyBuffers()
        for shape in [[4096, 4096], [64, 1_048_576]] {
            let x = Tensor.normal(shape, generator: RandomGenerator(seed: 0))
            let algorithms = SoftmaxAlgorithm.allCases
            let bodies: [() -> Void] = algorithms.map { a in { _ = x.softmax(algorithm: a) } }
                + [buffers.copy]
            let times = Timing.interleavedSecondsPerCall(rounds: shape[1] > 4096 ? 11 : 21, bodies)
            let name = "softmax_\(shape[0])x\(shape[1])"
            let copy = buffers.gbPerSecond(seconds: times.last!)
            report.add("\(name)_copy_1_thread", ["gb_per_s": copy])
            for (algorithm, t) in zip(algorithms, times) {
                let gbs = Double(8 * x.count) / t / 1e9
                let isDefault = algorithm == .fastest(rows: shape[0], length: shape[1]) ? 1.0 : 0.0
                report.add("\(name)_\(algorithm.rawValue)",
                           ["ms": t * 1e3, "gb_per_s": gbs, "of_copy": gbs / copy, "default": isDefault])
            }
            let time = Dictionary(uniqueKeysWithValues: zip(algorithms, times))
            report.add("\(name)_twoPass_speedup_over_recompute",
                       ["ratio": time[.threePassRecompute]! / time[.twoPass]!])
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
