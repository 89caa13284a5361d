import Kiln
import KilnNN
import KilnOptimizers

/// One AdamW update over 10M parameters, against the memory-bandwidth bound.
enum OptimizerBench {
    /// A module holding one large parameter.
    final class Block: Module {
        @Parameter var weight: Tensor
        init(_ count: Int) {
            weight = Tensor.normal([count], generator: RandomGenerator(seed: 1))
            super.init()
        }
    }

    static func adamw(_ report: BenchReport) {
        let count = 10_000_000
        let model = Block(count)
        let optimizer = AdamW(learningRate: 1e-3, weightDecay: 0.01)
        let gradients = Gradients(["weight": Tensor.normal([count], generator: RandomGenerator(seed: 2))])
        let t = Timing.secondsPerCall(samples: 15, minimumSeconds: 0, warmup: 3) { optimizer.update(model, along: gradients) }
        // Reads θ, g, m, v and writes θ, m, v: 28 bytes per parameter.
        let bytes = 28.0 * Double(count)
        report.add("adamw_10M", ["ms": t * 1e3, "gb_per_s": bytes / t / 1e9])
    }
}
