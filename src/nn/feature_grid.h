// Pictures of what a layer computed: an activation tensor drawn as a grid of its channels, and a first
// conv layer's filters drawn as small colour images. Both give RGBA pixels (for a GUI texture or a PNG via
// save_png in nn/image.h) together with the layout, so a click on the picture can be mapped back to its
// channel.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/image.h"
#include "nn/tensor.h"

namespace convscope::nn {

enum class Colormap {
    Gray,     // black (low) to white (high)
    Viridis,  // dark blue through green to yellow; perceptually uniform, readable in grey and by most
              // colour-blind viewers
    Diverging,  // blue (negative) through white (zero) to red (positive), for values with a sign: the
                // range drawn is symmetric around zero, so white always means 0
};
std::string_view colormap_name(Colormap m);  // "gray", "viridis", "diverging"
std::optional<Colormap> parse_colormap(std::string_view s);
// The colour for t in [0, 1] (clamped; NaN gives the low end).
std::array<uint8_t, 3> colormap_rgb(Colormap m, float t);

enum class Scaling {
    PerTile,  // each channel (or filter) stretched over its own range: shows every tile's pattern
    Shared,   // one range for all: shows which channels are strong
};

struct GridOptions {
    Scaling scaling = Scaling::PerTile;
    Colormap colormap = Colormap::Gray;
    // Small maps are enlarged by an integer factor (nearest neighbour, so every value stays a crisp
    // square) until their shorter side reaches this many pixels.
    int min_tile = 32;
    int gap = 1;  // pixels between tiles (none around the border)
    std::array<uint8_t, 4> gap_rgba{255, 255, 255, 255};
    int columns = 0;       // 0: near-square, ⌈√n⌉ columns
    int max_channels = 0;  // 0: all channels; otherwise the first max_channels
    // The enlargement shrinks (down to 1) to keep the picture within this many pixels a side; a grid
    // that is too large even unenlarged is refused.
    int max_side = 8192;
};

struct FilterOptions {
    Scaling scaling = Scaling::PerTile;
    int min_tile = 32;
    int gap = 1;
    std::array<uint8_t, 4> gap_rgba{255, 255, 255, 255};
    int columns = 0;
    // The network was trained on BGR input (Caffe): input channel 0 is blue, so it is drawn as blue.
    bool bgr = false;
};

struct FeatureGrid {
    Image image;  // RGBA, 4 channels; empty on error
    int columns = 0;
    int rows = 0;
    int tiles = 0;        // channels (or filters) drawn
    int tile_width = 0;   // pixels, after enlargement
    int tile_height = 0;
    int scale = 1;  // the enlargement factor
    int gap = 1;
    // Per tile, the values mapped to the colour map's ends (for filters: −m and +m, zero at the middle).
    std::vector<float> low;
    std::vector<float> high;
    int64_t nonfinite = 0;  // NaN and ±∞ values among those drawn
    std::string error;
    explicit operator bool() const { return !image.empty(); }
    // The tile under pixel (x, y), or −1 over a gap, the empty end of the last row or outside.
    int tile_at(int x, int y) const;
};

// Draws the channels of a (C, H, W) activation row by row, channel 0 at the top-left. Each value v maps to
// (v − low) / (high − low) of the tile's range; a tile whose range is a single value (a dead or constant
// channel) is mid-grey (white with Diverging, below), NaN is magenta, +∞ and −∞ the colour map's ends. The
// ranges come from the finite values only.
// Diverging makes every range symmetric, low = −m and high = +m with m the largest |v| (of the tile, or
// of all tiles when Shared), so that v ↦ ½ + ½·v/m and zero is white; a tile of zeros (a dead channel)
// is therefore white, not grey.
FeatureGrid render_feature_grid(const Tensor& activation, const GridOptions& opt = {});

// An fc layer's C×1×1 output as one near-square picture (1, rows, cols), padded with its minimum:
// drawn channel by channel, every 1×1 tile would be the same mid-grey. Other tensors come back as they are.
Tensor vector_as_map(const Tensor& t);

// Draws conv filters, weight (out, in, kh, kw) with in = 3 (colour) or 1 (gray), one tile per output
// channel. Values are scaled symmetrically, w ↦ ½ + ½·w/m with m the largest |w| of the filter (PerTile)
// or of all filters (Shared), so that mid-grey always means zero and the sign of every weight is visible.
FeatureGrid render_filters(std::span<const float> weight, const std::vector<int64_t>& shape,
                           const FilterOptions& opt = {});

}  // namespace convscope::nn
