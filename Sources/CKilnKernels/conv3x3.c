// 3×3, stride-1 convolutions without lowering.
//
// Winograd F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
// each 2×2 block of outputs is Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d Bᵀ)] A for its 4×4 input tile d, so the channel
// sums become 16 small matrix products (one per point ξ of the 4×4 domain) with 16 instead of 36
// multiplications per 2×2 block. Per image, the input is staged channels-last (channels rounded up
// to 8 with zeros) so the transforms and products run over 8 channels at once.
//
// The direct kernel serves convolutions with few input channels (the first layer of a CNN), where
// the Winograd products would be mostly padding: each output row is summed over (channel, tap) in
// the order im2col and sgemm use, so both round alike.
//
// Every kernel body is written once on 8-float vectors and compiled twice: with AVX2 and FMA, chosen
// at run time, and portably.
#include "CKilnConv3x3.h"
#include "CKilnKernels.h"
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

static int round8(int n) { return (n + 7) & ~7; }

/// dst[0..<n] = src[0..<n] by vectors; the tail's stores are conditional so that no row becomes a
/// library memcpy call (rows here are a few dozen floats, thousands per image).
INLINE void copy_row(float *dst, const float *src, int n) {
    int j = 0;
    for (; j + 8 <= n; j += 8) store8(dst + j, load8(src + j));
    for (int l = 0; l < 8; l++)
        if (j + l < n) dst[j + l] = src[j + l];
}

/// The 8×8 block at src (rows ld_src apart) transposed into dst (rows ld_dst apart).
INLINE void transpose8(const float *src, ptrdiff_t ld_src, float *dst, ptrdiff_t ld_dst) {
    v8 r[8], t[8], u[8];
    for (int i = 0; i < 8; i++) r[i] = load8(src + i * ld_src);
    for (int i = 0; i < 8; i += 2) {
        t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    for (int i = 0; i < 4; i++) {
        store8(dst + i * ld_dst, __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11));
        store8(dst + (i + 4) * ld_dst, __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15));
    }
}

/// dst[j·ld_dst + i] = src[i·ld_src + j] for i < rows, j < cols: 8×8 blocks through vectors, the edges one by one.
INLINE void transpose(const float *src, ptrdiff_t ld_src, float *dst, ptrdiff_t ld_dst, int rows, int cols) {
    int i = 0;
    for (; i + 8 <= rows; i += 8) {
        int j = 0;
        for (; j + 8 <= cols; j += 8) transpose8(src + i * ld_src + j, ld_src, dst + j * ld_dst + i, ld_dst);
        for (; j < cols; j++)
            for (int r = 0; r < 8; r++) dst[j * ld_dst + i + r] = src[(i + r) * ld_src + j];
    }
    for (; i < rows; i++)
        for (int j = 0; j < cols; j++) dst[j * ld_dst + i] = src[i * ld_src + j];
}

/// Sizes shared by the Winograd kernels.
typedef struct {
    int cp, op;           // channels and output channels rounded up to 8
    int tiles_h, tiles_w, tiles;
    int staged_h, staged_w;  // the staged input: 2·tiles + 2 on each axis
} winograd_sizes;

static winograd_sizes winograd_sizes_of(const kiln_conv3x3_geometry *g) {
    winograd_sizes s;
    s.cp = round8(g->channels);
    s.op = round8(g->out_channels);
    s.tiles_h = (g->out_h + 1) / 2;
    s.tiles_w = (g->out_w + 1) / 2;
    s.tiles = s.tiles_h * s.tiles_w;
    s.staged_h = 2 * s.tiles_h + 2;
    s.staged_w = 2 * s.tiles_w + 2;
    return s;
}

size_t kiln_winograd_workspace_floats(const kiln_conv3x3_geometry *g) {
    const winograd_sizes s = winograd_sizes_of(g);
    const size_t t = (size_t)s.tiles;
    // staged input, V [16][T][Cp], M or Z [16][T][Op], staged dy [2·tiles_h][2·tiles_w][Op]
    return (size_t)s.staged_h * s.staged_w * s.cp + 16 * t * s.cp + 16 * t * s.op + 4 * t * s.op;
}

size_t kiln_winograd_weight_floats(const kiln_conv3x3_geometry *g) {
    return 16 * (size_t)round8(g->channels) * (size_t)round8(g->out_channels);
}

