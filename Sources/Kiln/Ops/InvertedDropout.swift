/// `x` with each element zeroed with probability `p` and the survivors scaled by `1/(1 − p)`, so
/// that the expected result is `x` (inverted dropout, PyTorch's `F.dropout` in training). The mask
/// is one Bernoulli draw per element from `generator`; the gradient passes through the same mask.
/// `p` 0 returns `x` itself and `p` 1 zeros.
///
/// ```swift
/// let dropped = invertedDropout(activations, probability: 0.1, generator: RandomGenerator(seed: 3))
/// ```
public func invertedDropout(_ x: Tensor, probability p: Float, generator: RandomGenerator = Random.default) -> Tensor {
    precondition(p >= 0 && p <= 1, "invertedDropout: probability \(p) outside [0, 1]")
    if p == 0 { return x }
    if p == 1 { return x * 0 }
    let keep = Tensor.bernoulli(x.shape, probability: 1 - p, dtype: .float32, generator: generator)
    return x * (keep * (1 / (1 - p)))
}
