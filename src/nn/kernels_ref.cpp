// The reference kernels: loops written straight from each operation's definition, with no cleverness,
// so that they can serve as the oracle for the fast kernels and the GPU shaders.
#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/kernels.h"

namespace convscope::nn::ref {

void conv2d(const Tensor& in, const Layer& l, const float* weight, const float* bias, Tensor& out) {
    const int64_t cg_in = in.shape.c / l.groups;  // input channels per group
    const int64_t cg_out = out.shape.c / l.groups;
    for (int64_t oc = 0; oc < out.shape.c; ++oc) {
        const int64_t g = oc / cg_out;
        for (int64_t oy = 0; oy < out.shape.h; ++oy) {
            for (int64_t ox = 0; ox < out.shape.w; ++ox) {
                double sum = bias ? bias[oc] : 0.0;
                for (int64_t ic = 0; ic < cg_in; ++ic) {
                    for (int64_t ky = 0; ky < l.kernel.h; ++ky) {
                        const int64_t iy = oy * l.stride.h - l.pad.top + ky * l.dilation.h;
                        if (iy < 0 || iy >= in.shape.h) continue;
                        for (int64_t kx = 0; kx < l.kernel.w; ++kx) {
                            const int64_t ix = ox * l.stride.w - l.pad.left + kx * l.dilation.w;
                            if (ix < 0 || ix >= in.shape.w) continue;
                            // weight (out, in/groups, kh, kw)
                            const float w = weight[((oc * cg_in + ic) * l.kernel.h + ky) * l.kernel.w + kx];
                            sum += static_cast<double>(w) * in.at(g * cg_in + ic, iy, ix);
                        }
                    }
                }
                out.at(oc, oy, ox) = static_cast<float>(sum);
            }
        }
    }
}

void max_pool2d(const Tensor& in, const Layer& l, Tensor& out) {
    for (int64_t c = 0; c < out.shape.c; ++c)
        for (int64_t oy = 0; oy < out.shape.h; ++oy)
            for (int64_t ox = 0; ox < out.shape.w; ++ox) {
                float m = -std::numeric_limits<float>::infinity();
                for (int64_t ky = 0; ky < l.kernel.h; ++ky)
                    for (int64_t kx = 0; kx < l.kernel.w; ++kx) {
                        const int64_t iy = oy * l.stride.h - l.pad.top + ky * l.dilation.h;
                        const int64_t ix = ox * l.stride.w - l.pad.left + kx * l.dilation.w;
                        if (iy >= 0 && iy < in.shape.h && ix >= 0 && ix < in.shape.w) m = std::max(m, in.at(c, iy, ix));
                    }
                out.at(c, oy, ox) = m;
            }
}

void avg_pool2d(const Tensor& in, const Layer& l, Tensor& out) {
    for (int64_t c = 0; c < out.shape.c; ++c)
        for (int64_t oy = 0; oy < out.shape.h; ++oy)
            for (int64_t ox = 0; ox < out.shape.w; ++ox) {
                // The window in padded coordinates, clipped to the padded input (a ceil-mode overhang
                // past the padding never counts), then to the input itself for the sum.
                const int64_t y0 = oy * l.stride.h - l.pad.top, x0 = ox * l.stride.w - l.pad.left;
                const int64_t y1 = std::min(y0 + l.kernel.h, in.shape.h + l.pad.bottom);
                const int64_t x1 = std::min(x0 + l.kernel.w, in.shape.w + l.pad.right);
                const int64_t padded_count = (y1 - y0) * (x1 - x0);
                double sum = 0.0;
                int64_t inside = 0;
                for (int64_t iy = std::max<int64_t>(y0, 0); iy < std::min(y1, in.shape.h); ++iy)
                    for (int64_t ix = std::max<int64_t>(x0, 0); ix < std::min(x1, in.shape.w); ++ix) {
                        sum += in.at(c, iy, ix);
                        ++inside;
                    }
                const int64_t divisor = l.count_include_pad ? padded_count : inside;
                out.at(c, oy, ox) = divisor > 0 ? static_cast<float>(sum / divisor) : 0.0f;
            }
}

void adaptive_avg_pool2d(const Tensor& in, Tensor& out) {
    for (int64_t c = 0; c < out.shape.c; ++c)
        for (int64_t oy = 0; oy < out.shape.h; ++oy)
            for (int64_t ox = 0; ox < out.shape.w; ++ox) {
                const int64_t y0 = oy * in.shape.h / out.shape.h;
                const int64_t y1 = ((oy + 1) * in.shape.h + out.shape.h - 1) / out.shape.h;
                const int64_t x0 = ox * in.shape.w / out.shape.w;
                const int64_t x1 = ((ox + 1) * in.shape.w + out.shape.w - 1) / out.shape.w;
                double sum = 0.0;
                for (int64_t iy = y0; iy < y1; ++iy)
                    for (int64_t ix = x0; ix < x1; ++ix) sum += in.at(c, iy, ix);
                out.at(c, oy, ox) = static_cast<float>(sum / static_cast<double>((y1 - y0) * (x1 - x0)));
            }
}

void lrn(const Tensor& in, const Layer& l, Tensor& out) {
    const int64_t before = (l.lrn_size - 1) / 2;
    const int64_t after = l.lrn_size - 1 - before;
    const double a = l.alpha_over_size ? l.alpha / l.lrn_size : l.alpha;
    for (int64_t c = 0; c < in.shape.c; ++c)
        for (int64_t y = 0; y < in.shape.h; ++y)
            for (int64_t x = 0; x < in.shape.w; ++x) {
                double sum = 0.0;
                for (int64_t j = std::max<int64_t>(0, c - before); j <= std::min(in.shape.c - 1, c + after); ++j) {
                    const double v = in.at(j, y, x);
                    sum += v * v;
                }
                out.at(c, y, x) = static_cast<float>(in.at(c, y, x) / std::pow(l.k + a * sum, l.beta));
            }
}

void relu(const Tensor& in, Tensor& out) {
    for (size_t i = 0; i < in.size(); ++i) out.data[i] = in.data[i] > 0.0f ? in.data[i] : 0.0f;
}

void softmax(const Tensor& in, Tensor& out) {
    float m = -std::numeric_limits<float>::infinity();
    for (float v : in.data) m = std::max(m, v);
    double sum = 0.0;
    for (size_t i = 0; i < in.size(); ++i) sum += std::exp(static_cast<double>(in.data[i]) - m);
    for (size_t i = 0; i < in.size(); ++i)
        out.data[i] = static_cast<float>(std::exp(static_cast<double>(in.data[i]) - m) / sum);
}

void fully_connected(const Tensor& in, const float* weight, const float* bias, Tensor& out) {
    const int64_t n_in = static_cast<int64_t>(in.size());
    for (int64_t o = 0; o < out.shape.c; ++o) {
        double sum = bias ? bias[o] : 0.0;
        // weight (out, in)
        for (int64_t i = 0; i < n_in; ++i) sum += static_cast<double>(weight[o * n_in + i]) * in.data[i];
        out.data[o] = static_cast<float>(sum);
    }
}

}  // namespace convscope::nn::ref
