// Top-k selection and the column-skipping matrix–vector product of sparse inference.
#include "CKilnSparse.h"
#include "CKilnKernels.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_AVX2 __attribute__((target("avx2,fma")))
#endif

/// The k-th largest (1-based) of the n values in v, which it reorders (Hoare's selection).
static float kth_largest(float *v, ptrdiff_t n, ptrdiff_t k) {
    ptrdiff_t lo = 0, hi = n - 1, target = k - 1;
    while (lo < hi) {
        float pivot = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot) i++;
            while (v[j] < pivot) j--;
            if (i <= j) { float t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
        }
        if (target <= j) hi = j;
        else if (target >= i) lo = i;
        else return v[target];
    }
    return v[target];
}

/// Calls keep(position) for the k largest scores: those above the k-th largest, then the earliest equal to it.
#define KILN_FOR_TOP_K(scores, n, k, scratch, keep)                                   \
    do {                                                                              \
        memcpy(scratch, scores, (size_t)(n) * sizeof(float));                         \
        float kth = kth_largest(scratch, n, k);                                       \
        ptrdiff_t above = 0;                                                          \
        for (ptrdiff_t p = 0; p < (n); p++) above += (scores)[p] > kth;               \
        ptrdiff_t ties = (k) - above;                                                 \
        for (ptrdiff_t p = 0; p < (n); p++) {                                         \
            if ((scores)[p] > kth || ((scores)[p] == kth && ties-- > 0)) { keep; }    \
        }                                                                             \
    } while (0)

void kiln_top_k_mask_f32(const float *scores, ptrdiff_t rows, ptrdiff_t n, ptrdiff_t k, float *mask, float *scratch) {
    memset(mask, 0, (size_t)(rows * n) * sizeof(float));
    if (k <= 0) return;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *s = scores + r * n;
        float *m = mask + r * n;
        KILN_FOR_TOP_K(s, n, k, scratch, m[p] = 1.0f);
    }
}

ptrdiff_t kiln_top_k_indices_f32(const float *scores, ptrdiff_t n, ptrdiff_t k, int32_t *chosen, float *scratch) {
    if (k <= 0) return 0;
    ptrdiff_t count = 0;
    KILN_FOR_TOP_K(scores, n, k, scratch, chosen[count++] = (int32_t)p);
    return count;
}

#if defined(__x86_64__)
/// Blocks of 64 outputs held in eight registers while every chosen column passes; the rest portably.
KILN_AVX2 static ptrdiff_t sparse_gemv_avx2(const float *wt, ptrdiff_t out, const int32_t *chosen, ptrdiff_t count,
                                            const float *x, float *y) {
    ptrdiff_t o = 0;
    for (; o + 64 <= out; o += 64) {
        __m256 acc[8];
        for (int r = 0; r < 8; r++) acc[r] = _mm256_loadu_ps(y + o + 8 * r);
        for (ptrdiff_t j = 0; j < count; j++) {
            const __m256 xi = _mm256_set1_ps(x[chosen[j]]);
            const float *column = wt + (ptrdiff_t)chosen[j] * out + o;
            for (int r = 0; r < 8; r++) acc[r] = _mm256_fmadd_ps(xi, _mm256_loadu_ps(column + 8 * r), acc[r]);
        }
        for (int r = 0; r < 8; r++) _mm256_storeu_ps(y + o + 8 * r, acc[r]);
    }
    for (; o + 8 <= out; o += 8) {
        __m256 acc = _mm256_loadu_ps(y + o);
        for (ptrdiff_t j = 0; j < count; j++) {
            acc = _mm256_fmadd_ps(_mm256_set1_ps(x[chosen[j]]), _mm256_loadu_ps(wt + (ptrdiff_t)chosen[j] * out + o), acc);
        }
        _mm256_storeu_ps(y + o, acc);
    }
    return o;
}
#endif

void kiln_sparse_gemv_f32(const float *wt, ptrdiff_t out, const int32_t *chosen, ptrdiff_t count, const float *x,
                          const float *bias, float *y) {
    if (bias) memcpy(y, bias, (size_t)out * sizeof(float));
    else memset(y, 0, (size_t)out * sizeof(float));
    ptrdiff_t done = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) done = sparse_gemv_avx2(wt, out, chosen, count, x, y);
#endif
    // The portable path, and the outputs past the SIMD blocks.
    if (done < out) {
        for (ptrdiff_t j = 0; j < count; j++) {
            const float xi = x[chosen[j]];
            const float *column = wt + (ptrdiff_t)chosen[j] * out;
            for (ptrdiff_t o = done; o < out; o++) y[o] += xi * column[o];
        }
    }
}
