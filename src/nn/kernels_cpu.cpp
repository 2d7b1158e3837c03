// The fast CPU kernels. Convolution lowers each group to one matrix product: the input patches are
// laid out as columns (im2col) and multiplied by the (out, in·kh·kw) weight matrix with gemm.h's packed
// product. The fully connected layers are matrix-vector products by Eigen, split by rows between
// threads; the other kernels are memory-bound loops, threaded over channels or rows with OpenMP.
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "nn/kernels.h"

namespace convscope::nn {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMapRow = Eigen::Map<const RowMatrix>;

int g_threads = 0;

// Below this many values a parallel region costs more (waking the threads) than it saves.
constexpr int64_t kParallelMin = 1 << 15;

// The input rows padded left and right with zeros and split by column phase (x mod stride), so that
// every row of the im2col matrix is a run of contiguous copies whatever the stride and padding:
//   phased (C, H, stride_w, L) with phased[c][y][p][j] = padded row y of channel c at x = j·stride_w + p,
// where L covers every column an output reads (with ceil rounding a window may reach past the padding:
// zeros there too). It costs one pass over the input.
struct Phased {
    const float* data;
    int64_t sw, len;
    const float* line(int64_t c, int64_t h, int64_t y, int64_t phase) const {
        return data + ((c * h + y) * sw + phase) * len;
    }
};

Phased phase_split(const Tensor& in, const Layer& l, int64_t wo, FloatBuffer& buf) {
    const int64_t C = in.shape.c, H = in.shape.h, W = in.shape.w;
    const int64_t sw = l.stride.w, pl = l.pad.left;
    const int64_t len = std::max((pl + W + l.pad.right + sw - 1) / sw, wo + (l.kernel.w - 1) * l.dilation.w / sw);
    buf.resize(static_cast<size_t>(C * H * sw * len));
    float* out = buf.data();
#pragma omp parallel for schedule(static) if (C * H * sw * len >= kParallelMin)
    for (int64_t cy = 0; cy < C * H; ++cy) {
        const float* src = in.ptr() + cy * W;
        float* dst = out + cy * sw * len;
        for (int64_t p = 0; p < sw; ++p)
            for (int64_t j = 0; j < len; ++j) {
                const int64_t x = j * sw + p - pl;
                dst[p * len + j] = (x >= 0 && x < W) ? src[x] : 0.0f;
            }
    }
    return {out, sw, len};
}

// Copies len ≤ 32 floats (zeros when src is null): the runs in a panel are short, and a call to
// memmove for each costs more than the copy.
inline void copy_short(const float* src, int64_t len, float* dst) {
#if defined(__AVX512F__)
    const __mmask16 m0 = len >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << len) - 1);
    const __mmask16 m1 = len >= 32 ? __mmask16(0xFFFF) : len > 16 ? __mmask16((1u << (len - 16)) - 1) : __mmask16(0);
    const __m512 v0 = src ? _mm512_maskz_loadu_ps(m0, src) : _mm512_setzero_ps();
    const __m512 v1 = src && m1 ? _mm512_maskz_loadu_ps(m1, src + 16) : _mm512_setzero_ps();
    _mm512_mask_storeu_ps(dst, m0, v0);
    if (m1) _mm512_mask_storeu_ps(dst + 16, m1, v1);
#else
    if (src)
        std::copy(src, src + len, dst);
    else
        std::fill(dst, dst + len, 0.0f);
#endif
}

// The im2col matrix of one group, never written out whole: rows are (ic, ky, kx), columns are output
// positions (oy, ox), and the product asks for it 32 columns at a time, already in its panel layout.
//   columns (Cg·kh·kw, Ho·Wo)
// Each panel row is one or more contiguous copies (one per output row the 32 positions touch) from the
// phase-split input, or from the input itself when there is no horizontal stride or padding; zeros
// where the window falls in the top or bottom padding.
class Im2colSource final : public MatrixSource {
public:
    Im2colSource(const Tensor& in, const Phased* ph, const Layer& l, int64_t c0, int64_t cg, int64_t wo)
        : in_(in), ph_(ph), l_(l), c0_(c0), rows_(cg * l.kernel.h * l.kernel.w), wo_(wo) {}

    void pack_panel(int64_t p0, int64_t n, float* dst) const override {
        const int64_t kh = l_.kernel.h, kw = l_.kernel.w, H = in_.shape.h, W = in_.shape.w;
        // The output rows the panel's positions fall in: the same for every row of the panel.
        struct Run {
            int64_t j, oy, ox, len;
        };
        Run runs[kPanel];
        int64_t nruns = 0;
        for (int64_t j = 0; j < n;) {
            const int64_t oy = (p0 + j) / wo_, ox = (p0 + j) % wo_;
            const int64_t len = std::min(n - j, wo_ - ox);
            runs[nruns++] = {j, oy, ox, len};
            j += len;
        }
        // Input rows of channel c start at base(c) + y·pitch.
        const int64_t pitch = ph_ ? ph_->sw * ph_->len : W;
        int64_t ic = 0, ky = 0, kx = 0;
        for (int64_t r = 0; r < rows_; ++r) {
            // Where output column 0 reads from, in the padded row: x = kx·dilation (phase, then offset).
            const int64_t x = kx * l_.dilation.w;
            const float* base = ph_ ? ph_->line(c0_ + ic, H, 0, x % ph_->sw) + x / ph_->sw : in_.channel(c0_ + ic) + x;
            float* row = dst + r * kPanel;
            for (int64_t t = 0; t < nruns; ++t) {
                const Run& u = runs[t];
                const int64_t iy = u.oy * l_.stride.h - l_.pad.top + ky * l_.dilation.h;
                copy_short(iy < 0 || iy >= H ? nullptr : base + iy * pitch + u.ox, u.len, row + u.j);
            }
            if (++kx == kw) {
                kx = 0;
                if (++ky == kh) ky = 0, ++ic;
            }
        }
    }

private:
    const Tensor& in_;
    const Phased* ph_;
    const Layer& l_;
    int64_t c0_, rows_, wo_;
};

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
    // Without horizontal stride or padding the input rows are read in place.
    Phased phased{};
    const bool split = !direct && (l.stride.w != 1 || l.pad.left != 0 || l.pad.right != 0);
    if (split) phased = phase_split(in, l, wo, s.phased);
    for (int64_t g = 0; g < groups; ++g) {
        // (out/groups, in/groups·kh·kw) · (in/groups·kh·kw, Ho·Wo) → (out/groups, Ho·Wo)
        const float* w = weight + g * cg_out * k;
        if (direct)
            gemm(cg_out, ho * wo, k, w, in.channel(g * cg_in), out.channel(g * cg_out), s.gemm);
        else
            gemm(cg_out, ho * wo, k, w, Im2colSource(in, split ? &phased : nullptr, l, g * cg_in, cg_in, wo),
                 out.channel(g * cg_out), s.gemm);
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
