// Fused scaled dot-product attention: a blocked forward with an online softmax and the
// FlashAttention-2 backward that recomputes the scores from Q, K and the saved log-sum-exp.
#ifndef CKILNATTENTION_H
#define CKILNATTENTION_H

#include <stddef.h>
#include <stdint.h>

/// The problem: contiguous Q [B, H, Tq, D], K [B, Hkv, Tk, D], V [B, Hkv, Tk, Dv] with Hkv
/// dividing H (query head h uses key head h / (H / Hkv)), and the mask. A query i sees key j when
/// the causal pattern (j ≤ i + Tk − Tq), if any, and the bool mask, if any, allow it; the additive
/// bias, if any, is added to the scaled score. The masks are read at
/// base[b·strides[0] + h·strides[1] + i·strides[2] + j·strides[3]] (a stride of 0 broadcasts).
typedef struct {
    ptrdiff_t batch, heads, key_heads, queries, keys, dim, value_dim;
    float scale;
    int causal;
    const uint8_t *allowed;
    ptrdiff_t allowed_strides[4];
    const float *additive;
    ptrdiff_t additive_strides[4];
} kiln_attention_problem;

/// The scratch floats one forward or backward call needs.
ptrdiff_t kiln_attention_scratch_floats(const kiln_attention_problem *p);

/// Forward for the (batch, head) pairs first..<first+count (pair = b·H + h): out [B, H, Tq, Dv]
/// and the natural log-sum-exp of each row's scaled scores, lse [B, H, Tq]. A query that sees
/// no key gets a zero output and lse = -inf.
void kiln_attention_forward_f32(const kiln_attention_problem *p, const float *q, const float *k, const float *v,
                                float *out, float *lse, ptrdiff_t first, ptrdiff_t count, float *scratch);

/// Backward for the (batch, key head) groups first..<first+count (group = b·Hkv + g): writes dq
/// for the group's query heads and dk, dv for its key head, from the forward's out and lse and
/// the upstream gradient dout.
void kiln_attention_backward_f32(const kiln_attention_problem *p, const float *q, const float *k, const float *v,
                                 const float *out, const float *lse, const float *dout, float *dq, float *dk,
                                 float *dv, ptrdiff_t first, ptrdiff_t count, float *scratch);

#endif
