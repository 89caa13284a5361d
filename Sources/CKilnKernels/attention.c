// Fused scaled dot-product attention after FlashAttention-2 (Dao, 2023).
//
// Forward: each block of QUERY_BLOCK queries walks the keys KEY_BLOCK at a time. A tile of scores
// S = scale·Q·Kᵀ (+ bias, masked) is the most ever held; each row keeps a running maximum m and
// sum l of e^{s − m}, rescaling its output accumulator by e^{m_old − m_new} when the maximum grows
// (the online softmax), and ends with O = acc / l and the log-sum-exp L = m + log l.
// Backward: the tiles are recomputed from Q, K and L (P = e^{S − L}), with Dᵢ = Σ dOᵢ∘Oᵢ:
// dV += Pᵀ·dO, dP = dO·Vᵀ, dS = P∘(dP − D), dQ += scale·dS·K, dK += scale·dSᵀ·Q.
// Key blocks past a causal query block's last visible key are skipped. Keys (and, for the
// backward, values) are transposed once per key head into per-thread scratch, in panels of one key
// block, so the tile products read them row by row; the query heads of a group share their key
// head's copy, and nothing is copied per query head.
#include "CKilnKernels.h"
#include "softmax8.h"
#include <math.h>
#include <string.h>

// Queries and keys per tile: QUERY_BLOCK × KEY_BLOCK scores at a time.
#define QUERY_BLOCK 16
#define KEY_BLOCK 64

static inline ptrdiff_t min_pd(ptrdiff_t a, ptrdiff_t b) { return a < b ? a : b; }

// MARK: Tile products
//
// c[m×n] = a·b, or c += a·b with `accumulate`: a's element (r, t) is a[r·ars + t·ats] (so a
// transposed tile is a stride swap), b's row t starts at b + t·ldb, c's row r at c + r·ldc.

static void product_portable(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t ars, ptrdiff_t ats,
                             const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate) {
    for (ptrdiff_t r = 0; r < m; r++) {
        float *cr = c + r * ldc;
        if (!accumulate) memset(cr, 0, (size_t)n * sizeof(float));
        for (ptrdiff_t t = 0; t < k; t++) {
            float x = a[r * ars + t * ats];
            const float *bt = b + t * ldb;
            for (ptrdiff_t j = 0; j < n; j++) cr[j] += x * bt[j];
        }
    }
}

#if defined(__x86_64__)
// A register tile of `rows` (≤ 4, a constant after inlining) rows by 16 columns: per step of the
// inner dimension two loads of b, `rows` broadcasts of a and 2·rows FMAs. `masked` columns (the
// last, narrower tile) go through the lane masks m0 and m1.
KILN_AVX2 __attribute__((always_inline)) static inline void
tile_avx2(const int rows, const int masked, __m256i m0, __m256i m1, ptrdiff_t k, const float *a, ptrdiff_t ars,
          ptrdiff_t ats, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate) {
    __m256 lo[4], hi[4];
    for (int r = 0; r < rows; r++) lo[r] = hi[r] = _mm256_setzero_ps();
    for (ptrdiff_t t = 0; t < k; t++) {
        const float *bt = b + t * ldb, *at = a + t * ats;
        __m256 b0 = masked ? _mm256_maskload_ps(bt, m0) : _mm256_loadu_ps(bt);
        __m256 b1 = masked ? _mm256_maskload_ps(bt + 8, m1) : _mm256_loadu_ps(bt + 8);
        for (int r = 0; r < rows; r++) {
            __m256 x = _mm256_broadcast_ss(at + r * ars);
            lo[r] = _mm256_fmadd_ps(x, b0, lo[r]);
            hi[r] = _mm256_fmadd_ps(x, b1, hi[r]);
        }
    }
    for (int r = 0; r < rows; r++) {
        float *cr = c + r * ldc;
        if (masked) {
            if (accumulate) {
                lo[r] = _mm256_add_ps(lo[r], _mm256_maskload_ps(cr, m0));
                hi[r] = _mm256_add_ps(hi[r], _mm256_maskload_ps(cr + 8, m1));
            }
            _mm256_maskstore_ps(cr, m0, lo[r]);
            _mm256_maskstore_ps(cr + 8, m1, hi[r]);
        } else {
            if (accumulate) {
                lo[r] = _mm256_add_ps(lo[r], _mm256_loadu_ps(cr));
                hi[r] = _mm256_add_ps(hi[r], _mm256_loadu_ps(cr + 8));
            }
            _mm256_storeu_ps(cr, lo[r]);
            _mm256_storeu_ps(cr + 8, hi[r]);
        }
    }
}

