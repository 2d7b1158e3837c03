#include "core/shape_engine.h"

#include <cstdio>

#include <algorithm>
#include <limits>

#include "core/i18n.h"

namespace convscope {

std::string_view severity_name(Severity s) {
    switch (s) {
        case Severity::Ok: return "ok";
        case Severity::Warning: return "warning";
        case Severity::Error: return "error";
    }
    return "?";
}

namespace {

// Statistics of absurd layers (a million channels on a million-pixel map) must not wrap around.
struct Counter {
    bool overflow = false;
    int64_t mul(int64_t a, int64_t b) {
        int64_t r = 0;
        if (__builtin_mul_overflow(a, b, &r) || r < 0) {
            overflow = true;
            return std::numeric_limits<int64_t>::max();
        }
        return r;
    }
    int64_t add(int64_t a, int64_t b) {
        if (a > std::numeric_limits<int64_t>::max() - b) {
            overflow = true;
            return std::numeric_limits<int64_t>::max();
        }
        return a + b;
    }
};

std::string eff_kernel_note(const WindowResult& r) {
    if (r.p.dilation == 1) return {};
    return tr("F_eff = {0}·({1} − 1) + 1 = {2}; ", r.p.dilation, r.p.kernel, r.p.dilation * (r.p.kernel - 1) + 1);
}

std::string dim_formula(const WindowResult& r, WindowUnit unit) {
    std::string s = eff_kernel_note(r) + window_formula(r);
    const std::string why = rounding_consequence(r, unit);
    if (!r.exact && !why.empty()) s = tr("{0}: {1}", s, why);
    return s;
}

// Checks that do not depend on the input: the layer's own hyperparameters.
void check_hyperparameters(const Layer& l, Stage& st) {
    auto error = [&st](std::string m) { st.messages.push_back({Severity::Error, std::move(m)}); };
    const bool weight = l.type == LayerType::Conv || l.type == LayerType::Fc;
    if (weight && l.out < 1)
        error(l.type == LayerType::Conv ? tr("output channels must be ≥ 1, got {0}", l.out)
                                        : tr("output features must be ≥ 1, got {0}", l.out));
    if (is_spatial_window(l.type)) {
        if (l.kernel.h < 1 || l.kernel.w < 1) error(tr("kernel must be ≥ 1, got {0}", dims_text(l.kernel.h, l.kernel.w)));
        if (l.stride.h < 1 || l.stride.w < 1)
            error(tr("stride must be ≥ 1, got {0} (a stride of 0 would never move the window)",
                     dims_text(l.stride.h, l.stride.w)));
        if (l.dilation.h < 1 || l.dilation.w < 1)
            error(tr("dilation must be ≥ 1, got {0}", dims_text(l.dilation.h, l.dilation.w)));
        if (l.pad.top < 0 || l.pad.left < 0 || l.pad.bottom < 0 || l.pad.right < 0) error(tr("padding must be ≥ 0"));
    }
    if (l.type == LayerType::Conv && l.groups < 1) error(tr("groups must be ≥ 1, got {0}", l.groups));
    if (l.type == LayerType::Lrn && l.lrn_size < 1) error(tr("size must be ≥ 1, got {0}", l.lrn_size));
    if (l.type == LayerType::Dropout && !(l.ratio >= 0.0 && l.ratio < 1.0))
        error(tr("ratio must be in [0, 1), got {0}", std::to_string(l.ratio)));
    if (l.type == LayerType::AdaptiveAvgPool && (l.output_size.h < 1 || l.output_size.w < 1))
        error(tr("output size must be ≥ 1, got {0}", dims_text(l.output_size.h, l.output_size.w)));
    if (l.type == LayerType::Fc && l.in_features < 0)
        error(tr("expected input features must be ≥ 0, got {0}", l.in_features));
}

// conv, maxpool, avgpool: the two spatial dimensions, with diagnostics. Returns false on error.
bool slide_window(const Layer& l, const Shape3& in, Stage& st, Shape3& out) {
    const WindowParams ph = window_params(l, in.h, true);
    const WindowParams pw = window_params(l, in.w, false);
    st.dim_h = compute_window(ph);
    st.dim_w = compute_window(pw);
    const auto& h = *st.dim_h;
    const auto& w = *st.dim_w;
    const bool same = ph == pw;
    st.formula = same ? dim_formula(h, WindowUnit::Both)
                      : tr("H: {0}; W: {1}", dim_formula(h, WindowUnit::Row), dim_formula(w, WindowUnit::Column));
    st.exact = h.exact && w.exact;

    bool ok = true;
    auto check_fit = [&](const WindowResult& r, const char* dim) {
        if (r.valid) return;
        ok = false;
        const std::string m =
            r.p.dilation > 1
                ? tr("the window ({0} wide, dilated) is larger than the padded input ({1}): no position fits, so "
                     "there is no output",
                     r.eff_kernel, r.padded)
                : tr("the window ({0} wide) is larger than the padded input ({1}): no position fits, so there is no "
                     "output",
                     r.eff_kernel, r.padded);
        st.messages.push_back({Severity::Error, same ? m : tr("{0}: {1}", dim, m)});
    };
    check_fit(h, "H");
    if (!same) check_fit(w, "W");
    if (!ok) return false;

    auto note_rounding = [&](const WindowResult& r, const std::string& prefix, WindowUnit unit) {
        if (r.exact) return;
        const bool down = r.p.rounding == Rounding::Floor;
        const std::string q = exact_quotient_text(r.span, r.p.stride);
        std::string m = down ? tr("non-integer division: {0} rounded down to {1}", q, r.out)
                             : tr("non-integer division: {0} rounded up to {1}", q, r.out);
        const std::string why = rounding_consequence(r, unit);
        if (!why.empty()) m = tr("{0}; {1}", m, why);
        if (!prefix.empty()) m = tr("{0}: {1}", prefix, m);
        st.messages.push_back({Severity::Warning, m, true});
    };
    if (same) {
        note_rounding(h, "", WindowUnit::Both);
    } else {
        note_rounding(h, "H", WindowUnit::Row);
        note_rounding(w, "W", WindowUnit::Column);
    }
    if (l.type != LayerType::Conv) {
        // PyTorch refuses pooling padding wider than half the window; Caffe only needs pad < kernel.
        auto wide = [](int pad, int64_t window) { return int64_t{pad} * 2 > window; };
        if (wide(l.pad.top, h.eff_kernel) || wide(l.pad.bottom, h.eff_kernel) || wide(l.pad.left, w.eff_kernel) ||
            wide(l.pad.right, w.eff_kernel))
            st.messages.push_back(
                {Severity::Warning, tr("padding is more than half the window: PyTorch refuses this pooling layer")});
    }
    out.h = h.out;
    out.w = w.out;
    return true;
}

// Adaptive average pooling: PyTorch's windows [⌊i·W/N⌋, ⌈(i+1)·W/N⌉) for i in 0..N−1.
int64_t adaptive_max_window(int64_t in, int64_t n) {
    int64_t widest = 0;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t start = (i * in) / n;
        const int64_t end = ((i + 1) * in + n - 1) / n;
        widest = std::max(widest, end - start);
    }
    return widest;
}

void grow_rf(ReceptiveField& rf, int64_t eff_h, int64_t eff_w, int64_t stride_h, int64_t stride_w, Counter& c) {
    rf.size_h = c.add(rf.size_h, c.mul(eff_h - 1, rf.jump_h));
    rf.size_w = c.add(rf.size_w, c.mul(eff_w - 1, rf.jump_w));
    rf.jump_h = c.mul(rf.jump_h, stride_h);
    rf.jump_w = c.mul(rf.jump_w, stride_w);
}

}  // namespace

