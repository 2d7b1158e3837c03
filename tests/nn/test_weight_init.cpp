// Seeded weights: deterministic, independent per layer, regenerated only where an edit needs it, with
// He-normal statistics, and the designed first-layer filter bank.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "nn/weight_init.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;
using convscope::test::preset;

TEST_SUITE("weight_init") {

TEST_CASE("the same seed gives the same weights, another seed other weights") {
    const Network net = preset("alexnet-caffe");
    const Analysis a = analyze(net);
    const NetworkWeights w1 = make_seeded_weights(net, a, {1, true});
    const NetworkWeights w2 = make_seeded_weights(net, a, {1, true});
    const NetworkWeights w3 = make_seeded_weights(net, a, {2, true});
    CHECK(w1.layers[4].weight == w2.layers[4].weight);
    CHECK(w1.layers[4].weight != w3.layers[4].weight);
    CHECK(w1.layers[0].weight == w3.layers[0].weight);  // designed, not drawn from the seed
    CHECK(w1.designed_first_conv);
    CHECK(w1.origin == "seeded He-normal (seed 1), first convolution designed (Gabor edges, colour-opponent blobs)");
    CHECK(w1.layers[4].weight_shape == std::vector<int64_t>{256, 48, 5, 5});
    CHECK(w1.layers[1].weight.empty());  // relu
    CHECK(w1.layers[15].bias.size() == 4096);
}

TEST_CASE("He-normal: mean near 0 and standard deviation near √(2 / fan_in)") {
    const Network net = preset("alexnet-caffe");
    const Analysis a = analyze(net);
    const NetworkWeights w = make_seeded_weights(net, a);
    for (size_t i : {size_t{4}, size_t{8}, size_t{15}}) {
        const auto& lw = w.layers[i];
        const double fan_in = double(lw.weight.size()) / double(lw.weight_shape[0]);
        double sum = 0, sq = 0;
        for (float v : lw.weight) {
            sum += v;
            sq += double(v) * v;
        }
        const double n = double(lw.weight.size());
        const double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
        CAPTURE(net.layers[i].name);
        CHECK(std::abs(mean) < 0.01 * sd);
        CHECK(sd == doctest::Approx(std::sqrt(2.0 / fan_in)).epsilon(0.01));
    }
}

TEST_CASE("editing one layer regenerates only the layers whose shapes changed") {
    Network net = preset("alexnet-caffe");
    NetworkWeights w = make_seeded_weights(net, analyze(net));
    const auto conv1 = w.layers[0].weight;
    const auto conv3 = w.layers[8].weight;
    net.layers[4].out = 128;  // conv2: 256 → 128 filters changes conv2 itself and conv3's input
    const Analysis a = analyze(net);
    CHECK(update_seeded_weights(net, a, {}, w) == 2);
    CHECK(w.layers[0].weight == conv1);
    CHECK(w.layers[4].weight_shape == std::vector<int64_t>{128, 48, 5, 5});
    CHECK(w.layers[8].weight_shape == std::vector<int64_t>{384, 128, 3, 3});
    CHECK(w.layers[8].weight != conv3);
    CHECK_FALSE(check_weights(net, a, w));
    CHECK(update_seeded_weights(net, a, {}, w) == 0);
}

TEST_CASE("a layer's weights depend only on the seed, its position and its shape") {
    Network net = preset("alexnet-caffe");
    const NetworkWeights before = make_seeded_weights(net, analyze(net));
    net.layers[21].out = 10;  // fc8 → 10 classes
    const NetworkWeights after = make_seeded_weights(net, analyze(net));
    CHECK(after.layers[4].weight == before.layers[4].weight);
    CHECK(after.layers[19].weight == before.layers[19].weight);
}

TEST_CASE("the designed bank: a colour-blind half and a colour-opponent half, each filter zero-mean with norm √2") {
    const int64_t k = 11, out = 96;
    const auto w = designed_rgb_filters(out, k);  // (96, 3, 11, 11)
    REQUIRE(w.size() == size_t(out * 3 * k * k));
    for (int64_t f = 0; f < out; ++f) {
        const float* filt = w.data() + f * 3 * k * k;
        double sum = 0, sq = 0;
        for (int64_t i = 0; i < 3 * k * k; ++i) {
            sum += filt[i];
            sq += double(filt[i]) * filt[i];
        }
        CAPTURE(f);
        CHECK(std::abs(sum) < 1e-4);
        CHECK(sq == doctest::Approx(2.0).epsilon(1e-4));
        double max_channel_gap = 0, max_colour_sum = 0;
        for (int64_t p = 0; p < k * k; ++p) {
            const double r = filt[p], g = filt[k * k + p], b = filt[2 * k * k + p];
            max_channel_gap = std::max({max_channel_gap, std::abs(r - g), std::abs(g - b)});
            max_colour_sum = std::max(max_colour_sum, std::abs(r + g + b));
        }
        if (f < out / 2)
            CHECK(max_channel_gap < 1e-6);  // the same pattern in R, G and B: sees brightness only
        else
            CHECK(max_colour_sum < 1e-5);   // colours cancel at every pixel: sees colour contrast only
    }
}

TEST_CASE("networks without an RGB first convolution get random filters only") {
    const Network net = preset("lenet5");
    const NetworkWeights w = make_seeded_weights(net, analyze(net));
    CHECK_FALSE(w.designed_first_conv);
    CHECK(w.origin == "seeded He-normal (seed 1)");
}

}  // TEST_SUITE