KILN_AVX2 static void product_avx2(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t ars,
                                   ptrdiff_t ats, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                                   int accumulate) {
    for (ptrdiff_t r = 0; r < m; r += 4) {
        int rows = (int)min_pd(4, m - r);
        const float *ar = a + r * ars;
        float *cr = c + r * ldc;
        for (ptrdiff_t j = 0; j < n; j += 16) {
            ptrdiff_t left = n - j;
            __m256i m0 = tail_mask(left), m1 = tail_mask(left - 8);
#define TILE(R, M) tile_avx2(R, M, m0, m1, k, ar, ars, ats, b + j, ldb, cr + j, ldc, accumulate); break;
            switch (rows * 2 + (left < 16)) {
            case 8: TILE(4, 0)
            case 9: TILE(4, 1)
            case 6: TILE(3, 0)
            case 7: TILE(3, 1)
            case 4: TILE(2, 0)
            case 5: TILE(2, 1)
            case 2: TILE(1, 0)
            default: TILE(1, 1)
            }
#undef TILE
        }
    }
}

// One row of scores as score_row below, for a bias whose key stride is 0 or 1: x ← scale·x (+ bias),
// -inf past index `last` and where `seen` is 0; returns the largest.
KILN_AVX2 static float score_row_avx2(float *x, ptrdiff_t n, float scale, ptrdiff_t last, const float *bias,
                                      ptrdiff_t bs, const uint8_t *seen, ptrdiff_t ss) {
    const __m256 vs = _mm256_set1_ps(scale), hidden = _mm256_set1_ps(-INFINITY);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), zero = _mm256_setzero_si256();
    __m256 top = hidden;
    for (ptrdiff_t j = 0; j < n; j += 8) {
        __m256i mask = tail_mask(n - j);
        __m256 v = _mm256_mul_ps(_mm256_maskload_ps(x + j, mask), vs);
        if (bias) v = _mm256_add_ps(v, bs ? _mm256_maskload_ps(bias + j, mask) : _mm256_set1_ps(bias[0]));
        __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(last - j + 1)), lanes);
        if (seen) {
            uint8_t bytes[8] = {0};
            for (int l = 0; l < 8 && j + l < n; l++) bytes[l] = seen[(j + l) * ss];
            __m256i flags = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)bytes));
            keep = _mm256_andnot_si256(_mm256_cmpeq_epi32(flags, zero), keep);
        }
        v = _mm256_blendv_ps(hidden, v, _mm256_castsi256_ps(keep));
        _mm256_maskstore_ps(x + j, mask, v);
        top = _mm256_max_ps(top, _mm256_blendv_ps(hidden, v, _mm256_castsi256_ps(mask)));
    }
    float lanes8[8], m = -INFINITY;
    _mm256_storeu_ps(lanes8, top);
    for (int l = 0; l < 8; l++) m = lanes8[l] > m ? lanes8[l] : m;
    return m;
}

// x ← e^{x − shift} for x ≤ shift (about 1 ulp; -inf gives 0); returns the sum.
KILN_AVX2 static float exp_sum_avx2(float *x, ptrdiff_t n, float shift) {
    const __m256 vb = _mm256_set1_ps(shift);
    __m256 acc = _mm256_setzero_ps();
    ptrdiff_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 e = exp_nonpositive_precise8(_mm256_sub_ps(_mm256_loadu_ps(x + j), vb));
        _mm256_storeu_ps(x + j, e);
        acc = _mm256_add_ps(acc, e);
    }
    if (j < n) {
        __m256i mask = tail_mask(n - j);
        __m256 e = exp_nonpositive_precise8(_mm256_sub_ps(_mm256_maskload_ps(x + j, mask), vb));
        e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
        _mm256_maskstore_ps(x + j, mask, e);
        acc = _mm256_add_ps(acc, e);
    }
    return hsum8(acc);
}

KILN_AVX2 static void scale_row_avx2(float *x, ptrdiff_t n, float factor) {
    const __m256 f = _mm256_set1_ps(factor);
    ptrdiff_t j = 0;
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), f));
    for (; j < n; j++) x[j] *= factor;
}

