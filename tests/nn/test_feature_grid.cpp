// Feature-map grids and filter pictures: layout (near-square, 1-pixel gaps, nearest-neighbour enlargement),
// the value-to-colour mapping with its special cases (constant channels, NaN, ±∞), and the PNG that
// comes out of it.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "nn/feature_grid.h"
#include "nn/image.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;
using namespace convscope::test;

namespace {

std::array<int, 4> px(const FeatureGrid& g, int x, int y) {
    return {g.image.at(x, y, 0), g.image.at(x, y, 1), g.image.at(x, y, 2), g.image.at(x, y, 3)};
}

constexpr std::array<uint8_t, 4> kGap{1, 2, 3, 255};

}  // namespace

TEST_SUITE("feature_grid") {

TEST_CASE("five 2×3 channels: a 3 × 2 grid of 16× enlarged tiles with 1-pixel gaps") {
    Tensor t(Shape3{5, 2, 3});  // (C, H, W)
    for (int c = 0; c < 5; ++c)
        for (int i = 0; i < 6; ++i) t.data[c * 6 + i] = static_cast<float>(i) * (c + 1);
    GridOptions o;
    o.gap_rgba = kGap;
    const FeatureGrid g = render_feature_grid(t, o);
    REQUIRE_MESSAGE(g, g.error);
    // ⌈√5⌉ = 3 columns, 2 rows; scale ⌈32/2⌉ = 16 → tiles 48 × 32; 3·48 + 2 by 2·32 + 1.
    CHECK(g.columns == 3);
    CHECK(g.rows == 2);
    CHECK(g.scale == 16);
    CHECK(g.tile_width == 48);
    CHECK(g.tile_height == 32);
    CHECK(g.image.width == 146);
    CHECK(g.image.height == 65);
    CHECK(g.image.channels == 4);

    // Channel 0 runs 0…5: its first value black, its last white, value 2 → 2/5·255 = 102.
    CHECK(px(g, 0, 0) == std::array<int, 4>{0, 0, 0, 255});
    CHECK(px(g, 15, 15) == std::array<int, 4>{0, 0, 0, 255});
    CHECK(px(g, 47, 31) == std::array<int, 4>{255, 255, 255, 255});
    CHECK(px(g, 32, 0)[0] == 102);
    // Gaps and the unused sixth tile keep the gap colour.
    CHECK(px(g, 48, 0) == std::array<int, 4>{1, 2, 3, 255});
    CHECK(px(g, 0, 32) == std::array<int, 4>{1, 2, 3, 255});
    CHECK(px(g, 145, 64) == std::array<int, 4>{1, 2, 3, 255});
    // Channel 4 starts at (0, 33) and (per tile) also spans black to white.
    CHECK(px(g, 49 + 47, 33 + 31)[0] == 255);

    CHECK(g.tile_at(0, 0) == 0);
    CHECK(g.tile_at(47, 31) == 0);
    CHECK(g.tile_at(48, 5) == -1);
    CHECK(g.tile_at(49, 5) == 1);
    CHECK(g.tile_at(60, 40) == 4);
    CHECK(g.tile_at(100, 40) == -1);  // where a sixth tile would be
    CHECK(g.tile_at(-1, 0) == -1);
    CHECK(g.low[4] == 0.0f);
    CHECK(g.high[4] == 25.0f);
}

TEST_CASE("shared range, constant channels, NaN and infinities") {
    Tensor t(Shape3{3, 1, 2});
    // channel 0: 0, 1; channel 1: 0, 3; channel 2: constant 7.
    const float v[6] = {0, 1, 0, 3, 7, 7};
    std::copy(v, v + 6, t.data.begin());
    GridOptions o;
    o.min_tile = 1;
    o.gap = 0;
    FeatureGrid g = render_feature_grid(t, o);
    REQUIRE(g);
    CHECK(g.image.width == 2 * 2);
    CHECK(g.image.height == 2);
    CHECK(px(g, 1, 0)[0] == 255);  // per tile: channel 0's maximum is white
    CHECK(px(g, 0, 1)[0] == 128);  // the constant channel is mid-grey
    CHECK(px(g, 1, 1)[0] == 128);

    o.scaling = Scaling::Shared;  // one range 0…7
    g = render_feature_grid(t, o);
    CHECK(px(g, 1, 0)[0] == 36);   // 1/7·255 = 36.4
    CHECK(px(g, 3, 0)[0] == 109);  // 3/7·255 = 109.3
    CHECK(px(g, 0, 1)[0] == 255);  // the constant 7 is the shared maximum
    CHECK(g.low[0] == 0.0f);
    CHECK(g.high[2] == 7.0f);

    const float inf = std::numeric_limits<float>::infinity();
    Tensor bad(Shape3{2, 1, 3});
    const float b[6] = {std::nanf(""), 1, 2, inf, -inf, 5};
    std::copy(b, b + 6, bad.data.begin());
    o.scaling = Scaling::PerTile;
    o.colormap = Colormap::Viridis;
    g = render_feature_grid(bad, o);
    REQUIRE(g);
    CHECK(g.nonfinite == 3);
    CHECK(px(g, 0, 0) == std::array<int, 4>{255, 0, 255, 255});  // NaN: magenta
    CHECK(px(g, 1, 0) == std::array<int, 4>{68, 1, 84, 255});     // 1 is channel 0's finite minimum
    CHECK(px(g, 2, 0) == std::array<int, 4>{253, 231, 37, 255});  // 2 its maximum
    CHECK(px(g, 3, 0) == std::array<int, 4>{253, 231, 37, 255});  // +∞: the top of the map
    CHECK(px(g, 4, 0) == std::array<int, 4>{68, 1, 84, 255});     // −∞: the bottom
    CHECK(px(g, 5, 0) == std::array<int, 4>{128, 128, 128, 255});  // 5 alone: constant → grey

    // A channel of NaNs only, and extreme finite values whose difference overflows float.
    Tensor wild(Shape3{2, 1, 2});
    const float w[4] = {std::nanf(""), std::nanf(""), -3e38f, 3e38f};
    std::copy(w, w + 4, wild.data.begin());
    o.colormap = Colormap::Gray;
    g = render_feature_grid(wild, o);
    REQUIRE(g);
    CHECK(px(g, 2, 0)[0] == 0);
    CHECK(px(g, 3, 0)[0] == 255);
}

TEST_CASE("colour maps") {
    CHECK(colormap_rgb(Colormap::Gray, 0.5f) == std::array<uint8_t, 3>{128, 128, 128});
    CHECK(colormap_rgb(Colormap::Gray, -1.0f) == std::array<uint8_t, 3>{0, 0, 0});
    CHECK(colormap_rgb(Colormap::Gray, 2.0f) == std::array<uint8_t, 3>{255, 255, 255});
    // matplotlib's viridis at 0, ½ and 1: #440154, #21918c, #fde725.
    CHECK(colormap_rgb(Colormap::Viridis, 0.0f) == std::array<uint8_t, 3>{68, 1, 84});
    CHECK(colormap_rgb(Colormap::Viridis, 0.5f) == std::array<uint8_t, 3>{33, 145, 140});
    CHECK(colormap_rgb(Colormap::Viridis, 1.0f) == std::array<uint8_t, 3>{253, 231, 37});
    CHECK(colormap_rgb(Colormap::Viridis, std::nanf("")) == colormap_rgb(Colormap::Viridis, 0.0f));
    // Lightness rises monotonically along viridis (the point of a perceptual map).
    double last = -1;
    for (int i = 0; i <= 64; ++i) {
        const auto c = colormap_rgb(Colormap::Viridis, i / 64.0f);
        const double y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
        CHECK(y >= last);
        last = y;
    }
    CHECK(parse_colormap("viridis") == Colormap::Viridis);
    CHECK(parse_colormap(colormap_name(Colormap::Gray)) == Colormap::Gray);
    CHECK_FALSE(parse_colormap("jet"));
}

TEST_CASE("the diverging map: blue, white at zero, red, ranges symmetric around zero") {
    // Moreland's cool-warm blue and red at the ends, white in the middle, halfway between at ¼.
    CHECK(colormap_rgb(Colormap::Diverging, 0.0f) == std::array<uint8_t, 3>{59, 76, 192});
    CHECK(colormap_rgb(Colormap::Diverging, 0.5f) == std::array<uint8_t, 3>{255, 255, 255});
    CHECK(colormap_rgb(Colormap::Diverging, 1.0f) == std::array<uint8_t, 3>{180, 4, 38});
    CHECK(colormap_rgb(Colormap::Diverging, 0.25f) == std::array<uint8_t, 3>{157, 166, 224});
    CHECK(colormap_rgb(Colormap::Diverging, std::nanf("")) == colormap_rgb(Colormap::Diverging, 0.0f));
    CHECK(parse_colormap("diverging") == Colormap::Diverging);
    CHECK(colormap_name(Colormap::Diverging) == "diverging");

    // Channel 0: −2, 0, 1, 2 (m = 2); channel 1: 0, 1, 3, 4 (only positive: m = 4, 0 is still white);
    // channel 2: all zero, a dead channel, white.
    Tensor t(Shape3{3, 1, 4});
    const float v[12] = {-2, 0, 1, 2, 0, 1, 3, 4, 0, 0, 0, 0};
    std::copy(v, v + 12, t.data.begin());
    GridOptions o;
    o.colormap = Colormap::Diverging;
    o.min_tile = 1;
    o.gap = 0;
    o.columns = 1;
    FeatureGrid g = render_feature_grid(t, o);
    REQUIRE(g);
    using P = std::array<int, 4>;
    CHECK(px(g, 0, 0) == P{59, 76, 192, 255});
    CHECK(px(g, 1, 0) == P{255, 255, 255, 255});
    CHECK(px(g, 3, 0) == P{180, 4, 38, 255});
    CHECK(g.low[0] == -2.0f);
    CHECK(g.high[0] == 2.0f);
    CHECK(g.low[1] == -4.0f);
    CHECK(px(g, 0, 1) == P{255, 255, 255, 255});
    CHECK(px(g, 3, 1) == P{180, 4, 38, 255});
    for (int x = 0; x < 4; ++x) CHECK(px(g, x, 2) == P{255, 255, 255, 255});

    // Shared: one range −4 … 4, so channel 0's −2 is a quarter of the way up.
    o.scaling = Scaling::Shared;
    g = render_feature_grid(t, o);
    REQUIRE(g);
    CHECK(g.low[0] == -4.0f);
    CHECK(g.high[2] == 4.0f);
    CHECK(px(g, 0, 0) == P{157, 166, 224, 255});
    CHECK(px(g, 3, 1) == P{180, 4, 38, 255});
}

TEST_CASE("layout options and limits") {
    Tensor t(Shape3{10, 4, 4}, 1.0f);
    GridOptions o;
    o.columns = 5;
    o.max_channels = 7;
    o.min_tile = 8;
    o.gap = 2;
    FeatureGrid g = render_feature_grid(t, o);
    REQUIRE(g);
    CHECK(g.tiles == 7);
    CHECK(g.columns == 5);
    CHECK(g.rows == 2);
    CHECK(g.image.width == 5 * 8 + 4 * 2);
    CHECK(g.image.height == 2 * 8 + 2);

    // fc outputs (N, 1, 1): 64 columns of 32-pixel tiles.
    g = render_feature_grid(Tensor(Shape3{4096, 1, 1}), GridOptions{});
    REQUIRE(g);
    CHECK(g.columns == 64);
    CHECK(g.image.width == 64 * 32 + 63);

    // Enlargement shrinks to fit the size limit, and a grid too large even at 1× is refused.
    o = GridOptions{};
    o.max_side = 100;
    g = render_feature_grid(Tensor(Shape3{4, 10, 10}), o);
    REQUIRE(g);
    CHECK(g.scale == 4);  // 2·10·4 + 1 = 81 ≤ 100, ×5 would be 101
    g = render_feature_grid(Tensor(Shape3{1, 200, 10}), o);
    CHECK_FALSE(g);
    CHECK(contains(g.error, "more than the limit"));

    CHECK_FALSE(render_feature_grid(Tensor(Shape3{0, 3, 3})));
    Tensor broken(Shape3{2, 2, 2});
    broken.data.resize(3);
    CHECK(contains(render_feature_grid(broken).error, "cannot draw"));
}

TEST_CASE("the grid as a PNG file") {
    Tensor t(Shape3{3, 5, 5});
    for (size_t i = 0; i < t.size(); ++i) t.data[i] = static_cast<float>(i % 7);
    GridOptions o;
    o.colormap = Colormap::Viridis;
    const FeatureGrid g = render_feature_grid(t, o);
    REQUIRE(g);
    TempDir dir;
    const std::string path = dir.file("grid.png");
    std::string err;
    REQUIRE_MESSAGE(save_png(path, g.image, err), err);
    const auto back = load_image(path);
    REQUIRE_MESSAGE(back, back.error);
    // 2 × 2 grid of 35-pixel tiles (scale ⌈32/5⌉ = 7); every pixel opaque, so the RGB comes back unchanged.
    CHECK(back.image->width == 71);
    CHECK(back.image->height == 71);
    for (auto [x, y] : {std::pair{0, 0}, {34, 34}, {40, 3}, {70, 70}, {10, 50}})
        for (int c = 0; c < 3; ++c) CHECK(back.image->at(x, y, c) == g.image.at(x, y, c));
}

TEST_CASE("first-layer filters as colour tiles, zero at mid-grey") {
    // Two filters (out 2, in 3, 1 × 2). Filter 0: R [1, −1], G [0, 0], B [0, 0.5]; filter 1: all 0.25.
    const std::vector<float> w = {1, -1, 0, 0, 0, 0.5f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f};
    FilterOptions o;
    o.gap_rgba = kGap;
    FeatureGrid g = render_filters(w, {2, 3, 1, 2}, o);
    REQUIRE_MESSAGE(g, g.error);
    CHECK(g.scale == 32);
    CHECK(g.image.width == 2 * 64 + 1);
    CHECK(g.image.height == 32);
    // ½ + ½·w/1: 1 → 255, 0 → 128 (127.5 rounds up), −1 → 0, 0.5 → 191.
    CHECK(px(g, 0, 0) == std::array<int, 4>{255, 128, 128, 255});
    CHECK(px(g, 32, 0) == std::array<int, 4>{0, 128, 191, 255});
    CHECK(px(g, 64, 0) == std::array<int, 4>{1, 2, 3, 255});
    CHECK(px(g, 65, 0) == std::array<int, 4>{255, 255, 255, 255});  // filter 1 scaled by its own 0.25
    CHECK(g.low[0] == -1.0f);
    CHECK(g.high[1] == 0.25f);

    o.scaling = Scaling::Shared;  // 0.25 of a shared 1 → 0.625·255 = 159
    g = render_filters(w, {2, 3, 1, 2}, o);
    CHECK(px(g, 65, 0) == std::array<int, 4>{159, 159, 159, 255});

    o.scaling = Scaling::PerTile;
    o.bgr = true;  // channel 0 is blue
    g = render_filters(w, {2, 3, 1, 2}, o);
    CHECK(px(g, 0, 0) == std::array<int, 4>{128, 128, 255, 255});

    // Gray filters and an all-zero filter.
    g = render_filters(std::vector<float>{-2, 2, 0, 0}, {2, 1, 1, 2});
    REQUIRE(g);
    CHECK(px(g, 0, 0) == std::array<int, 4>{0, 0, 0, 255});
    CHECK(px(g, 32, 0) == std::array<int, 4>{255, 255, 255, 255});
    CHECK(px(g, 65, 0) == std::array<int, 4>{128, 128, 128, 255});

    CHECK(contains(render_filters(w, {2, 2, 1, 3}).error, "(out, 3 or 1, kh, kw)"));
    CHECK(contains(render_filters(w, {3, 3, 1, 2}).error, "needs 18"));
    CHECK_FALSE(render_filters(w, {12}));
}

}  // TEST_SUITE
