import Kiln

/// Zeroes each element with probability `p` during training and scales the survivors by `1/(1 − p)`,
/// so the expected output equals the input (inverted dropout); the identity in evaluation mode.
///
/// Masks are drawn from `generator`, so a seeded generator makes training reproducible.
public final class Dropout: Module {
    /// The probability of zeroing an element.
    public let p: Float
    let generator: RandomGenerator

    public init(_ p: Float = 0.5, generator: RandomGenerator = Random.default) {
        precondition(p >= 0 && p <= 1, "Dropout: probability \(p) outside [0, 1]")
        self.p = p
        self.generator = generator
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        if p == 1 { return x * 0 }
        let keep = Tensor.bernoulli(x.shape, probability: 1 - p, dtype: .float32, generator: generator)
        return x * (keep * (1 / (1 - p)))
    }

    /// PyTorch's text; Kiln never drops in place.
    public override var extraDescription: String { "p=\(PythonText.float(p)), inplace=False" }
}
