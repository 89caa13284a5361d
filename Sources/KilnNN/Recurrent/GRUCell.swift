import Kiln

/// A gated recurrent unit cell (PyTorch's `nn.GRUCell`, same parameter names and gate order r, z, n):
///
///     r = σ(W_ir·x + b_ir + W_hr·h + b_hr),   z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
///     n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)),   h' = (1 − z) ⊙ n + z ⊙ h
///
/// Inputs are `[batch, inputSize]` or unbatched `[inputSize]`; states `[batch, hiddenSize]` or `[hiddenSize]`.
/// Weights and biases start from U(−1/√hiddenSize, 1/√hiddenSize), as in PyTorch.
public final class GRUCell: Module {
    public let inputSize: Int, hiddenSize: Int
    /// `[3·hiddenSize, inputSize]`, the gates stacked in the order r, z, n.
    public let weightIH: Parameter
    /// `[3·hiddenSize, hiddenSize]`.
    public let weightHH: Parameter
    public let biasIH: Parameter?, biasHH: Parameter?

    /// A GRU cell from `inputSize` input features to `hiddenSize` state features, with the two bias
    /// vectors unless `bias` is false; weights are drawn from `generator`.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, generator: RandomGenerator = Random.default) {
        precondition(inputSize > 0 && hiddenSize > 0, "GRUCell: sizes must be positive, got \(inputSize) → \(hiddenSize)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let initial = { (shape: [Int]) in RecurrentStep.initialWeight(shape, hiddenSize: hiddenSize, generator: generator) }
        weightIH = initial([3 * hiddenSize, inputSize])
        weightHH = initial([3 * hiddenSize, hiddenSize])
        biasIH = bias ? initial([3 * hiddenSize]) : nil
        biasHH = bias ? initial([3 * hiddenSize]) : nil
        super.init()
    }

    public override var extraDescription: String { "\(inputSize), \(hiddenSize)" + (biasIH == nil ? ", bias=False" : "") }

    public override var ownParameters: [(name: String, parameter: Parameter)] {
        RecurrentWeights(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH).named(suffix: "")
    }

    /// The next hidden state; a nil `state` is zeros.
    public func callAsFunction(_ input: Tensor, state: Tensor?) -> Tensor {
        let (x, h, unbatched) = CellInput.batched(input, state, inputSize: inputSize, hiddenSize: hiddenSize, op: "GRUCell")
        let projected = RecurrentStep.project(x, weight: weightIH.value, bias: biasIH?.value, gates: 3)
        let next = RecurrentStep.gru(projected, h, weightHH: weightHH.value, biasHH: biasHH?.value)
        return unbatched ? next.squeezed(0) : next
    }

    /// The next hidden state from a zero state.
    public override func forward(_ input: Tensor) -> Tensor { self(input, state: nil) }
}
