import Kiln
import KilnNN
import KilnTrain

/// Batch-1 inference latency of the anchor models, the MLP (784-512-256-10, GELU) and the CNN
/// (anchors/cnn.py): one forward pass in evaluation mode without gradient recording on a random
/// image, timed call by call: the median of 300 calls after 30 warm-up calls, with the minimum,
/// 10th and 90th percentiles, in microseconds (scripts/bench/latency_torch.py measures PyTorch alike).
enum LatencyBench {
    static func run(_ report: BenchReport, warmups: Int = 30, calls: Int = 300) {
        let generator = RandomGenerator(seed: 0)
        let models = [("mlp", ReferenceModels.mlp(features: 784, classes: 10, activation: .gelu), [1, 784]),
                      ("cnn", ReferenceModels.cnn(), [1, 1, 28, 28])]
        for (name, model, shape) in models {
            model.eval()
            let x = Tensor.normal(shape, generator: generator)
            let times = withoutGradient {
                Timing.individualSeconds(warmup: warmups, samples: calls) { _ = model(x) }
            }
            report.add("\(name)_inference_b1", [
                "us_median": Timing.median(times) * 1e6, "us_min": times.min()! * 1e6,
                "us_p10": Timing.quantile(times, 0.1) * 1e6, "us_p90": Timing.quantile(times, 0.9) * 1e6,
            ])
        }
    }
}
