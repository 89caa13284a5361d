// Fused activation kernels: each forward and each backward reads its inputs once and writes
// once, with the transcendental parts (exp, erf, sigmoid) evaluated per register.
//
// Large outputs are written with streaming stores: they bypass the cache, so the store does not
// first read the destination line, and a memory-bound pass runs at copy bandwidth.
#include "CKilnKernels.h"
#include "vecmath8.h"
#include <math.h>
#include <stdint.h>

#define SQRT1_2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f
#define GELU_K0 0.79788456080286536f   // √(2/π)
#define GELU_K1 0.044715f

static inline float sigmoid1(float x) {
    float e = expf(-fabsf(x));
    return (x < 0 ? e : 1.0f) / (1.0f + e);
}

// x - tanh x without the cancellation near 0: in double, and x³/3 where even double cancels.
static inline float tanhshrink1(float x) {
    double d = x;
    return (float)(fabs(d) < 1e-4 ? d * d * d / 3 : d - tanh(d));
}

// MARK: Scalar forms (the portable path)

static float forward1(kiln_activation op, kiln_activation_params p, float x) {
    switch (op) {
    case KILN_ACT_RELU: return x > 0 ? x : (x == x ? 0.0f : x);
    case KILN_ACT_LEAKY_RELU: return x > 0 ? x : p.a * x;
    case KILN_ACT_HARDTANH: return x < p.a ? p.a : (x > p.b ? p.b : x);
    case KILN_ACT_ELU: return x > 0 ? p.b * x : p.a * expm1f(p.c * x);
    case KILN_ACT_GELU_ERF: return 0.5f * x * erfcf(-x * SQRT1_2);
    case KILN_ACT_GELU_TANH: return x * sigmoid1(2.0f * GELU_K0 * x * (1.0f + GELU_K1 * x * x));
    case KILN_ACT_SILU: return x * sigmoid1(p.a * x);
    case KILN_ACT_MISH: return x * tanhf(x > 20 ? x : log1pf(expf(x)));
    case KILN_ACT_SOFTPLUS: return p.a * x > p.b ? x : log1pf(expf(p.a * x)) / p.a;
    case KILN_ACT_SOFTSIGN: return x / (1.0f + fabsf(x));
    case KILN_ACT_HARDSIGMOID: return fminf(fmaxf(x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case KILN_ACT_HARDSWISH: return x * fminf(fmaxf(x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case KILN_ACT_SQUARED_RELU: { float r = x > 0 ? x : 0.0f; return r * r; }
    case KILN_ACT_TANHSHRINK: return tanhshrink1(x);
    }
    return x;
}

static float backward1(kiln_activation op, kiln_activation_params p, float x, float g) {
    switch (op) {
    case KILN_ACT_RELU: return x > 0 ? g : 0.0f;
    case KILN_ACT_LEAKY_RELU: return x > 0 ? g : p.a * g;
    case KILN_ACT_HARDTANH: return x > p.a && x < p.b ? g : 0.0f;
    case KILN_ACT_ELU: return x > 0 ? p.b * g : p.a * p.c * expf(p.c * x) * g;
    case KILN_ACT_GELU_ERF:
        return g * (0.5f * erfcf(-x * SQRT1_2) + x * INV_SQRT_2PI * expf(-0.5f * x * x));
    case KILN_ACT_GELU_TANH: {
        float s = sigmoid1(2.0f * GELU_K0 * x * (1.0f + GELU_K1 * x * x));
        float du = GELU_K0 * (1.0f + 3.0f * GELU_K1 * x * x);
        return g * (s + 2.0f * x * s * (1.0f - s) * du);
    }
    case KILN_ACT_SILU: { float s = sigmoid1(p.a * x); return g * s * (1.0f + p.a * x * (1.0f - s)); }
    case KILN_ACT_MISH: {
        float t = tanhf(x > 20 ? x : log1pf(expf(x)));
        return g * (t + x * sigmoid1(x) * (1.0f - t * t));
    }
    case KILN_ACT_SOFTPLUS: return p.a * x > p.b ? g : g * sigmoid1(p.a * x);
    case KILN_ACT_SOFTSIGN: { float d = 1.0f + fabsf(x); return g / (d * d); }
    case KILN_ACT_HARDSIGMOID: return x > -3.0f && x < 3.0f ? g / 6.0f : 0.0f;
    case KILN_ACT_HARDSWISH: return x <= -3.0f ? 0.0f : (x < 3.0f ? g * (x / 3.0f + 0.5f) : g);
    case KILN_ACT_SQUARED_RELU: return x > 0 ? 2.0f * x * g : 0.0f;
    case KILN_ACT_TANHSHRINK: { float t = tanhf(x); return g * t * t; }
    }
    return g;
}

#if defined(__x86_64__)

#define SET(v) _mm256_set1_ps(v)
#define ZERO _mm256_setzero_ps()
#define GT(a, b) _mm256_cmp_ps(a, b, _CMP_GT_OQ)
#define LT(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)

// MARK: Vector forms, one pair per activation

// Comparisons put x second in max/min so NaN passes through, as PyTorch's activations do.
KILN_AVX2 static inline __m256 relu_f(__m256 x, kiln_activation_params p) { (void)p; return _mm256_max_ps(ZERO, x); }
KILN_AVX2 static inline __m256 relu_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p; return _mm256_and_ps(g, GT(x, ZERO));
}

KILN_AVX2 static inline __m256 leaky_f(__m256 x, kiln_activation_params p) {
    return _mm256_blendv_ps(_mm256_mul_ps(SET(p.a), x), x, GT(x, ZERO));
}
KILN_AVX2 static inline __m256 leaky_b(__m256 x, __m256 g, kiln_activation_params p) {
    return _mm256_blendv_ps(_mm256_mul_ps(SET(p.a), g), g, GT(x, ZERO));
}

KILN_AVX2 static inline __m256 hardtanh_f(__m256 x, kiln_activation_params p) {
    return _mm256_min_ps(SET(p.b), _mm256_max_ps(SET(p.a), x));
}
KILN_AVX2 static inline __m256 hardtanh_b(__m256 x, __m256 g, kiln_activation_params p) {
    return _mm256_and_ps(g, _mm256_and_ps(GT(x, SET(p.a)), LT(x, SET(p.b))));
}

KILN_AVX2 static inline __m256 elu_f(__m256 x, kiln_activation_params p) {
    __m256 negative = _mm256_mul_ps(SET(p.a), _mm256_sub_ps(exp8(_mm256_mul_ps(SET(p.c), x)), SET(1.0f)));
    return _mm256_blendv_ps(negative, _mm256_mul_ps(SET(p.b), x), GT(x, ZERO));
}
KILN_AVX2 static inline __m256 elu_b(__m256 x, __m256 g, kiln_activation_params p) {
    __m256 negative = _mm256_mul_ps(_mm256_mul_ps(SET(p.a * p.c), exp8(_mm256_mul_ps(SET(p.c), x))), g);
    return _mm256_blendv_ps(negative, _mm256_mul_ps(SET(p.b), g), GT(x, ZERO));
}

// The standard normal's CDF Φ and density φ from one exp, without cancellation in either tail:
// Φ(-u) = e^{-u²/2}·t·P(t) for u = |x|, t = 1/(1 + 0.3u), P fitted by
// scripts/kernels/fit_kernel_polynomials.py, and Φ(x) = 1 - Φ(-x) for x ≥ 0 (GELU and its
// derivative stay within 6e-7 relative of float64). u² is split into its rounded value and
// rounding error so e^{-u²/2} keeps full relative precision; where e^{-u²/2} leaves the normal
// floats (u ≈ 13.2, Φ(-u) ≈ 1e-39) it is flushed to zero.
KILN_AVX2 static inline __m256 normal_cdf_pdf8(__m256 x, __m256 *pdf) {
    // u is clamped at 14, past the flush to zero, so the exponent stays in range (NaN passes).
    __m256 u = _mm256_min_ps(SET(14.0f), _mm256_andnot_ps(SET(-0.0f), x));
    __m256 halfU = _mm256_mul_ps(SET(-0.5f), u);
    __m256 exponent = _mm256_mul_ps(halfU, u);
    __m256 exponentError = _mm256_fmsub_ps(halfU, u, exponent);
    __m256i n;
    __m256 mantissa = exp_reduced_short8(exponent, &n);
    __m256i biased = _mm256_max_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), _mm256_setzero_si256());
    __m256 e = _mm256_mul_ps(mantissa, _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23)));
    e = _mm256_fmadd_ps(e, exponentError, e);
    __m256 t = _mm256_div_ps(SET(1.0f), _mm256_fmadd_ps(SET(0.3f), u, SET(1.0f)));
    __m256 poly = _mm256_fmadd_ps(SET(3.6194935368e-02f), t, SET(-1.5937861736e-01f));
    poly = _mm256_fmadd_ps(poly, t, SET(2.1011888178e-01f));
    poly = _mm256_fmadd_ps(poly, t, SET(-5.7167781506e-02f));
    poly = _mm256_fmadd_ps(poly, t, SET(1.3041665808e-01f));
    poly = _mm256_fmadd_ps(poly, t, SET(9.9347066415e-02f));
    poly = _mm256_fmadd_ps(poly, t, SET(1.2084553890e-01f));
    poly = _mm256_fmadd_ps(poly, t, SET(1.1962326212e-01f));
    __m256 lowerTail = _mm256_mul_ps(_mm256_mul_ps(e, t), poly);
    *pdf = _mm256_mul_ps(SET(INV_SQRT_2PI), e);
    return _mm256_blendv_ps(_mm256_sub_ps(SET(1.0f), lowerTail), lowerTail, LT(x, ZERO));
}

