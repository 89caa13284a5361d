// The loss side of the softmax family: log-softmax's write pass, the fused backward passes of
// softmax and log-softmax, and the cross-entropy gradient from logits. Their exp is the
// full-precision one, so training sees the numbers it always has.
#include "CKilnKernels.h"
#include "softmax8.h"
#include <math.h>

#if defined(__x86_64__)

KILN_AVX2 static void log_softmax_write_avx2(const float *x, float *y, ptrdiff_t n, float scale, float shift,
                                             float log_sum) {
    const __m256 vs = _mm256_set1_ps(scale), vb = _mm256_set1_ps(-shift), vl = _mm256_set1_ps(log_sum);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_sub_ps(_mm256_fmadd_ps(_mm256_loadu_ps(x + i), vs, vb), vl));
    for (; i < n; i++) y[i] = fmaf(x[i], scale, -shift) - log_sum;
}

KILN_AVX2 static float dot_avx2(const float *a, const float *b, ptrdiff_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    ptrdiff_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), a0);
    float s = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++) s = fmaf(a[i], b[i], s);
    return s;
}

KILN_AVX2 static void softmax_backward_avx2(const float *y, const float *dy, float *dx, ptrdiff_t n, float dot,
                                            float scale) {
    const __m256 vd = _mm256_set1_ps(dot), vs = _mm256_set1_ps(scale);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_mul_ps(_mm256_loadu_ps(y + i), vs);
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(v, _mm256_sub_ps(_mm256_loadu_ps(dy + i), vd)));
    }
    for (; i < n; i++) dx[i] = scale * y[i] * (dy[i] - dot);
}

KILN_AVX2 static void log_softmax_backward_avx2(const float *y, const float *dy, float *dx, ptrdiff_t n,
                                                float total, float scale) {
    const __m256 vt = _mm256_set1_ps(-total), vs = _mm256_set1_ps(scale);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_fmadd_ps(exp_nonpositive_precise8(_mm256_loadu_ps(y + i)), vt, _mm256_loadu_ps(dy + i));
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(d, vs));
    }
    if (i < n) {
        __m256i mask = tail_mask(n - i);
        __m256 d = _mm256_fmadd_ps(exp_nonpositive_precise8(_mm256_maskload_ps(y + i, mask)), vt, _mm256_maskload_ps(dy + i, mask));
        _mm256_maskstore_ps(dx + i, mask, _mm256_mul_ps(d, vs));
    }
}

KILN_AVX2 static void cross_entropy_backward_avx2(const float *x, float *dx, ptrdiff_t n, float shift, float log_sum,
                                                  float alpha,
                                                  const float *w, float beta, const float *t, float delta,
                                                  int stream) {
    const __m256 vm = _mm256_set1_ps(shift), vl = _mm256_set1_ps(log_sum), va = _mm256_set1_ps(alpha);
    const __m256 vb = _mm256_set1_ps(beta), vd = _mm256_set1_ps(delta), one = _mm256_set1_ps(1.0f);
    if (!w && !t) {
        float *y = dx;
#define GRADIENT(V) _mm256_fmsub_ps(va, exp_nonpositive_precise8(_mm256_sub_ps(_mm256_sub_ps(V, vm), vl)), vb)
        WRITE_LOOP(GRADIENT)
#undef GRADIENT
        return;
    }
    for (ptrdiff_t i = 0; i < n; i += 8) {
        __m256i mask = tail_mask(n - i);
        __m256 p = _mm256_mul_ps(va, exp_nonpositive_precise8(_mm256_sub_ps(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), vm), vl)));
        __m256 wv = w ? _mm256_maskload_ps(w + i, mask) : one;
        __m256 c = t ? _mm256_fmadd_ps(vd, _mm256_maskload_ps(t + i, mask), vb) : vb;
        _mm256_maskstore_ps(dx + i, mask, _mm256_fnmadd_ps(wv, c, p));
    }
}

#endif

void kiln_log_softmax_write_f32(const float *x, float *y, ptrdiff_t n, float scale, float shift, float log_sum) {
    DISPATCH(log_softmax_write_avx2(x, y, n, scale, shift, log_sum); return)
    for (ptrdiff_t i = 0; i < n; i++) y[i] = fmaf(x[i], scale, -shift) - log_sum;
}

float kiln_dot_f32(const float *a, const float *b, ptrdiff_t n) {
    DISPATCH(return dot_avx2(a, b, n))
    double s = 0;
    for (ptrdiff_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return (float)s;
}

void kiln_softmax_backward_f32(const float *y, const float *dy, float *dx, ptrdiff_t n, float dot, float scale) {
    DISPATCH(softmax_backward_avx2(y, dy, dx, n, dot, scale); return)
    for (ptrdiff_t i = 0; i < n; i++) dx[i] = scale * y[i] * (dy[i] - dot);
}

void kiln_log_softmax_backward_f32(const float *y, const float *dy, float *dx, ptrdiff_t n, float total,
                                   float scale) {
    DISPATCH(log_softmax_backward_avx2(y, dy, dx, n, total, scale); return)
    for (ptrdiff_t i = 0; i < n; i++) dx[i] = scale * (dy[i] - expf(y[i]) * total);
}

void kiln_cross_entropy_backward_f32(const float *x, float *dx, ptrdiff_t n, float shift, float log_sum, float alpha,
                                     const float *weights, float beta, const float *targets, float delta,
                                     int stream) {
    DISPATCH(cross_entropy_backward_avx2(x, dx, n, shift, log_sum, alpha, weights, beta, targets, delta, stream); return)
    for (ptrdiff_t i = 0; i < n; i++) {
        float w = weights ? weights[i] : 1.0f, t = targets ? targets[i] : 0.0f;
        dx[i] = alpha * expf((x[i] - shift) - log_sum) - w * (beta + delta * t);
    }
}