// MARK: Matrix products

/// c[i][0..8·vecs) (+)= Σ_p a[i·a_row + p·a_k] · b[p·ldb + 0..8·vecs) for rows i < rows (at most 6).
INLINE void product_block(int rows, int vecs, const float *a, ptrdiff_t a_row, ptrdiff_t a_k, const float *b,
                          ptrdiff_t ldb, int k, float *c, ptrdiff_t ldc, int accumulate) {
    v8 acc[6][2];
    for (int i = 0; i < rows; i++)
        for (int v = 0; v < vecs; v++) acc[i][v] = accumulate ? load8(c + i * ldc + 8 * v) : splat8(0);
    for (int p = 0; p < k; p++) {
        const v8 b0 = load8(b + p * ldb), b1 = vecs > 1 ? load8(b + p * ldb + 8) : b0;
        for (int i = 0; i < rows; i++) {
            const v8 s = splat8(a[i * a_row + p * a_k]);
            acc[i][0] = acc[i][0] + s * b0;
            if (vecs > 1) acc[i][1] = acc[i][1] + s * b1;
        }
    }
    for (int i = 0; i < rows; i++)
        for (int v = 0; v < vecs; v++) store8(c + i * ldc + 8 * v, acc[i][v]);
}

/// c [m × n] (+)= A [m × k] · b [k × n], n a multiple of 8, A(i, p) = a[i·a_row + p·a_k].
INLINE void product(int m, int n, int k, const float *a, ptrdiff_t a_row, ptrdiff_t a_k, const float *b, ptrdiff_t ldb,
                    float *c, ptrdiff_t ldc, int accumulate) {
    for (int j = 0; j < n; j += 16) {
        const int vecs = n - j >= 16 ? 2 : 1;
        for (int i = 0; i < m; i += 6) {
            const int rows = m - i < 6 ? m - i : 6;
            const float *ai = a + i * a_row;
            float *ci = c + i * ldc + j;
#define BLOCK(r) case r: \
                if (vecs == 2) product_block(r, 2, ai, a_row, a_k, b + j, ldb, k, ci, ldc, accumulate); \
                else product_block(r, 1, ai, a_row, a_k, b + j, ldb, k, ci, ldc, accumulate); \
                break;
            switch (rows) { BLOCK(6) BLOCK(5) BLOCK(4) BLOCK(3) BLOCK(2) BLOCK(1) }
#undef BLOCK
        }
    }
}

// MARK: Winograd transforms

/// xs [staged_h][staged_w][cp]: the image x [channels][height][width] shifted by the padding, zeros around.
static void stage_channels_last(const float *x, const kiln_conv3x3_geometry *g, const winograd_sizes *s, float *xs) {
    memset(xs, 0, sizeof(float) * (size_t)s->staged_h * s->staged_w * s->cp);
    const int rows = g->height + g->pad_h < s->staged_h ? g->height : s->staged_h - g->pad_h;
    const int cols = g->width + g->pad_w < s->staged_w ? g->width : s->staged_w - g->pad_w;
    for (int c = 0; c < g->channels; c++) {
        const float *plane = x + (ptrdiff_t)c * g->height * g->width;
        for (int r = 0; r < rows; r++) {
            float *dst = xs + ((ptrdiff_t)(r + g->pad_h) * s->staged_w + g->pad_w) * s->cp + c;
            const float *src = plane + (ptrdiff_t)r * g->width;
            for (int q = 0; q < cols; q++) dst[(ptrdiff_t)q * s->cp] = src[q];
        }
    }
}

