// The backends' own checks on deep, degenerate and random networks. Each backend has a shape check
// (unsupported(): what the device cannot hold; forward(): a broken analysis, weights or input refused
// with a message) and both must agree with the shape engine on every network the property tests
// draw. Then real passes: a 1000-layer network on the CPU and on the GPU against the reference
// kernels, the degenerate layers on all three, and a sample of the random stacks.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "backend_support.h"
#include "nn/backend.h"
#include "nn/weight_init.h"
#include "random_networks.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;

namespace {

struct Backends {
    std::unique_ptr<nn::Backend> cpu = nn::make_cpu_backend(), ref = nn::make_ref_backend(),
                                 gl = poisoned_gl_backend();
    std::vector<nn::Backend*> all() const { return {cpu.get(), ref.get(), gl.get()}; }
};

// A pooling window that can lie wholly in the padding has no defined value (PyTorch refuses such
// layers), so backends may differ there; such stacks are checked but not run.
bool has_padding_only_windows(const Network& net) {
    for (const Layer& l : net.layers) {
        if (l.type != LayerType::MaxPool && l.type != LayerType::AvgPool) continue;
        const int eh = l.dilation.h * (l.kernel.h - 1) + 1, ew = l.dilation.w * (l.kernel.w - 1) + 1;
        if (2 * std::max(l.pad.top, l.pad.bottom) > eh || 2 * std::max(l.pad.left, l.pad.right) > ew) return true;
    }
    return false;
}

// Every layer of `b`'s pass against the reference's: the analysis's shapes, relative L2 below `tol`.
// Returns `b`'s pass.
nn::ForwardResult check_against_reference(nn::Backend& b, nn::Backend& ref, const Network& net, const Analysis& a,
                                          const nn::NetworkWeights& w, const nn::Tensor& input, double tol) {
    CAPTURE(b.name());
    nn::ForwardResult got, want;
    const auto eg = b.forward(net, a, w, input, got);
    REQUIRE_MESSAGE(!eg, eg.value_or(""));
    const auto er = ref.forward(net, a, w, input, want);
    REQUIRE_MESSAGE(!er, er.value_or(""));
    REQUIRE(got.outputs.size() == net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
        CAPTURE(net.layers[i].name);
        REQUIRE(got.outputs[i].shape == *a.stages[i].output);
        REQUIRE(want.outputs[i].shape == *a.stages[i].output);
        CHECK(rel_l2(got.outputs[i], want.outputs[i]) < tol);
    }
    return got;
}

// 3×3 kernels close to the identity (centre 1, small noise around it) and small positive biases: a
// signal that neither dies nor explodes through hundreds of convolutions and ReLUs, so that every
// layer of a deep pass has values worth comparing.
nn::NetworkWeights near_identity_weights(const Network& net, const Analysis& a) {
    nn::NetworkWeights w = nn::make_seeded_weights(net, a);
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    for (auto& lw : w.layers) {
        for (size_t k = 0; k < lw.weight.size(); ++k) lw.weight[k] = (k % 9 == 4 ? 1.0f : 0.0f) + noise(rng);
        for (float& b : lw.bias) b = 0.01f;
    }
    return w;
}

}  // namespace

