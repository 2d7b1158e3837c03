#include "core/receptive_field.h"

#include <algorithm>

namespace convscope {

namespace {

// Rows (or columns) lo … hi, inclusive.
struct Span {
    int64_t lo = 0, hi = -1;
};

Span clip(Span s, int64_t size) { return {std::max<int64_t>(s.lo, 0), std::min(s.hi, size - 1)}; }

// A sliding window along one dimension: output positions s.lo … s.hi back to the input.
Span window_back(Span s, const WindowParams& p) {
    return clip({s.lo * p.stride - p.pad_begin, s.hi * p.stride - p.pad_begin + p.dilation * (p.kernel - 1)}, p.in);
}

// PyTorch's adaptive windows: output i reads [⌊i·in/out⌋, ⌈(i + 1)·in/out⌉).
Span adaptive_back(Span s, int64_t in, int64_t out) {
    return clip({s.lo * in / out, ((s.hi + 1) * in + out - 1) / out - 1}, in);
}

}  // namespace

std::optional<InputRegion> input_region(const Network& net, const Analysis& a, int stage, int64_t y, int64_t x) {
    if (stage < -1 || stage >= static_cast<int>(net.layers.size()) || stage >= static_cast<int>(a.stages.size()))
        return std::nullopt;
    for (int i = 0; i <= stage; ++i)
        if (!a.stages[static_cast<size_t>(i)].input || !a.stages[static_cast<size_t>(i)].output) return std::nullopt;
    const Shape3 out = stage < 0 ? net.input : *a.stages[static_cast<size_t>(stage)].output;
    if (y < 0 || x < 0 || y >= out.h || x >= out.w) return std::nullopt;

    InputRegion r;
    Span rows{y, y}, cols{x, x};
    for (int i = stage; i >= 0; --i) {
        const Layer& l = net.layers[static_cast<size_t>(i)];
        const Stage& st = a.stages[static_cast<size_t>(i)];
        const Shape3 in = *st.input, o = *st.output;
        if (rows.hi < rows.lo || cols.hi < cols.lo) break;  // already nothing but padding
        switch (l.type) {
            case LayerType::Conv:
            case LayerType::MaxPool:
            case LayerType::AvgPool:
                rows = window_back(rows, window_params(l, in.h, true));
                cols = window_back(cols, window_params(l, in.w, false));
                break;
            case LayerType::AdaptiveAvgPool:
                rows = adaptive_back(rows, in.h, o.h);
                cols = adaptive_back(cols, in.w, o.w);
                break;
            case LayerType::Fc:
            case LayerType::Flatten:
            case LayerType::Softmax:
                rows = {0, in.h - 1};
                cols = {0, in.w - 1};
                r.whole = true;
                break;
            case LayerType::Lrn:
            case LayerType::Relu:
            case LayerType::Dropout:
                break;
        }
    }
    if (rows.hi < rows.lo || cols.hi < cols.lo) {
        rows = {0, -1};
        cols = {0, -1};
    }
    r.y0 = rows.lo;
    r.y1 = rows.hi;
    r.x0 = cols.lo;
    r.x1 = cols.hi;
    return r;
}

}  // namespace convscope