/// V [16][tiles][cp]: Bᵀ d B of every 4×4 tile d of the staged input, 8 channels at a time.
INLINE void transform_input(const float *xs, const winograd_sizes *s, float *v) {
    const ptrdiff_t point = (ptrdiff_t)s->tiles * s->cp, row = (ptrdiff_t)s->staged_w * s->cp;
    for (int ty = 0; ty < s->tiles_h; ty++) {
        for (int tx = 0; tx < s->tiles_w; tx++) {
            const int t = ty * s->tiles_w + tx;
            for (int c = 0; c < s->cp; c += 8) {
                const float *base = xs + 2 * ty * row + (ptrdiff_t)2 * tx * s->cp + c;
                v8 d[4][4], r[4][4];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) d[i][j] = load8(base + i * row + j * s->cp);
                for (int j = 0; j < 4; j++) {
                    r[0][j] = d[0][j] - d[2][j];
                    r[1][j] = d[1][j] + d[2][j];
                    r[2][j] = d[2][j] - d[1][j];
                    r[3][j] = d[1][j] - d[3][j];
                }
                float *out = v + (ptrdiff_t)t * s->cp + c;
                for (int i = 0; i < 4; i++) {
                    store8(out + (4 * i + 0) * point, r[i][0] - r[i][2]);
                    store8(out + (4 * i + 1) * point, r[i][1] + r[i][2]);
                    store8(out + (4 * i + 2) * point, r[i][2] - r[i][1]);
                    store8(out + (4 * i + 3) * point, r[i][1] - r[i][3]);
                }
            }
        }
    }
}

/// y [out_channels][out_h][out_w] = Aᵀ m A of every tile of M [16][tiles][op], plus the bias.
INLINE void transform_output(const float *m, const float *bias, const kiln_conv3x3_geometry *g, const winograd_sizes *s,
                             float *y) {
    const ptrdiff_t point = (ptrdiff_t)s->tiles * s->op, plane = (ptrdiff_t)g->out_h * g->out_w;
    for (int ty = 0; ty < s->tiles_h; ty++) {
        const int rows = g->out_h - 2 * ty < 2 ? 1 : 2;
        for (int tx = 0; tx < s->tiles_w; tx++) {
            const int t = ty * s->tiles_w + tx, cols = g->out_w - 2 * tx < 2 ? 1 : 2;
            for (int o = 0; o < s->op; o += 8) {
                const float *in = m + (ptrdiff_t)t * s->op + o;
                v8 r[2][4];
                for (int j = 0; j < 4; j++) {
                    const v8 m0 = load8(in + j * point), m1 = load8(in + (4 + j) * point);
                    const v8 m2 = load8(in + (8 + j) * point), m3 = load8(in + (12 + j) * point);
                    r[0][j] = m0 + m1 + m2;
                    r[1][j] = m1 - m2 - m3;
                }
                float out[2][2][8];
                for (int i = 0; i < 2; i++) {
                    store8(out[i][0], r[i][0] + r[i][1] + r[i][2]);
                    store8(out[i][1], r[i][1] - r[i][2] - r[i][3]);
                }
                const int lanes = g->out_channels - o < 8 ? g->out_channels - o : 8;
                for (int lane = 0; lane < lanes; lane++) {
                    const float b = bias ? bias[o + lane] : 0.0f;
                    float *dst = y + (o + lane) * plane + (ptrdiff_t)2 * ty * g->out_w + 2 * tx;
                    for (int i = 0; i < rows; i++)
                        for (int j = 0; j < cols; j++) dst[i * g->out_w + j] = out[i][j][lane] + b;
                }
            }
        }
    }
}

/// Z [16][tiles][op]: A dY Aᵀ of every 2×2 block dY of the output gradient dy [out_channels][out_h][out_w].
INLINE void transform_output_grad(const float *dy, const kiln_conv3x3_geometry *g, const winograd_sizes *s, float *ds,
                                  float *z) {
    const int staged_w = 2 * s->tiles_w;
    const ptrdiff_t row = (ptrdiff_t)staged_w * s->op, point = (ptrdiff_t)s->tiles * s->op;
    memset(ds, 0, sizeof(float) * (size_t)(2 * s->tiles_h) * row);
    for (int o = 0; o < g->out_channels; o++) {
        const float *plane = dy + (ptrdiff_t)o * g->out_h * g->out_w;
        for (int i = 0; i < g->out_h; i++)
            for (int j = 0; j < g->out_w; j++) ds[i * row + (ptrdiff_t)j * s->op + o] = plane[i * g->out_w + j];
    }
    for (int ty = 0; ty < s->tiles_h; ty++) {
        for (int tx = 0; tx < s->tiles_w; tx++) {
            const int t = ty * s->tiles_w + tx;
            for (int o = 0; o < s->op; o += 8) {
                const float *base = ds + 2 * ty * row + (ptrdiff_t)2 * tx * s->op + o;
                const v8 d00 = load8(base), d01 = load8(base + s->op);
                const v8 d10 = load8(base + row), d11 = load8(base + row + s->op);
                // A dY: rows (d0, d0 + d1, d0 − d1, −d1).
                const v8 r[4][2] = {{d00, d01}, {d00 + d10, d01 + d11}, {d00 - d10, d01 - d11}, {-d10, -d11}};
                float *out = z + (ptrdiff_t)t * s->op + o;
                for (int i = 0; i < 4; i++) {
                    store8(out + (4 * i + 0) * point, r[i][0]);
                    store8(out + (4 * i + 1) * point, r[i][0] + r[i][1]);
                    store8(out + (4 * i + 2) * point, r[i][0] - r[i][1]);
                    store8(out + (4 * i + 3) * point, -r[i][1]);
                }
            }
        }
    }
}

