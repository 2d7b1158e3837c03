#include "nn/feature_grid.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace convscope::nn {

namespace {

// Viridis sampled at 17 evenly spaced points (matplotlib's map by Nathaniel J. Smith, Stéfan van der Walt
// and Eric Firing, released under CC0). Linear interpolation between these stays within about 1/255 of
// the full 256-entry table.
constexpr float kViridis[17][3] = {
    {0.267004f, 0.004874f, 0.329415f}, {0.282327f, 0.094955f, 0.417331f}, {0.278826f, 0.175490f, 0.483397f},
    {0.258965f, 0.251537f, 0.524736f}, {0.229739f, 0.322361f, 0.545706f}, {0.199430f, 0.387607f, 0.554642f},
    {0.172719f, 0.448791f, 0.557885f}, {0.149039f, 0.508051f, 0.557250f}, {0.127568f, 0.566949f, 0.550556f},
    {0.120638f, 0.625828f, 0.533488f}, {0.157851f, 0.683765f, 0.501686f}, {0.246070f, 0.738910f, 0.452024f},
    {0.369214f, 0.788888f, 0.382914f}, {0.515992f, 0.831158f, 0.294279f}, {0.678489f, 0.863742f, 0.189503f},
    {0.845561f, 0.887322f, 0.099702f}, {0.993248f, 0.906157f, 0.143936f}};

// The diverging map's ends: the blue and red of Kenneth Moreland's cool-warm map ("Diverging Color Maps
// for Scientific Visualization", 2009), here meeting at white so that zero reads as "nothing".
constexpr float kDivergingLow[3] = {0.230f, 0.299f, 0.754f};
constexpr float kDivergingHigh[3] = {0.706f, 0.016f, 0.150f};

constexpr std::array<uint8_t, 3> kMidGrey{128, 128, 128};
constexpr std::array<uint8_t, 3> kNanColour{255, 0, 255};  // magenta: in neither colour map

uint8_t byte_of(float v) { return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); }

struct Layout {
    int columns = 0, rows = 0, tile_w = 0, tile_h = 0, scale = 1, gap = 0, width = 0, height = 0;
};

// Near-square columns, then the largest enlargement ≤ the wanted one that fits max_side.
std::optional<Layout> plan(int tiles, int64_t h, int64_t w, int columns, int min_tile, int gap, int max_side,
                           std::string& error) {
    Layout L;
    L.gap = std::clamp(gap, 0, 64);
    L.columns = columns > 0 ? std::min(columns, tiles)
                            : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(tiles)) - 1e-9));
    L.columns = std::max(L.columns, 1);
    L.rows = (tiles + L.columns - 1) / L.columns;
    const int64_t shorter = std::max<int64_t>(std::min(h, w), 1);
    int64_t scale = std::max<int64_t>(1, (std::clamp(min_tile, 1, 1024) + shorter - 1) / shorter);
    auto side = [&](int64_t n, int64_t len, int64_t s) { return n * len * s + (n - 1) * L.gap; };
    while (scale > 1 && (side(L.columns, w, scale) > max_side || side(L.rows, h, scale) > max_side)) --scale;
    const int64_t width = side(L.columns, w, scale), height = side(L.rows, h, scale);
    if (width > max_side || height > max_side) {
        error = "the grid would be " + std::to_string(width) + " × " + std::to_string(height) +
                " pixels, more than the limit of " + std::to_string(max_side) + " a side (draw fewer channels)";
        return std::nullopt;
    }
    L.scale = static_cast<int>(scale);
    L.tile_w = static_cast<int>(w * scale);
    L.tile_h = static_cast<int>(h * scale);
    L.width = static_cast<int>(width);
    L.height = static_cast<int>(height);
    return L;
}

FeatureGrid start(const Layout& L, int tiles, const std::array<uint8_t, 4>& gap_rgba) {
    FeatureGrid g;
    g.image = Image(L.width, L.height, 4);
    for (size_t i = 0; i < g.image.pixels.size(); i += 4)
        std::copy(gap_rgba.begin(), gap_rgba.end(), g.image.pixels.begin() + static_cast<std::ptrdiff_t>(i));
    g.columns = L.columns;
    g.rows = L.rows;
    g.tiles = tiles;
    g.tile_width = L.tile_w;
    g.tile_height = L.tile_h;
    g.scale = L.scale;
    g.gap = L.gap;
    return g;
}

// Paints source pixel (x, y) of tile t as a scale × scale block.
void paint(FeatureGrid& g, int t, int64_t x, int64_t y, const std::array<uint8_t, 3>& rgb) {
    const int ox = (t % g.columns) * (g.tile_width + g.gap) + static_cast<int>(x) * g.scale;
    const int oy = (t / g.columns) * (g.tile_height + g.gap) + static_cast<int>(y) * g.scale;
    for (int dy = 0; dy < g.scale; ++dy) {
        uint8_t* p = &g.image.pixels[(static_cast<size_t>(oy + dy) * g.image.width + ox) * 4];
        for (int dx = 0; dx < g.scale; ++dx, p += 4) {
            p[0] = rgb[0];
            p[1] = rgb[1];
            p[2] = rgb[2];
            p[3] = 255;
        }
    }
}

}  // namespace

