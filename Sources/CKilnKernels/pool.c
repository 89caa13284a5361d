// Max pooling with argmax indices and window means, forward and backward, plane by plane.
#include "CKilnPool.h"
#include <math.h>
#include <string.h>

/// The common 2×2, stride 2 window without padding or dilation.
static void max_pool_2x2(const float *x, const kiln_pool_geometry *g, float *y, int64_t *indices) {
    const int w = g->width;
    for (int oh = 0; oh < g->out_h; oh++) {
        const float *r0 = x + (ptrdiff_t)2 * oh * w, *r1 = r0 + w;
        float *out = y + (ptrdiff_t)oh * g->out_w;
        int64_t *idx = indices + (ptrdiff_t)oh * g->out_w;
        const int64_t base = (int64_t)2 * oh * w;
        for (int ow = 0; ow < g->out_w; ow++) {
            const int i = 2 * ow;
            float best = r0[i];
            int64_t at = base + i;
            float v = r0[i + 1];
            if (v > best || isnan(v)) { best = v; at = base + i + 1; }
            v = r1[i];
            if (v > best || isnan(v)) { best = v; at = base + w + i; }
            v = r1[i + 1];
            if (v > best || isnan(v)) { best = v; at = base + w + i + 1; }
            out[ow] = best;
            idx[ow] = at;
        }
    }
}

static void max_pool_plane(const float *x, const kiln_pool_geometry *g, float *y, int64_t *indices) {
    for (int oh = 0; oh < g->out_h; oh++) {
        int h0 = oh * g->stride_h - g->pad_h;
        while (h0 < 0) h0 += g->dilation_h;
        const int h1 = oh * g->stride_h - g->pad_h + (g->kernel_h - 1) * g->dilation_h + 1;
        const int hend = h1 < g->height ? h1 : g->height;
        for (int ow = 0; ow < g->out_w; ow++) {
            int w0 = ow * g->stride_w - g->pad_w;
            while (w0 < 0) w0 += g->dilation_w;
            const int w1 = ow * g->stride_w - g->pad_w + (g->kernel_w - 1) * g->dilation_w + 1;
            const int wend = w1 < g->width ? w1 : g->width;
            float best = -INFINITY;
            int64_t at = (int64_t)h0 * g->width + w0;
            for (int ih = h0; ih < hend; ih += g->dilation_h) {
                const float *row = x + (ptrdiff_t)ih * g->width;
                for (int iw = w0; iw < wend; iw += g->dilation_w) {
                    const float v = row[iw];
                    if (v > best || isnan(v)) { best = v; at = (int64_t)ih * g->width + iw; }
                }
            }
            y[(ptrdiff_t)oh * g->out_w + ow] = best;
            indices[(ptrdiff_t)oh * g->out_w + ow] = at;
        }
    }
}

void kiln_max_pool2d_f32(const float *x, const kiln_pool_geometry *g, ptrdiff_t planes, float *y, int64_t *indices) {
    const ptrdiff_t in_plane = (ptrdiff_t)g->height * g->width, out_plane = (ptrdiff_t)g->out_h * g->out_w;
    // Whole 2×2 windows only: with ceil mode a last window can run past the input.
    const int two_by_two = g->kernel_h == 2 && g->kernel_w == 2 && g->stride_h == 2 && g->stride_w == 2 &&
                           g->pad_h == 0 && g->pad_w == 0 && g->dilation_h == 1 && g->dilation_w == 1 &&
                           2 * g->out_h <= g->height && 2 * g->out_w <= g->width;
    for (ptrdiff_t p = 0; p < planes; p++) {
        if (two_by_two) {
            max_pool_2x2(x + p * in_plane, g, y + p * out_plane, indices + p * out_plane);
        } else {
            max_pool_plane(x + p * in_plane, g, y + p * out_plane, indices + p * out_plane);
        }
    }
}

void kiln_max_pool2d_backward_f32(const float *dy, const int64_t *indices, const kiln_pool_geometry *g,
                                  ptrdiff_t planes, float *dx) {
    const ptrdiff_t in_plane = (ptrdiff_t)g->height * g->width, out_plane = (ptrdiff_t)g->out_h * g->out_w;
    for (ptrdiff_t p = 0; p < planes; p++) {
        float *target = dx + p * in_plane;
        const float *source = dy + p * out_plane;
        const int64_t *idx = indices + p * out_plane;
        memset(target, 0, sizeof(float) * (size_t)in_plane);
        for (ptrdiff_t o = 0; o < out_plane; o++) target[idx[o]] += source[o];
    }
}

void kiln_window_mean_f32(const float *x, const kiln_window_geometry *g, ptrdiff_t planes, float *y) {
    const ptrdiff_t in_plane = (ptrdiff_t)g->height * g->width, out_plane = (ptrdiff_t)g->out_h * g->out_w;
    for (ptrdiff_t p = 0; p < planes; p++) {
        const float *image = x + p * in_plane;
        float *out = y + p * out_plane;
        for (int oh = 0; oh < g->out_h; oh++) {
            for (int ow = 0; ow < g->out_w; ow++) {
                float sum = 0;
                for (int ih = g->row_begin[oh]; ih < g->row_end[oh]; ih++) {
                    const float *row = image + (ptrdiff_t)ih * g->width;
                    for (int iw = g->col_begin[ow]; iw < g->col_end[ow]; iw++) sum += row[iw];
                }
                out[(ptrdiff_t)oh * g->out_w + ow] = sum * (g->row_scale[oh] * g->col_scale[ow]);
            }
        }
    }
}

void kiln_window_mean_backward_f32(const float *dy, const kiln_window_geometry *g, ptrdiff_t planes, float *dx) {
    const ptrdiff_t in_plane = (ptrdiff_t)g->height * g->width, out_plane = (ptrdiff_t)g->out_h * g->out_w;
    for (ptrdiff_t p = 0; p < planes; p++) {
        float *image = dx + p * in_plane;
        const float *grad = dy + p * out_plane;
        memset(image, 0, sizeof(float) * (size_t)in_plane);
        for (int oh = 0; oh < g->out_h; oh++) {
            for (int ow = 0; ow < g->out_w; ow++) {
                const float share = grad[(ptrdiff_t)oh * g->out_w + ow] * (g->row_scale[oh] * g->col_scale[ow]);
                for (int ih = g->row_begin[oh]; ih < g->row_end[oh]; ih++) {
                    float *row = image + (ptrdiff_t)ih * g->width;
                    for (int iw = g->col_begin[ow]; iw < g->col_end[ow]; iw++) row[iw] += share;
                }
            }
        }
    }
}
