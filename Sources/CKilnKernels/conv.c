// im2col and col2im for 2-D convolution in NCHW layout.
#include "CKilnConv.h"
#include <string.h>

void kiln_im2col_f32(const float *x, const kiln_conv_geometry *g, float *col, int row_begin, int row_end) {
    const int kk = g->kernel_h * g->kernel_w;
    const ptrdiff_t plane = (ptrdiff_t)g->out_h * g->out_w;
    const ptrdiff_t cols = plane * g->batch;
    for (int row = row_begin; row < row_end; row++) {
        const int c = row / kk, ki = (row % kk) / g->kernel_w, kj = row % g->kernel_w;
        float *dst = col + (ptrdiff_t)row * cols;
        for (int b = 0; b < g->batch; b++) {
            const float *src = x + b * g->image_stride + (ptrdiff_t)c * g->height * g->width;
            for (int oh = 0; oh < g->out_h; oh++) {
                float *out = dst + b * plane + (ptrdiff_t)oh * g->out_w;
                const int ih = oh * g->stride_h - g->pad_h + ki * g->dilation_h;
                if (ih < 0 || ih >= g->height) { memset(out, 0, sizeof(float) * (size_t)g->out_w); continue; }
                const float *in = src + (ptrdiff_t)ih * g->width;
                const int offset = kj * g->dilation_w - g->pad_w;
                if (g->stride_w == 1) {
                    // Valid output columns: 0 <= ow + offset < width.
                    int lo = offset < 0 ? -offset : 0;
                    int hi = g->width - offset;
                    if (hi > g->out_w) hi = g->out_w;
                    if (lo > g->out_w) lo = g->out_w;
                    if (hi < lo) hi = lo;
                    if (lo > 0) memset(out, 0, sizeof(float) * (size_t)lo);
                    if (hi > lo) memcpy(out + lo, in + lo + offset, sizeof(float) * (size_t)(hi - lo));
                    if (hi < g->out_w) memset(out + hi, 0, sizeof(float) * (size_t)(g->out_w - hi));
                } else {
                    for (int ow = 0; ow < g->out_w; ow++) {
                        const int iw = ow * g->stride_w + offset;
                        out[ow] = (iw >= 0 && iw < g->width) ? in[iw] : 0.0f;
                    }
                }
            }
        }
    }
}

void kiln_col2im_f32(const float *col, const kiln_conv_geometry *g, float *dx, int row_begin, int row_end) {
    const int kk = g->kernel_h * g->kernel_w;
    const ptrdiff_t plane = (ptrdiff_t)g->out_h * g->out_w;
    const ptrdiff_t cols = plane * g->batch;
    for (int row = row_begin; row < row_end; row++) {
        const int c = row / kk, ki = (row % kk) / g->kernel_w, kj = row % g->kernel_w;
        const float *src = col + (ptrdiff_t)row * cols;
        for (int b = 0; b < g->batch; b++) {
            float *image = dx + b * g->image_stride + (ptrdiff_t)c * g->height * g->width;
            for (int oh = 0; oh < g->out_h; oh++) {
                const int ih = oh * g->stride_h - g->pad_h + ki * g->dilation_h;
                if (ih < 0 || ih >= g->height) continue;
                const float *in = src + b * plane + (ptrdiff_t)oh * g->out_w;
                float *out = image + (ptrdiff_t)ih * g->width;
                const int offset = kj * g->dilation_w - g->pad_w;
                for (int ow = 0; ow < g->out_w; ow++) {
                    const int iw = ow * g->stride_w + offset;
                    if (iw >= 0 && iw < g->width) out[iw] += in[ow];
                }
            }
        }
    }
}
