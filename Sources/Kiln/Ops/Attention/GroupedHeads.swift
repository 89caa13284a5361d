/// Grouped key/value heads without copies: query heads `[B, H, Tq, D]` attend to key/value heads
/// `[B, Hkv, Tk, D]`, each key head shared by `H / Hkv` consecutive query heads. Folding a group's
/// queries into one head, `[B, Hkv, (H/Hkv)·Tq, D]`, lets every product run on the shared keys.
///
/// Every attention entry checks its shapes through it and computes grouped products with it.
public struct GroupedHeads {
    /// The batch size, query heads, key/value heads, queries, keys and head depth.
    public let batch: Int, heads: Int, keyHeads: Int, queries: Int, keys: Int, depth: Int

    /// The sizes of an attention call, checked: `op` names the caller in the message.
    public init(op: String, query: Tensor, key: Tensor, value: Tensor) {
        // The shapes for a failed check's message, described only when one fails.
        func shapes() -> String { "query \(query.shape), key \(key.shape), value \(value.shape)" }
        precondition(query.rank == 4 && key.rank == 4 && value.rank == 4, "\(op): expects [B, H, T, D] tensors, got \(shapes())")
        let (h, hkv) = (query.shape[1], key.shape[1])
        precondition(query.shape[0] == key.shape[0] && key.shape[0] == value.shape[0] && query.shape[3] == key.shape[3]
                     && key.shape[1] == value.shape[1] && key.shape[2] == value.shape[2] && hkv > 0 && h % hkv == 0,
                     "\(op): shapes do not fit (\(shapes()))")
        (batch, heads, keyHeads, queries, keys, depth) = (query.shape[0], h, hkv, query.shape[2], key.shape[2], query.shape[3])
    }

    /// Query heads per key head.
    public var group: Int { heads / keyHeads }

    /// `[B, H, Tq, X]` folded to `[B, Hkv, (H/Hkv)·Tq, X]`: each group's queries in one head.
    public func folded(_ x: Tensor) -> Tensor { x.reshaped([batch, keyHeads, group * queries, x.shape[3]]) }

    /// `[B, Hkv, (H/Hkv)·Tq, X]` back to `[B, H, Tq, X]`.
    public func unfolded(_ x: Tensor) -> Tensor { x.reshaped([batch, heads, queries, x.shape[3]]) }

    /// The scores `Q·Kᵀ` of every query head against its group's keys, `[B, H, Tq, Tk]`.
    public func scores(_ query: Tensor, _ key: Tensor) -> Tensor { unfolded(folded(query).matmul(key.transposed())) }

    /// The weighted sums `W·V` of `[B, H, Tq, Tk]` weights over the group's values, `[B, H, Tq, Dv]`.
    public func weightedSum(_ weights: Tensor, _ value: Tensor) -> Tensor { unfolded(folded(weights).matmul(value)) }
}
