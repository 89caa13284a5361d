import Foundation
import Kiln
import KilnNN
import KilnOptimizers
import KilnTrain

/// One training step of the cnn anchor's model (anchors/cnn.py) at batch 128 on random images, and
/// where its time goes outside the convolution kernels: each phase of the step (forward with the
/// loss, backward, AdamW) over 20 steps after 3 warm-ups, as the model runs and with every layer on
/// its own (unfused); then forward + backward of each non-conv stage at the step's shapes, the
/// batch-norm → ReLU → 2 × 2 max-pool blocks both fused (as the model runs them) and layer by layer.
/// `scripts/bench/cnnstep_torch.py` measures PyTorch's twins.
enum CNNStepBench {
    static let batch = 128

    static func run(_ report: BenchReport, steps: Int = 20, warmups: Int = 3) {
        let generator = RandomGenerator(seed: 0)
        step(report, layered: false, generator: generator, steps: steps, warmups: warmups)
        step(report, layered: true, generator: generator, steps: steps, warmups: warmups)
        var total = 0.0
        for (name, shape) in [("block1", [batch, 32, 28, 28]), ("block2", [batch, 64, 14, 14])] {
            let x = Tensor.normal(shape, generator: generator)
            let (w, b) = (Tensor(ones: [shape[1]]), Tensor(zeros: [shape[1]]))
            let fused = forwardBackward(x, w, b, generator: generator) { batchNormReLUMaxPool2x2($0[0], weight: $0[1], bias: $0[2]).output }
            let layered = forwardBackward(x, w, b, generator: generator) {
                maxPool2d(relu(batchNorm($0[0], weight: $0[1], bias: $0[2]).output), kernelSize: (2, 2))
            }
            total += fused
            report.add("cnnstep_bn_relu_maxpool_\(name)_\(shape.map(String.init).joined(separator: "x"))",
                       ["fused_ms": fused * 1e3, "layered_ms": layered * 1e3])
        }
        let features = Tensor.normal([batch, 3136], generator: generator), labels = Tensor.randint([batch], high: 10, generator: generator)
        let w1 = Tensor.normal([128, 3136], std: 0.02, generator: generator), b1 = Tensor(zeros: [128])
        let w2 = Tensor.normal([10, 128], std: 0.1, generator: generator), b2 = Tensor(zeros: [10])
        let head = Timing.secondsPerCall(samples: 7, minimumSeconds: 0.2) {
            _ = valueAndGradient(at: [features, w1, b1, w2, b2]) { t in
                let hidden = invertedDropout(relu(linear(t[0], weight: t[1], bias: t[2])), probability: 0.25, generator: generator)
                return crossEntropy(logits: linear(hidden, weight: t[3], bias: t[4]), labels: labels)
            }
        }
        total += head
        report.add("cnnstep_head_linear3136_relu_dropout_linear_ce", ["forward_backward_ms": head * 1e3])
        report.add("cnnstep_non_conv_total", ["forward_backward_ms": total * 1e3])
    }

    /// Median seconds of forward, backward and update, and of the whole step, on the anchor's model;
    /// `layered` puts a no-op forward hook on each ReLU, so every layer runs on its own, unfused.
    private static func step(_ report: BenchReport, layered: Bool, generator: RandomGenerator, steps: Int, warmups: Int) {
        let model = ReferenceModels.cnn()
        if layered {
            for layer in model.layers where layer is ReLU { _ = layer.addForwardHook { _, _, _ in } }
        }
        let optimizer = AdamW(groups: ParameterGroup.groups(of: model), learningRate: 1e-3)
        var phases = [[Double]](repeating: [], count: 4)
        for step in 0..<(warmups + steps) {
            let images = Tensor.normal([batch, 1, 28, 28], generator: generator)
            let labels = Tensor.randint([batch], high: 10, generator: generator)
            let t0 = Timing.now()
            let loss = crossEntropy(logits: model(images), labels: labels)
            let t1 = Timing.now()
            loss.backward()
            let t2 = Timing.now()
            optimizer.step()
            model.zeroGradients()
            let t3 = Timing.now()
            if step >= warmups {
                for (i, t) in [t1 - t0, t2 - t1, t3 - t2, t3 - t0].enumerated() { phases[i].append(t) }
            }
        }
        let ms = phases.map { Timing.median($0) * 1e3 }
        report.add(layered ? "cnnstep_b128_layered" : "cnnstep_b128", ["forward_ms": ms[0], "backward_ms": ms[1], "adamw_ms": ms[2], "step_ms": ms[3]])
    }

    /// Seconds per forward + backward of `f` at `x`, `w`, `b`, against a fixed random cotangent.
    private static func forwardBackward(_ x: Tensor, _ w: Tensor, _ b: Tensor, generator: RandomGenerator,
                                        _ f: @escaping ([Tensor]) -> Tensor) -> Double {
        let cotangent = Tensor.normal(f([x, w, b]).shape, generator: generator)
        return Timing.secondsPerCall(samples: 7, minimumSeconds: 0.2) {
            _ = valueAndGradient(at: [x, w, b]) { t in (f(t) * cotangent).sum() }
        }
    }
}