WindowParams window_params(const Layer& l, int64_t in, bool height) {
    WindowParams p;
    p.in = in;
    p.kernel = height ? l.kernel.h : l.kernel.w;
    p.stride = height ? l.stride.h : l.stride.w;
    p.pad_begin = height ? l.pad.top : l.pad.left;
    p.pad_end = height ? l.pad.bottom : l.pad.right;
    p.dilation = l.type == LayerType::AvgPool ? 1 : (height ? l.dilation.h : l.dilation.w);
    p.rounding = l.ceil ? Rounding::Ceil : Rounding::Floor;
    return p;
}

Stage analyze_layer(const Layer& l, size_t index, const std::optional<Shape3>& input, const ReceptiveField& rf_in) {
    Stage st;
    st.index = index;
    st.name = l.name;
    st.type = l.type;
    st.input = input;
    st.rf = rf_in;
    st.in_place = l.type == LayerType::Relu || l.type == LayerType::Dropout;
    check_hyperparameters(l, st);
    auto error = [&st](std::string m) { st.messages.push_back({Severity::Error, std::move(m)}); };
    Counter c;

    const bool hyper_ok = st.messages.empty();
    if (!input) {
        st.blocked = hyper_ok;
        error(index == 0 ? tr("no input shape: the network's input shape is invalid")
                         : tr("no input shape: an earlier stage failed"));
    } else if (hyper_ok) {
        const Shape3 in = *input;
        Shape3 out = in;
        bool ok = true;
        switch (l.type) {
            case LayerType::Conv: {
                if (in.c % l.groups != 0) {
                    error(tr("groups = {0} does not divide the {1} input channels", l.groups, in.c));
                    ok = false;
                }
                if (l.out % l.groups != 0) {
                    error(tr("groups = {0} does not divide the {1} output channels", l.groups, l.out));
                    ok = false;
                }
                if (ok) ok = slide_window(l, in, st, out);
                if (ok) {
                    out.c = l.out;
                    const int64_t per_out = c.mul(c.mul(in.c / l.groups, l.kernel.h), l.kernel.w);
                    st.params = c.add(c.mul(l.out, per_out), l.bias ? l.out : 0);
                    st.macs = c.mul(c.mul(c.mul(l.out, out.h), out.w), per_out);
                    grow_rf(st.rf, st.dim_h->eff_kernel, st.dim_w->eff_kernel, l.stride.h, l.stride.w, c);
                }
                break;
            }
            case LayerType::MaxPool:
            case LayerType::AvgPool:
                ok = slide_window(l, in, st, out);
                if (ok) grow_rf(st.rf, st.dim_h->eff_kernel, st.dim_w->eff_kernel, l.stride.h, l.stride.w, c);
                break;
            case LayerType::AdaptiveAvgPool: {
                out.h = l.output_size.h;
                out.w = l.output_size.w;
                const int64_t wh = adaptive_max_window(in.h, out.h);
                const int64_t ww = adaptive_max_window(in.w, out.w);
                st.exact = in.h % out.h == 0 && in.w % out.w == 0;
                st.formula = st.exact ? tr("adaptive: {0} → {1} (windows of {2})", dims_text(in.h, in.w),
                                           dims_text(out.h, out.w), dims_text(in.h / out.h, in.w / out.w))
                                      : tr("adaptive: {0} → {1} (uneven windows, up to {2})", dims_text(in.h, in.w),
                                           dims_text(out.h, out.w), dims_text(wh, ww));
                if (!st.exact)
                    st.messages.push_back({Severity::Warning, tr("the input does not divide evenly into {0} windows: "
                                                                 "they overlap",
                                                                 dims_text(out.h, out.w))});
                grow_rf(st.rf, wh, ww, std::max<int64_t>(1, in.h / out.h), std::max<int64_t>(1, in.w / out.w), c);
                break;
            }
            case LayerType::Flatten:
            case LayerType::Fc: {
                const int64_t features = c.mul(c.mul(in.c, in.h), in.w);
                // Every output sees every input position: like a convolution whose kernel covers the map.
                grow_rf(st.rf, in.h, in.w, 1, 1, c);
                // C·H·W: the multiplication sign is the language's ("·" in English, "×" in Chinese).
                const std::string product = tr("{0}·{1}·{2} = {3}", in.c, in.h, in.w, features);
                if (l.type == LayerType::Flatten) {
                    out = {features, 1, 1};
                    st.formula = product;
                    break;
                }
                st.formula = (in.h == 1 && in.w == 1 ? std::to_string(features) : product) + " → " +
                             std::to_string(l.out);
                const int64_t weights_in = l.in_features > 0 ? l.in_features : features;
                st.params = c.add(c.mul(weights_in, l.out), l.bias ? l.out : 0);
                if (l.in_features > 0 && l.in_features != features) {
                    error(tr("expects {0} input features (its weights are {1}), got {2} ({3})", l.in_features,
                             dims_text(l.out, l.in_features), features, shape_text(in)));
                    ok = false;
                    break;
                }
                out = {l.out, 1, 1};
                st.macs = c.mul(features, l.out);
                break;
            }
            case LayerType::Lrn:
            case LayerType::Relu:
            case LayerType::Dropout:
            case LayerType::Softmax:
                break;
        }
        if (ok) {
            st.output = out;
            st.activations = c.mul(c.mul(out.c, out.h), out.w);
        }
        if (c.overflow)
            st.messages.push_back({Severity::Warning, tr("too large to count: statistics exceed 64-bit integers")});
    }
    for (const auto& m : st.messages) st.status = std::max(st.status, m.severity);
    return st;
}

