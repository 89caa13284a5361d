import Kiln

/// An Elman recurrent cell, `h' = f(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)` with f = tanh or ReLU
/// (PyTorch's `nn.RNNCell`, same parameter names: `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`).
///
/// Inputs are `[batch, inputSize]` or unbatched `[inputSize]`; states `[batch, hiddenSize]` or `[hiddenSize]`.
/// Weights and biases start from U(−1/√hiddenSize, 1/√hiddenSize), as in PyTorch.
///
/// ```swift
/// let cell = RNNCell(inputSize: 8, hiddenSize: 16)
/// var h = cell(x0, state: nil)
/// h = cell(x1, state: h)
/// ```
public final class RNNCell: Module {
    public let inputSize: Int, hiddenSize: Int
    public let nonlinearity: RNNNonlinearity
    /// `[hiddenSize, inputSize]`.
    public let weightIH: Parameter
    /// `[hiddenSize, hiddenSize]`.
    public let weightHH: Parameter
    public let biasIH: Parameter?, biasHH: Parameter?

    /// An RNN cell from `inputSize` input features to `hiddenSize` state features with PyTorch's defaults
    /// (biases on, tanh); weights are drawn from `generator`.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, nonlinearity: RNNNonlinearity = .tanh,
                generator: RandomGenerator = Random.default) {
        precondition(inputSize > 0 && hiddenSize > 0, "RNNCell: sizes must be positive, got \(inputSize) → \(hiddenSize)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.nonlinearity = nonlinearity
        let initial = { (shape: [Int]) in RecurrentStep.initialWeight(shape, hiddenSize: hiddenSize, generator: generator) }
        weightIH = initial([hiddenSize, inputSize])
        weightHH = initial([hiddenSize, hiddenSize])
        biasIH = bias ? initial([hiddenSize]) : nil
        biasHH = bias ? initial([hiddenSize]) : nil
        super.init()
    }

    public override var extraDescription: String {
        "\(inputSize), \(hiddenSize)" + (biasIH == nil ? ", bias=False" : "") + (nonlinearity == .tanh ? "" : ", nonlinearity=relu")
    }

    public override var ownParameters: [(name: String, parameter: Parameter)] {
        RecurrentWeights(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH).named(suffix: "")
    }

    /// The next hidden state; a nil `state` is zeros.
    public func callAsFunction(_ input: Tensor, state: Tensor?) -> Tensor {
        let (x, h, unbatched) = CellInput.batched(input, state, inputSize: inputSize, hiddenSize: hiddenSize, op: "RNNCell")
        let bias = CellInput.combinedBias(biasIH, biasHH)
        let projected = RecurrentStep.project(x, weight: weightIH.value, bias: bias, gates: 1)
        let next = RecurrentStep.rnn(projected, h, weightHH: weightHH.value, nonlinearity: nonlinearity)
        return unbatched ? next.squeezed(0) : next
    }

    /// The next hidden state from a zero state.
    public override func forward(_ input: Tensor) -> Tensor { self(input, state: nil) }
}

/// Shape checks and batching shared by the cells.
enum CellInput {
    /// The input and state as `[batch, features]` (a zero state when nil), and whether the input was unbatched.
    static func batched(_ input: Tensor, _ state: Tensor?, inputSize: Int, hiddenSize: Int,
                        op: String) -> (x: Tensor, h: Tensor, unbatched: Bool) {
        precondition((input.rank == 1 || input.rank == 2) && input.shape.last == inputSize,
                     "\(op): input \(input.shape) is not [batch, \(inputSize)] or [\(inputSize)]")
        let unbatched = input.rank == 1
        let x = unbatched ? input.unsqueezed(0) : input
        let stateShape = [x.shape[0], hiddenSize]
        guard let state else { return (x, Tensor(zeros: stateShape), unbatched) }
        let h = unbatched ? state.unsqueezed(0) : state
        precondition(h.shape == stateShape, "\(op): state \(state.shape) does not match input \(input.shape) (expected \(unbatched ? [hiddenSize] : stateShape))")
        return (x, h, unbatched)
    }

    /// `b_ih + b_hh`, which RNN and LSTM cells add together to the gates.
    static func combinedBias(_ a: Parameter?, _ b: Parameter?) -> Tensor? {
        guard let a, let b else { return nil }
        return a.value + b.value
    }
}
