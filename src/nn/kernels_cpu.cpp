// The fast CPU kernels. Convolution lowers each group to one matrix product: the input patches are
// laid out as columns (im2col) and multiplied by the (out, in·kh·kw) weight matrix with gemm.h's packed
// product. The fully connected layers are matrix-vector products by Eigen, split by rows between
// threads; the other kernels are memory-bound loops, threaded over channels or rows with OpenMP.
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "nn/kernels.h"

namespace convscope::nn {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMapRow = Eigen::Map<const RowMatrix>;

int g_threads = 0;

// Below this many values a parallel region costs more (waking the threads) than it saves.
constexpr int64_t kParallelMin = 1 << 15;

// Columns for one group: rows are (ic, ky, kx), columns are output positions (oy, ox).
//   columns (Cg·kh·kw, Ho·Wo)
void im2col(const Tensor& in, const Layer& l, int64_t c0, int64_t cg, int64_t ho, int64_t wo, float* columns) {
    const int64_t kh = l.kernel.h, kw = l.kernel.w;
    const int64_t rows = cg * kh * kw;
    const int64_t H = in.shape.h, W = in.shape.w;
#pragma omp parallel for schedule(static) if (rows * ho * wo >= kParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
        const int64_t ic = r / (kh * kw);
        const int64_t ky = (r / kw) % kh;
        const int64_t kx = r % kw;
        const float* src = in.channel(c0 + ic);
        float* dst = columns + r * ho * wo;
        for (int64_t oy = 0; oy < ho; ++oy) {
            const int64_t iy = oy * l.stride.h - l.pad.top + ky * l.dilation.h;
            float* row = dst + oy * wo;
            if (iy < 0 || iy >= H) {
                std::fill(row, row + wo, 0.0f);
                continue;
            }
            const float* line = src + iy * W;
            const int64_t x_off = kx * l.dilation.w - l.pad.left;
            if (l.stride.w == 1 && x_off >= 0 && x_off + wo <= W) {
                std::copy(line + x_off, line + x_off + wo, row);  // the common interior case
                continue;
            }
            for (int64_t ox = 0; ox < wo; ++ox) {
                const int64_t ix = ox * l.stride.w + x_off;
                row[ox] = (ix >= 0 && ix < W) ? line[ix] : 0.0f;
            }
        }
    }
}

}  // namespace

int set_threads(int n) {
    if (n <= 0) n = omp_get_num_procs();
    g_threads = n;
    omp_set_num_threads(n);
    Eigen::setNbThreads(n);
    return n;
}

int threads() { return g_threads > 0 ? g_threads : omp_get_max_threads(); }

void conv2d(const Tensor& in, const Layer& l, const float* weight, const float* bias, Tensor& out, Scratch& s) {
    const int64_t groups = l.groups;
    const int64_t cg_in = in.shape.c / groups;
    const int64_t cg_out = out.shape.c / groups;
    const int64_t ho = out.shape.h, wo = out.shape.w;
    const int64_t k = cg_in * l.kernel.h * l.kernel.w;
    // A 1×1 convolution with stride 1 and no padding reads the input as it is: no columns needed.
    const bool direct = l.kernel.h == 1 && l.kernel.w == 1 && l.stride.h == 1 && l.stride.w == 1 &&
                        l.pad == Pad4{} && ho == in.shape.h && wo == in.shape.w;
    if (!direct) s.columns.resize(static_cast<size_t>(k * ho * wo));
    for (int64_t g = 0; g < groups; ++g) {
        const float* cols = in.channel(g * cg_in);
        if (!direct) {
            im2col(in, l, g * cg_in, cg_in, ho, wo, s.columns.data());
            cols = s.columns.data();
        }
        // (out/groups, in/groups·kh·kw) · (in/groups·kh·kw, Ho·Wo) → (out/groups, Ho·Wo)
        gemm(cg_out, ho * wo, k, weight + g * cg_out * k, cols, out.channel(g * cg_out), s.gemm);
    }
    if (bias) {
#pragma omp parallel for schedule(static) if (out.shape.count() >= kParallelMin)
        for (int64_t oc = 0; oc < out.shape.c; ++oc) {
            float* p = out.channel(oc);
            const float b = bias[oc];
            for (int64_t i = 0; i < ho * wo; ++i) p[i] += b;
        }
    }
}

void max_pool2d(const Tensor& in, const Layer& l, Tensor& out) {
    const int64_t H = in.shape.h, W = in.shape.w;
#pragma omp parallel for schedule(static) if (in.shape.count() >= kParallelMin)
    for (int64_t c = 0; c < out.shape.c; ++c) {
        const float* src = in.channel(c);
        float* dst = out.channel(c);
        for (int64_t oy = 0; oy < out.shape.h; ++oy) {
            for (int64_t ox = 0; ox < out.shape.w; ++ox) {
                float m = -std::numeric_limits<float>::infinity();
                for (int64_t ky = 0; ky < l.kernel.h; ++ky) {
                    const int64_t iy = oy * l.stride.h - l.pad.top + ky * l.dilation.h;
                    if (iy < 0 || iy >= H) continue;
                    const float* line = src + iy * W;
                    for (int64_t kx = 0; kx < l.kernel.w; ++kx) {
                        const int64_t ix = ox * l.stride.w - l.pad.left + kx * l.dilation.w;
                        if (ix >= 0 && ix < W) m = std::max(m, line[ix]);
                    }
                }
                dst[oy * out.shape.w + ox] = m;
            }
        }
    }
}

