import Kiln
import KilnNN

/// The proxies read from attention weights at initialization, after the attention-head pruning
/// criteria Serianni and Kalita ("Training-free Neural Architecture Search for RNNs and
/// Transformers", 2023) turn into transformer proxies.
enum AttentionProxies {
    /// Attention confidence: Σ over every ``TransformerBlock``'s heads of the head's confidence,
    /// the mean over examples and query positions of its largest attention weight (Voita et al.,
    /// "Analyzing Multi-Head Self-Attention", 2019), in one training-mode forward pass of the batch.
    /// NaN for a model without attention blocks.
    static func attentionConfidence(_ probe: ArchitectureProbe) -> Double {
        let blocks = probe.model.namedModules().compactMap { $0.module as? TransformerBlock }
        guard !blocks.isEmpty else { return .nan }
        // A block's attention reads the output of its first normalization (called with hooks).
        var inputs: [ObjectIdentifier: Tensor] = [:]
        let handles = blocks.map { block in
            block.ln1.addForwardHook { _, _, output in inputs[ObjectIdentifier(block)] = output.detached() }
        }
        defer { handles.forEach { $0.remove() } }
        probe.model.train()
        return withoutGradient {
            _ = probe.model(probe.inputs)
            return blocks.reduce(0) { sum, block in
                guard let x = inputs[ObjectIdentifier(block)] else { return sum }
                let weights = block.attn.attentionWeights(x)   // [B, heads, T, T]
                let confidence = weights.max(axis: 3).values.mean(axis: 2).mean(axis: 0)   // [heads]
                return sum + Double(confidence.sum().item)
            }
        }
    }
}
