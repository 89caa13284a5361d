// Helpers shared by the softmax kernels (softmax.c) and the loss kernels (softmax_losses.c).
// Private to CKilnKernels.
#ifndef KILN_SOFTMAX8_H
#define KILN_SOFTMAX8_H

#include "vecmath8.h"

#if defined(__x86_64__)
#include <stdint.h>

KILN_AVX2 static inline __m256i tail_mask(ptrdiff_t remaining) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)remaining), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// exp_nonpositive8 with the full degree-7 polynomial (about 1 ulp): the loss kernels
// (log-sum-exp, cross-entropy and log-softmax gradients) keep the exp the trainer has always seen.
KILN_AVX2 static inline __m256 exp_nonpositive_precise8(__m256 x) {
    const __m256 low = _mm256_set1_ps(-87.3f);
    __m256 below = _mm256_cmp_ps(x, low, _CMP_LT_OQ);
    return _mm256_andnot_ps(below, exp_normal8(_mm256_max_ps(low, x)));
}

// y[i] = VALUE(x[i]) over n floats. With `stream`, the aligned body bypasses the cache
// (non-temporal stores), which saves reading the output's lines before writing them.
#define WRITE_LOOP(VALUE)                                                                         \
    ptrdiff_t i = 0;                                                                              \
    if (stream) {                                                                                 \
        ptrdiff_t head = (ptrdiff_t)(((32 - ((uintptr_t)y & 31)) & 31) / 4);                      \
        if (head > n) head = n;                                                                   \
        if (head > 0) {                                                                           \
            __m256i mask = tail_mask(head);                                                       \
            __m256 xv = _mm256_maskload_ps(x, mask);                                              \
            _mm256_maskstore_ps(y, mask, VALUE(xv));                                              \
            i = head;                                                                             \
        }                                                                                         \
        for (; i + 8 <= n; i += 8) {                                                              \
            __m256 xv = _mm256_loadu_ps(x + i);                                                   \
            _mm256_stream_ps(y + i, VALUE(xv));                                                   \
        }                                                                                         \
        _mm_sfence();                                                                             \
    }                                                                                             \
    for (; i + 8 <= n; i += 8) {                                                                  \
        __m256 xv = _mm256_loadu_ps(x + i);                                                       \
        _mm256_storeu_ps(y + i, VALUE(xv));                                                       \
    }                                                                                             \
    if (i < n) {                                                                                  \
        __m256i mask = tail_mask(n - i);                                                          \
        __m256 xv = _mm256_maskload_ps(x + i, mask);                                              \
        _mm256_maskstore_ps(y + i, mask, VALUE(xv));                                              \
    }

#define DISPATCH(CALL) if (kiln_has_avx2_fma()) { CALL; }
#else
#define DISPATCH(CALL)
#endif

#endif
