import Foundation
import KilnTrain

/// A linear classifier: logits = x·Wᵀ + b.
final class LinearModel: Module {
    @Parameter var weight: Tensor
    @Parameter var bias: Tensor

    init(features: Int, classes: Int, seed: UInt64) {
        weight = Tensor.uniform([classes, features], low: -0.3, high: 0.3, generator: RandomGenerator(seed: seed))
        bias = Tensor(zeros: [classes])
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { linear(x, weight: weight, bias: bias) }
}

/// Squared error against one-hot targets.
func squaredError(_ logits: Tensor, _ labels: Tensor) -> Tensor {
    let diff = logits - labels.oneHot(classes: logits.shape[1])
    return (diff * diff).mean()
}

/// 240 points in 3 linearly separable clusters.
func clusters() -> TensorDataset {
    let g = RandomGenerator(seed: 42)
    let labels = Tensor.randint([240], low: 0, high: 3, generator: g)
    let centers = Tensor([2, 0, -1, 2, -1, -2] as [Float], shape: [3, 2])
    let x = centers.indexSelect(axis: 0, indices: labels) + 0.3 * Tensor.normal([240, 2], generator: g)
    return TensorDataset(inputs: x, targets: labels)
}

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("kiln-trainer-\(getpid())-\(name)").path
}
