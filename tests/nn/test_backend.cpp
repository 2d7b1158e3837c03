// Whole forward passes: the fast CPU backend against the reference backend on the shipped networks,
// buffer reuse across passes, and the errors a backend reports instead of computing garbage.
#include <doctest/doctest.h>

#include <cmath>

#include "nn/backend.h"
#include "nn/weight_init.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;
using convscope::test::rel_l2;
using convscope::test::preset;

namespace {

// A smooth, deterministic test image: neighbouring pixels correlate, as in a photograph.
Tensor test_input(Shape3 s) {
    Tensor t(s);
    for (int64_t c = 0; c < s.c; ++c)
        for (int64_t y = 0; y < s.h; ++y)
            for (int64_t x = 0; x < s.w; ++x)
                t.at(c, y, x) = static_cast<float>(std::sin(0.07 * x + 0.3 * c) * std::cos(0.05 * y) + 0.1 * c);
    return t;
}

}  // namespace

TEST_SUITE("backend") {

TEST_CASE("every layer of the fast backend matches the reference on LeNet-5 and two AlexNets") {
    for (const char* id : {"lenet5", "alexnet-caffe", "alexnet-torchvision"}) {
        CAPTURE(id);
        const Network net = preset(id);
        const Analysis a = analyze(net);
        const NetworkWeights w = make_seeded_weights(net, a);
        const Tensor in = test_input(net.input);
        ForwardResult fast, ref;
        auto cpu = make_cpu_backend();
        auto naive = make_ref_backend();
        REQUIRE_FALSE(cpu->forward(net, a, w, in, fast));
        REQUIRE_FALSE(naive->forward(net, a, w, in, ref));
        REQUIRE(fast.outputs.size() == net.layers.size());
        for (size_t i = 0; i < net.layers.size(); ++i) {
            CAPTURE(net.layers[i].name);
            CHECK(fast.outputs[i].shape == *a.stages[i].output);
            CHECK(rel_l2(fast.outputs[i], ref.outputs[i]) < 1e-5);
        }
        // The last layer of a classifier is a probability distribution.
        if (net.layers.back().type == LayerType::Softmax) {
            double sum = 0;
            for (float v : fast.outputs.back().data) sum += v;
            CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
        }
    }
}

TEST_CASE("a second pass reuses the buffers and gives the same result") {
    const Network net = preset("alexnet-caffe");
    const Analysis a = analyze(net);
    const NetworkWeights w = make_seeded_weights(net, a);
    const Tensor in = test_input(net.input);
    auto cpu = make_cpu_backend();
    ForwardResult r;
    REQUIRE_FALSE(cpu->forward(net, a, w, in, r));
    const float* conv1 = r.outputs[0].ptr();
    const Tensor first = r.outputs.back();
    REQUIRE_FALSE(cpu->forward(net, a, w, in, r));
    CHECK(r.outputs[0].ptr() == conv1);
    CHECK(r.outputs.back().data == first.data);
}

TEST_CASE("the backend refuses invalid networks, wrong inputs and misfitting weights") {
    Network net = preset("lenet5");
    const Analysis a = analyze(net);
    NetworkWeights w = make_seeded_weights(net, a);
    auto cpu = make_cpu_backend();
    ForwardResult r;
    const auto wrong_input = cpu->forward(net, a, w, Tensor({3, 32, 32}), r);
    REQUIRE(wrong_input);
    CHECK(*wrong_input == "the input is 3×32×32, the network expects 1×32×32");
    NetworkWeights bad = w;
    bad.layers[0].weight_shape = {6, 1, 3, 3};
    const auto misfit = cpu->forward(net, a, bad, Tensor(net.input), r);
    REQUIRE(misfit);
    CHECK(*misfit == "c1.weight: expected shape (6, 1, 5, 5), got (6, 1, 3, 3)");
    Network broken = net;
    broken.input.h = 4;
    const auto invalid = cpu->forward(broken, analyze(broken), w, Tensor(broken.input), r);
    REQUIRE(invalid);
    CHECK(*invalid == "the network has invalid layers: fix them before running it");
}

}  // TEST_SUITE
