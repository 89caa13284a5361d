// 8-float vectors for the 3×3 convolution kernels (winograd.c, conv3x3_direct.c): each kernel body is
// written once on them and compiled twice, with AVX2 and FMA (chosen at run time) and portably.
// Private to CKilnKernels.
#ifndef KILN_CONV3X3_VEC8_H
#define KILN_CONV3X3_VEC8_H

#include <stddef.h>
#include <string.h>

#if defined(__x86_64__)
#define KILN_AVX2 __attribute__((target("avx2,fma")))
#endif
#define INLINE static inline __attribute__((always_inline))
// The vector helpers are always inlined, so no call passes a vector in registers across the two builds.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v8 __attribute__((vector_size(32), aligned(4)));

INLINE v8 load8(const float *p) { v8 v; memcpy(&v, p, sizeof v); return v; }
INLINE void store8(float *p, v8 v) { memcpy(p, &v, sizeof v); }
INLINE v8 splat8(float s) { return (v8){s, s, s, s, s, s, s, s}; }

static inline int round8(int n) { return (n + 7) & ~7; }

#endif
