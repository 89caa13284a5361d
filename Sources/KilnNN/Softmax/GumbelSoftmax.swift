import Kiln

/// A sample from the Gumbel-softmax (concrete) distribution over `axis` of `logits`
/// (Jang et al. 2017; Maddison et al. 2017): `softmax((logits + g) / temperature)` with
/// `g = −log(−log u)`, `u` uniform, drawn from `generator`.
///
/// With `hard`, the result is the one-hot of the sample's largest entry in the forward pass while the
/// gradient is the soft sample's (the straight-through estimator): `onehot − soft.detached() + soft`.
public func gumbelSoftmax(_ logits: Tensor, temperature: Float = 1, hard: Bool = false, axis: Int = -1,
                          generator: RandomGenerator = Random.default) -> Tensor {
    precondition(logits.rank >= 1, "gumbelSoftmax: needs at least one dimension, got shape \(logits.shape)")
    let u = Tensor.uniform(logits.shape, generator: generator).clamped(min: Float.leastNormalMagnitude)
    let gumbel = -(-u.log()).log()
    let soft = (logits + gumbel).softmax(axis: axis, temperature: temperature)
    guard hard else { return soft }
    let sample = soft.detached()
    let oneHot = (sample .== sample.max(axes: [axis], keepingDims: true)).cast(to: .float32)
    return oneHot - sample + soft
}

/// Gumbel-softmax sampling as a module; draws on every call from `generator`, or when it is nil from
/// the scope's ``Random/default`` at that call (so a `TrainingRun` draws from its own seeded generator).
public final class GumbelSoftmax: Module {
    public let temperature: Float
    public let hard: Bool
    public let axis: Int
    public let generator: RandomGenerator?

    /// Sampling along `axis` at `temperature`, one-hot in the forward pass when `hard`; a nil `generator`
    /// draws from the scope's `Random.default` at each call.
    public init(temperature: Float = 1, hard: Bool = false, axis: Int = -1, generator: RandomGenerator? = nil) {
        self.temperature = temperature
        self.hard = hard
        self.axis = axis
        self.generator = generator
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        gumbelSoftmax(input, temperature: temperature, hard: hard, axis: axis, generator: generator ?? Random.default)
    }
}