// MARK: Winograd passes

INLINE void winograd_forward(const float *x, const float *u, const float *bias, const kiln_conv3x3_geometry *g,
                             int images, float *y, float *workspace) {
    const winograd_sizes s = winograd_sizes_of(g);
    float *xs = workspace, *v = xs + (size_t)s.staged_h * s.staged_w * s.cp, *m = v + (size_t)16 * s.tiles * s.cp;
    const ptrdiff_t in_image = (ptrdiff_t)g->channels * g->height * g->width;
    const ptrdiff_t out_image = (ptrdiff_t)g->out_channels * g->out_h * g->out_w;
    for (int n = 0; n < images; n++) {
        stage_channels_last(x + n * in_image, g, &s, xs);
        transform_input(xs, &s, v);
        for (int xi = 0; xi < 16; xi++) {
            product(s.tiles, s.op, s.cp, v + (ptrdiff_t)xi * s.tiles * s.cp, s.cp, 1, u + (ptrdiff_t)xi * s.cp * s.op, s.op,
                    m + (ptrdiff_t)xi * s.tiles * s.op, s.op, 0);
        }
        transform_output(m, bias, g, &s, y + n * out_image);
    }
}

INLINE void winograd_weight_grad(const float *x, const float *dy, const kiln_conv3x3_geometry *g, int images, float *du,
                                 float *workspace) {
    const winograd_sizes s = winograd_sizes_of(g);
    float *xs = workspace, *v = xs + (size_t)s.staged_h * s.staged_w * s.cp, *z = v + (size_t)16 * s.tiles * s.cp;
    float *ds = z + (size_t)16 * s.tiles * s.op;
    const ptrdiff_t in_image = (ptrdiff_t)g->channels * g->height * g->width;
    const ptrdiff_t out_image = (ptrdiff_t)g->out_channels * g->out_h * g->out_w;
    for (int n = 0; n < images; n++) {
        stage_channels_last(x + n * in_image, g, &s, xs);
        transform_input(xs, &s, v);
        transform_output_grad(dy + n * out_image, g, &s, ds, z);
        // dU[ξ] [cp × op] += V[ξ]ᵀ · Z[ξ]
        for (int xi = 0; xi < 16; xi++) {
            product(s.cp, s.op, s.tiles, v + (ptrdiff_t)xi * s.tiles * s.cp, 1, s.cp, z + (ptrdiff_t)xi * s.tiles * s.op, s.op,
                    du + (ptrdiff_t)xi * s.cp * s.op, s.op, 1);
        }
    }
}

#if defined(__x86_64__)
KILN_AVX2 static void winograd_forward_avx2(const float *x, const float *u, const float *bias,
                                            const kiln_conv3x3_geometry *g, int images, float *y, float *workspace) {
    winograd_forward(x, u, bias, g, images, y, workspace);
}
KILN_AVX2 static void winograd_weight_grad_avx2(const float *x, const float *dy, const kiln_conv3x3_geometry *g, int images,
                                                float *du, float *workspace) {
    winograd_weight_grad(x, dy, g, images, du, workspace);
}
#endif

void kiln_winograd_forward_f32(const float *x, const float *u, const float *bias, const kiln_conv3x3_geometry *g,
                               int images, float *y, float *workspace) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) { winograd_forward_avx2(x, u, bias, g, images, y, workspace); return; }
#endif
    winograd_forward(x, u, bias, g, images, y, workspace);
}

void kiln_winograd_weight_grad_f32(const float *x, const float *dy, const kiln_conv3x3_geometry *g, int images,
                                   float *du, float *workspace) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) { winograd_weight_grad_avx2(x, dy, g, images, du, workspace); return; }
