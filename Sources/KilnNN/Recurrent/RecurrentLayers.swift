import Kiln

/// What the sequence layers share (PyTorch's `RNNBase`): stacked layers, optional reverse direction,
/// the parameters `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}` (with `_reverse`
/// for the backward direction), and the walk over time.
///
/// **Layout.** As in PyTorch, the sequence layers are time-first by default: input `[time, batch, inputSize]`
/// and output `[time, batch, directions·hiddenSize]`; pass `batchFirst: true` for `[batch, time, …]`.
/// The states are `[layers·directions, batch, hiddenSize]` either way, and unbatched input
/// `[time, inputSize]` gives unbatched outputs and states.
///
/// **Computation.** Each layer projects its whole input sequence with one matrix product
/// (`x·W_ihᵀ + b`), then walks the time steps, each step a view of that projection plus the recurrent
/// product `h·W_hhᵀ`. Gradients come from the autodiff rules of these ops.
public class RecurrentLayer: Module {
    /// The cell every layer uses.
    enum Cell {
        case rnn(RNNNonlinearity), lstm, gru

        var gates: Int {
            switch self {
            case .rnn: 1
            case .lstm: 4
            case .gru: 3
            }
        }

        /// Whether `b_hh` can join `b_ih` in the input projection; GRU adds `b_hn` inside `r ⊙ (…)`.
        var foldsBiases: Bool {
            if case .gru = self { return false }
            return true
        }

        var hasCellState: Bool {
            if case .lstm = self { return true }
            return false
        }
    }

    public let inputSize: Int, hiddenSize: Int, layerCount: Int
    public let batchFirst: Bool, bidirectional: Bool
    /// The dropout probability applied to the outputs of every layer but the last while training.
    public let dropout: Float
    let cell: Cell
    /// Indexed by `layer · directions + direction`.
    let weights: [RecurrentWeights]

    var directions: Int { bidirectional ? 2 : 1 }

