// The forward pass's file writers — safetensors weights, .npy tensors, PNG images — in a read-only
// directory and on a full disk (tests/write_failures.h): each returns the path and the reason, the
// file that was there keeps its bytes, and no temporary file is left.
#include <doctest/doctest.h>

#include <string>

#include "core/shape_engine.h"
#include "nn/image.h"
#include "nn/npy.h"
#include "nn/safetensors.h"
#include "nn/weight_init.h"
#include "support.h"
#include "write_failures.h"

using namespace convscope;
using namespace convscope::test;

namespace {

Network small_net() {
    Layer conv;
    conv.type = LayerType::Conv;
    conv.out = 4;
    conv.kernel = {3, 3};
    Layer fc;
    fc.type = LayerType::Fc;
    fc.out = 5;
    return net_of({2, 6, 6}, {conv, fc});
}

}  // namespace

TEST_SUITE("nn_write_failures") {

TEST_CASE("save_safetensors_weights under a fault keeps the old weights file, which still loads") {
    const Network net = small_net();
    const Analysis a = analyze(net);
    nn::InitOptions o1, o2;
    o1.seed = 1;
    o2.seed = 2;
    const nn::NetworkWeights old_w = nn::make_seeded_weights(net, a, o1), new_w = nn::make_seeded_weights(net, a, o2);
    const auto save = [&](const std::string& path, const nn::NetworkWeights& w) {
        const auto e = nn::save_safetensors_weights(net, w, path, nn::SafetensorsNaming::Plain);
        return SaveOutcome{!e, e.value_or("")};
    };
    check_overwrite_refused("weights.safetensors", old_w, new_w, save, [&](const std::string& path) {
        const nn::SafetensorsWeights back = nn::load_safetensors_weights(net, a, path);
        REQUIRE_MESSAGE(back.ok(), back.error);
        CHECK(same_values(back.weights.layers[0].weight, old_w.layers[0].weight));
        CHECK_FALSE(same_values(back.weights.layers[0].weight, new_w.layers[0].weight));
    });
}

TEST_CASE("write_npy under a fault keeps the old tensor file") {
    nn::Tensor old_t(Shape3{1, 2, 3}), new_t(Shape3{2, 4, 4});
    for (size_t i = 0; i < old_t.size(); ++i) old_t.data[i] = static_cast<float>(i);
    for (size_t i = 0; i < new_t.size(); ++i) new_t.data[i] = -static_cast<float>(i);
    check_overwrite_refused("conv1.npy", old_t, new_t, reporting(&nn::write_npy), [&](const std::string& path) {
        const nn::NpyResult back = nn::read_npy(path);
        REQUIRE_MESSAGE(back.tensor, back.error);
        CHECK(back.tensor->shape == old_t.shape);
        CHECK(same_values(back.tensor->data, old_t.data));
    });
}

TEST_CASE("save_png under a fault keeps the old image") {
    const nn::Image old_img(3, 2, 3, 40), new_img(8, 8, 4, 200);
    check_overwrite_refused("maps.png", old_img, new_img, reporting(&nn::save_png), [](const std::string& path) {
        const nn::ImageResult back = nn::load_image(path);
        REQUIRE_MESSAGE(back, back.error);
        CHECK(back.image->width == 3);
        CHECK(back.image->height == 2);
        CHECK(back.image->at(2, 1, 0) == 40);
    });
}

}  // TEST_SUITE("nn_write_failures")