KILN_AVX2 static inline __m256 gelu_f(__m256 x, kiln_activation_params p) {
    (void)p;
    __m256 pdf;
    return _mm256_mul_ps(x, normal_cdf_pdf8(x, &pdf));
}
KILN_AVX2 static inline __m256 gelu_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p;
    __m256 pdf, cdf = normal_cdf_pdf8(x, &pdf);
    return _mm256_mul_ps(g, _mm256_fmadd_ps(x, pdf, cdf));
}

// (1 + tanh u)/2 = σ(2u), which stays accurate where 1 + tanh u cancels.
KILN_AVX2 static inline __m256 gelu_tanh_gate8(__m256 x) {
    __m256 inner = _mm256_fmadd_ps(_mm256_mul_ps(SET(GELU_K1), x), x, SET(1.0f));
    return sigmoid8(_mm256_mul_ps(_mm256_mul_ps(SET(2.0f * GELU_K0), x), inner));
}
KILN_AVX2 static inline __m256 gelu_tanh_f(__m256 x, kiln_activation_params p) { (void)p; return _mm256_mul_ps(x, gelu_tanh_gate8(x)); }
KILN_AVX2 static inline __m256 gelu_tanh_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p;
    __m256 s = gelu_tanh_gate8(x);
    __m256 du = _mm256_fmadd_ps(_mm256_mul_ps(SET(3.0f * GELU_K0 * GELU_K1), x), x, SET(GELU_K0));
    __m256 ds = _mm256_mul_ps(_mm256_mul_ps(SET(2.0f), s), _mm256_sub_ps(SET(1.0f), s));
    return _mm256_mul_ps(g, _mm256_fmadd_ps(_mm256_mul_ps(x, ds), du, s));
}

