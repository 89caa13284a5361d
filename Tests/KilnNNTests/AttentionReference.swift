import Foundation
import KilnNN

/// Attention evaluated the quadratic way with plain loops in Double, the reference for the attention
/// tests: every query's row of scores `s(qᵢ, kⱼ)` over all keys, which keys it sees (causal: aligned
/// bottom right), the row turned into weights by `weights`, and the weighted sum of values.
/// `query` is `[B, H, Tq, D]`, `key` `[B, Hkv, Tk, D]`, `value` `[B, Hkv, Tk, Dv]`.
func referenceAttention(query: Tensor, key: Tensor, value: Tensor, causal: Bool = false,
                        score: ([Double], [Double]) -> Double,
                        weights: (_ scores: [Double], _ visible: [Bool]) -> [Double]) -> [Float] {
    let (b, h, tq, d) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
    let (hkv, tk, dv) = (key.shape[1], key.shape[2], value.shape[3])
    let q = query.scalars.map(Double.init), k = key.scalars.map(Double.init), v = value.scalars.map(Double.init)
    var out = [Float]()
    for batch in 0..<b {
        for head in 0..<h {
            let kvHead = head / (h / hkv)
            func row(_ x: [Double], _ heads: Int, _ index: Int, _ length: Int, _ width: Int, _ position: Int) -> [Double] {
                let start = (((batch * heads + index) * length) + position) * width
                return Array(x[start..<start + width])
            }
            for i in 0..<tq {
                let qi = row(q, h, head, tq, d, i)
                let scores = (0..<tk).map { score(qi, row(k, hkv, kvHead, tk, d, $0)) }
                let visible = (0..<tk).map { !causal || $0 <= i + tk - tq }
                let w = weights(scores, visible)
                for e in 0..<dv {
                    out.append(Float((0..<tk).reduce(0.0) { $0 + w[$1] * row(v, hkv, kvHead, tk, dv, $1)[e] }))
                }
            }
        }
    }
    return out
}

/// The scaled dot product `scale·q·k`.
func dotScore(scale: Double) -> ([Double], [Double]) -> Double {
    { q, k in scale * zip(q, k).reduce(0) { $0 + $1.0 * $1.1 } }
}

/// A `[1, 1, n, n]` identity as values, so that attention returns its weights.
func identityValues(_ n: Int) -> Tensor {
    Tensor((0..<n * n).map { $0 / n == $0 % n ? Float(1) : 0 }, shape: [1, 1, n, n])
}

/// `heads` blocks of `[Tq, Tk]` weights under a causal mask (query `i` sees keys `j ≤ i + Tk − Tq`):
/// `weight(i)` where the key is seen, 0 elsewhere.
func causalRows(heads: Int, queries: Int, keys: Int, _ weight: (Int) -> Float) -> [Float] {
    var out = [Float]()
    for _ in 0..<heads {
        for i in 0..<queries {
            for j in 0..<keys { out.append(j <= i + keys - queries ? weight(i) : 0) }
        }
    }
    return out
}