TEST_SUITE("backend_shape_checks") {

TEST_CASE("every random stack of the property test through each backend's shape check") {
    // The same 5000 stacks as "random layer stacks match the brute-force window counts".
    Random r(0xC0FFEEu);
    Backends b;
    int invalid = 0, valid = 0, ran_cpu = 0, ran_gl = 0;
    for (int trial = 0; trial < 5000; ++trial) {
        std::vector<Expected> expected;
        const Network net = random_stack(r, trial, expected);
        const Analysis a = analyze(net);
        const bool ok = std::none_of(expected.begin(), expected.end(), [](const Expected& e) { return e.error; });
        REQUIRE(a.valid() == ok);
        // Tiny tensors: nothing here is past any device's limits.
        for (nn::Backend* backend : b.all()) {
            const auto why = backend->unsupported(net, a);
            CHECK_MESSAGE(!why, backend->name() << ": " << why.value_or("") << " (trial " << trial << ")");
        }
        if (!ok) {
            // A broken network is refused with a message before anything runs, by every backend.
            ++invalid;
            nn::NetworkWeights none;
            nn::ForwardResult result;
            for (nn::Backend* backend : b.all()) {
                const auto e = backend->forward(net, a, none, nn::Tensor(net.input), result);
                REQUIRE(e);
                CHECK(contains(*e, "invalid layers"));
            }
            continue;
        }
        ++valid;
        const nn::NetworkWeights w = nn::make_seeded_weights(net, a);
        REQUIRE_FALSE(nn::check_weights(net, a, w));
        // A wrong input shape is refused by every backend, whatever the network.
        nn::ForwardResult result;
        const Shape3 wrong{net.input.c + 1, net.input.h, net.input.w};
        for (nn::Backend* backend : b.all()) CHECK(backend->forward(net, a, w, nn::Tensor(wrong), result));
        // A sample is run for real: every 20th valid stack on the CPU, every eighth of those on the GPU.
        if (valid % 20 != 0 || has_padding_only_windows(net)) continue;
        CAPTURE(trial);
        const nn::Tensor input = random_input(net.input, static_cast<unsigned>(trial));
        check_against_reference(*b.cpu, *b.ref, net, a, w, input, 1e-4);
        if (ran_cpu++ % 8 == 0) {
            check_against_reference(*b.gl, *b.ref, net, a, w, input, 1e-4);
            ++ran_gl;
        }
    }
    CHECK(invalid > 500);
    CHECK(valid > 2000);
    CHECK(ran_cpu > 50);
    CHECK(ran_gl >= 5);
}

TEST_CASE("a 1000-layer network runs on the CPU and on the GPU and matches the reference at every layer") {
    // 500 blocks of a one-channel 3×3 pad-1 convolution and a ReLU on 1×8×8.
    const Network net = deep_stack({1, 8, 8}, 500, 1, 1);
    const Analysis a = analyze(net);
    REQUIRE(a.valid());
    const nn::NetworkWeights w = near_identity_weights(net, a);
    nn::Tensor input(net.input);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.5f, 1.5f);
    for (float& x : input.data) x = u(rng);
    Backends b;
    CHECK_FALSE(b.cpu->unsupported(net, a));
    check_against_reference(*b.cpu, *b.ref, net, a, w, input, 1e-4);
    CHECK_FALSE(b.gl->unsupported(net, a));
    const nn::ForwardResult on_gpu = check_against_reference(*b.gl, *b.ref, net, a, w, input, 1e-4);
    // The comparison means something: the GPU's last layer's values are finite, alive and not all alike.
    const auto& v = on_gpu.outputs.back().data;
    CHECK(std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); }));
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    CHECK(*hi > 0.1f);
    CHECK(*hi - *lo > 1e-3f);
}

TEST_CASE("a deep stack that shrinks to nothing is refused by every backend with the analysis's message") {
    const Network net = deep_stack({1, 64, 64}, 500, 1, 0);
    const Analysis a = analyze(net);
    REQUIRE_FALSE(a.valid());
    Backends b;
    nn::ForwardResult r;
    for (nn::Backend* backend : b.all()) {
        CAPTURE(backend->name());
        CHECK_FALSE(backend->unsupported(net, a));  // nothing too large: the fault is the shapes
        const auto e = backend->forward(net, a, nn::make_seeded_weights(net, a), nn::Tensor(net.input), r);
        REQUIRE(e);
        CHECK(*e == "the network has invalid layers: fix them before running it");
    }
}

TEST_CASE("degenerate layers run on every backend: one-pixel inputs, whole-input kernels, wide strides") {
    Backends b;
    int ran = 0;
    for (const DegenerateCase& c : degenerate_networks()) {
        CAPTURE(c.what);
        const Analysis a = analyze(c.net);
        REQUIRE(a.valid() == c.out.has_value());
        for (nn::Backend* backend : b.all()) CHECK_FALSE(backend->unsupported(c.net, a));
        if (!c.out) continue;
        const nn::NetworkWeights w = weights_with_biases(c.net, a, 9);
        const nn::Tensor input = random_input(c.net.input, 9);
        check_against_reference(*b.cpu, *b.ref, c.net, a, w, input, 1e-5);
        check_against_reference(*b.gl, *b.ref, c.net, a, w, input, 1e-5);
        ++ran;
    }
    CHECK(ran == 8);
}

}  // TEST_SUITE("backend_shape_checks")
