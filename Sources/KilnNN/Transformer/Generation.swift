import Kiln

/// Continues each row of `prompt` (int64 `[B, T]`, `T ≥ 1`) by `count` tokens drawn by `sampler`, and
/// returns the prompt with them, `[B, T + count]`.
///
/// The prompt runs through the model once, filling a ``TransformerCache``; each new token then runs
/// alone, attending to the cached keys and values. Generated token `t` (from 0) is drawn at
/// `sampler`'s temperature for step `t`. Runs without gradients, in evaluation mode (dropout off):
/// a model in training mode is switched to evaluation for the call and back afterwards.
///
/// With learned positions the model sees at most `contextLength` tokens: as nanoGPT does, a longer
/// prompt is cut to its last `contextLength` tokens, and once the sequence outgrows the table each
/// new token is predicted from the last `contextLength` tokens run afresh, without the cache.
public func generate(model: GPT, prompt: Tensor, count: Int, sampler: Sampler) -> Tensor {
    precondition(prompt.rank == 2 && prompt.dtype == .int64 && prompt.shape[1] > 0,
                 "generate: prompt must be int64 [B, T] with T ≥ 1, got \(prompt.dtype) \(prompt.shape)")
    precondition(count >= 0, "generate: negative token count \(count)")
    let window = model.configuration.positions == .learned ? model.configuration.contextLength : Int.max
    // Switching modes walks every module; a model already in evaluation mode is left as it is.
    let wasTraining = model.isTraining
    if wasTraining { model.eval() }
    defer { if wasTraining { model.train() } }
    return withoutGradient {
        let batch = prompt.shape[0]
        let seen = lastTokens(prompt, window)
        let cache = model.makeCache(capacity: min(seen.shape[1] + count, window))
        var logits = model.logits(seen, cache: cache)
        var tokens = [prompt]
        for step in 0..<count {
            let next = sampler.sample(logits: logits.select(axis: 1, logits.shape[1] - 1), step: step).reshaped([batch, 1])
            tokens.append(next)
            guard step + 1 < count else { break }
            if cache.count < window {
                logits = model.logits(next, cache: cache)
            } else {
                logits = model.logits(lastTokens(Tensor.concatenate(tokens, axis: 1), window), cache: nil)
            }
        }
        return Tensor.concatenate(tokens, axis: 1)
    }
}

/// The last `window` tokens of each row of `ids` `[B, T]` (all of them when `T ≤ window`).
private func lastTokens(_ ids: Tensor, _ window: Int) -> Tensor {
    ids.shape[1] <= window ? ids : ids.slice(axis: 1, (ids.shape[1] - window)..<ids.shape[1])
}
