// Hot loops of Kiln. Each kernel has an AVX2/FMA path chosen at run time and a portable path.
#ifndef CKILNKERNELS_H
#define CKILNKERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "CKilnOptim.h"

/// 1 when the CPU supports AVX2 and FMA (checked once).
int kiln_has_avx2_fma(void);

/// Depth of nested no-gradient scopes on the calling thread (0: recording allowed).
int kiln_grad_disabled_depth(void);
void kiln_set_grad_disabled_depth(int depth);

/// A process-wide increasing counter: creation order of autodiff nodes.
int64_t kiln_next_sequence(void);

/// Adds `value` to `*counter` atomically and returns the value before.
int64_t kiln_fetch_add(int64_t *counter, int64_t value);

/// Binary elementwise operations.
typedef enum {
    KILN_ADD = 0, KILN_SUB, KILN_MUL, KILN_DIV, KILN_MAX, KILN_MIN, KILN_POW
} kiln_binary_op;

/// out[i] = a[i*sa] op b[i*sb] for i < n, where sa and sb are 0 (broadcast scalar) or 1.
void kiln_binary_f32(kiln_binary_op op, const float *a, ptrdiff_t sa,
                     const float *b, ptrdiff_t sb, float *out, ptrdiff_t n);

/// out[i] = a[i*sa] op b[i*sb] for arbitrary element strides (slow path, no SIMD).
void kiln_binary_strided_f32(kiln_binary_op op, const float *a, ptrdiff_t sa,
                             const float *b, ptrdiff_t sb, float *out, ptrdiff_t so, ptrdiff_t n);

/// Strided copy of n elements of `size` bytes each (strides in elements).
void kiln_copy_strided(const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds, ptrdiff_t n, int size);

/// Sum of n floats with stride s (pairwise-blocked, FMA-free, 8 accumulators).
float kiln_sum_f32(const float *x, ptrdiff_t s, ptrdiff_t n);

/// y[i*sy] += x[i*sx] for i < n.
void kiln_accumulate_f32(const float *x, ptrdiff_t sx, float *y, ptrdiff_t sy, ptrdiff_t n);

/// y[i] = value for i < n.
void kiln_fill_f32(float *y, float value, ptrdiff_t n);

// MARK: Unary math, comparisons and selection

/// y[i] = e^x[i] (AVX2: within 2 ulp; overflow gives inf, underflow 0, NaN passes through).
void kiln_exp_f32(const float *x, float *y, ptrdiff_t n);
/// y[i] = log x[i] (AVX2: within 2 ulp, subnormals included; log 0 = -inf, log of a negative = NaN).
void kiln_log_f32(const float *x, float *y, ptrdiff_t n);
/// y[i] = tanh x[i] (AVX2: within 3 ulp).
void kiln_tanh_f32(const float *x, float *y, ptrdiff_t n);
/// y[i] = 1 / (1 + e^-x[i]) (AVX2: within 3 ulp, no overflow for large |x|).
void kiln_sigmoid_f32(const float *x, float *y, ptrdiff_t n);
/// y[i] = erf x[i] (AVX2: within 3 ulp).
void kiln_erf_f32(const float *x, float *y, ptrdiff_t n);

/// Unary elementwise operations.
typedef enum {
    KILN_EXP = 0, KILN_EXPM1, KILN_LOG, KILN_LOG1P, KILN_SQRT, KILN_RSQRT, KILN_ABS, KILN_SIGN,
    KILN_SIN, KILN_COS, KILN_TANH, KILN_SIGMOID, KILN_ERF
} kiln_unary_op;

/// y[i] = op(x[i]) for i < n (contiguous).
void kiln_unary_f32(kiln_unary_op op, const float *x, float *y, ptrdiff_t n);

/// y[i*sy] = op(x[i*sx]) for i < n, any element strides.
void kiln_unary_strided_f32(kiln_unary_op op, const float *x, ptrdiff_t sx, float *y, ptrdiff_t sy, ptrdiff_t n);

/// y[i*sy] = min(max(x[i*sx], lo), hi); NaN passes through.
void kiln_clamp_f32(const float *x, ptrdiff_t sx, float *y, ptrdiff_t sy, ptrdiff_t n, float lo, float hi);

/// Comparisons; the result is a bool (0 or 1) per element. Any comparison with NaN is false but !=.
typedef enum {
    KILN_EQ = 0, KILN_NE, KILN_LT, KILN_LE, KILN_GT, KILN_GE
} kiln_compare_op;

/// out[i*so] = a[i*sa] op b[i*sb] for floats.
void kiln_compare_f32(kiln_compare_op op, const float *a, ptrdiff_t sa, const float *b, ptrdiff_t sb,
                      uint8_t *out, ptrdiff_t so, ptrdiff_t n);

/// out[i*so] = a[i*sa] op b[i*sb] for 64-bit integers.
void kiln_compare_i64(kiln_compare_op op, const int64_t *a, ptrdiff_t sa, const int64_t *b, ptrdiff_t sb,
                      uint8_t *out, ptrdiff_t so, ptrdiff_t n);

/// Logical operations on bools stored as bytes 0 or 1.
typedef enum { KILN_AND = 0, KILN_OR, KILN_XOR } kiln_logical_op;

/// out[i*so] = a[i*sa] op b[i*sb].
void kiln_logical_u8(kiln_logical_op op, const uint8_t *a, ptrdiff_t sa, const uint8_t *b, ptrdiff_t sb,
                     uint8_t *out, ptrdiff_t so, ptrdiff_t n);

/// out[i*so] = condition[i*sc] ? a[i*sa] : b[i*sb].
void kiln_where_f32(const uint8_t *condition, ptrdiff_t sc, const float *a, ptrdiff_t sa,
                    const float *b, ptrdiff_t sb, float *out, ptrdiff_t so, ptrdiff_t n);

// MARK: Random numbers

/// One Philox4x32-10 block: 128 random bits from a 128-bit counter and a 64-bit key.
void kiln_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/// Philox blocks first..<first+blocks under key `seed` (counter words: index low, index high, 0, 0),
/// four words per block into out.
void kiln_philox_blocks(uint64_t seed, uint64_t first, uint32_t *out, ptrdiff_t blocks);

/// n normal floats mean + std·z by Box-Muller: words 2k and 2k+1 give out[2k] (cosine) and out[2k+1] (sine).
void kiln_normal_f32(const uint32_t *words, float *out, ptrdiff_t n, float mean, float std);

#include "CKilnReduce.h"
#include "CKilnConv.h"
#include "CKilnConv3x3.h"
#include "CKilnActivations.h"
#include "CKilnPool.h"
#include "CKilnNorm.h"
#include "CKilnSoftmax.h"
#include "CKilnSparse.h"
#include "CKilnQuantized.h"
#include "CKilnAttention.h"
#include "CKilnWorkers.h"

#endif