// dp ← scale·p·(dp − delta).
KILN_AVX2 static void score_gradient_avx2(const float *p, float *dp, ptrdiff_t n, float delta, float scale) {
    const __m256 vd = _mm256_set1_ps(delta), vs = _mm256_set1_ps(scale);
    ptrdiff_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 g = _mm256_mul_ps(_mm256_loadu_ps(p + j), _mm256_sub_ps(_mm256_loadu_ps(dp + j), vd));
        _mm256_storeu_ps(dp + j, _mm256_mul_ps(g, vs));
    }
    for (; j < n; j++) dp[j] = (p[j] * (dp[j] - delta)) * scale;
}
#endif

static void product(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t ars, ptrdiff_t ats,
                    const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate) {
    DISPATCH(product_avx2(m, n, k, a, ars, ats, b, ldb, c, ldc, accumulate); return)
    product_portable(m, n, k, a, ars, ats, b, ldb, c, ldc, accumulate);
}

static float exp_sum(float *x, ptrdiff_t n, float shift) {
    DISPATCH(return exp_sum_avx2(x, n, shift))
    float s = 0;
    for (ptrdiff_t j = 0; j < n; j++) s += x[j] = expf(x[j] - shift);
    return s;
}

static void scale_row(float *x, ptrdiff_t n, float factor) {
    DISPATCH(scale_row_avx2(x, n, factor); return)
    for (ptrdiff_t j = 0; j < n; j++) x[j] *= factor;
}

static void score_gradient(const float *p, float *dp, ptrdiff_t n, float delta, float scale) {
    DISPATCH(score_gradient_avx2(p, dp, n, delta, scale); return)
    for (ptrdiff_t j = 0; j < n; j++) dp[j] = (p[j] * (dp[j] - delta)) * scale;
}

// MARK: Scores

// One past the last key any of queries ..i sees (0 when none does).
static ptrdiff_t visible_end(const kiln_attention_problem *p, ptrdiff_t i) {
    if (!p->causal) return p->keys;
    ptrdiff_t end = i + 1 + p->keys - p->queries;
    return end < 0 ? 0 : min_pd(end, p->keys);
}

// Query i's raw products with keys j0..<j0+n become scale·s + bias, or -inf where the mask hides
// the key; returns the largest.
static float score_row(const kiln_attention_problem *p, ptrdiff_t b, ptrdiff_t h, ptrdiff_t i, ptrdiff_t j0,
                       ptrdiff_t n, float *s) {
    const ptrdiff_t last = visible_end(p, i) - 1 - j0;
    const float *bias = NULL;
    const uint8_t *seen = NULL;
    ptrdiff_t bs = 0, ss = 0;
    if (p->additive) {
        const ptrdiff_t *st = p->additive_strides;
        bias = p->additive + b * st[0] + h * st[1] + i * st[2] + j0 * st[3];
        bs = st[3];
    }
    if (p->allowed) {
        const ptrdiff_t *st = p->allowed_strides;
        seen = p->allowed + b * st[0] + h * st[1] + i * st[2] + j0 * st[3];
        ss = st[3];
    }
    DISPATCH(if (bs <= 1) return score_row_avx2(s, n, p->scale, last, bias, bs, seen, ss))
    float top = -INFINITY;
    for (ptrdiff_t j = 0; j < n; j++) {
        float x = s[j] * p->scale;
        if (bias) x += bias[j * bs];
        if (j > last || (seen && !seen[j * ss])) x = -INFINITY;
        s[j] = x;
        top = x > top ? x : top;
    }
    return top;
}

// A [rows × cols] matrix transposed in panels of KEY_BLOCK rows: row r's column c goes to
// dst[(r / KEY_BLOCK)·cols·KEY_BLOCK + c·KEY_BLOCK + r % KEY_BLOCK]. A panel is a [cols × KEY_BLOCK]
// matrix whose rows lie KEY_BLOCK floats apart (rows Tk floats apart, a multiple of 4 KiB for
// long contexts, would all fall in the same few cache sets).
static void transpose_panels(const float *src, ptrdiff_t rows, ptrdiff_t cols, float *dst) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        float *column = dst + (r / KEY_BLOCK) * cols * KEY_BLOCK + r % KEY_BLOCK;
        for (ptrdiff_t c = 0; c < cols; c++) column[c * KEY_BLOCK] = src[r * cols + c];
    }
}

