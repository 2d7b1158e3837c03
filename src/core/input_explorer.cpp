#include "core/input_explorer.h"

#include <algorithm>

namespace convscope {

Network with_input(const Network& net, int64_t h, int64_t w) {
    Network n = net;
    n.input.h = h;
    n.input.w = w;
    return n;
}

namespace {

// Walks one spatial dimension through layers [first, last]; true when every layer is valid there
// and every sliding window divides exactly. Cheaper than a full analysis: the search calls it often.
bool exact_along(const Network& net, size_t first, size_t last, int64_t size, bool height) {
    int64_t cur = size;
    for (size_t i = 0; i < net.layers.size() && i <= last; ++i) {
        const Layer& l = net.layers[i];
        if (is_spatial_window(l.type)) {
            const WindowResult r = compute_window(window_params(l, cur, height));
            if (!r.valid) return false;
            if (i >= first && !r.exact) return false;
            cur = r.out;
        } else if (l.type == LayerType::AdaptiveAvgPool) {
            cur = height ? l.output_size.h : l.output_size.w;
        } else if (l.type == LayerType::Flatten || l.type == LayerType::Fc) {
            break;  // spatial size ends here
        }
    }
    return true;
}

std::optional<int64_t> search(const Network& net, size_t first, size_t last, int64_t from, int64_t step,
                              int64_t limit, bool height) {
    for (int64_t s = from + step; s >= 1 && s <= limit; s += step)
        if (exact_along(net, first, last, s, height)) return s;
    return std::nullopt;
}

RoundingOutcome outcome(const Network& net, std::optional<Rounding> force) {
    RoundingOutcome o;
    Network n = net;
    if (force) {
        o.rounding = *force;
        for (auto& l : n.layers)
            if (l.type == LayerType::MaxPool || l.type == LayerType::AvgPool) l.ceil = *force == Rounding::Ceil;
    }
    o.analysis = analyze(n);
    o.fc_input = o.analysis.first_fc_input();
    return o;
}

}  // namespace

ExactInputs find_exact_inputs(const Network& net, size_t first, size_t last) {
    ExactInputs e;
    e.first = first;
    e.last = net.layers.empty() ? 0 : std::min(last, net.layers.size() - 1);
    e.current_h = net.input.h;
    e.current_w = net.input.w;
    e.current_exact = exact_along(net, first, e.last, net.input.h, true) &&
                      exact_along(net, first, e.last, net.input.w, false);
    const int64_t limit_h = 2 * net.input.h + 64;
    const int64_t limit_w = 2 * net.input.w + 64;
    e.below_h = search(net, first, e.last, net.input.h, -1, limit_h, true);
    e.above_h = search(net, first, e.last, net.input.h, +1, limit_h, true);
    e.below_w = search(net, first, e.last, net.input.w, -1, limit_w, false);
    e.above_w = search(net, first, e.last, net.input.w, +1, limit_w, false);
    return e;
}

RoundingStudy compare_pool_rounding(const Network& net) {
    RoundingStudy s;
    s.as_modelled = outcome(net, std::nullopt);
    s.floor = outcome(net, Rounding::Floor);
    s.ceil = outcome(net, Rounding::Ceil);
    const auto& a = s.floor.analysis.stages;
    const auto& b = s.ceil.analysis.stages;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (a[i].output != b[i].output) {
            s.first_difference = i;
            break;
        }
    }
    return s;
}

}  // namespace convscope
