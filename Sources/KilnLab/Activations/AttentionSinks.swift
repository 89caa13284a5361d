import Kiln

/// How one attention head uses the first position of its inputs: the attention sink of the
/// extreme-token phenomena, and whether the head is dormant on each input.
///
/// Guo et al. 2024 ("Active-Dormant Attention Heads") find heads that are active on some inputs and
/// dormant on others: a dormant head sends nearly all of its attention to the sink token (here the
/// first position of a window), so it adds almost nothing to the residual stream. Here a head is
/// dormant on an input when its queries (all but the first, which can only see the sink) put on
/// average at least ``dormantShare`` of their weight on position 0.
public struct AttentionSinkStatistics: Sendable, Equatable {
    /// The default share of attention on the sink above which a head counts as dormant on an input.
    public static let dormantShare = 0.5

    /// The attention layer.
    public let layer: String
    /// The head within the layer.
    public let head: Int
    /// The mean weight on position 0 over every input and query after the first.
    public let sinkWeight: Double
    /// The fraction of inputs on which the head is dormant.
    public let dormantFraction: Double

    /// A head that is dormant on most inputs.
    public var isDormant: Bool { dormantFraction > 0.5 }

    /// One entry per head of attention weights `[B, heads, T, T]` (``MultiHeadAttention/attentionWeights(_:)``)
    /// of `layer`, a head counting as dormant on an input when its mean weight on position 0 is at least `share`.
    /// - Precondition: the weights are `[B, heads, T, T]` with `T ≥ 2`.
    public static func heads(of layer: String, weights: Tensor, share: Double = dormantShare) -> [AttentionSinkStatistics] {
        precondition(weights.rank == 4 && weights.shape[2] == weights.shape[3] && weights.shape[2] >= 2,
                     "AttentionSinkStatistics: weights must be [B, heads, T, T] with T ≥ 2, got \(weights.shape)")
        let (inputs, heads, length) = (weights.shape[0], weights.shape[1], weights.shape[2])
        // Weight on key 0 of queries 1..<T: [B, heads].
        let onSink = weights.slice(axis: 2, 1..<length).slice(axis: 3, 0..<1).mean(axes: [2, 3]).scalars
        return (0..<heads).map { h in
            let perInput = (0..<inputs).map { Double(onSink[$0 * heads + h]) }
            return AttentionSinkStatistics(layer: layer, head: h, sinkWeight: perInput.reduce(0, +) / Double(inputs),
                                           dormantFraction: Double(perInput.filter { $0 >= share }.count) / Double(inputs))
        }
    }
}
