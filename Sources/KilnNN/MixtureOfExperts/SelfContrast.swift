import Foundation
import Kiln

/// Self-contrast decoding of a mixture-of-experts model (SCMoE; Shi et al., "Unchosen Experts Can
/// Contribute Too: Unleashing MoE Models' Power by Self-Contrast", 2024): the next-token scores
/// `(1 + β)·strong − β·weak` of the logits `[B, V]` of the model's usual (strong) activation and of a
/// weak activation of the same model (each token routed to a lower-ranked expert alone), kept only
/// for tokens the strong pass finds plausible, `p_strong ≥ plausibility · max p_strong`; the rest get −∞.
public func selfContrastLogits(strong: Tensor, weak: Tensor, beta: Float, plausibility: Float) -> Tensor {
    precondition(strong.shape == weak.shape && strong.rank == 2,
                 "selfContrastLogits: strong \(strong.shape) and weak \(weak.shape) must be the same [B, V]")
    precondition(beta >= 0 && plausibility >= 0 && plausibility <= 1,
                 "selfContrastLogits: beta \(beta) must be non-negative and plausibility \(plausibility) in [0, 1]")
    let logP = strong.logSoftmax(axis: -1)
    let plausible = logP .>= logP.max(axis: -1, keepingDims: true).values + Foundation.log(Swift.max(plausibility, .leastNonzeroMagnitude))
    return Tensor.where(plausible, (1 + beta) * strong - beta * weak, Tensor(-Float.infinity))
}

/// Continues each row of `prompt` (int64 `[B, T]`) by `count` tokens drawn by `sampler` from
/// ``selfContrastLogits(strong:weak:beta:plausibility:)``: the strong pass routes as the model's
/// mixtures do, the weak pass sends each token to its expert of rank `weakRank` alone (the paper
/// contrasts Mixtral's top-2 with its rank-2 expert). Both read the last `contextLength` tokens
/// afresh at each step (no cache), in evaluation mode, without gradients.
public func generateSelfContrast(model: GPT, prompt: Tensor, count: Int, sampler: Sampler, beta: Float = 0.5,
                                 plausibility: Float = 0.1, weakRank: Int = 2) -> Tensor {
    precondition(prompt.rank == 2 && prompt.dtype == .int64 && prompt.shape[1] > 0,
                 "generateSelfContrast: prompt must be int64 [B, T] with T ≥ 1, got \(prompt.dtype) \(prompt.shape)")
    let layers = model.mixtureLayers
    precondition(!layers.isEmpty, "generateSelfContrast: the model has no mixture-of-experts layer")
    precondition(weakRank >= 1 && layers.allSatisfy { weakRank <= $0.experts.count },
                 "generateSelfContrast: weak rank \(weakRank) must lie within every mixture's experts")
    let wasTraining = model.isTraining
    if wasTraining { model.eval() }
    defer { if wasTraining { model.train() } }
    let window = model.configuration.contextLength
    return withoutGradient {
        var tokens = prompt
        for step in 0..<count {
            let length = tokens.shape[1]
            let seen = length <= window ? tokens : tokens.slice(axis: 1, (length - window)..<length)
            func lastLogits() -> Tensor { let l = model(seen); return l.select(axis: 1, l.shape[1] - 1) }
            let strong = lastLogits()
            layers.forEach { $0.onlyRank = weakRank }
            let weak = lastLogits()
            layers.forEach { $0.onlyRank = nil }
            let next = sampler.sample(logits: selfContrastLogits(strong: strong, weak: weak, beta: beta, plausibility: plausibility), step: step)
            tokens = Tensor.concatenate([tokens, next.reshaped([prompt.shape[0], 1])], axis: 1)
        }
        return tokens
    }
}
