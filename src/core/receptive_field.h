// Where an output value comes from: the rectangle of input pixels that one position of a stage's output
// depends on, found by walking the layers back to the input. The shape engine gives the receptive
// field's size (Stage::rf); this gives its place, clipped to the image, for one (y, x), so a view can
// draw it over the input.
#pragma once

#include <cstdint>
#include <optional>

#include "core/network.h"
#include "core/shape_engine.h"

namespace convscope {

// Input rows y0 … y1 and columns x0 … x1, inclusive, in the network's input (after preprocessing).
struct InputRegion {
    int64_t y0 = 0, y1 = -1;
    int64_t x0 = 0, x1 = -1;
    // A layer on the way (fc, flatten, softmax) mixes every position of its input, so the value depends
    // on the whole input — or as much of it as the earlier windows reach: a strided layer whose
    // windows stop short of the edge never sees the last rows.
    bool whole = false;
    // Only padding: no input pixel reaches this position (a window lying wholly in the padding).
    bool empty() const { return y1 < y0 || x1 < x0; }
    int64_t height() const { return empty() ? 0 : y1 - y0 + 1; }
    int64_t width() const { return empty() ? 0 : x1 - x0 + 1; }
};

// The input region behind output position (y, x) of `stage` (−1: the input itself, the pixel alone).
// Per layer, walking backwards:
//   conv, maxpool, avgpool   output rows a … b read padded rows a·S … b·S + d·(K − 1); minus the top
//                            padding that is input rows, clipped to the input (padding depends on nothing)
//   adaptive_avgpool         PyTorch's windows ⌊a·H/N⌋ … ⌈(b + 1)·H/N⌉ − 1
//   lrn, relu, dropout       the same position (lrn mixes channels, not positions)
//   fc, flatten, softmax     every position of their input
// Nothing when the stage is out of range, the analysis gives no shape up to it, or (y, x) lies outside
// the stage's output.
std::optional<InputRegion> input_region(const Network& net, const Analysis& a, int stage, int64_t y, int64_t x);

}  // namespace convscope