Analysis analyze(const Network& net) {
    Analysis a;
    a.model = net.name;
    a.input = net.input;
    std::optional<Shape3> cur;
    if (net.input.c >= 1 && net.input.h >= 1 && net.input.w >= 1) cur = net.input;
    ReceptiveField rf;
    Counter c;
    a.stages.reserve(net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
        Stage st = analyze_layer(net.layers[i], i, cur, rf);
        cur = st.output;
        rf = st.rf;
        if (st.status == Severity::Error) ++(st.blocked ? a.blocked : a.errors);
        if (st.status == Severity::Warning) ++a.warnings;
        if (st.status != Severity::Error) {
            a.totals.params = c.add(a.totals.params, st.params);
            a.totals.macs = c.add(a.totals.macs, st.macs);
            if (!st.in_place && st.type != LayerType::Flatten)
                a.totals.activations = c.add(a.totals.activations, st.activations);
        }
        a.stages.push_back(std::move(st));
    }
    if (!(net.input.c >= 1 && net.input.h >= 1 && net.input.w >= 1)) {
        a.input_error = tr("the input shape must be positive, got {0}", shape_text(net.input));
        ++a.errors;
    }
    return a;
}

int64_t Analysis::first_fc_input() const {
    for (const auto& st : stages)
        if (st.type == LayerType::Fc) return st.input ? st.input->count() : 0;
    return 0;
}