#endif
    winograd_weight_grad(x, dy, g, images, du, workspace);
}

void kiln_winograd_weights_f32(const float *w, const kiln_conv3x3_geometry *g, float *u) {
    const int cp = round8(g->channels), op = round8(g->out_channels);
    memset(u, 0, sizeof(float) * 16 * (size_t)cp * op);
    for (int o = 0; o < g->out_channels; o++) {
        for (int c = 0; c < g->channels; c++) {
            const float *k = w + ((ptrdiff_t)o * g->channels + c) * 9;
            float r[4][3];  // G k
            for (int j = 0; j < 3; j++) {
                r[0][j] = k[j];
                r[1][j] = 0.5f * (k[j] + k[3 + j] + k[6 + j]);
                r[2][j] = 0.5f * (k[j] - k[3 + j] + k[6 + j]);
                r[3][j] = k[6 + j];
            }
            for (int i = 0; i < 4; i++) {
                const float row[4] = {r[i][0], 0.5f * (r[i][0] + r[i][1] + r[i][2]), 0.5f * (r[i][0] - r[i][1] + r[i][2]), r[i][2]};
                for (int j = 0; j < 4; j++) u[((ptrdiff_t)(4 * i + j) * cp + c) * op + o] = row[j];
            }
        }
    }
}

void kiln_winograd_fold_weight_grad_f32(const float *du, const kiln_conv3x3_geometry *g, float *dw) {
    const int cp = round8(g->channels), op = round8(g->out_channels);
    for (int o = 0; o < g->out_channels; o++) {
        for (int c = 0; c < g->channels; c++) {
            float d[4][4], r[3][4];  // Gᵀ dU
            for (int xi = 0; xi < 16; xi++) d[xi / 4][xi % 4] = du[((ptrdiff_t)xi * cp + c) * op + o];
            for (int j = 0; j < 4; j++) {
                r[0][j] = d[0][j] + 0.5f * (d[1][j] + d[2][j]);
                r[1][j] = 0.5f * (d[1][j] - d[2][j]);
                r[2][j] = 0.5f * (d[1][j] + d[2][j]) + d[3][j];
            }
            float *k = dw + ((ptrdiff_t)o * g->channels + c) * 9;
            for (int i = 0; i < 3; i++) {
                k[3 * i + 0] = r[i][0] + 0.5f * (r[i][1] + r[i][2]);
                k[3 * i + 1] = 0.5f * (r[i][1] - r[i][2]);
                k[3 * i + 2] = 0.5f * (r[i][1] + r[i][2]) + r[i][3];
            }
        }
    }
}

// MARK: Direct kernel

/// Sizes of the direct kernel's padded planes: rows out_h + 2, row stride out_w rounded up to 8, plus 8,
/// so a vector at any tap of a row stays within zeros of that row.
static ptrdiff_t direct_row(const kiln_conv3x3_geometry *g) { return round8(g->out_w) + 8; }
static ptrdiff_t direct_plane(const kiln_conv3x3_geometry *g) { return (ptrdiff_t)(g->out_h + 2) * direct_row(g); }

size_t kiln_direct3x3_workspace_floats(const kiln_conv3x3_geometry *g) {
    // padded planes, then (weight gradient) dy channels-last
    return (size_t)g->channels * direct_plane(g) + (size_t)g->out_h * g->out_w * round8(g->out_channels);
}

size_t kiln_direct3x3_weight_partial_floats(const kiln_conv3x3_geometry *g) {
    return (size_t)g->channels * 9 * round8(g->out_channels);
}

/// xp [channels][out_h + 2][direct_row]: the image shifted by the padding, zeros around.
INLINE void stage_padded(const float *x, const kiln_conv3x3_geometry *g, float *xp) {
    const ptrdiff_t row = direct_row(g), plane = direct_plane(g);
    memset(xp, 0, sizeof(float) * (size_t)g->channels * plane);
    const int rows = g->height < g->out_h + 2 - g->pad_h ? g->height : g->out_h + 2 - g->pad_h;
    for (int c = 0; c < g->channels; c++)
        for (int r = 0; r < rows; r++)
            copy_row(xp + c * plane + (r + g->pad_h) * row + g->pad_w, x + ((ptrdiff_t)c * g->height + r) * g->width, g->width);
}