void avg_pool2d(const Tensor& in, const Layer& l, Tensor& out) {
    const int64_t H = in.shape.h, W = in.shape.w;
#pragma omp parallel for schedule(static) if (in.shape.count() >= kParallelMin)
    for (int64_t c = 0; c < out.shape.c; ++c) {
        const float* src = in.channel(c);
        float* dst = out.channel(c);
        for (int64_t oy = 0; oy < out.shape.h; ++oy) {
            const int64_t y0 = oy * l.stride.h - l.pad.top;
            const int64_t y1 = std::min(y0 + l.kernel.h, H + l.pad.bottom);
            const int64_t ya = std::max<int64_t>(y0, 0), yb = std::min(y1, H);
            for (int64_t ox = 0; ox < out.shape.w; ++ox) {
                const int64_t x0 = ox * l.stride.w - l.pad.left;
                const int64_t x1 = std::min(x0 + l.kernel.w, W + l.pad.right);
                const int64_t xa = std::max<int64_t>(x0, 0), xb = std::min(x1, W);
                float sum = 0.0f;
                for (int64_t iy = ya; iy < yb; ++iy)
                    for (int64_t ix = xa; ix < xb; ++ix) sum += src[iy * W + ix];
                const int64_t divisor = l.count_include_pad ? (y1 - y0) * (x1 - x0)
                                                            : std::max<int64_t>(0, yb - ya) * std::max<int64_t>(0, xb - xa);
                dst[oy * out.shape.w + ox] = divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f;
            }
        }
    }
}

void adaptive_avg_pool2d(const Tensor& in, Tensor& out) {
    // Cheap next to the convolutions around it (6×6 outputs in AlexNet): the reference loop suffices.
    ref::adaptive_avg_pool2d(in, out);
}

void lrn(const Tensor& in, const Layer& l, Tensor& out) {
    const int64_t C = in.shape.c, hw = in.shape.h * in.shape.w;
    const int64_t before = (l.lrn_size - 1) / 2;
    const int64_t after = l.lrn_size - 1 - before;
    const float a = static_cast<float>(l.alpha_over_size ? l.alpha / l.lrn_size : l.alpha);
    const float k = static_cast<float>(l.k), beta = static_cast<float>(l.beta);
    const bool three_quarters = l.beta == 0.75;
    // Each pixel's window of squares slides along the channels: split the pixels between threads and
    // keep one running sum per pixel, so every square is added and removed once.
#pragma omp parallel if (in.shape.count() >= kParallelMin)
    {
        const int nt = omp_get_num_threads(), t = omp_get_thread_num();
        const int64_t p0 = hw * t / nt, p1 = hw * (t + 1) / nt;
        std::vector<float> sum(static_cast<size_t>(p1 - p0), 0.0f);
        for (int64_t c = 0; c < std::min(after, C); ++c) {
            const float* v = in.channel(c);
            for (int64_t p = p0; p < p1; ++p) sum[p - p0] += v[p] * v[p];
        }
        const int64_t n = p1 - p0;
        float* acc = sum.data();
        for (int64_t c = 0; c < C; ++c) {
            if (c + after < C) {
                const float* add = in.channel(c + after) + p0;
                for (int64_t i = 0; i < n; ++i) acc[i] += add[i] * add[i];
            }
            if (c - before - 1 >= 0) {
                const float* sub = in.channel(c - before - 1) + p0;
                for (int64_t i = 0; i < n; ++i) acc[i] -= sub[i] * sub[i];
            }
            const float* x = in.channel(c) + p0;
            float* y = out.channel(c) + p0;
            // The running sum may dip a hair below 0 from rounding: clamp it.
            if (three_quarters) {
                // s^−0.75 = 1/(√s·⁴√s): square roots vectorise, pow does not.
                for (int64_t i = 0; i < n; ++i) {
                    const float scale = k + a * std::max(acc[i], 0.0f);
                    const float root = std::sqrt(scale);
                    y[i] = x[i] / (root * std::sqrt(root));
                }
            } else {
                for (int64_t i = 0; i < n; ++i) y[i] = x[i] * std::pow(k + a * std::max(acc[i], 0.0f), -beta);
            }
        }
    }
}

void relu(const Tensor& in, Tensor& out) {
    const float* x = in.ptr();
    float* y = out.ptr();
    const int64_t n = static_cast<int64_t>(in.size());
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void softmax(const Tensor& in, Tensor& out) {
    // A few thousand values at most: the reference version is already as fast as it needs to be.
    ref::softmax(in, out);
}

void fully_connected(const Tensor& in, const float* weight, const float* bias, Tensor& out) {
    // Matrix-vector products stream the weights once and are limited by memory bandwidth; Eigen does
    // not thread them, so the output rows are split between threads here.
    const int64_t n_in = static_cast<int64_t>(in.size());
    const int64_t n_out = out.shape.c;
    Eigen::Map<const Eigen::VectorXf> x(in.ptr(), n_in);
#pragma omp parallel
    {
        const int nt = omp_get_num_threads(), t = omp_get_thread_num();
        const int64_t r0 = n_out * t / nt, r1 = n_out * (t + 1) / nt;
        if (r1 > r0) {
            ConstMapRow w(weight + r0 * n_in, r1 - r0, n_in);  // rows r0..r1 of (out, in)
            Eigen::Map<Eigen::VectorXf> y(out.ptr() + r0, r1 - r0);
            y.noalias() = w * x;
            if (bias)
                for (int64_t o = r0; o < r1; ++o) out.data[static_cast<size_t>(o)] += bias[o];
        }
    }
}

}  // namespace convscope::nn