std::optional<Shape3> Analysis::final_output() const {
    if (stages.empty()) return input;
    return stages.back().output;
}

namespace {

int64_t saturating_add(int64_t a, int64_t b) {
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

int64_t saturating_mul(int64_t a, int64_t b) {
    int64_t r;
    return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

std::string gib(int64_t bytes) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f GiB", static_cast<double>(bytes) / (int64_t{1} << 30));
    return b;
}

}  // namespace

int64_t MemoryNeed::total() const { return saturating_add(saturating_add(weights, activations), workspace); }

MemoryNeed forward_memory(const Network& net, const Analysis& a) {
    MemoryNeed m;
    m.weights = saturating_mul(a.totals.params, 4);
    for (size_t i = 0; i < a.stages.size() && i < net.layers.size(); ++i) {
        const Stage& st = a.stages[i];
        if (!st.output) continue;
        m.activations = saturating_add(m.activations, saturating_mul(st.output->count(), 4));
        const Layer& l = net.layers[i];
        if (l.type == LayerType::Conv && st.input && l.groups > 0) {
            const int64_t rows = saturating_mul(saturating_mul(st.input->c / l.groups, l.kernel.h), l.kernel.w);
            m.workspace = std::max(m.workspace, saturating_mul(saturating_mul(rows, st.output->h * st.output->w), 4));
        }
    }
    return m;
}

std::optional<std::string> check_memory(const MemoryNeed& need, int64_t limit_bytes) {
    if (need.total() <= limit_bytes) return std::nullopt;
    return tr("needs {0} (weights {1}, layer outputs {2}, working memory {3}), more than the limit of {4}",
              gib(need.total()), gib(need.weights), gib(need.activations), gib(need.workspace), gib(limit_bytes));
}

}  // namespace convscope
