// The direct 3×3, stride-1 convolution kernel, for convolutions with few input or output channels
// (the first layer of a CNN), where Winograd's products would be mostly padding. Each output is
// summed over (channel, tap) in the order im2col and sgemm use, and each weight-gradient entry over
// positions in order, so both round as the lowered path does.
#include "CKilnConv3x3.h"
#include "CKilnKernels.h"
#include "conv3x3_vec8.h"

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
