import Kiln

/// The nonlinearity of an Elman recurrent cell, `h' = f(W_ih·x + b_ih + W_hh·h + b_hh)`.
public enum RNNNonlinearity: Sendable {
    case tanh
    case relu
}

/// One time step of each recurrent cell, shared by the cells and the sequence layers.
///
/// `projected` is the input's share of the gates, `x·W_ihᵀ` plus biases, shaped `[batch, gates, hidden]`:
/// the sequence layers compute it for all time steps with one matrix product and hand each step a view.
enum RecurrentStep {
    /// The input projection of a cell, `[batch, gates, hidden]`.
    static func project(_ x: Tensor, weight: Tensor, bias: Tensor?, gates: Int) -> Tensor {
        let y = linear(x, weight: weight, bias: bias)
        return y.reshaped(Array(y.shape.dropLast()) + [gates, y.shape[y.rank - 1] / gates])
    }

    /// Elman RNN: `h' = f(projected + h·W_hhᵀ)`; `projected` includes both biases.
    static func rnn(_ projected: Tensor, _ h: Tensor, weightHH: Tensor, nonlinearity: RNNNonlinearity) -> Tensor {
        let pre = projected.squeezed(1) + linear(h, weight: weightHH)
        switch nonlinearity {
        case .tanh: return pre.tanh()
        case .relu: return Tensor.where(pre .> 0, pre, Tensor(0))
        }
    }

    /// LSTM with PyTorch's gate order i, f, g, o: `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ tanh(c')`;
    /// `projected` includes both biases.
    static func lstm(_ projected: Tensor, _ h: Tensor, _ c: Tensor, weightHH: Tensor) -> (h: Tensor, c: Tensor) {
        let gates = (projected + linear(h, weight: weightHH).reshaped(projected.shape)).unstacked(axis: 1)
        let i = gates[0].sigmoid(), f = gates[1].sigmoid(), g = gates[2].tanh(), o = gates[3].sigmoid()
        let cNext = f * c + i * g
        return (o * cNext.tanh(), cNext)
    }

    /// GRU with PyTorch's gate order r, z, n: `n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))`,
    /// `h' = (1 − z) ⊙ n + z ⊙ h`; `projected` includes only the input bias.
    static func gru(_ projected: Tensor, _ h: Tensor, weightHH: Tensor, biasHH: Tensor?) -> Tensor {
        let fromInput = projected.unstacked(axis: 1)
        let fromState = linear(h, weight: weightHH, bias: biasHH).reshaped(projected.shape).unstacked(axis: 1)
        let r = (fromInput[0] + fromState[0]).sigmoid(), z = (fromInput[1] + fromState[1]).sigmoid()
        let n = (fromInput[2] + r * fromState[2]).tanh()
        return n + z * (h - n)
    }

    /// PyTorch's default initialization of every recurrent weight and bias: U(−1/√hidden, 1/√hidden).
    static func initialWeight(_ shape: [Int], hiddenSize: Int, generator: RandomGenerator) -> Parameter {
        let bound = 1 / Float(hiddenSize).squareRoot()
        return Parameter(wrappedValue: Tensor.uniform(shape, low: -bound, high: bound, generator: generator))
    }
}

/// The four parameters of one cell, or of one layer and direction of a sequence layer.
struct RecurrentWeights {
    let weightIH: Parameter, weightHH: Parameter
    let biasIH: Parameter?, biasHH: Parameter?

    /// PyTorch's names: `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, each followed by `suffix` (`_l1_reverse`).
    func named(suffix: String) -> [(name: String, parameter: Parameter)] {
        [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)]
            .compactMap { name, p in p.map { (name + suffix, $0) } }
    }
}