// The panel of transposed keys (or values) starting at key j0.
static inline const float *panel(const float *panels, ptrdiff_t j0, ptrdiff_t cols) {
    return panels + (j0 / KEY_BLOCK) * cols * KEY_BLOCK;
}

// The keys rounded up to whole panels.
static ptrdiff_t padded_keys(const kiln_attention_problem *p) {
    return (p->keys + KEY_BLOCK - 1) / KEY_BLOCK * KEY_BLOCK;
}

ptrdiff_t kiln_attention_scratch_floats(const kiln_attention_problem *p) {
    return (p->dim + p->value_dim) * padded_keys(p) + 2 * QUERY_BLOCK * KEY_BLOCK + 2 * QUERY_BLOCK + p->queries;
}

// MARK: Forward

// One (batch b, head h) pair: q [Tq × D], kt (keys in transposed panels), v [Tk × Dv] → out [Tq × Dv], lse [Tq].
static void forward_head(const kiln_attention_problem *p, ptrdiff_t b, ptrdiff_t h, const float *q, const float *kt,
                         const float *v, float *out, float *lse, float *scores, float *running_max, float *running_sum) {
    const ptrdiff_t tq = p->queries, d = p->dim, e = p->value_dim;
    for (ptrdiff_t i0 = 0; i0 < tq; i0 += QUERY_BLOCK) {
        const ptrdiff_t rows = min_pd(QUERY_BLOCK, tq - i0), end = visible_end(p, i0 + rows - 1);
        float *o = out + i0 * e;
        memset(o, 0, (size_t)(rows * e) * sizeof(float));
        for (ptrdiff_t r = 0; r < rows; r++) {
            running_max[r] = -INFINITY;
            running_sum[r] = 0;
        }
        for (ptrdiff_t j0 = 0; j0 < end; j0 += KEY_BLOCK) {
            const ptrdiff_t cols = min_pd(KEY_BLOCK, end - j0);
            product(rows, cols, d, q + i0 * d, d, 1, panel(kt, j0, d), KEY_BLOCK, scores, KEY_BLOCK, 0);
            for (ptrdiff_t r = 0; r < rows; r++) {
                float *s = scores + r * KEY_BLOCK;
                float top = score_row(p, b, h, i0 + r, j0, cols, s);
                float m = top > running_max[r] ? top : running_max[r];
                if (m == -INFINITY) {
                    memset(s, 0, (size_t)cols * sizeof(float));
                    continue;
                }
                // A row that has seen no key yet has nothing to rescale (its sum and output are 0).
                if (running_sum[r] != 0 && m != running_max[r]) {
                    float rescale = expf(running_max[r] - m);
                    running_sum[r] *= rescale;
                    scale_row(o + r * e, e, rescale);
                }
                running_sum[r] += exp_sum(s, cols, m);
                running_max[r] = m;
            }
            product(rows, e, cols, scores, KEY_BLOCK, 1, v + j0 * e, e, o, e, 1);
        }
        for (ptrdiff_t r = 0; r < rows; r++) {
            if (running_sum[r] == 0) {
                memset(o + r * e, 0, (size_t)e * sizeof(float));
                lse[i0 + r] = -INFINITY;
            } else {
                scale_row(o + r * e, e, 1 / running_sum[r]);
                lse[i0 + r] = running_max[r] + logf(running_sum[r]);
            }
        }
    }
}

void kiln_attention_forward_f32(const kiln_attention_problem *p, const float *q, const float *k, const float *v,
                                float *out, float *lse, ptrdiff_t first, ptrdiff_t count, float *scratch) {
    const ptrdiff_t tq = p->queries, tk = p->keys, d = p->dim, e = p->value_dim, group = p->heads / p->key_heads;
    float *kt = scratch, *scores = kt + d * padded_keys(p), *running_max = scores + QUERY_BLOCK * KEY_BLOCK;
    float *running_sum = running_max + QUERY_BLOCK;
    ptrdiff_t held = -1;
    for (ptrdiff_t pair = first; pair < first + count; pair++) {
        const ptrdiff_t b = pair / p->heads, h = pair % p->heads, kv = b * p->key_heads + h / group;
        if (kv != held) {
            transpose_panels(k + kv * tk * d, tk, d, kt);
            held = kv;
        }
        forward_head(p, b, h, q + pair * tq * d, kt, v + kv * tk * e, out + pair * tq * e, lse + pair * tq, scores,
                     running_max, running_sum);
    }
}

