import Foundation
import Kiln

/// The sampling temperature at each generated token.
public enum TemperatureSchedule: Sendable, Equatable {
    /// The same temperature for every token; 0 is greedy decoding.
    case constant(Float)
    /// Exploratory annealed decoding (Yang et al., "Let it Calm: Exploratory Annealed Decoding for
    /// Verifiable Reinforcement Learning", 2025): explore early, exploit late, with the temperature of
    /// generated token `t` (from 0) `τ_t = max(1 + maximum − e^(t/decay), minimum)`. It starts at
    /// `maximum` and falls ever faster until it rests at `minimum`. The paper's training-time extras
    /// (temperature 1 over a chat template's first tokens, a decay that grows with RL steps) are the
    /// caller's: start counting after the template, and pass the decay of the current step.
    case exploratoryAnnealing(maximum: Float, minimum: Float, decay: Float)

    /// The temperature of generated token `step` (0 for the first).
    public func temperature(at step: Int) -> Float {
        switch self {
        case .constant(let t):
            return t
        case let .exploratoryAnnealing(maximum, minimum, decay):
            return Swift.max(1 + maximum - Float(Foundation.exp(Double(step) / Double(decay))), minimum)
        }
    }

    /// Stops with a message naming `owner` when a temperature is negative or a decay not positive.
    func validate(_ owner: String) {
        switch self {
        case .constant(let t):
            precondition(t >= 0 && t.isFinite, "\(owner): temperature \(t) must be finite and at least 0")
        case let .exploratoryAnnealing(maximum, minimum, decay):
            precondition(minimum >= 0 && maximum >= minimum && maximum.isFinite && decay > 0,
                         "\(owner): annealing needs 0 ≤ minimum \(minimum) ≤ maximum \(maximum) and decay \(decay) > 0")
        }
    }
}

/// How the next token is drawn from a model's logits: temperature (constant or annealed), then the
/// `topK` most likely tokens, then the nucleus of Holtzman et al. (2020), the fewest most likely tokens
/// whose probabilities sum to at least `topP`. Draws come from `generator` only.
///
/// ```swift
/// let sampler = Sampler(temperature: 0.8, topK: 40, topP: 0.95, generator: RandomGenerator(seed: 1))
/// ```
public struct Sampler {
    /// The temperature of each generated token.
    public var temperature: TemperatureSchedule
    /// How many of the most likely tokens stay candidates, or nil for all.
    public var topK: Int?
    /// The probability mass of the nucleus in (0, 1], or nil for all tokens.
    public var topP: Float?
    /// The source of every draw.
    public let generator: RandomGenerator

    /// A sampler with a temperature schedule; `topK` at least 1, `topP` in (0, 1].
    public init(schedule: TemperatureSchedule, topK: Int? = nil, topP: Float? = nil, generator: RandomGenerator) {
        schedule.validate("Sampler")
        if let topK { precondition(topK >= 1, "Sampler: topK \(topK) must be at least 1") }
        if let topP { precondition(topP > 0 && topP <= 1, "Sampler: topP \(topP) must be in (0, 1]") }
        temperature = schedule
        self.topK = topK
        self.topP = topP
        self.generator = generator
    }

    /// A sampler with a constant temperature (0 for greedy decoding).
    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil, generator: RandomGenerator) {
        self.init(schedule: .constant(temperature), topK: topK, topP: topP, generator: generator)
    }

    /// The distribution each row of `logits` `[B, vocabulary]` is drawn from at generated token `step`:
    /// probabilities, zero outside the top-k and nucleus. At temperature 0, all mass on the first
    /// largest logit.
    public func probabilities(logits: Tensor, step: Int = 0) -> Tensor {
        precondition(logits.rank == 2 && logits.dtype == .float32 && logits.shape[1] > 0,
                     "Sampler: logits must be float [B, vocabulary], got \(logits.dtype) \(logits.shape)")
        let (rows, vocabulary) = (logits.shape[0], logits.shape[1])
        let t = temperature.temperature(at: step)
        let values = logits.detached().scalars
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            let row = Array(values[(r * vocabulary)..<((r + 1) * vocabulary)])
            let p = t == 0 ? greedy(row) : filtered(row, temperature: Double(t))
            for (i, value) in p.enumerated() { out[r * vocabulary + i] = Float(value) }
        }
        return Tensor(out, shape: logits.shape)
    }

    /// One token id per row of `logits` `[B, vocabulary]` (int64 `[B]`), drawn for generated token `step`;
    /// the largest logit without a draw at temperature 0.
    public func sample(logits: Tensor, step: Int = 0) -> Tensor {
        if temperature.temperature(at: step) == 0 { return logits.detached().argmax(axis: -1) }
        let p = probabilities(logits: logits, step: step)
        return Tensor.categorical(probabilities: p, generator: generator).reshaped([logits.shape[0]])
    }

    private func greedy(_ row: [Float]) -> [Double] {
        var p = [Double](repeating: 0, count: row.count)
        p[row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!] = 1
        return p
    }

    /// The tempered softmax of `row` restricted to the top-k, then to the nucleus, renormalized.
    private func filtered(_ row: [Float], temperature: Double) -> [Double] {
        let shift = Double(row.max()!)
        precondition(shift.isFinite, "Sampler: a row of logits has no finite maximum")
        // Most likely first; ties keep the lower id first.
        let order = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
        var weights = row.map { Foundation.exp((Double($0) - shift) / temperature) }
        var kept = Swift.min(topK ?? row.count, row.count)
        if let topP {
            let total = order.prefix(kept).reduce(0) { $0 + weights[$1] }
            var mass = 0.0, nucleus = 0
            while nucleus < kept && mass < Double(topP) * total {
                mass += weights[order[nucleus]]
                nucleus += 1
            }
            kept = Swift.max(nucleus, 1)
        }
        for i in order.dropFirst(kept) { weights[i] = 0 }
        let sum = weights.reduce(0, +)
        return weights.map { $0 / sum }
    }
}
