import Kiln

/// Forward + backward of the two convolutions of the CNN workload (anchors/cnn.py) at batch 128.
enum ConvBench {
    /// (name, input shape, output channels): conv 3×3, padding 1, with bias.
    static let layers = [("conv1", [128, 1, 28, 28], 32), ("conv2", [128, 32, 14, 14], 64)]

    static func run(_ report: BenchReport) {
        let g = RandomGenerator(seed: 0)
        var total = 0.0
        for (name, shape, out) in layers {
            let x = Tensor.normal(shape, generator: g)
            let w = Tensor.normal([out, shape[1], 3, 3], std: 0.1, generator: g), b = Tensor(zeros: [out])
            let cotangent = Tensor.normal([shape[0], out, shape[2], shape[3]], generator: g)
            let forward = Timing.secondsPerCall(samples: 7, minimumSeconds: 0.2) { _ = conv2d(x, weight: w, bias: b, padding: (1, 1)) }
            let both = Timing.secondsPerCall(samples: 7, minimumSeconds: 0.2) {
                _ = valueAndGradient(at: [x, w, b]) { t in (conv2d(t[0], weight: t[1], bias: t[2], padding: (1, 1)) * cotangent).sum() }
            }
            total += both
            report.add("conv_\(name)_\(shape.map(String.init).joined(separator: "x"))_to_\(out)",
                       ["forward_ms": forward * 1e3, "forward_backward_ms": both * 1e3])
        }
        report.add("conv_cnn_total", ["forward_backward_ms": total * 1e3])
    }
}
