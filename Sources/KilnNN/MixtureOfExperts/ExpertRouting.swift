import Foundation
import Kiln

/// Where the tokens of one call of a ``MixtureOfExperts`` go: the experts each token was chosen for,
/// which of those assignments fit the experts' capacity, and their gate weights.
///
/// Dispatched assignments are listed expert by expert (expert 0's tokens in token order, then expert
/// 1's, …), the order the experts' rows are gathered in.
public struct ExpertRouting {
    /// The number of tokens routed.
    public let tokens: Int
    /// The number of experts.
    public let experts: Int
    /// The router's logits `[tokens, experts]`, or nil for a gate without a router.
    public let logits: Tensor?
    /// The gate's probabilities `[tokens, experts]`, or nil for a gate without a router.
    public let probabilities: Tensor?
    /// The gate weights `[tokens, experts]` of the dispatched assignments, zero elsewhere; differentiable
    /// with respect to the router.
    public let gates: Tensor
    /// The token of each dispatched assignment, expert by expert.
    public let dispatchedTokens: [Int]
    /// How many dispatched assignments each expert has.
    public let groupSizes: [Int]
    /// How many tokens chose each expert, before capacity dropped any.
    public let chosenCounts: [Int]
    /// Chosen assignments that did not fit their expert's capacity.
    public var droppedAssignments: Int { chosenCounts.reduce(0, +) - dispatchedTokens.count }

    /// The flat positions `token · experts + expert` of the dispatched assignments in ``gates``.
    let dispatchedSlots: [Int]
}

/// What decides, beyond the gate itself, which experts the tokens go to.
struct RoutingRules {
    /// Added to the selection scores (the probabilities) of each expert, for choosing only.
    var selectionBias: [Float]
    /// Experts that receive no token.
    var disabled: Set<Int>
    /// Experts every token goes to (up to the gate's k for top-k gates).
    var forced: Set<Int>
    /// Each expert takes at most ⌈factor · assignments / experts⌉ tokens, in token order; nil for dropless.
    var capacityFactor: Double?
    /// When set, each token goes to its expert of this rank (1 for the most probable) alone, with weight 1.
    var onlyRank: Int?
}

extension ExpertRouting {
    /// Routes `logits` (`[N, E]`, nil for the stochastic gate of `experts` experts) by `gate` and `rules`.
    init(logits: Tensor?, tokens n: Int, experts e: Int, gate: ExpertGate, rules: RoutingRules, generator: RandomGenerator) {
        let probabilities = logits.map(gate.probabilities)
        var chosen = [Float](repeating: 0, count: n * e)
        let enabled = (0..<e).map { !rules.disabled.contains($0) }
        if let probabilities {
            probabilities.withUnsafeFloats { p in
                Self.choose(p, tokens: n, experts: e, gate: gate, rules: rules, enabled: enabled, into: &chosen)
            }
        } else {
            Self.drawStochastic(tokens: n, experts: e, rules: rules, enabled: enabled, generator: generator, into: &chosen)
        }
        // Dispatch expert by expert in token order, up to each expert's capacity.
        var counts = [Int](repeating: 0, count: e)
        for t in 0..<n { for x in 0..<e where chosen[t * e + x] != 0 { counts[x] += 1 } }
        let total = counts.reduce(0, +)
        let capacity = rules.capacityFactor.map { Int((Double(total) * $0 / Double(e)).rounded(.up)) } ?? total
        let sizes = counts.map { Swift.min($0, capacity) }
        var next = sizes.reduce(into: [0]) { $0.append($0.last! + $1) }.dropLast().map { $0 }
        let ends = zip(next, sizes).map { $0 + $1 }
        var order = [Int](repeating: 0, count: ends.last ?? 0), slots = order
        var kept = [Float](repeating: 0, count: n * e)
        for t in 0..<n {
            for x in 0..<e where chosen[t * e + x] != 0 && next[x] < ends[x] {
                order[next[x]] = t
                slots[next[x]] = t * e + x
                kept[t * e + x] = 1
                next[x] += 1
            }
        }
        let keptMask = Tensor(kept, shape: [n, e])
        var gates = keptMask
        if let probabilities {
            let chosenMask = Tensor(chosen, shape: [n, e])
            let selected = probabilities * chosenMask
            let renormalized = if case .topK(_, true) = gate { true } else { rules.onlyRank != nil }
            gates = (renormalized ? selected / selected.sum(axis: 1, keepingDims: true) : selected) * keptMask
        }
        self.init(tokens: n, experts: e, logits: logits, probabilities: probabilities, gates: gates, dispatchedTokens: order,
                  groupSizes: sizes, chosenCounts: counts, dispatchedSlots: slots)
    }

    /// Marks in `chosen` (`[N, E]`) the experts each token's probabilities `p` choose.
    private static func choose(_ p: UnsafeBufferPointer<Float>, tokens n: Int, experts e: Int, gate: ExpertGate, rules: RoutingRules,
                               enabled: [Bool], into chosen: inout [Float]) {
        let forced = rules.forced.sorted().filter { enabled[$0] }
        let bias = rules.selectionBias
        chosen.withUnsafeMutableBufferPointer { c in
            /// The enabled, not yet chosen expert of the highest biased score in a row.
            func best(_ row: Int) -> Int? {
                var winner: Int?, score = -Float.infinity
                for x in 0..<e where enabled[x] && c[row + x] == 0 {
                    let s = rules.onlyRank == nil ? p[row + x] + bias[x] : p[row + x]
                    if winner == nil || s > score { (winner, score) = (x, s) }
                }
                return winner
            }
            for t in 0..<n {
                let row = t * e
                switch (gate, rules.onlyRank) {
                case (_, let rank?):
                    // Take the `rank` best by probability, keep the last one taken.
                    var last = -1
                    for _ in 0..<rank {
                        guard let pick = best(row) else { break }
                        c[row + pick] = -1
                        last = pick
                    }
                    for x in 0..<e { c[row + x] = x == last ? 1 : 0 }
                case (.topK(let k, _), nil):
                    var picked = 0
                    for x in forced where picked < k {
                        c[row + x] = 1
                        picked += 1
                    }
                    while picked < k, let x = best(row) {
                        c[row + x] = 1
                        picked += 1
                    }
                case (.denseToSparse(_, let threshold), nil), (.activationDenseToSparse(_, _, let threshold), nil):
                    for x in 0..<e where enabled[x] && (p[row + x] + bias[x] >= threshold || forced.contains(x)) { c[row + x] = 1 }
                case (.stochastic, nil):
                    preconditionFailure("ExpertRouting: the stochastic gate draws its experts")
                }
            }
        }
    }

    /// Marks in `chosen` one expert per token drawn uniformly from the enabled ones (from the forced
    /// ones when any are forced).
    private static func drawStochastic(tokens n: Int, experts e: Int, rules: RoutingRules, enabled: [Bool], generator: RandomGenerator,
                                       into chosen: inout [Float]) {
        let forced = rules.forced.sorted().filter { enabled[$0] }
        let pool = forced.isEmpty ? (0..<e).filter { enabled[$0] } : forced
        guard !pool.isEmpty else { return }
        let draws = Tensor.uniform([n], generator: generator).scalars
        for t in 0..<n { chosen[t * e + pool[Swift.min(Int(draws[t] * Float(pool.count)), pool.count - 1)]] = 1 }
    }
}
