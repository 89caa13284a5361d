import KilnLab
import KilnTestSupport

/// Logits z = W·x + b of a linear softmax classifier, with a float and an int64 buffer like BatchNorm's.
final class SoftmaxRegression: Module {
    @Parameter var weight: Tensor
    @Parameter var bias: Tensor
    @Buffer var runningMean: Tensor
    @Buffer var batchesTracked: Tensor

    init(inputs: Int, classes: Int, seed: UInt64) {
        weight = testTensor([classes, inputs], seed: seed)
        bias = testTensor([classes], seed: seed + 100, scale: 0.5)
        runningMean = testTensor([inputs], seed: seed + 200)
        batchesTracked = Tensor([Int(seed)], shape: [1])
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { linear(x, weight: weight, bias: bias) }
}

/// The same classifier with the weight renamed, to test mismatched architectures.
final class RenamedSoftmaxRegression: Module {
    @Parameter var kernel: Tensor = Tensor(zeros: [4, 3])
    @Parameter var bias: Tensor = Tensor(zeros: [4])
    @Buffer var runningMean: Tensor = Tensor(zeros: [3])
    @Buffer var batchesTracked: Tensor = Tensor(zeros: [1], dtype: .int64)

    override func forward(_ x: Tensor) -> Tensor { linear(x, weight: kernel, bias: bias) }
}