    init(cell: Cell, name: String, inputSize: Int, hiddenSize: Int, layers: Int, bias: Bool, batchFirst: Bool,
         dropout: Float, bidirectional: Bool, generator: RandomGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0 && layers > 0,
                     "\(name): sizes and layer count must be positive, got \(inputSize) → \(hiddenSize) × \(layers)")
        precondition(dropout >= 0 && dropout < 1, "\(name): dropout \(dropout) outside [0, 1)")
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layers
        self.batchFirst = batchFirst
        self.bidirectional = bidirectional
        self.dropout = dropout
        let g = cell.gates * hiddenSize, directions = bidirectional ? 2 : 1
        let initial = { (shape: [Int]) in RecurrentStep.initialWeight(shape, hiddenSize: hiddenSize, generator: generator) }
        weights = (0..<(layers * directions)).map { k in
            let layerInput = k < directions ? inputSize : directions * hiddenSize
            return RecurrentWeights(weightIH: initial([g, layerInput]), weightHH: initial([g, hiddenSize]),
                                    biasIH: bias ? initial([g]) : nil, biasHH: bias ? initial([g]) : nil)
        }
        super.init()
    }

    public override var ownParameters: [(name: String, parameter: Parameter)] {
        weights.enumerated().flatMap { k, w in
            w.named(suffix: "_l\(k / directions)" + (k % directions == 1 ? "_reverse" : ""))
        }
    }

    /// PyTorch's `RNNBase` text: the sizes, then only the settings that differ from the defaults.
    public override var extraDescription: String {
        var text = "\(inputSize), \(hiddenSize)"
        if layerCount != 1 { text += ", num_layers=\(layerCount)" }
        if weights[0].biasIH == nil { text += ", bias=False" }
        if batchFirst { text += ", batch_first=True" }
        if dropout != 0 { text += ", dropout=\(PythonText.float(dropout))" }
        if bidirectional { text += ", bidirectional=True" }
        return text
    }

    /// The output sequence, the final hidden states and (for LSTM) the final cell states.
    func run(_ input: Tensor, h0: Tensor?, c0: Tensor?, op: String) -> (output: Tensor, h: Tensor, c: Tensor?) {
        precondition((input.rank == 2 || input.rank == 3) && input.shape.last == inputSize,
                     "\(op): input \(input.shape) is not [\(batchFirst ? "batch, time" : "time, batch"), \(inputSize)] or [time, \(inputSize)]")
        let batched = input.rank == 3
        let timeAxis = batched && batchFirst ? 1 : 0
        var x = batched ? input : input.unsqueezed(1)
        let steps = x.shape[timeAxis], batch = x.shape[1 - timeAxis]
        precondition(steps > 0, "\(op): input \(input.shape) has no time steps")
        let stateShape = [layerCount * directions, batch, hiddenSize]
        let initial = { (state: Tensor?) -> [Tensor]? in
            guard let state else { return nil }
            let s = batched ? state : state.unsqueezed(1)
            precondition(s.shape == stateShape, "\(op): initial state \(state.shape) does not match input \(input.shape); expected \(batched ? stateShape : [stateShape[0], stateShape[2]])")
            return s.unstacked(axis: 0)
        }
        let hInitial = initial(h0), cInitial = initial(c0)
        let zeros = Tensor(zeros: [batch, hiddenSize])
        var finalH: [Tensor] = [], finalC: [Tensor] = []
        for layer in 0..<layerCount {
            if layer > 0, dropout > 0, isTraining {
                x = x * (Tensor.bernoulli(x.shape, probability: 1 - dropout, dtype: .float32) / (1 - dropout))
            }
            var outputs: [Tensor] = []
            for direction in 0..<directions {
                let k = layer * directions + direction
                let (hs, h, c) = walk(x, weights[k], timeAxis: timeAxis, reverse: direction == 1,
                                      h: hInitial?[k] ?? zeros, c: cInitial?[k] ?? zeros)
                outputs.append(Tensor.stack(hs, axis: timeAxis))
                finalH.append(h)
                finalC.append(c)
            }
            x = directions == 1 ? outputs[0] : Tensor.concatenate(outputs, axis: 2)
        }
        let h = Tensor.stack(finalH)
        let c: Tensor? = cell.hasCellState ? Tensor.stack(finalC) : nil
        return batched ? (x, h, c) : (x.squeezed(1), h.squeezed(1), c?.squeezed(1))
    }

    /// One layer in one direction: the hidden state at every step (in time order) and the final states.
    private func walk(_ x: Tensor, _ w: RecurrentWeights, timeAxis: Int, reverse: Bool,
                      h: Tensor, c: Tensor) -> (hs: [Tensor], h: Tensor, c: Tensor) {
        let bias = cell.foldsBiases ? CellInput.combinedBias(w.biasIH, w.biasHH) : w.biasIH?.value
        let projected = RecurrentStep.project(x, weight: w.weightIH.value, bias: bias, gates: cell.gates)
        let perStep = projected.unstacked(axis: timeAxis)
        let weightHH = w.weightHH.value, biasHH = w.biasHH?.value
        var h = h, c = c
        var hs: [Tensor] = []
        hs.reserveCapacity(perStep.count)
        for t in reverse ? Array(perStep.indices.reversed()) : Array(perStep.indices) {
            switch cell {
            case .rnn(let f): h = RecurrentStep.rnn(perStep[t], h, weightHH: weightHH, nonlinearity: f)
            case .lstm: (h, c) = RecurrentStep.lstm(perStep[t], h, c, weightHH: weightHH)
            case .gru: h = RecurrentStep.gru(perStep[t], h, weightHH: weightHH, biasHH: biasHH)
            }
            hs.append(h)
        }
        return (reverse ? hs.reversed() : hs, h, c)
    }
}

