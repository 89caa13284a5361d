import CKilnKernels

/// Scaled dot-product attention on the fused, blocked kernel (`attention.c`, after FlashAttention-2):
/// the scores are never materialized beyond one tile, the forward keeps each row's log-sum-exp and
/// the backward recomputes the scores from it. Shapes and scale are checked by the caller.
enum FusedAttention {
    /// `softmax(Q·Kᵀ·scale + bias)·V` with its gradient for query, key and value.
    static func attention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask, scale: Float) -> Tensor {
        let q = query.detached().contiguousData(), k = key.detached().contiguousData()
        let v = value.detached().contiguousData()
        let (batch, heads, queries, dim) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let (keyHeads, keys, valueDim) = (k.shape[1], k.shape[2], v.shape[3])
        let scores = [batch, heads, queries, keys]
        let allowed = mask.allowed.map { broadcastMask($0, to: scores, part: "allowed") }
        let additive = mask.additive.map { broadcastMask($0.detached(), to: scores, part: "additive") }
        var problem = kiln_attention_problem()
        (problem.batch, problem.heads, problem.key_heads) = (batch, heads, keyHeads)
        (problem.queries, problem.keys, problem.dim, problem.value_dim) = (queries, keys, dim, valueDim)
        problem.scale = scale
        problem.causal = mask.isCausal ? 1 : 0
        if let allowed {
            problem.allowed = UnsafePointer(allowed.storage.base.assumingMemoryBound(to: UInt8.self) + allowed.offset)
            problem.allowed_strides = (allowed.strides[0], allowed.strides[1], allowed.strides[2], allowed.strides[3])
        }
        if let additive {
            problem.additive = UnsafePointer(additive.floatPointer)
            problem.additive_strides = (additive.strides[0], additive.strides[1], additive.strides[2], additive.strides[3])
        }
        let scratch = kiln_attention_scratch_floats(&problem)
        let fixed = problem
        let cost = queries * keys * (dim + valueDim)
        let out = Tensor(uninitializedShape: [batch, heads, queries, valueDim])
        let lse = Tensor(uninitializedShape: [batch, heads, queries])
        let (pq, pk, pv, po, pl) = (q.floatPointer, k.floatPointer, v.floatPointer, out.floatPointer, lse.floatPointer)
        parallelChunks(batch * heads, costPerItem: cost) { pairs in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { buffer in
                withUnsafePointer(to: fixed) { kiln_attention_forward_f32($0, pq, pk, pv, po, pl, pairs.lowerBound, pairs.count, buffer.baseAddress) }
            }
        }
        withExtendedLifetime((allowed, additive)) {}
        return Autograd.record(out, [query, key, value]) { g in
            let dout = g.contiguousData()
            let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
            let dv = Tensor(uninitializedShape: v.shape)
            let (pdo, pdq, pdk, pdv) = (dout.floatPointer, dq.floatPointer, dk.floatPointer, dv.floatPointer)
            // Key heads are shared by their group of query heads: one worker takes a whole group, so
            // its key and value gradients gather there without a race.
            parallelChunks(batch * keyHeads, costPerItem: 2 * cost * heads / keyHeads) { groups in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { buffer in
                    withUnsafePointer(to: fixed) { kiln_attention_backward_f32($0, pq, pk, pv, po, pl, pdo, pdq, pdk, pdv,
                                                groups.lowerBound, groups.count, buffer.baseAddress) }
                }
            }
            return withExtendedLifetime((q, k, v, out, lse, dout, allowed, additive)) { [dq, dk, dv] }
        }
    }

    /// `mask` as a `[B, H, Tq, Tk]` view (strides 0 where it broadcasts), or a stop naming the shapes.
    private static func broadcastMask(_ mask: Tensor, to scores: [Int], part: String) -> Tensor {
        precondition(mask.rank <= 4 && Broadcast.shape(mask.shape, scores, op: "scaledDotProductAttention") == scores,
                     "scaledDotProductAttention: \(part) mask \(mask.shape) does not broadcast to the scores \(scores)")
        return mask.expanded(to: scores)
    }
}
