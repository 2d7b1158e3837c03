// The input region behind one output position, worked out by hand: AlexNet's first layers (with their
// strides, ceil-mode pools and padding), dilation, adaptive pools, fc layers, and the edge cases.
#include <doctest/doctest.h>

#include "support.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/receptive_field.h"
#include "core/shape_engine.h"

using namespace convscope;
using convscope::test::net_of;
using convscope::test::preset;

namespace {

int index_of(const Network& n, const std::string& name) {
    for (size_t i = 0; i < n.layers.size(); ++i)
        if (n.layers[i].name == name) return static_cast<int>(i);
    FAIL("no layer " << name);
    return -1;
}

// Rows and columns, inclusive: {y0, y1, x0, x1}.
std::array<int64_t, 4> span(const std::optional<InputRegion>& r) {
    REQUIRE(r.has_value());
    return {r->y0, r->y1, r->x0, r->x1};
}

Layer window(LayerType type, int k, int s, int p, int d = 1) {
    Layer l;
    l.type = type;
    l.out = 4;
    l.kernel = {k, k};
    l.stride = {s, s};
    l.pad = {p, p, p, p};
    l.dilation = {d, d};
    return l;
}

Layer simple(LayerType type, int out = 0) {
    Layer l;
    l.type = type;
    l.out = out;
    return l;
}

using Q = std::array<int64_t, 4>;

}  // namespace