/// One output row segment of vecs vectors from column j for outs (1 or 2) output channels at once, which
/// share the input loads: per channel the sum over (channel, tap) in order, then the bias.
INLINE void direct_segment(int outs, int vecs, const float *xp, const float *k, ptrdiff_t k_stride, const float *bias,
                           const kiln_conv3x3_geometry *g, int i, int j, float *out, ptrdiff_t out_stride) {
    const ptrdiff_t row = direct_row(g), plane = direct_plane(g);
    v8 acc[2][4];
    for (int q = 0; q < outs; q++)
        for (int v = 0; v < vecs; v++) acc[q][v] = splat8(0);
    for (int c = 0; c < g->channels; c++) {
        for (int ki = 0; ki < 3; ki++) {
            const float *in = xp + c * plane + (i + ki) * row + j;
            for (int kj = 0; kj < 3; kj++) {
                v8 x[4];
                for (int v = 0; v < vecs; v++) x[v] = load8(in + 8 * v + kj);
                for (int q = 0; q < outs; q++) {
                    const v8 s = splat8(k[q * k_stride + (c * 3 + ki) * 3 + kj]);
                    for (int v = 0; v < vecs; v++) acc[q][v] = acc[q][v] + s * x[v];
                }
            }
        }
    }
    for (int q = 0; q < outs; q++) {
        const v8 b = splat8(bias ? bias[q] : 0.0f);
        float *target = out + q * out_stride;
        for (int v = 0; v < vecs; v++) {
            const v8 y = acc[q][v] + b;
            const int at = j + 8 * v;
            if (at + 8 <= g->out_w) {
                store8(target + at, y);
            } else {
                float lanes[8];
                store8(lanes, y);
                copy_row(target + at, lanes, g->out_w - at);
            }
        }
    }
}

INLINE void direct_forward(const float *x, const float *w, const float *bias, const kiln_conv3x3_geometry *g, int images,
                           float *y, float *workspace) {
    const ptrdiff_t in_image = (ptrdiff_t)g->channels * g->height * g->width, plane = (ptrdiff_t)g->out_h * g->out_w;
    const ptrdiff_t k_stride = (ptrdiff_t)g->channels * 9;
    for (int n = 0; n < images; n++) {
        stage_padded(x + n * in_image, g, workspace);
        for (int o = 0; o < g->out_channels; o += 2) {
            const int outs = g->out_channels - o < 2 ? 1 : 2;
            const float *k = w + o * k_stride, *b = bias ? bias + o : NULL;
            for (int i = 0; i < g->out_h; i++) {
                float *out = y + (n * (ptrdiff_t)g->out_channels + o) * plane + (ptrdiff_t)i * g->out_w;
                for (int j = 0; j < g->out_w; j += 32) {
                    const int vecs = (g->out_w - j + 7) / 8;
#define SEGMENT(q, v) direct_segment(q, v, workspace, k, k_stride, b, g, i, j, out, plane)
                    if (outs == 2) {
                        switch (vecs > 4 ? 4 : vecs) {
                        case 4: SEGMENT(2, 4); break;
                        case 3: SEGMENT(2, 3); break;
                        case 2: SEGMENT(2, 2); break;
                        default: SEGMENT(2, 1); break;
                        }
                    } else {
                        switch (vecs > 4 ? 4 : vecs) {
                        case 4: SEGMENT(1, 4); break;
                        case 3: SEGMENT(1, 3); break;
                        case 2: SEGMENT(1, 2); break;
                        default: SEGMENT(1, 1); break;
                        }
                    }
#undef SEGMENT
                }
            }
        }
    }
}

