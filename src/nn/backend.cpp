#include "nn/backend.h"

#include <chrono>

#include "core/i18n.h"

namespace convscope::nn {

namespace {

// The two CPU backends differ only in which kernel set they call; the walk over the layers, the checks
// and the buffer reuse are shared.
template <bool Fast>
class CpuBackendImpl final : public Backend {
public:
    std::string name() const override { return Fast ? "cpu" : "reference"; }

    std::optional<std::string> forward(const Network& net, const Analysis& a, const NetworkWeights& w,
                                       const Tensor& input, ForwardResult& r) override {
        if (auto e = check_analysis(net, a)) return e;
        if (auto e = check_input(net, input)) return e;
        if (auto e = check_weights(net, a, w)) return e;
        const auto start = std::chrono::steady_clock::now();
        r.outputs.resize(net.layers.size());
        r.ms.assign(net.layers.size(), 0.0);
        const Tensor* prev = &input;
        for (size_t i = 0; i < net.layers.size(); ++i) {
            const Layer& l = net.layers[i];
            const LayerWeights& lw = w.layers[i];
            Tensor& out = r.outputs[i];
            out.resize(*a.stages[i].output);  // keeps last pass's allocation when it fits
            const auto t0 = std::chrono::steady_clock::now();
            const float* bias = lw.bias.empty() ? nullptr : lw.bias.data();
            switch (l.type) {
                case LayerType::Conv:
                    if constexpr (Fast)
                        conv2d(*prev, l, lw.weight.data(), bias, out, scratch_);
                    else
                        ref::conv2d(*prev, l, lw.weight.data(), bias, out);
                    break;
                case LayerType::MaxPool: Fast ? max_pool2d(*prev, l, out) : ref::max_pool2d(*prev, l, out); break;
                case LayerType::AvgPool: Fast ? avg_pool2d(*prev, l, out) : ref::avg_pool2d(*prev, l, out); break;
                case LayerType::AdaptiveAvgPool:
                    Fast ? adaptive_avg_pool2d(*prev, out) : ref::adaptive_avg_pool2d(*prev, out);
                    break;
                case LayerType::Lrn: Fast ? lrn(*prev, l, out) : ref::lrn(*prev, l, out); break;
                case LayerType::Relu: Fast ? relu(*prev, out) : ref::relu(*prev, out); break;
                case LayerType::Softmax: Fast ? softmax(*prev, out) : ref::softmax(*prev, out); break;
                case LayerType::Fc:
                    Fast ? fully_connected(*prev, lw.weight.data(), bias, out)
                         : ref::fully_connected(*prev, lw.weight.data(), bias, out);
                    break;
                case LayerType::Dropout:  // identity at inference
                case LayerType::Flatten:  // the same values, read as one vector
                    std::copy(prev->data.begin(), prev->data.end(), out.data.begin());
                    break;
            }
            r.ms[i] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            prev = &out;
        }
        r.total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        return std::nullopt;
    }

private:
    Scratch scratch_;
};

}  // namespace

std::optional<std::string> check_analysis(const Network& net, const Analysis& a) {
    if (!a.valid()) return tr("the network has invalid layers: fix them before running it");
    if (a.stages.size() != net.layers.size()) return tr("the analysis does not belong to this network");
    return std::nullopt;
}

std::optional<std::string> check_input(const Network& net, const Tensor& input) {
    if (!(input.shape == net.input))
        return tr("the input is {0}, the network expects {1}", shape_text(input.shape), shape_text(net.input));
    return std::nullopt;
}

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackendImpl<true>>(); }
std::unique_ptr<Backend> make_ref_backend() { return std::make_unique<CpuBackendImpl<false>>(); }

}  // namespace convscope::nn