TEST_SUITE("receptive_field") {

TEST_CASE("AlexNet (Caffe, 227): conv1, pool1 and conv2 at the corner and inside") {
    const Network n = preset("alexnet-caffe");
    const Analysis a = analyze(n);
    REQUIRE(a.valid());
    const int conv1 = index_of(n, "conv1"), norm1 = index_of(n, "norm1"), pool1 = index_of(n, "pool1"),
              conv2 = index_of(n, "conv2");
    // conv1: 11 × 11 windows, stride 4, no padding: output 0 reads rows 0 … 10, output 54 rows 216 … 226.
    CHECK(span(input_region(n, a, conv1, 0, 0)) == Q{0, 10, 0, 10});
    CHECK(span(input_region(n, a, conv1, 54, 54)) == Q{216, 226, 216, 226});
    CHECK(span(input_region(n, a, conv1, 1, 2)) == Q{4, 14, 8, 18});
    // relu and lrn keep the position.
    CHECK(span(input_region(n, a, norm1, 1, 2)) == Q{4, 14, 8, 18});
    // pool1: 3 × 3, stride 2 over conv1 rows 0 … 2 → input rows 0 … 2·4 + 10 = 18 (19 pixels, the
    // receptive field the shape engine gives).
    CHECK(span(input_region(n, a, pool1, 0, 0)) == Q{0, 18, 0, 18});
    CHECK(a.stages[static_cast<size_t>(pool1)].rf.size_h == 19);
    // The last pool1 output (ceil mode, 27 of them) reads conv1 52 … 54 → input 208 … 226.
    CHECK(span(input_region(n, a, pool1, 26, 26)) == Q{208, 226, 208, 226});
    // conv2: 5 × 5, pad 2. At the corner pool1 rows −2 … 2 are clipped to 0 … 2 → conv1 0 … 6 →
    // input 0 … 34: only 35 of the 51 pixels of its receptive field lie in the image.
    CHECK(span(input_region(n, a, conv2, 0, 0)) == Q{0, 34, 0, 34});
    // Inside, the whole 51-pixel field: pool1 11 … 15 → conv1 22 … 32 → input 88 … 138.
    CHECK(span(input_region(n, a, conv2, 13, 13)) == Q{88, 138, 88, 138});
    CHECK(a.stages[static_cast<size_t>(conv2)].rf.size_h == 51);
    // fc6 and everything after it depend on the whole image.
    const auto fc6 = input_region(n, a, index_of(n, "fc6"), 0, 0);
    CHECK(span(fc6) == Q{0, 226, 0, 226});
    CHECK(fc6->whole);
    CHECK(input_region(n, a, index_of(n, "prob"), 0, 0)->whole);
    CHECK_FALSE(input_region(n, a, conv2, 0, 0)->whole);
}

TEST_CASE("the input stage is the pixel itself, positions outside the output give nothing") {
    const Network n = preset("alexnet-caffe");
    const Analysis a = analyze(n);
    CHECK(span(input_region(n, a, -1, 5, 7)) == Q{5, 5, 7, 7});
    CHECK_FALSE(input_region(n, a, -1, 227, 0));
    CHECK_FALSE(input_region(n, a, 0, 55, 0));
    CHECK_FALSE(input_region(n, a, 0, 0, -1));
    CHECK_FALSE(input_region(n, a, -2, 0, 0));
    CHECK_FALSE(input_region(n, a, static_cast<int>(n.layers.size()), 0, 0));
}

TEST_CASE("a stride that stops short of the edge: fc sees all but the uncovered last row") {
    // 224 with 11 × 11 windows at stride 4: 54 outputs reach row 53·4 + 10 = 222, never 223.
    const Network n = net_of({1, 224, 224}, {window(LayerType::Conv, 11, 4, 0), simple(LayerType::Fc, 10)});
    const Analysis a = analyze(n);
    REQUIRE(a.valid());
    const auto r = input_region(n, a, 1, 0, 0);  // fc outputs are (N, 1, 1): every unit is at (0, 0)
    CHECK(span(r) == Q{0, 222, 0, 222});
    CHECK(r->whole);
}

TEST_CASE("dilation widens the window, padding is clipped away") {
    // 3 × 3 taps two pixels apart (an effective 5 × 5), padding 2: output 0 reads −2 … 2 → 0 … 2.
    const Network n = net_of({1, 10, 10}, {window(LayerType::Conv, 3, 1, 2, 2)});
    const Analysis a = analyze(n);
    REQUIRE(a.valid());
    CHECK(span(input_region(n, a, 0, 0, 0)) == Q{0, 2, 0, 2});
    CHECK(span(input_region(n, a, 0, 5, 4)) == Q{3, 7, 2, 6});
    CHECK(span(input_region(n, a, 0, 9, 9)) == Q{7, 9, 7, 9});
}

TEST_CASE("rectangular windows, strides and padding per side") {
    Layer l = window(LayerType::Conv, 1, 1, 0);
    l.kernel = {3, 5};
    l.stride = {1, 2};
    l.pad = {1, 0, 1, 0};  // top, left, bottom, right
    const Network n = net_of({1, 8, 11}, {l});
    const Analysis a = analyze(n);
    REQUIRE(a.valid());
    CHECK(span(input_region(n, a, 0, 0, 0)) == Q{0, 1, 0, 4});
    CHECK(span(input_region(n, a, 0, 7, 3)) == Q{6, 7, 6, 10});
}

TEST_CASE("average pool and adaptive average pool") {
    Layer ad = simple(LayerType::AdaptiveAvgPool);
    ad.output_size = {6, 6};
    const Network n = net_of({1, 26, 26}, {window(LayerType::AvgPool, 2, 2, 0), ad});
    const Analysis a = analyze(n);
    REQUIRE(a.valid());
    CHECK(span(input_region(n, a, 0, 12, 0)) == Q{24, 25, 0, 1});
    // 13 → 6: window 0 is 0 … 2 (⌈13/6⌉ = 3), window 1 is 2 … 4, window 5 is 10 … 12.
    // Through the 2 × 2 pool: 0 … 5, 4 … 9, 20 … 25.
    CHECK(span(input_region(n, a, 1, 0, 1)) == Q{0, 5, 4, 9});
    CHECK(span(input_region(n, a, 1, 5, 5)) == Q{20, 25, 20, 25});
    CHECK_FALSE(input_region(n, a, 1, 0, 0)->whole);
}

TEST_CASE("a network that fails to analyse gives no region") {
    const Network n = net_of({1, 4, 4}, {window(LayerType::Conv, 7, 1, 0)});
    const Analysis a = analyze(n);
    REQUIRE_FALSE(a.valid());
    CHECK_FALSE(input_region(n, a, 0, 0, 0));
    CHECK(span(input_region(n, a, -1, 0, 0)) == Q{0, 0, 0, 0});
}

}  // TEST_SUITE