std::string_view colormap_name(Colormap m) {
    switch (m) {
        case Colormap::Gray: return "gray";
        case Colormap::Viridis: return "viridis";
        case Colormap::Diverging: return "diverging";
    }
    return "gray";
}

std::optional<Colormap> parse_colormap(std::string_view s) {
    if (s == "gray" || s == "grey") return Colormap::Gray;
    if (s == "viridis") return Colormap::Viridis;
    if (s == "diverging") return Colormap::Diverging;
    return std::nullopt;
}

std::array<uint8_t, 3> colormap_rgb(Colormap m, float t) {
    if (!(t >= 0.0f)) t = 0.0f;  // also NaN
    if (t > 1.0f) t = 1.0f;
    if (m == Colormap::Gray) {
        const uint8_t v = byte_of(t);
        return {v, v, v};
    }
    if (m == Colormap::Diverging) {
        // Linear from the blue end to white over [0, ½], from white to the red end over [½, 1].
        const float* end = t < 0.5f ? kDivergingLow : kDivergingHigh;
        const float a = std::abs(t - 0.5f) * 2.0f;  // 0 at white, 1 at either end
        return {byte_of(1.0f + a * (end[0] - 1.0f)), byte_of(1.0f + a * (end[1] - 1.0f)),
                byte_of(1.0f + a * (end[2] - 1.0f))};
    }
    const float f = t * 16.0f;
    const int i = std::min(static_cast<int>(f), 15);
    const float a = f - static_cast<float>(i);
    std::array<uint8_t, 3> out{};
    for (int c = 0; c < 3; ++c) out[c] = byte_of(kViridis[i][c] + a * (kViridis[i + 1][c] - kViridis[i][c]));
    return out;
}

int FeatureGrid::tile_at(int x, int y) const {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height || tile_width < 1 || tile_height < 1) return -1;
    const int cx = x / (tile_width + gap), cy = y / (tile_height + gap);
    if (x % (tile_width + gap) >= tile_width || y % (tile_height + gap) >= tile_height) return -1;
    const int t = cy * columns + cx;
    return cx < columns && t < tiles ? t : -1;
}

FeatureGrid render_feature_grid(const Tensor& act, const GridOptions& opt) {
    FeatureGrid fail;
    const Shape3 s = act.shape;  // (C, H, W)
    if (s.c < 1 || s.h < 1 || s.w < 1 || act.size() != static_cast<size_t>(s.count())) {
        fail.error = "cannot draw a tensor of shape " + shape_text(s) + " with " + std::to_string(act.size()) +
                     " values";
        return fail;
    }
    const int64_t n64 = opt.max_channels > 0 ? std::min<int64_t>(opt.max_channels, s.c) : s.c;
    if (n64 > 1 << 20) {
        fail.error = "cannot draw " + std::to_string(n64) + " channels";
        return fail;
    }
    const int n = static_cast<int>(n64);
    const auto L = plan(n, s.h, s.w, opt.columns, opt.min_tile, opt.gap, std::max(opt.max_side, 1), fail.error);
    if (!L) return fail;
    FeatureGrid g = start(*L, n, opt.gap_rgba);

    // The ranges: per tile from its finite values; Shared: one range over every tile drawn.
    const int64_t hw = s.h * s.w;
    g.low.assign(static_cast<size_t>(n), std::numeric_limits<float>::quiet_NaN());
    g.high.assign(static_cast<size_t>(n), std::numeric_limits<float>::quiet_NaN());
    for (int c = 0; c < n; ++c) {
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (const float* p = act.channel(c); p != act.channel(c) + hw; ++p) {
            if (std::isfinite(*p)) {
                lo = std::min(lo, *p);
                hi = std::max(hi, *p);
            } else {
                ++g.nonfinite;
            }
        }
        if (lo <= hi) {
            g.low[c] = lo;
            g.high[c] = hi;
        }
    }
    if (opt.scaling == Scaling::Shared) {
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (int c = 0; c < n; ++c)
            if (std::isfinite(g.low[c])) {
                lo = std::min(lo, g.low[c]);
                hi = std::max(hi, g.high[c]);
            }
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::fill(g.low.begin(), g.low.end(), lo <= hi ? lo : nan);
        std::fill(g.high.begin(), g.high.end(), lo <= hi ? hi : nan);
    }
    const bool diverging = opt.colormap == Colormap::Diverging;
    if (diverging)
        for (int c = 0; c < n; ++c)
            if (std::isfinite(g.low[c])) {
                const float m = std::max(std::abs(g.low[c]), std::abs(g.high[c]));
                g.low[c] = -m;
                g.high[c] = m;
            }

    // A channel whose whole range is rounding noise next to the layer's values is drawn flat, not
    // stretched into a pattern that is not there.
    double magnitude = 0;
    for (int c = 0; c < n; ++c)
        if (std::isfinite(g.low[c]))
            magnitude = std::max({magnitude, std::fabs(double(g.low[c])), std::fabs(double(g.high[c]))});
    for (int c = 0; c < n; ++c) {
        const float lo = g.low[c], hi = g.high[c];
        // Computed in double: hi − lo of two large floats of opposite sign can overflow float.
        const double span = static_cast<double>(hi) - lo;
        const bool flat = !(span > 1e-5 * magnitude) || !(span > 0.0);  // also when no value is finite
        const float* p = act.channel(c);
        for (int64_t y = 0; y < s.h; ++y)
            for (int64_t x = 0; x < s.w; ++x) {
                const float v = p[y * s.w + x];
                std::array<uint8_t, 3> rgb;
                if (std::isnan(v)) rgb = kNanColour;
                else if (std::isinf(v)) rgb = colormap_rgb(opt.colormap, v > 0 ? 1.0f : 0.0f);
                else if (flat) rgb = diverging ? colormap_rgb(opt.colormap, 0.5f) : kMidGrey;
                else rgb = colormap_rgb(opt.colormap, static_cast<float>((v - static_cast<double>(lo)) / span));
                paint(g, c, x, y, rgb);
            }
    }
    return g;
}

