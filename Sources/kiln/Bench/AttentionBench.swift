import Kiln

/// Causal scaled dot-product attention (`attention_b<B>_t<T>_…`) with H=4 heads of D=32, forward and forward + backward, on
/// the composed (materialized scores, BLAS) and the fused (blocked, online softmax) implementations,
/// at 4096 tokens per batch: the char-LM's T=128 (B=32) and the longer contexts T=512 (B=8) and
/// T=1024 (B=4). The two paths take turns, so their ratio holds when the machine's speed drifts.
enum AttentionBench {
    static let shapes = [(batch: 32, length: 128), (batch: 8, length: 512), (batch: 4, length: 1024)]

    static func run(_ report: BenchReport) {
        let (heads, dim) = (4, 32)
        let g = RandomGenerator(seed: 0)
        for (batch, length) in shapes {
            let shape = [batch, heads, length, dim]
            let q = Tensor.normal(shape, generator: g), k = Tensor.normal(shape, generator: g)
            let v = Tensor.normal(shape, generator: g), cotangent = Tensor.normal(shape, generator: g)
            let paths = AttentionImplementation.allCases
            let forward: [() -> Void] = paths.map { path in
                { _ = scaledDotProductAttention(query: q, key: k, value: v, mask: .causal, implementation: path) }
            }
            let both: [() -> Void] = paths.map { path in
                {
                    _ = valueAndGradient(at: [q, k, v]) { x in
                        (scaledDotProductAttention(query: x[0], key: x[1], value: x[2], mask: .causal,
                                                   implementation: path) * cotangent).sum()
                    }
                }
            }
            let rounds = length > 512 ? 5 : 9
            let forwardTimes = Timing.interleavedSecondsPerCall(rounds: rounds, forward)
            let bothTimes = Timing.interleavedSecondsPerCall(rounds: rounds, both)
            let name = "attention_b\(batch)_t\(length)"
            let chosen = AttentionImplementation.fastest(keys: length, dim: dim, isCausal: true)
            for (i, path) in paths.enumerated() {
                report.add("\(name)_\(path.rawValue)", ["forward_ms": forwardTimes[i] * 1e3,
                                                          "forward_backward_ms": bothTimes[i] * 1e3,
                                                          "default": path == chosen ? 1 : 0])
            }
            let (composed, fused) = (paths.firstIndex(of: .composed)!, paths.firstIndex(of: .fused)!)
            report.add("\(name)_fused_speedup", ["forward": forwardTimes[composed] / forwardTimes[fused],
                                                 "forward_backward": bothTimes[composed] / bothTimes[fused]])
        }
    }
}
