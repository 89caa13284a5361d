import Kiln
import KilnNN
import KilnOptimizers
import KilnTrain

/// One training step of the MLP anchor (anchors/ops.py's `step`: 784-512-256-10 with GELU, AdamW
/// lr 1e-3, weight decay 0.01) on random inputs and labels at batch 1 and 32: zero the gradients,
/// forward, cross-entropy, backward, optimizer step. Each step is timed on its own: the first step
/// of the process (its cold start), then after 30 warm-up steps the median of 300 steps with their
/// minimum, 10th and 90th percentiles, in microseconds. Run it first (`kiln bench step`) for the
/// fresh-process figure ops.py reports for PyTorch.
enum StepBench {
    static let batches = [1, 32]

    static func run(_ report: BenchReport, warmups: Int = 30, steps: Int = 300) {
        for batch in batches {
            let generator = RandomGenerator(seed: 0)
            let model = ReferenceModels.mlp(features: 784, classes: 10)
            let optimizer = AdamW(groups: ParameterGroup.groups(of: model), learningRate: 1e-3, weightDecay: 0.01)
            let x = Tensor.normal([batch, 784], generator: generator)
            let y = Tensor.randint([batch], high: 10, generator: generator)
            func step() {
                optimizer.zeroGradients()
                crossEntropy(logits: model(x), labels: y).backward()
                optimizer.step()
            }
            let t0 = Timing.now()
            step()
            let first = Timing.now() - t0
            let times = Timing.individualSeconds(warmup: warmups - 1, samples: steps, step)
            report.add("mlp_train_step_b\(batch)", [
                "us_median": Timing.median(times) * 1e6, "us_min": times.min()! * 1e6,
                "us_p10": Timing.quantile(times, 0.1) * 1e6, "us_p90": Timing.quantile(times, 0.9) * 1e6,
                "us_first": first * 1e6,
            ])
        }
    }
}
