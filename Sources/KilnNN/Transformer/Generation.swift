import Kiln

/// Continues each row of `prompt` (int64 `[B, T]`, `T ≥ 1`) by `count` tokens drawn by `sampler`, and
/// returns the prompt with them, `[B, T + count]`.
///
/// The prompt runs through the model once, filling a ``TransformerCache``; each new token then runs
/// alone, attending to the cached keys and values. Generated token `t` (from 0) is drawn at
/// `sampler`'s temperature for step `t`. Runs without gradients, in evaluation mode (dropout off):
/// a model in training mode is switched to evaluation for the call and back afterwards.
public func generate(model: GPT, prompt: Tensor, count: Int, sampler: Sampler) -> Tensor {
    precondition(prompt.rank == 2 && prompt.dtype == .int64 && prompt.shape[1] > 0,
                 "generate: prompt must be int64 [B, T] with T ≥ 1, got \(prompt.dtype) \(prompt.shape)")
    precondition(count >= 0, "generate: negative token count \(count)")
    if model.configuration.positions == .learned {
        precondition(prompt.shape[1] + count <= model.configuration.contextLength + 1,
                     "generate: \(prompt.shape[1]) prompt tokens and \(count) new ones exceed the learned context length "
                     + "\(model.configuration.contextLength)")
    }
    // Switching modes walks every module; a model already in evaluation mode is left as it is.
    let wasTraining = model.isTraining
    if wasTraining { model.eval() }
    defer { if wasTraining { model.train() } }
    return withoutGradient {
        let batch = prompt.shape[0]
        let cache = model.makeCache(capacity: prompt.shape[1] + count)
        var tokens = [prompt]
        var logits = model.logits(prompt, cache: cache)
        for step in 0..<count {
            let next = sampler.sample(logits: logits.select(axis: 1, logits.shape[1] - 1), step: step).reshaped([batch, 1])
            tokens.append(next)
            if step + 1 < count { logits = model.logits(next, cache: cache) }
        }
        return Tensor.concatenate(tokens, axis: 1)
    }
}
