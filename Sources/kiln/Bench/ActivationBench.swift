import Kiln

/// Forward activations on 16M floats: GB/s counting one read and one write, and Gelem/s.
enum ActivationBench {
    static let cases: [(String, PointwiseActivation)] = [("relu", .relu), ("leaky_relu", .leakyReLU(negativeSlope: 0.01)),
                                                         ("gelu", .gelu), ("gelu_tanh", .geluTanh), ("silu", .silu())]

    static func run(_ report: BenchReport) {
        let n = 1 << 24
        let x = Tensor.normal([n], generator: RandomGenerator(seed: 0))
        for (name, activation) in cases {
            let t = Timing.secondsPerCall(minimumSeconds: 0) { _ = x.activated(activation) }
            report.add("\(name)_16M", ["ms": t * 1e3, "gb_per_s": Double(8 * n) / t / 1e9, "gelem_per_s": Double(n) / t / 1e9])
        }
    }
}
