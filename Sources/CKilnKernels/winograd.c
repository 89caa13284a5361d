// Winograd F(2×2, 3×3) for 3×3, stride-1 convolutions (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): each 2×2 block of outputs is Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A for
// its 4×4 input tile d, so the channel sums become 16 small matrix products (one per point ξ of the
// 4×4 domain) with 16 instead of 36 multiplications per 2×2 block. Per image, the input is staged
// channels-last (channels rounded up to 8 with zeros) so the transforms and products run over
// 8 channels at once.
#include "CKilnConv3x3.h"
#include "CKilnKernels.h"
#include "conv3x3_vec8.h"

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