FeatureGrid render_filters(std::span<const float> weight, const std::vector<int64_t>& shape,
                           const FilterOptions& opt) {
    FeatureGrid fail;
    if (shape.size() != 4 || shape[0] < 1 || (shape[1] != 1 && shape[1] != 3) || shape[2] < 1 || shape[3] < 1 ||
        shape[0] > (1 << 16) || shape[2] > 1024 || shape[3] > 1024) {
        fail.error = "filters are drawn from a weight of shape (out, 3 or 1, kh, kw)";
        return fail;
    }
    const int64_t out = shape[0], in = shape[1], kh = shape[2], kw = shape[3];
    const int64_t per = in * kh * kw;
    if (weight.size() != static_cast<size_t>(out * per)) {
        fail.error = "the weight has " + std::to_string(weight.size()) + " values, its shape needs " +
                     std::to_string(out * per);
        return fail;
    }
    const int n = static_cast<int>(out);
    const auto L = plan(n, kh, kw, opt.columns, opt.min_tile, opt.gap, 8192, fail.error);
    if (!L) return fail;
    FeatureGrid g = start(*L, n, opt.gap_rgba);

    // m per filter from its finite weights; Shared takes the largest over all filters.
    std::vector<float> m(static_cast<size_t>(n), 0.0f);
    for (int f = 0; f < n; ++f)
        for (int64_t i = 0; i < per; ++i) {
            const float v = weight[static_cast<size_t>(f * per + i)];
            if (std::isfinite(v)) m[f] = std::max(m[f], std::abs(v));
            else ++g.nonfinite;
        }
    if (opt.scaling == Scaling::Shared) std::fill(m.begin(), m.end(), *std::max_element(m.begin(), m.end()));
    g.low.resize(static_cast<size_t>(n));
    g.high.resize(static_cast<size_t>(n));
    for (int f = 0; f < n; ++f) {
        g.low[f] = -m[f];
        g.high[f] = m[f];
    }

    auto level = [](float v, float mf) -> float {
        if (std::isinf(v)) return v > 0 ? 1.0f : 0.0f;
        return mf > 0.0f ? 0.5f + 0.5f * v / mf : 0.5f;
    };
    for (int f = 0; f < n; ++f) {
        const float* w = weight.data() + f * per;
        for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x) {
                std::array<uint8_t, 3> rgb{};
                bool nan = false;
                for (int64_t c = 0; c < 3; ++c) {
                    // Gray filters repeat their one channel; BGR filters are drawn with channel 0 as blue.
                    const int64_t src = in == 1 ? 0 : (opt.bgr ? 2 - c : c);
                    const float v = w[(src * kh + y) * kw + x];
                    nan |= std::isnan(v);
                    rgb[static_cast<size_t>(c)] = byte_of(level(v, m[f]));
                }
                paint(g, f, x, y, nan ? kNanColour : rgb);
            }
    }
    return g;
}

Tensor vector_as_map(const Tensor& t) {
    if (!(t.shape.h == 1 && t.shape.w == 1 && t.shape.c > 1)) return t;
    const int64_t rows = std::max<int64_t>(1, static_cast<int64_t>(std::sqrt(static_cast<double>(t.shape.c))));
    const int64_t cols = (t.shape.c + rows - 1) / rows;
    Tensor map({1, rows, cols}, *std::min_element(t.data.begin(), t.data.end()));
    std::copy(t.data.begin(), t.data.end(), map.data.begin());
    return map;
}

}  // namespace convscope::nn
