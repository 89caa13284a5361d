import CKilnKernels

/// Scaled dot-product attention on the fused, blocked kernel (`attention.c`, after FlashAttention-2):
/// the scores are never materialized beyond one tile, the forward keeps each row's log-sum-exp and
/// the backward recomputes the scores from it. Shapes and scale are checked by the caller.
///
/// The forward splits the (batch, head) pairs across threads; the backward splits the (batch, key
/// head) groups, so that the key and value gradients of a group, which all its query heads add
/// to, gather on one thread without a race.
enum FusedAttention {
    /// `softmax(Q·Kᵀ·scale + bias)·V` with its gradient for query, key and value (the bias is a constant).
    static func attention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask, scale: Float) -> Tensor {
        let q = query.detached().contiguousData(), k = key.detached().contiguousData()
        let v = value.detached().contiguousData()
        let scores = [q.shape[0], q.shape[1], q.shape[2], k.shape[2]]
        let allowed = mask.allowed.map { broadcastMask($0, to: scores, part: "allowed") }
        let additive = mask.additive.map { broadcastMask($0.detached(), to: scores, part: "additive") }
        let problem = kernelProblem(q, k, v, mask: mask, allowed: allowed, additive: additive, scale: scale)
        let scratch = withUnsafePointer(to: problem) { kiln_attention_scratch_floats($0) }
        let cost = problem.queries * problem.keys * (problem.dim + problem.value_dim)
        let out = Tensor(uninitializedShape: [problem.batch, problem.heads, problem.queries, problem.value_dim])
        let lse = Tensor(uninitializedShape: [problem.batch, problem.heads, problem.queries])
        let (pq, pk, pv, po, pl) = (q.floatPointer, k.floatPointer, v.floatPointer, out.floatPointer, lse.floatPointer)
        parallelChunks(problem.batch * problem.heads, costPerItem: cost) { pairs in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { buffer in
                withUnsafePointer(to: problem) {
                    kiln_attention_forward_f32($0, pq, pk, pv, po, pl, pairs.lowerBound, pairs.count, buffer.baseAddress)
                }
            }
        }
        withExtendedLifetime((allowed, additive)) {}
        return Autograd.record(out, [query, key, value]) { g in
            let dout = g.contiguousData()
            let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
            let dv = Tensor(uninitializedShape: v.shape)
            let (pdo, pdq, pdk, pdv) = (dout.floatPointer, dq.floatPointer, dk.floatPointer, dv.floatPointer)
            let group = problem.heads / problem.key_heads
            parallelChunks(problem.batch * problem.key_heads, costPerItem: 2 * cost * group) { groups in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: scratch) { buffer in
                    withUnsafePointer(to: problem) {
                        kiln_attention_backward_f32($0, pq, pk, pv, po, pl, pdo, pdq, pdk, pdv,
                                                    groups.lowerBound, groups.count, buffer.baseAddress)
                    }
                }
            }
            return withExtendedLifetime((q, k, v, out, lse, dout, allowed, additive)) { [dq, dk, dv] }
        }
    }

    /// The kernel's description of contiguous `q`, `k`, `v` and the mask, whose parts are given as
    /// `[B, H, Tq, Tk]` views (which the caller keeps alive while the kernel runs).
    private static func kernelProblem(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: AttentionMask, allowed: Tensor?,
                                      additive: Tensor?, scale: Float) -> kiln_attention_problem {
        var problem = kiln_attention_problem()
        (problem.batch, problem.heads, problem.queries, problem.dim) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        (problem.key_heads, problem.keys, problem.value_dim) = (k.shape[1], k.shape[2], v.shape[3])
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
        return problem
    }

    /// `mask` as a `[B, H, Tq, Tk]` view (strides 0 where it broadcasts), or a stop naming the shapes.
    private static func broadcastMask(_ mask: Tensor, to scores: [Int], part: String) -> Tensor {
        precondition(mask.rank <= 4 && Broadcast.shape(mask.shape, scores, op: "scaledDotProductAttention") == scores,
                     "scaledDotProductAttention: \(part) mask \(mask.shape) does not broadcast to the scores \(scores)")
        return mask.expanded(to: scores)
    }
}