KILN_AVX2 static inline __m256 silu_f(__m256 x, kiln_activation_params p) {
    return _mm256_mul_ps(x, sigmoid8(_mm256_mul_ps(SET(p.a), x)));
}
KILN_AVX2 static inline __m256 silu_b(__m256 x, __m256 g, kiln_activation_params p) {
    __m256 ax = _mm256_mul_ps(SET(p.a), x);
    __m256 s = sigmoid8(ax);
    return _mm256_mul_ps(_mm256_mul_ps(g, s), _mm256_fmadd_ps(ax, _mm256_sub_ps(SET(1.0f), s), SET(1.0f)));
}

// tanh(softplus x) = n/(n + 2) with n = e^x(e^x + 2), and 1 - tanh² = 4(n + 1)/(n + 2)²: one exp,
// no cancellation. Past x = 20 the tanh is 1 in float, so x is clamped there (and at -87 below).
KILN_AVX2 static inline __m256 mish_exp8(__m256 x) {
    return exp_normal8(_mm256_max_ps(SET(-87.0f), _mm256_min_ps(SET(20.0f), x)));
}
KILN_AVX2 static inline __m256 mish_f(__m256 x, kiln_activation_params p) {
    (void)p;
    __m256 e = mish_exp8(x);
    __m256 n = _mm256_mul_ps(e, _mm256_add_ps(e, SET(2.0f)));
    return _mm256_mul_ps(x, _mm256_div_ps(n, _mm256_add_ps(n, SET(2.0f))));
}
KILN_AVX2 static inline __m256 mish_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p;
    __m256 e = mish_exp8(x);
    __m256 n = _mm256_mul_ps(e, _mm256_add_ps(e, SET(2.0f)));
    __m256 r = _mm256_div_ps(SET(1.0f), _mm256_add_ps(n, SET(2.0f)));
    __m256 t = _mm256_mul_ps(n, r);
    __m256 dt = _mm256_mul_ps(_mm256_mul_ps(SET(4.0f), _mm256_add_ps(n, SET(1.0f))), _mm256_mul_ps(r, r));
    __m256 s = _mm256_div_ps(e, _mm256_add_ps(e, SET(1.0f)));
    return _mm256_mul_ps(g, _mm256_fmadd_ps(_mm256_mul_ps(x, s), dt, t));
}

