/// The sums over keys that linear attentions keep instead of the `Tq × Tk` score matrix: for each
/// query, over the keys it sees, `Σⱼ φ(kⱼ)·vⱼᵀ`, `Σⱼ φ(kⱼ)`, `Σⱼ vⱼ` and the number of those keys.
///
/// Without a causal mask every query sees all `Tk` keys and each sum is one tensor per key head
/// (axis 2 of length 1). With one, query `i` sees keys `j ≤ i + Tk − Tq` (aligned at the bottom
/// right, as ``AttentionMask``) and the sums are running sums along the keys (axis 2 of length `Tq`):
/// time and memory grow linearly in the sequence, `O(T·D·Dv)`.
struct KeySummary {
    /// `Σⱼ φ(kⱼ)·vⱼᵀ`, `[B, Hkv, 1 or Tq, D, Dv]`.
    let keyValue: Tensor
    /// `Σⱼ φ(kⱼ)`, `[B, Hkv, 1 or Tq, D]`.
    let key: Tensor
    /// `Σⱼ vⱼ`, `[B, Hkv, 1 or Tq, Dv]`.
    let value: Tensor
    /// The number of keys each query sees, `[1 or Tq, 1]`.
    let count: Tensor
    let heads: GroupedHeads

    /// The sums of `features` `φ(K)` `[B, Hkv, Tk, D]` and `value` `[B, Hkv, Tk, Dv]`.
    init(features: Tensor, value: Tensor, causal: Bool, heads: GroupedHeads) {
        self.heads = heads
        let (tq, tk) = (heads.queries, heads.keys)
        if causal {
            precondition(tq <= tk, "linear attention: a causal mask needs no more queries than keys, got \(tq) queries and \(tk) keys")
            // Running sums, kept from key Tk − Tq on: the last key each query sees.
            func running(_ x: Tensor) -> Tensor { x.cumulativeSum(axis: 2).slice(axis: 2, (tk - tq)..<tk) }
            keyValue = running(features.unsqueezed(-1) * value.unsqueezed(-2))
            key = running(features)
            self.value = running(value)
            count = Tensor.arange(Float(tk - tq + 1), Float(tk + 1)).reshaped([tq, 1])
        } else {
            keyValue = features.transposed().matmul(value).unsqueezed(2)
            key = features.sum(axis: 2, keepingDims: true)
            self.value = value.sum(axis: 2, keepingDims: true)
            count = Tensor([Float(tk)], shape: [1, 1])
        }
    }

    /// `φ(qᵢ)ᵀ·Σⱼ φ(kⱼ)·vⱼᵀ` for query features `[B, H, Tq, D]`: `[B, H, Tq, Dv]`.
    func keyValueProduct(_ queryFeatures: Tensor) -> Tensor {
        let (b, hkv, g, tq, d) = (heads.batch, heads.keyHeads, heads.group, heads.queries, heads.depth)
        let q = queryFeatures.reshaped([b, hkv, g, tq, 1, d])
        return q.matmul(keyValue.unsqueezed(2)).reshaped([b, heads.heads, tq, keyValue.shape[4]])
    }

    /// `φ(qᵢ)ᵀ·Σⱼ φ(kⱼ)` for query features `[B, H, Tq, D]`: `[B, H, Tq, 1]`.
    func keyProduct(_ queryFeatures: Tensor) -> Tensor {
        (queryFeatures * perQueryHead(key)).sum(axis: 3, keepingDims: true)
    }

    /// `[B, Hkv, 1 or Tq, X]` sums laid out for every query head and query, `[B, H, Tq, X]`.
    func perQueryHead(_ x: Tensor) -> Tensor {
        let (b, hkv, g, tq) = (heads.batch, heads.keyHeads, heads.group, heads.queries)
        return x.unsqueezed(2).expanded(to: [b, hkv, g, tq, x.shape[3]]).reshaped([b, heads.heads, tq, x.shape[3]])
    }
}
