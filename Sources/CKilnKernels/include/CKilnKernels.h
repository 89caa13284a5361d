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

#endif
