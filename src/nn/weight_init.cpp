#include "nn/weight_init.h"

#include <array>
#include <cmath>
#include <numbers>

namespace convscope::nn {

namespace {

// splitmix64: a tiny, well-mixed generator whose output is the same on every platform and compiler,
// unlike std::normal_distribution.
struct SplitMix {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
    // Box–Muller: one standard normal per call (the second value is dropped for simplicity).
    double normal() {
        const double u1 = uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
};

uint64_t layer_seed(uint64_t seed, size_t index, const std::vector<int64_t>& shape) {
    SplitMix m{seed ^ (0xA0761D6478BD642Full * (index + 1))};
    uint64_t h = m.next();
    for (int64_t d : shape) h = SplitMix{h ^ static_cast<uint64_t>(d)}.next();
    return h;
}

int64_t product(const std::vector<int64_t>& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

bool is_first_rgb_conv(const Network& net, const Analysis& a, size_t index) {
    for (size_t i = 0; i < index; ++i)
        if (net.layers[i].type == LayerType::Conv || net.layers[i].type == LayerType::Fc) return false;
    const Layer& l = net.layers[index];
    return l.type == LayerType::Conv && a.stages[index].input && a.stages[index].input->c == 3 && l.groups == 1 &&
           l.kernel.h == l.kernel.w && l.kernel.h >= 3;
}

LayerWeights generate(const Network& net, const Analysis& a, size_t index, const InitOptions& o) {
    LayerWeights lw;
    lw.weight_shape = expected_weight_shape(net, a, index);
    if (lw.weight_shape.empty()) return lw;
    const Layer& l = net.layers[index];
    if (o.design_first_conv && is_first_rgb_conv(net, a, index)) {
        const std::vector<float> bank = designed_rgb_filters(l.out, l.kernel.h);
        lw.weight.assign(bank.begin(), bank.end());
    } else {
        // He-normal: std = √(2 / fan_in), which keeps the activations' scale through ReLU layers.
        const int64_t fan_in = product(lw.weight_shape) / lw.weight_shape[0];
        const double std_dev = std::sqrt(2.0 / static_cast<double>(fan_in));
        SplitMix rng{layer_seed(o.seed, index, lw.weight_shape)};
        lw.weight.resize(static_cast<size_t>(product(lw.weight_shape)));
        for (float& v : lw.weight) v = static_cast<float>(rng.normal() * std_dev);
    }
    if (l.bias) lw.bias.assign(static_cast<size_t>(l.out), 0.0f);
    return lw;
}

// One designed filter: a spatial pattern (k, k) and the colour weights of its three channels.
struct Pattern {
    enum Kind { Gabor, Blob } kind;
    double theta = 0, wavelength = 4, phase = 0, sigma = 2;
    std::array<double, 3> colour{1, 1, 1};  // R, G, B
};

double spatial(const Pattern& p, double x, double y) {
    if (p.kind == Pattern::Blob) {
        // Centre–surround: a narrow Gaussian minus a wide one (difference of Gaussians).
        const double r2 = x * x + y * y;
        return std::exp(-r2 / (2 * p.sigma * p.sigma)) - 0.5 * std::exp(-r2 / (8 * p.sigma * p.sigma));
    }
    const double xr = x * std::cos(p.theta) + y * std::sin(p.theta);
    const double yr = -x * std::sin(p.theta) + y * std::cos(p.theta);
    return std::exp(-(xr * xr + 0.5 * yr * yr) / (2 * p.sigma * p.sigma)) *
           std::cos(2 * std::numbers::pi * xr / p.wavelength + p.phase);
}

std::vector<Pattern> colour_agnostic_patterns(double k) {
    // 8 orientations × 3 wavelengths × 2 phases (even and odd edges): 48, AlexNet's half of conv1.
    std::vector<Pattern> out;
    for (double wl : {k / 3.5, k / 2.2, k / 1.4})
        for (int o = 0; o < 8; ++o)
            for (double ph : {0.0, std::numbers::pi / 2}) {
                Pattern p{Pattern::Gabor};
                p.theta = o * std::numbers::pi / 8;
                p.wavelength = std::max(2.0, wl);
                p.phase = ph;
                p.sigma = std::min(0.56 * p.wavelength, k / 3.5);
                out.push_back(p);
            }
    return out;
}

std::vector<Pattern> colour_specific_patterns(double k) {
    // Opponent axes: red–green and blue–yellow, each both ways; every pixel's colour weights sum to 0,
    // so on raw RGB these filters do not respond to brightness alone (per-channel normalisation, which
    // shifts and scales the channels differently, leaves a small brightness response).
    const std::array<std::array<double, 3>, 4> axes{{{1, -1, 0}, {-1, 1, 0}, {-0.5, -0.5, 1}, {0.5, 0.5, -1}}};
    std::vector<Pattern> out;
    for (const auto& axis : axes) {
        for (double s : {k / 8, k / 5}) {
            Pattern p{Pattern::Blob};
            p.sigma = s;
            p.colour = axis;
            out.push_back(p);
        }
        for (int o = 0; o < 4; ++o)
            for (double ph : {0.0, std::numbers::pi / 2}) {
                Pattern p{Pattern::Gabor};
                p.theta = o * std::numbers::pi / 4;
                p.wavelength = std::max(2.0, k / 1.4);
                p.phase = ph;
                p.sigma = k / 4;
                p.colour = axis;
                out.push_back(p);
            }
    }
    return out;  // 4 axes × (2 blobs + 8 edges) = 40; the list repeats when more are needed
}

}  // namespace

std::vector<float> designed_rgb_filters(int64_t out, int64_t k) {
    std::vector<float> w(static_cast<size_t>(out * 3 * k * k));  // (out, 3, k, k)
    const auto agnostic = colour_agnostic_patterns(static_cast<double>(k));
    const auto specific = colour_specific_patterns(static_cast<double>(k));
    const int64_t half = out / 2;
    const double centre = (static_cast<double>(k) - 1) / 2;
    for (int64_t f = 0; f < out; ++f) {
        const Pattern& p = f < half ? agnostic[static_cast<size_t>(f) % agnostic.size()]
                                    : specific[static_cast<size_t>(f - half) % specific.size()];
        float* filt = w.data() + f * 3 * k * k;
        double mean = 0;
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t y = 0; y < k; ++y)
                for (int64_t x = 0; x < k; ++x) {
                    const double v = p.colour[static_cast<size_t>(c)] * spatial(p, x - centre, y - centre);
                    filt[(c * k + y) * k + x] = static_cast<float>(v);
                    mean += v;
                }
        mean /= static_cast<double>(3 * k * k);
        double norm = 0;
        for (int64_t i = 0; i < 3 * k * k; ++i) {
            filt[i] = static_cast<float>(filt[i] - mean);
            norm += static_cast<double>(filt[i]) * filt[i];
        }
        const double scale = norm > 0 ? std::sqrt(2.0 / norm) : 0.0;
        for (int64_t i = 0; i < 3 * k * k; ++i) filt[i] = static_cast<float>(filt[i] * scale);
    }
    return w;
}

NetworkWeights make_seeded_weights(const Network& net, const Analysis& a, const InitOptions& o) {
    NetworkWeights w;
    update_seeded_weights(net, a, o, w);
    return w;
}

size_t update_seeded_weights(const Network& net, const Analysis& a, const InitOptions& o, NetworkWeights& w) {
    w.layers.resize(net.layers.size());
    size_t regenerated = 0;
    bool designed = false;
    for (size_t i = 0; i < net.layers.size() && i < a.stages.size(); ++i) {
        const Layer& l = net.layers[i];
        LayerWeights& lw = w.layers[i];
        const auto want = expected_weight_shape(net, a, i);
        const bool has_params = l.type == LayerType::Conv || l.type == LayerType::Fc;
        const bool fits = lw.weight_shape == want && lw.bias.size() == (has_params && l.bias ? size_t(l.out) : 0) &&
                          static_cast<int64_t>(lw.weight.size()) == (want.empty() ? 0 : product(want));
        if (!fits) {
            lw = has_params ? generate(net, a, i, o) : LayerWeights{};
            ++regenerated;
        }
        designed |= o.design_first_conv && is_first_rgb_conv(net, a, i);
    }
    w.designed_first_conv = designed;
    w.origin = "seeded He-normal (seed " + std::to_string(o.seed) + ")" +
               (designed ? ", first convolution designed (Gabor edges, colour-opponent blobs)" : "");
    if (regenerated > 0) ++w.revision;
    return regenerated;
}

}  // namespace convscope::nn
