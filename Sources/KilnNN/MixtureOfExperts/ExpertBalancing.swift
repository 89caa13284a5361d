import Foundation
import Kiln

/// How a ``MixtureOfExperts`` keeps its experts' loads even.
public enum ExpertBalancing: Sendable, Equatable {
    /// Nothing beyond the gate.
    case none
    /// The Switch Transformer's auxiliary loss, ``switchBalanceLoss(probabilities:chosenCounts:)`` times
    /// `coefficient` (Fedus et al. use 0.01), added to the objective through
    /// ``MixtureOfExperts/auxiliaryLoss``.
    case auxiliaryLoss(coefficient: Float)
    /// Auxiliary-loss-free balancing (Wang et al. 2024; analysed as a primal-dual method in "A
    /// Theoretical Framework for Auxiliary-Loss-Free Load Balancing of Sparse Mixture-of-Experts"): a
    /// per-expert bias is added to the gate's scores for choosing experts only, never to the gate
    /// weights, and after each training step ``MixtureOfExperts/updateExpertBias()`` moves each bias by
    /// `rate` against the sign of its expert's load error, `bᵢ ← bᵢ + rate · sign(mean load − loadᵢ)`.
    case lossFree(rate: Float)
}

/// The Switch Transformer's load-balancing loss `E · Σᵢ fᵢ · Pᵢ` (Fedus, Zoph & Shazeer 2022): `fᵢ` is
/// the fraction of the chosen assignments that went to expert `i` (a count, not differentiated) and
/// `Pᵢ` the mean router probability of expert `i` over the tokens (`probabilities` `[N, E]`). It is 1
/// when both are uniform and grows as routing concentrates; its gradient lowers the probabilities of
/// overloaded experts. For top-k routing the fractions are over the k·N assignments.
public func switchBalanceLoss(probabilities: Tensor, chosenCounts: [Int]) -> Tensor {
    let experts = probabilities.shape.last ?? 0
    precondition(probabilities.rank == 2 && chosenCounts.count == experts,
                 "switchBalanceLoss: probabilities \(probabilities.shape) and \(chosenCounts.count) counts do not match")
    let total = Float(Swift.max(chosenCounts.reduce(0, +), 1))
    let fractions = Tensor(chosenCounts.map { Float($0) / total })
    return Float(experts) * (probabilities.mean(axis: 0) * fractions).sum()
}

/// The router z-loss of ST-MoE (Zoph et al. 2022): the mean over tokens of `(log Σⱼ e^{xⱼ})²` of the
/// router logits `[N, E]`, times `weight` (they use 0.001); it keeps router logits small, and so
/// routing stable.
public func routerZLoss(logits: Tensor, weight: Float) -> Tensor { zLoss(logits: logits, weight: weight) }

extension ExpertBalancing {
    /// The bias after one loss-free update from `loads` (tokens each expert was chosen by): each bias
    /// moves by `rate` toward the mean load, by the sign of its error; an expert at the mean keeps its bias.
    static func updatedBias(_ bias: [Float], loads: [Int], rate: Float) -> [Float] {
        let mean = Double(loads.reduce(0, +)) / Double(Swift.max(loads.count, 1))
        return zip(bias, loads).map { b, load in
            let error = mean - Double(load)
            return error > 0 ? b + rate : error < 0 ? b - rate : b
        }
    }
}