/// sums [9][op] for channel c and tap row ki, vecs·8 output channels from o: each Σ over positions
/// of dy · x in order, as sgemm sums the lowered product, 3 taps at a time sharing the dy loads.
INLINE void direct_weight_block(int vecs, const float *xp, const float *dt, const kiln_conv3x3_geometry *g, int c, int ki,
                                int o, float *sums) {
    const ptrdiff_t row = direct_row(g), op = round8(g->out_channels);
    v8 acc[3][2];
    for (int kj = 0; kj < 3; kj++)
        for (int v = 0; v < vecs; v++) acc[kj][v] = load8(sums + (3 * ki + kj) * op + o + 8 * v);
    for (int i = 0; i < g->out_h; i++) {
        const float *in = xp + c * direct_plane(g) + (i + ki) * row;
        const float *d = dt + (ptrdiff_t)i * g->out_w * op + o;
        for (int j = 0; j < g->out_w; j++) {
            v8 dv[2];
            for (int v = 0; v < vecs; v++) dv[v] = load8(d + j * op + 8 * v);
            for (int kj = 0; kj < 3; kj++) {
                const v8 s = splat8(in[j + kj]);
                for (int v = 0; v < vecs; v++) acc[kj][v] = acc[kj][v] + s * dv[v];
            }
        }
    }
    for (int kj = 0; kj < 3; kj++)
        for (int v = 0; v < vecs; v++) store8(sums + (3 * ki + kj) * op + o + 8 * v, acc[kj][v]);
}

INLINE void direct_weight_grad(const float *x, const float *dy, const kiln_conv3x3_geometry *g, int images, float *partial,
                               float *workspace) {
    const ptrdiff_t in_image = (ptrdiff_t)g->channels * g->height * g->width, plane = (ptrdiff_t)g->out_h * g->out_w;
    const ptrdiff_t op = round8(g->out_channels);
    float *xp = workspace, *dt = workspace + g->channels * direct_plane(g);
    for (int n = 0; n < images; n++) {
        stage_padded(x + n * in_image, g, xp);
        // dt [out_h·out_w][op]: dy channels-last, zeros in the padding channels.
        if (op != g->out_channels) memset(dt, 0, sizeof(float) * (size_t)plane * op);
        transpose(dy + n * (ptrdiff_t)g->out_channels * plane, plane, dt, op, g->out_channels, (int)plane);
        for (int c = 0; c < g->channels; c++) {
            float *sums = partial + (ptrdiff_t)c * 9 * op;
            for (int ki = 0; ki < 3; ki++) {
                for (int o = 0; o < op; o += 16) {
                    if (op - o >= 16) direct_weight_block(2, xp, dt, g, c, ki, o, sums);
                    else direct_weight_block(1, xp, dt, g, c, ki, o, sums);
                }
            }
        }
    }
}

#if defined(__x86_64__)
KILN_AVX2 static void direct_forward_avx2(const float *x, const float *w, const float *bias, const kiln_conv3x3_geometry *g,
                                          int images, float *y, float *workspace) {
    direct_forward(x, w, bias, g, images, y, workspace);
}
KILN_AVX2 static void direct_weight_grad_avx2(const float *x, const float *dy, const kiln_conv3x3_geometry *g, int images,
                                              float *partial, float *workspace) {
    direct_weight_grad(x, dy, g, images, partial, workspace);
}
#endif

void kiln_direct3x3_forward_f32(const float *x, const float *w, const float *bias, const kiln_conv3x3_geometry *g,
                                int images, float *y, float *workspace) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) { direct_forward_avx2(x, w, bias, g, images, y, workspace); return; }
#endif
    direct_forward(x, w, bias, g, images, y, workspace);
}

void kiln_direct3x3_weight_grad_f32(const float *x, const float *dy, const kiln_conv3x3_geometry *g, int images,
                                    float *partial, float *workspace) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) { direct_weight_grad_avx2(x, dy, g, images, partial, workspace); return; }
#endif
    direct_weight_grad(x, dy, g, images, partial, workspace);
}

void kiln_direct3x3_fold_weight_grad_f32(const float *partial, const kiln_conv3x3_geometry *g, float *dw) {
    const ptrdiff_t op = round8(g->out_channels);
    for (int o = 0; o < g->out_channels; o++)
        for (int c = 0; c < g->channels; c++)
            for (int t = 0; t < 9; t++) dw[((ptrdiff_t)o * g->channels + c) * 9 + t] += partial[((ptrdiff_t)c * 9 + t) * op + o];
}

void kiln_conv3x3_transpose_weights_f32(const float *w, int out_channels, int channels, float *wt) {
    for (int o = 0; o < out_channels; o++)
        for (int c = 0; c < channels; c++)
            for (int t = 0; t < 9; t++) wt[((ptrdiff_t)c * out_channels + o) * 9 + 8 - t] = w[((ptrdiff_t)o * channels + c) * 9 + t];
}
