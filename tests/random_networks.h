// Generated networks for the tests that need many or deep ones: random layer stacks with an
// independent oracle for their shapes (the shape engine's property tests, tests/core/test_property.cpp,
// and the backends' shape checks, tests/gl/test_backend_shape_checks.cpp, walk the same stacks), and
// deep stacks of one repeated block.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/shape_engine.h"
#include "core/window_arithmetic.h"
#include "support.h"

namespace convscope::test {

// Raw mt19937 output with a modulo rather than std::uniform_int_distribution: the distribution's
// algorithm differs between standard libraries, and a failing seed must reproduce everywhere.
struct Random {
    std::mt19937 g;
    explicit Random(uint32_t seed) : g(seed) {}
    int between(int lo, int hi) { return lo + static_cast<int>(g() % static_cast<uint32_t>(hi - lo + 1)); }
    bool percent(int p) { return between(1, 100) <= p; }
};

// ---- The independent oracle ----------------------------------------------------------------------

// Floor: every start position 0, S, 2S, … whose window lies wholly inside the padded input.
inline int64_t brute_floor(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                    int64_t dilation) {
    const int64_t eff = dilation * (kernel - 1) + 1;
    int64_t n = 0;
    for (int64_t start = 0; start + eff <= in + pad_begin + pad_end; start += stride) ++n;
    return n;
}

// Ceil, as PyTorch and Caffe do it: a further window is added only while the previous one has not yet
// reached the end of the padded input, and no window may start at or beyond W + P_begin (it would see
// nothing but end padding). Formulated as "is another window needed?" rather than count_window_positions'
// "stop once covered", so the two are not the same loop written twice.
inline int64_t brute_ceil(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                   int64_t dilation) {
    const int64_t eff = dilation * (kernel - 1) + 1;
    const int64_t padded = in + pad_begin + pad_end;
    if (eff > padded) return 0;  // not even the first window fits
    int64_t n = 1;
    int64_t last_start = 0;
    while (last_start + eff < padded && last_start + stride < in + pad_begin) {
        last_start += stride;
        ++n;
    }
    return n;
}

inline int64_t brute_count(const WindowParams& p) {
    return p.rounding == Rounding::Floor ? brute_floor(p.in, p.kernel, p.stride, p.pad_begin, p.pad_end, p.dilation)
                                         : brute_ceil(p.in, p.kernel, p.stride, p.pad_begin, p.pad_end, p.dilation);
}

// The layer's window along one dimension, read off here rather than with the shape engine's
// window_params, so that the oracle shares nothing with the code it checks.
inline WindowParams params_of(const Layer& l, int64_t in, bool height) {
    WindowParams p;
    p.in = in;
    p.kernel = height ? l.kernel.h : l.kernel.w;
    p.stride = height ? l.stride.h : l.stride.w;
    p.pad_begin = height ? l.pad.top : l.pad.left;
    p.pad_end = height ? l.pad.bottom : l.pad.right;
    p.dilation = height ? l.dilation.h : l.dilation.w;
    p.rounding = l.ceil ? Rounding::Ceil : Rounding::Floor;
    return p;
}

// ---- The random stacks ---------------------------------------------------------------------------

inline void random_window(Random& r, Layer& l) {
    l.kernel.h = r.between(1, 7);
    l.kernel.w = r.percent(60) ? l.kernel.h : r.between(1, 7);
    l.stride.h = r.between(1, 4);
    l.stride.w = r.percent(60) ? l.stride.h : r.between(1, 4);
    if (l.type != LayerType::AvgPool && r.percent(30)) {  // avgpool has no dilation in files or in PyTorch
        l.dilation.h = r.between(1, 3);
        l.dilation.w = r.between(1, 3);
    }
    l.pad.top = r.between(0, 3);
    l.pad.left = r.between(0, 3);
    if (r.percent(50)) {
        l.pad.bottom = l.pad.top;
        l.pad.right = l.pad.left;
    } else {
        l.pad.bottom = r.between(0, 3);
        l.pad.right = r.between(0, 3);
    }
    l.ceil = r.percent(50);
}

// What a stage should produce, worked out here from the brute-force counts.
struct Expected {
    std::optional<Shape3> output;
    bool error = false;
    bool warning = false;
};

// Picks the next layer with knowledge of the shape reaching it, so that groups and fc input features
// sometimes fit and sometimes do not, on purpose.
inline Layer random_layer(Random& r, const std::optional<Shape3>& in) {
    Layer l;
    const int kind = r.between(1, 100);
    if (kind <= 35) {
        l.type = LayerType::Conv;
        l.out = r.between(1, 16);
        if (r.percent(25)) {
            l.groups = r.between(2, 4);
            if (in && r.percent(70)) {
                // A group count that divides the input channels, and output channels to match.
                l.groups = 1;
                for (int g = static_cast<int>(in->c); g >= 1; --g)
                    if (in->c % g == 0 && r.percent(50)) {
                        l.groups = g;
                        break;
                    }
                l.out = l.groups * r.between(1, 4);
            }
        }
        l.bias = r.percent(80);
        random_window(r, l);
    } else if (kind <= 55) {
        l.type = LayerType::MaxPool;
        random_window(r, l);
    } else if (kind <= 70) {
        l.type = LayerType::AvgPool;
        random_window(r, l);
        l.count_include_pad = r.percent(50);
    } else if (kind <= 80) {
        l.type = LayerType::Relu;
    } else if (kind <= 88) {
        l.type = LayerType::Lrn;
        l.lrn_size = 2 * r.between(0, 3) + 1;
    } else if (kind <= 93) {
        l.type = LayerType::Flatten;
    } else {
        l.type = LayerType::Fc;
        l.out = r.between(1, 64);
        const int choice = r.between(1, 10);
        if (in && choice <= 3) l.in_features = in->count();          // matches what arrives
        else if (in && choice == 4) l.in_features = in->count() + 1;  // a mismatch
    }
    return l;
}

inline Expected expect(const Layer& l, const std::optional<Shape3>& in) {
    Expected e;
    if (!in) {
        e.error = true;
        return e;
    }
    switch (l.type) {
        case LayerType::Conv:
        case LayerType::MaxPool:
        case LayerType::AvgPool: {
            if (l.type == LayerType::Conv && (in->c % l.groups != 0 || l.out % l.groups != 0)) {
                e.error = true;
                return e;
            }
            WindowParams ph = params_of(l, in->h, true), pw = params_of(l, in->w, false);
            if (l.type == LayerType::AvgPool) ph.dilation = pw.dilation = 1;
            const int64_t h = brute_count(ph), w = brute_count(pw);
            if (h == 0 || w == 0) {
                e.error = true;
                return e;
            }
            const int64_t eff_h = ph.dilation * (ph.kernel - 1) + 1, eff_w = pw.dilation * (pw.kernel - 1) + 1;
            const bool exact = (in->h + ph.pad_begin + ph.pad_end - eff_h) % ph.stride == 0 &&
                               (in->w + pw.pad_begin + pw.pad_end - eff_w) % pw.stride == 0;
            // Pools warn about padding PyTorch would refuse (more than half the window).
            const bool wide_pad = l.type != LayerType::Conv &&
                                  (2 * ph.pad_begin > eff_h || 2 * ph.pad_end > eff_h || 2 * pw.pad_begin > eff_w ||
                                   2 * pw.pad_end > eff_w);
            e.warning = !exact || wide_pad;
            e.output = Shape3{l.type == LayerType::Conv ? l.out : in->c, h, w};
            return e;
        }
        case LayerType::Flatten:
            e.output = Shape3{in->count(), 1, 1};
            return e;
        case LayerType::Fc:
            if (l.in_features > 0 && l.in_features != in->count()) {
                e.error = true;
                return e;
            }
            e.output = Shape3{l.out, 1, 1};
            return e;
        default:
            e.output = in;
            return e;
    }
}

// One random stack as the property test draws it: an input up to 8×64×64 and 1 to 8 layers, each
// drawn knowing the shape that reaches it; `expected` gets each stage's oracle.
inline Network random_stack(Random& r, int trial, std::vector<Expected>& expected) {
    Network net;
    net.name = "random ";
    net.name += std::to_string(trial);
    net.input = {r.between(1, 8), r.between(1, 64), r.between(1, 64)};
    expected.clear();
    std::optional<Shape3> cur = net.input;
    const int depth = r.between(1, 8);
    for (int i = 0; i < depth; ++i) {
        net.layers.push_back(random_layer(r, cur));
        expected.push_back(expect(net.layers.back(), cur));
        cur = expected.back().output;
    }
    assign_default_names(net);
    return net;
}

// `convs` blocks of a 3×3 convolution with `channels` outputs and a ReLU, on `input`. With pad 1 every
// stage keeps the input's size; with pad 0 each convolution takes 2 off the height and the width, until
// the window no longer fits.
inline Network deep_stack(Shape3 input, int convs, int channels, int pad) {
    Network net;
    net.name = "deep";
    net.input = input;
    net.layers.reserve(static_cast<size_t>(convs) * 2);
    for (int i = 0; i < convs; ++i) {
        Layer conv;
        conv.type = LayerType::Conv;
        conv.out = channels;
        conv.kernel = {3, 3};
        conv.pad = {pad, pad, pad, pad};
        Layer relu;
        relu.type = LayerType::Relu;
        net.layers.push_back(conv);
        net.layers.push_back(relu);
    }
    assign_default_names(net);
    return net;
}

// A one-layer network at the edges of the window arithmetic, and the output the layer must give
// (nothing: the layer is an error).
struct DegenerateCase {
    const char* what;
    Network net;
    std::optional<Shape3> out;
};

inline Layer window_layer(LayerType type, Hw kernel, Hw stride, int pad = 0, bool ceil = false) {
    Layer l;
    l.type = type;
    if (type == LayerType::Conv) l.out = 3;
    l.kernel = kernel;
    l.stride = stride;
    l.pad = {pad, pad, pad, pad};
    l.ceil = ceil;
    return l;
}

// One-pixel inputs, kernels as large as the input (and one wider), strides wider than the input.
inline std::vector<DegenerateCase> degenerate_networks() {
    using T = LayerType;
    Layer fc;
    fc.type = T::Fc;
    fc.out = 4;
    return {
        {"1×1 input, 1×1 conv", net_of({1, 1, 1}, {window_layer(T::Conv, {1, 1}, {1, 1})}), Shape3{3, 1, 1}},
        {"1×1 input, 3×3 conv, pad 1", net_of({2, 1, 1}, {window_layer(T::Conv, {3, 3}, {1, 1}, 1)}), Shape3{3, 1, 1}},
        {"1×1 input, 3×3 conv", net_of({1, 1, 1}, {window_layer(T::Conv, {3, 3}, {1, 1})}), std::nullopt},
        {"1×1 input, fc", net_of({1, 1, 1}, {fc}), Shape3{4, 1, 1}},
        {"1×1 input, 2×2 max pool, ceil", net_of({1, 1, 1}, {window_layer(T::MaxPool, {2, 2}, {2, 2}, 0, true)}),
         std::nullopt},
        {"kernel = input, 7×5", net_of({2, 7, 5}, {window_layer(T::Conv, {7, 5}, {1, 1})}), Shape3{3, 1, 1}},
        {"avg pool over the whole input", net_of({2, 6, 6}, {window_layer(T::AvgPool, {6, 6}, {6, 6})}),
         Shape3{2, 1, 1}},
        {"kernel one wider than the input", net_of({2, 7, 5}, {window_layer(T::Conv, {7, 6}, {1, 1})}), std::nullopt},
        {"stride 5 on 3×3", net_of({1, 3, 3}, {window_layer(T::Conv, {1, 1}, {5, 5})}), Shape3{3, 1, 1}},
        // Ceil would add a second window at 4, past the input (3): dropped, as in PyTorch.
        {"max pool 2, stride 4 on 3×3, ceil", net_of({1, 3, 3}, {window_layer(T::MaxPool, {2, 2}, {4, 4}, 0, true)}),
         Shape3{1, 1, 1}},
        {"max pool 2, stride 100 on 64×2", net_of({1, 64, 2}, {window_layer(T::MaxPool, {2, 2}, {100, 100})}),
         Shape3{1, 1, 1}},
    };
}

}  // namespace convscope::test
