// Comparisons, logical operations on bools, and selection by a mask.
//
// The loops are written once per stride pattern that matters (both contiguous, or one
// operand a broadcast scalar) so the compiler can vectorize them; other strides take the
// general loop.
#include "CKilnKernels.h"

#define STRIDED_LOOP(EXPR)                                                                   \
    if (so == 1 && sa == 1 && sb == 1) {                                                     \
        for (ptrdiff_t i = 0; i < n; i++) { T x = a[i], y = b[i]; out[i] = (EXPR); }         \
    } else if (so == 1 && sa == 1 && sb == 0) {                                              \
        T y = b[0];                                                                          \
        for (ptrdiff_t i = 0; i < n; i++) { T x = a[i]; out[i] = (EXPR); }                   \
    } else if (so == 1 && sa == 0 && sb == 1) {                                              \
        T x = a[0];                                                                          \
        for (ptrdiff_t i = 0; i < n; i++) { T y = b[i]; out[i] = (EXPR); }                   \
    } else {                                                                                 \
        for (ptrdiff_t i = 0; i < n; i++) { T x = a[i * sa], y = b[i * sb]; out[i * so] = (EXPR); } \
    }

#define COMPARE_BODY                                      \
    switch (op) {                                         \
    case KILN_EQ: { STRIDED_LOOP(x == y) } break;         \
    case KILN_NE: { STRIDED_LOOP(x != y) } break;         \
    case KILN_LT: { STRIDED_LOOP(x < y) } break;          \
    case KILN_LE: { STRIDED_LOOP(x <= y) } break;         \
    case KILN_GT: { STRIDED_LOOP(x > y) } break;          \
    case KILN_GE: { STRIDED_LOOP(x >= y) } break;         \
    }

void kiln_compare_f32(kiln_compare_op op, const float *a, ptrdiff_t sa, const float *b, ptrdiff_t sb,
                      uint8_t *out, ptrdiff_t so, ptrdiff_t n) {
    typedef float T;
    COMPARE_BODY
}

void kiln_compare_i64(kiln_compare_op op, const int64_t *a, ptrdiff_t sa, const int64_t *b, ptrdiff_t sb,
                      uint8_t *out, ptrdiff_t so, ptrdiff_t n) {
    typedef int64_t T;
    COMPARE_BODY
}

void kiln_logical_u8(kiln_logical_op op, const uint8_t *a, ptrdiff_t sa, const uint8_t *b, ptrdiff_t sb,
                     uint8_t *out, ptrdiff_t so, ptrdiff_t n) {
    typedef uint8_t T;
    switch (op) {
    case KILN_AND: { STRIDED_LOOP(x & y) } break;
    case KILN_OR: { STRIDED_LOOP(x | y) } break;
    case KILN_XOR: { STRIDED_LOOP(x ^ y) } break;
    }
}

void kiln_where_f32(const uint8_t *condition, ptrdiff_t sc, const float *a, ptrdiff_t sa,
                    const float *b, ptrdiff_t sb, float *out, ptrdiff_t so, ptrdiff_t n) {
    if (sc == 1 && sa == 1 && sb == 1 && so == 1) {
        for (ptrdiff_t i = 0; i < n; i++) out[i] = condition[i] ? a[i] : b[i];
        return;
    }
    for (ptrdiff_t i = 0; i < n; i++) out[i * so] = condition[i * sc] ? a[i * sa] : b[i * sb];
}
