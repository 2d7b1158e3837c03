#include "nn/weights.h"

#include "core/i18n.h"

namespace convscope::nn {

namespace {
std::string shape_str(const std::vector<int64_t>& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + ")";
}
}  // namespace

std::vector<int64_t> expected_weight_shape(const Network& net, const Analysis& a, size_t index) {
    if (index >= net.layers.size() || index >= a.stages.size()) return {};
    const Layer& l = net.layers[index];
    const auto& in = a.stages[index].input;
    if (!in) return {};
    if (l.type == LayerType::Conv) {
        if (l.groups < 1 || in->c % l.groups != 0) return {};
        return {l.out, in->c / l.groups, l.kernel.h, l.kernel.w};
    }
    if (l.type == LayerType::Fc) return {l.out, l.in_features > 0 ? l.in_features : in->count()};
    return {};
}

std::optional<std::string> check_weights(const Network& net, const Analysis& a, const NetworkWeights& w) {
    if (w.layers.size() != net.layers.size())
        return tr("the weights are for {0} layers, the network has {1}", w.layers.size(), net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        const LayerWeights& lw = w.layers[i];
        if (l.type != LayerType::Conv && l.type != LayerType::Fc) {
            if (!lw.weight.empty() || !lw.bias.empty()) return tr("{0} has no parameters, but weights were given", l.name);
            continue;
        }
        const auto want = expected_weight_shape(net, a, i);
        if (want.empty()) continue;  // the shape engine already reports this layer
        if (lw.weight_shape != want)
            return tr("{0}.weight: expected shape {1}, got {2}", l.name, shape_str(want), shape_str(lw.weight_shape));
        int64_t n = 1;
        for (int64_t d : want) n *= d;
        if (static_cast<int64_t>(lw.weight.size()) != n)
            return tr("{0}.weight: expected {1} values, got {2}", l.name, n, lw.weight.size());
        const size_t want_bias = l.bias ? static_cast<size_t>(l.out) : 0;
        if (lw.bias.size() != want_bias)
            return tr("{0}.bias: expected {1} values, got {2}", l.name, want_bias, lw.bias.size());
    }
    return std::nullopt;
}

}  // namespace convscope::nn