/// A multi-layer Elman RNN (PyTorch's `nn.RNN`): `h_t = f(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)`.
///
/// Time-first by default, like PyTorch (see ``RecurrentLayer`` for the layouts). Calling it with one tensor returns
/// the output sequence; `rnn(x, state: h0)` returns the output and the final hidden states
/// `[layers·directions, batch, hiddenSize]`.
///
/// ```swift
/// let rnn = RNN(inputSize: 8, hiddenSize: 16, layers: 2)
/// let (output, h) = rnn(x, state: nil)      // x: [time, batch, 8] → output [time, batch, 16], h [2, batch, 16]
/// ```
public final class RNN: RecurrentLayer {
    /// A stack of `layers` RNN layers with PyTorch's defaults; `dropout` applies to the outputs of every
    /// layer but the last while training, and `bidirectional` adds a reversed pass to each layer.
    public init(inputSize: Int, hiddenSize: Int, layers: Int = 1, nonlinearity: RNNNonlinearity = .tanh,
                bias: Bool = true, batchFirst: Bool = false, dropout: Float = 0, bidirectional: Bool = false,
                generator: RandomGenerator = Random.default) {
        super.init(cell: .rnn(nonlinearity), name: "RNN", inputSize: inputSize, hiddenSize: hiddenSize, layers: layers,
                   bias: bias, batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, generator: generator)
    }

    /// The output sequence and the final hidden states; a nil `state` is zeros.
    public func callAsFunction(_ input: Tensor, state: Tensor?) -> (output: Tensor, state: Tensor) {
        let r = run(input, h0: state, c0: nil, op: "RNN")
        return (r.output, r.h)
    }

    /// The output sequence from zero initial states.
    public override func forward(_ input: Tensor) -> Tensor { run(input, h0: nil, c0: nil, op: "RNN").output }
}

/// A multi-layer LSTM (PyTorch's `nn.LSTM` without `proj_size`); each step is an ``LSTMCell``.
///
/// Time-first by default, like PyTorch (see ``RecurrentLayer`` for the layouts). Calling it with one tensor returns
/// the output sequence; `lstm(x, state: (h0, c0))` returns the output and the final `(h, c)`, each
/// `[layers·directions, batch, hiddenSize]`.
public final class LSTM: RecurrentLayer {
    /// A stack of `layers` LSTM layers with PyTorch's defaults; `dropout` applies to the outputs of every
    /// layer but the last while training, and `bidirectional` adds a reversed pass to each layer.
    public init(inputSize: Int, hiddenSize: Int, layers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Float = 0, bidirectional: Bool = false, generator: RandomGenerator = Random.default) {
        super.init(cell: .lstm, name: "LSTM", inputSize: inputSize, hiddenSize: hiddenSize, layers: layers,
                   bias: bias, batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, generator: generator)
    }

    /// The output sequence and the final hidden and cell states; a nil `state` is zeros.
    public func callAsFunction(_ input: Tensor, state: (h: Tensor, c: Tensor)?) -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        let r = run(input, h0: state?.h, c0: state?.c, op: "LSTM")
        return (r.output, (r.h, r.c!))
    }

    /// The output sequence from zero initial states.
    public override func forward(_ input: Tensor) -> Tensor { run(input, h0: nil, c0: nil, op: "LSTM").output }
}

/// A multi-layer GRU (PyTorch's `nn.GRU`); each step is a ``GRUCell``.
///
/// Time-first by default, like PyTorch (see ``RecurrentLayer`` for the layouts). Calling it with one tensor returns
/// the output sequence; `gru(x, state: h0)` returns the output and the final hidden states
/// `[layers·directions, batch, hiddenSize]`.
public final class GRU: RecurrentLayer {
    /// A stack of `layers` GRU layers with PyTorch's defaults; `dropout` applies to the outputs of every
    /// layer but the last while training, and `bidirectional` adds a reversed pass to each layer.
    public init(inputSize: Int, hiddenSize: Int, layers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Float = 0, bidirectional: Bool = false, generator: RandomGenerator = Random.default) {
        super.init(cell: .gru, name: "GRU", inputSize: inputSize, hiddenSize: hiddenSize, layers: layers,
                   bias: bias, batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, generator: generator)
    }

    /// The output sequence and the final hidden states; a nil `state` is zeros.
    public func callAsFunction(_ input: Tensor, state: Tensor?) -> (output: Tensor, state: Tensor) {
        let r = run(input, h0: state, c0: nil, op: "GRU")
        return (r.output, r.h)
    }

    /// The output sequence from zero initial states.
    public override func forward(_ input: Tensor) -> Tensor { run(input, h0: nil, c0: nil, op: "GRU").output }
}
