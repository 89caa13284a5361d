import Kiln

/// A long short-term memory cell (PyTorch's `nn.LSTMCell`, same parameter names and gate order i, f, g, o):
///
///     i, f, g, o = σ(·), σ(·), tanh(·), σ(·) of x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh
///     c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
///
/// Inputs are `[batch, inputSize]` or unbatched `[inputSize]`; `h` and `c` are `[batch, hiddenSize]` or
/// `[hiddenSize]`. Weights and biases start from U(−1/√hiddenSize, 1/√hiddenSize), as in PyTorch.
public final class LSTMCell: Module {
    public let inputSize: Int, hiddenSize: Int
    /// `[4·hiddenSize, inputSize]`, the gates stacked in the order i, f, g, o.
    public let weightIH: Parameter
    /// `[4·hiddenSize, hiddenSize]`.
    public let weightHH: Parameter
    public let biasIH: Parameter?, biasHH: Parameter?

    /// An LSTM cell from `inputSize` input features to `hiddenSize` state features, with the two bias
    /// vectors unless `bias` is false; weights are drawn from `generator`.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, generator: RandomGenerator = Random.default) {
        precondition(inputSize > 0 && hiddenSize > 0, "LSTMCell: sizes must be positive, got \(inputSize) → \(hiddenSize)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let initial = { (shape: [Int]) in RecurrentStep.initialWeight(shape, hiddenSize: hiddenSize, generator: generator) }
        weightIH = initial([4 * hiddenSize, inputSize])
        weightHH = initial([4 * hiddenSize, hiddenSize])
        biasIH = bias ? initial([4 * hiddenSize]) : nil
        biasHH = bias ? initial([4 * hiddenSize]) : nil
        super.init()
    }

    public override var extraDescription: String { "\(inputSize), \(hiddenSize)" + (biasIH == nil ? ", bias=False" : "") }

    public override var ownParameters: [(name: String, parameter: Parameter)] {
        RecurrentWeights(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH).named(suffix: "")
    }

    /// The next hidden and cell states; a nil `state` is zeros.
    public func callAsFunction(_ input: Tensor, state: (h: Tensor, c: Tensor)?) -> (h: Tensor, c: Tensor) {
        let (x, h, unbatched) = CellInput.batched(input, state?.h, inputSize: inputSize, hiddenSize: hiddenSize, op: "LSTMCell")
        let c = CellInput.batched(input, state?.c, inputSize: inputSize, hiddenSize: hiddenSize, op: "LSTMCell").h
        let projected = RecurrentStep.project(x, weight: weightIH.value, bias: CellInput.combinedBias(biasIH, biasHH), gates: 4)
        let next = RecurrentStep.lstm(projected, h, c, weightHH: weightHH.value)
        return unbatched ? (next.h.squeezed(0), next.c.squeezed(0)) : next
    }

    /// The next hidden state from zero states.
    public override func forward(_ input: Tensor) -> Tensor { self(input, state: nil).h }
}