// log(1 + e) = log(u)·e/(u - 1) with u = 1 + e (exact where u rounds), so tiny e keeps its digits.
KILN_AVX2 static inline __m256 softplus_f(__m256 x, kiln_activation_params p) {
    __m256 z = _mm256_mul_ps(SET(p.a), x);
    __m256 e = exp8(_mm256_min_ps(SET(88.0f), z));
    __m256 u = _mm256_add_ps(e, SET(1.0f));
    __m256 um1 = _mm256_sub_ps(u, SET(1.0f));
    __m256 corrected = _mm256_mul_ps(log8(u), _mm256_div_ps(e, um1));
    __m256 log1p = _mm256_blendv_ps(corrected, e, _mm256_cmp_ps(um1, ZERO, _CMP_EQ_OQ));
    return _mm256_blendv_ps(_mm256_div_ps(log1p, SET(p.a)), x, GT(z, SET(p.b)));
}
KILN_AVX2 static inline __m256 softplus_b(__m256 x, __m256 g, kiln_activation_params p) {
    __m256 z = _mm256_mul_ps(SET(p.a), x);
    return _mm256_blendv_ps(_mm256_mul_ps(g, sigmoid8(z)), g, GT(z, SET(p.b)));
}

KILN_AVX2 static inline __m256 softsign_f(__m256 x, kiln_activation_params p) {
    (void)p;
    return _mm256_div_ps(x, _mm256_add_ps(SET(1.0f), _mm256_andnot_ps(SET(-0.0f), x)));
}
KILN_AVX2 static inline __m256 softsign_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p;
    __m256 d = _mm256_add_ps(SET(1.0f), _mm256_andnot_ps(SET(-0.0f), x));
    return _mm256_div_ps(g, _mm256_mul_ps(d, d));
}

