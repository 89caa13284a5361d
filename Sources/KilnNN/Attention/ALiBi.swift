import Foundation
import Kiln

/// Attention with Linear Biases (Press et al., "Train Short, Test Long", ICLR 2022): no position
/// embeddings; instead head `h` adds `−m_h·(i − j)` to the score of query position `i` and key
/// position `j ≤ i`, a penalty growing linearly with distance, with a fixed slope `m_h` per head.
public enum ALiBi {
    /// The slopes of `heads` heads as the paper defines them: for `n` a power of two, the geometric
    /// sequence starting at and multiplied by `2^(−8/n)` (8 heads: 1/2, 1/4, …, 1/256). For other
    /// counts, the slopes of the closest power of two `p < n`, followed by every other slope of `2p`
    /// heads (the first, third, …) until there are `n`.
    public static func slopes(heads: Int) -> [Float] {
        precondition(heads > 0, "ALiBi.slopes: needs at least one head, got \(heads)")
        func geometric(_ n: Int) -> [Double] {
            let start = Foundation.pow(2, -8 / Double(n))
            return (1...n).map { Foundation.pow(start, Double($0)) }
        }
        var p = 1
        while p * 2 <= heads { p *= 2 }
        let extra = p == heads ? [] : geometric(2 * p).enumerated().filter { $0.offset % 2 == 0 }.prefix(heads - p).map(\.element)
        return (geometric(p) + extra).map { Float($0) }
    }

    /// The additive bias `[1, heads, queries, keys]` for ``AttentionMask/additive``: `m_h·(j − i)`, where
    /// query row `r` sits at position `i = r + keys − queries` (aligned at the bottom right, as the
    /// causal mask, so queries that continue a cached prefix get the right distances).
    ///
    /// Keys after the query get a positive bias; ALiBi is meant for causal attention, whose mask hides them.
    public static func bias(heads: Int, queries: Int, keys: Int) -> Tensor {
        precondition(queries >= 0 && keys >= queries, "ALiBi.bias: \(queries) queries need at least as many keys, got \(keys)")
        let rows = Tensor.arange(0, queries).reshaped([queries, 1]) + Tensor([keys - queries])
        let distance = (Tensor.arange(0, keys).reshaped([1, keys]) - rows).cast(to: .float32)
        let slopes = Tensor(slopes(heads: heads), shape: [1, heads, 1, 1])
        return slopes * distance.reshaped([1, 1, queries, keys])
    }
}
