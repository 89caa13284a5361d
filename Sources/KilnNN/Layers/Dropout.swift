import Kiln

/// Zeroes each element with probability `p` during training and scales the survivors by `1/(1 − p)`,
/// so the expected output equals the input (inverted dropout); the identity in evaluation mode.
///
/// Masks are drawn from `generator`, or when it is nil from the scope's ``Random/default`` at each call
/// (so a model built anywhere draws from the seeded generator of the `TrainingRun` that trains it).
public final class Dropout: Module {
    /// The probability of zeroing an element.
    public let p: Float
    let generator: RandomGenerator?

    /// Dropout with probability `p` in [0, 1] (PyTorch's default 0.5), drawing masks from `generator` when given.
    public init(_ p: Float = 0.5, generator: RandomGenerator? = nil) {
        precondition(p >= 0 && p <= 1, "Dropout: probability \(p) outside [0, 1]")
        self.p = p
        self.generator = generator
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        guard isTraining else { return x }
        return invertedDropout(x, probability: p, generator: generator ?? Random.default)
    }

    /// PyTorch's text; Kiln never drops in place.
    public override var extraDescription: String { "p=\(PythonText.float(p)), inplace=False" }
}