KILN_AVX2 static inline __m256 relu6_of_shift8(__m256 x) {
    return _mm256_min_ps(SET(6.0f), _mm256_max_ps(ZERO, _mm256_add_ps(x, SET(3.0f))));
}
KILN_AVX2 static inline __m256 hardsigmoid_f(__m256 x, kiln_activation_params p) {
    (void)p; return _mm256_div_ps(relu6_of_shift8(x), SET(6.0f));
}
KILN_AVX2 static inline __m256 hardsigmoid_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p;
    __m256 inside = _mm256_and_ps(GT(x, SET(-3.0f)), LT(x, SET(3.0f)));
    return _mm256_and_ps(_mm256_div_ps(g, SET(6.0f)), inside);
}

KILN_AVX2 static inline __m256 hardswish_f(__m256 x, kiln_activation_params p) {
    (void)p; return _mm256_div_ps(_mm256_mul_ps(x, relu6_of_shift8(x)), SET(6.0f));
}
KILN_AVX2 static inline __m256 hardswish_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p;
    __m256 middle = _mm256_mul_ps(g, _mm256_add_ps(_mm256_div_ps(x, SET(3.0f)), SET(0.5f)));
    __m256 d = _mm256_blendv_ps(g, middle, LT(x, SET(3.0f)));
    return _mm256_andnot_ps(_mm256_cmp_ps(x, SET(-3.0f), _CMP_LE_OQ), d);
}

KILN_AVX2 static inline __m256 squared_relu_f(__m256 x, kiln_activation_params p) {
    (void)p; __m256 r = _mm256_max_ps(ZERO, x); return _mm256_mul_ps(r, r);
}
KILN_AVX2 static inline __m256 squared_relu_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p; return _mm256_mul_ps(_mm256_mul_ps(SET(2.0f), _mm256_max_ps(ZERO, x)), g);
}

// x - tanh x = -x³·P(x²) below |x| = 0.625, where the difference would cancel (tanh_cubic8), and
// the difference itself above (within 2e-6 relative of float64 everywhere). The derivative is tanh²x.
KILN_AVX2 static inline __m256 tanhshrink_f(__m256 x, kiln_activation_params p) {
    (void)p;
    __m256 z = _mm256_mul_ps(x, x);
    __m256 small = _mm256_mul_ps(_mm256_mul_ps(tanh_cubic8(z), z), _mm256_sub_ps(ZERO, x));
    __m256 large = _mm256_sub_ps(x, tanh8(x));
    return _mm256_blendv_ps(large, small, LT(_mm256_andnot_ps(SET(-0.0f), x), SET(0.625f)));
}
KILN_AVX2 static inline __m256 tanhshrink_b(__m256 x, __m256 g, kiln_activation_params p) {
    (void)p; __m256 t = tanh8(x); return _mm256_mul_ps(_mm256_mul_ps(t, t), g);
}

// MARK: Loops

// Outputs of at least this many floats are streamed past the cache.
#define STREAM_MIN ((ptrdiff_t)1 << 18)

#define LANES_BELOW(m) _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(m)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))

// Floats before the first 32-byte boundary of y (so streaming stores are aligned).
static inline ptrdiff_t head_count(const float *y, ptrdiff_t n) {
    ptrdiff_t head = (ptrdiff_t)((32 - ((uintptr_t)y & 31)) & 31) / 4;
    return head < n ? head : n;
}

