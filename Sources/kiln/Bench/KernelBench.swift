import Kiln

/// Throughput of the core kernels: sgemm, exp and sum.
enum KernelBench {
    /// C = A·B for square n × n matrices: GFLOP/s = 2n³ / t.
    static func sgemm(_ report: BenchReport) {
        let g = RandomGenerator(seed: 0)
        for n in [256, 512, 1024, 2048] {
            let a = Tensor.normal([n, n], generator: g), b = Tensor.normal([n, n], generator: g)
            let t = Timing.secondsPerCall(samples: 7, minimumSeconds: 0.1, warmup: 3) { _ = a.matmul(b) }
            report.add("sgemm_\(n)", ["gflops": 2 * Double(n * n * n) / t / 1e9, "ms": t * 1e3])
        }
    }

    /// exp on 16M floats: GB/s counting one read and one write, and Gelem/s.
    static func exp(_ report: BenchReport) {
        let n = 1 << 24
        let x = Tensor.normal([n], generator: RandomGenerator(seed: 0))
        let t = Timing.secondsPerCall(minimumSeconds: 0) { _ = x.exp() }
        report.add("exp_16M", ["ms": t * 1e3, "gb_per_s": Double(8 * n) / t / 1e9, "gelem_per_s": Double(n) / t / 1e9])
    }

    /// Sum of 16M floats to one value: GB/s of input read.
    static func sum(_ report: BenchReport) {
        let n = 1 << 24
        let x = Tensor.normal([n], generator: RandomGenerator(seed: 0))
        let t = Timing.secondsPerCall(minimumSeconds: 0) { _ = x.sum() }
        report.add("sum_16M", ["ms": t * 1e3, "gb_per_s": Double(4 * n) / t / 1e9])
        // Column sums (a Linear bias gradient's reduction) over a batch of 65,536 rows.
        let rows = Tensor.normal([65536, 256], generator: RandomGenerator(seed: 1))
        let columns = Timing.secondsPerCall(minimumSeconds: 0) { _ = rows.sum(axes: [0]) }
        report.add("sum_columns_65536x256", ["ms": columns * 1e3, "gb_per_s": Double(4 * rows.count) / columns / 1e9])
    }
}