// MARK: Backward

// Query head h of batch b against its key head: accumulates into dq (this head's) and dk, dv (the key head's).
static void backward_head(const kiln_attention_problem *p, ptrdiff_t b, ptrdiff_t h, const float *q, const float *k,
                          const float *kt, const float *vt, const float *out, const float *lse, const float *dout,
                          float *dq, float *dk, float *dv, float *scores, float *dp, float *delta) {
    const ptrdiff_t tq = p->queries, d = p->dim, e = p->value_dim;
    for (ptrdiff_t i = 0; i < tq; i++) delta[i] = kiln_dot_f32(dout + i * e, out + i * e, e);
    for (ptrdiff_t i0 = 0; i0 < tq; i0 += QUERY_BLOCK) {
        const ptrdiff_t rows = min_pd(QUERY_BLOCK, tq - i0), end = visible_end(p, i0 + rows - 1);
        for (ptrdiff_t j0 = 0; j0 < end; j0 += KEY_BLOCK) {
            const ptrdiff_t cols = min_pd(KEY_BLOCK, end - j0);
            product(rows, cols, d, q + i0 * d, d, 1, panel(kt, j0, d), KEY_BLOCK, scores, KEY_BLOCK, 0);
            for (ptrdiff_t r = 0; r < rows; r++) {
                float *s = scores + r * KEY_BLOCK;
                score_row(p, b, h, i0 + r, j0, cols, s);
                if (lse[i0 + r] == -INFINITY) memset(s, 0, (size_t)cols * sizeof(float));
                else exp_sum(s, cols, lse[i0 + r]);
            }
            product(cols, e, rows, scores, 1, KEY_BLOCK, dout + i0 * e, e, dv + j0 * e, e, 1);
            product(rows, cols, e, dout + i0 * e, e, 1, panel(vt, j0, e), KEY_BLOCK, dp, KEY_BLOCK, 0);
            for (ptrdiff_t r = 0; r < rows; r++)
                score_gradient(scores + r * KEY_BLOCK, dp + r * KEY_BLOCK, cols, delta[i0 + r], p->scale);
            product(rows, d, cols, dp, KEY_BLOCK, 1, k + j0 * d, d, dq + i0 * d, d, 1);
            product(cols, d, rows, dp, 1, KEY_BLOCK, q + i0 * d, d, dk + j0 * d, d, 1);
        }
    }
}

void kiln_attention_backward_f32(const kiln_attention_problem *p, const float *q, const float *k, const float *v,
                                 const float *out, const float *lse, const float *dout, float *dq, float *dk,
                                 float *dv, ptrdiff_t first, ptrdiff_t count, float *scratch) {
    const ptrdiff_t tq = p->queries, tk = p->keys, d = p->dim, e = p->value_dim, group = p->heads / p->key_heads;
    float *kt = scratch, *vt = kt + d * padded_keys(p), *scores = vt + e * padded_keys(p);
    float *dp = scores + QUERY_BLOCK * KEY_BLOCK, *delta = dp + QUERY_BLOCK * KEY_BLOCK;
    for (ptrdiff_t kv = first; kv < first + count; kv++) {
        const ptrdiff_t b = kv / p->key_heads, g = kv % p->key_heads;
        const float *kh = k + kv * tk * d;
        float *dkh = dk + kv * tk * d, *dvh = dv + kv * tk * e;
        transpose_panels(kh, tk, d, kt);
        transpose_panels(v + kv * tk * e, tk, e, vt);
        memset(dkh, 0, (size_t)(tk * d) * sizeof(float));
        memset(dvh, 0, (size_t)(tk * e) * sizeof(float));
        for (ptrdiff_t h = g * group; h < (g + 1) * group; h++) {
            const ptrdiff_t pair = b * p->heads + h;
            float *dqh = dq + pair * tq * d;
            memset(dqh, 0, (size_t)(tq * d) * sizeof(float));
            backward_head(p, b, h, q + pair * tq * d, kh, kt, vt, out + pair * tq * e, lse + pair * tq,
                          dout + pair * tq * e, dqh, dkh, dvh, scores, dp, delta);
        }
    }
}