// One loop per activation: an unaligned head and the tail go through masked loads and stores,
// so every element gets the same arithmetic whatever the split of the array.
#define FORWARD_LOOP(NAME)                                                                       \
    KILN_AVX2 static void NAME##_forward(kiln_activation_params p, const float *x, float *y, ptrdiff_t n) { \
        ptrdiff_t i = 0;                                                                         \
        if (n >= STREAM_MIN) {                                                                   \
            ptrdiff_t head = head_count(y, n);                                                   \
            if (head > 0) {                                                                      \
                __m256i m = LANES_BELOW(head);                                                   \
                _mm256_maskstore_ps(y, m, NAME##_f(_mm256_maskload_ps(x, m), p));                \
                i = head;                                                                        \
            }                                                                                    \
            for (; i + 8 <= n; i += 8) _mm256_stream_ps(y + i, NAME##_f(_mm256_loadu_ps(x + i), p)); \
            _mm_sfence();                                                                        \
        } else {                                                                                 \
            for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, NAME##_f(_mm256_loadu_ps(x + i), p)); \
        }                                                                                        \
        if (i < n) {                                                                             \
            __m256i m = LANES_BELOW(n - i);                                                      \
            _mm256_maskstore_ps(y + i, m, NAME##_f(_mm256_maskload_ps(x + i, m), p));            \
        }                                                                                        \
    }

#define BACKWARD_LOOP(NAME)                                                                      \
    KILN_AVX2 static void NAME##_backward(kiln_activation_params p, const float *x, const float *g, \
                                          float *dx, ptrdiff_t n) {                              \
        ptrdiff_t i = 0;                                                                         \
        if (n >= STREAM_MIN) {                                                                   \
            ptrdiff_t head = head_count(dx, n);                                                  \
            if (head > 0) {                                                                      \
                __m256i m = LANES_BELOW(head);                                                   \
                _mm256_maskstore_ps(dx, m, NAME##_b(_mm256_maskload_ps(x, m), _mm256_maskload_ps(g, m), p)); \
                i = head;                                                                        \
            }                                                                                    \
            for (; i + 8 <= n; i += 8)                                                           \
                _mm256_stream_ps(dx + i, NAME##_b(_mm256_loadu_ps(x + i), _mm256_loadu_ps(g + i), p)); \
            _mm_sfence();                                                                        \
        } else {                                                                                 \
            for (; i + 8 <= n; i += 8)                                                           \
                _mm256_storeu_ps(dx + i, NAME##_b(_mm256_loadu_ps(x + i), _mm256_loadu_ps(g + i), p)); \
        }                                                                                        \
        if (i < n) {                                                                             \
            __m256i m = LANES_BELOW(n - i);                                                      \
            _mm256_maskstore_ps(dx + i, m, NAME##_b(_mm256_maskload_ps(x + i, m), _mm256_maskload_ps(g + i, m), p)); \
        }                                                                                        \
    }

#define ACTIVATIONS(X)                                                                           \
    X(KILN_ACT_RELU, relu) X(KILN_ACT_LEAKY_RELU, leaky) X(KILN_ACT_HARDTANH, hardtanh)          \
    X(KILN_ACT_ELU, elu) X(KILN_ACT_GELU_ERF, gelu) X(KILN_ACT_GELU_TANH, gelu_tanh)             \
    X(KILN_ACT_SILU, silu) X(KILN_ACT_MISH, mish) X(KILN_ACT_SOFTPLUS, softplus)                 \
    X(KILN_ACT_SOFTSIGN, softsign) X(KILN_ACT_HARDSIGMOID, hardsigmoid)                          \
    X(KILN_ACT_HARDSWISH, hardswish) X(KILN_ACT_SQUARED_RELU, squared_relu)                     \
    X(KILN_ACT_TANHSHRINK, tanhshrink)

#define LOOPS(OP, NAME) FORWARD_LOOP(NAME) BACKWARD_LOOP(NAME)
ACTIVATIONS(LOOPS)

#define FORWARD_CASE(OP, NAME) case OP: NAME##_forward(p, x, y, n); return;
#define BACKWARD_CASE(OP, NAME) case OP: NAME##_backward(p, x, g, dx, n); return;
#endif

void kiln_activation_forward_f32(kiln_activation op, kiln_activation_params p,
                                 const float *x, float *y, ptrdiff_t n) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) {
        switch (op) { ACTIVATIONS(FORWARD_CASE) }
    }
#endif
    for (ptrdiff_t i = 0; i < n; i++) y[i] = forward1(op, p, x[i]);
}

void kiln_activation_backward_f32(kiln_activation op, kiln_activation_params p,
                                  const float *x, const float *g, float *dx, ptrdiff_t n) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) {
        switch (op) { ACTIVATIONS(BACKWARD_CASE) }
    }
#endif
    for (ptrdiff_t i = 0; i < n; i++) dx[i] = backward1(op, p, x[i], g[i]);
}
