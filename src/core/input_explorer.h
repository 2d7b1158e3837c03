// The 224-vs-227 explorer: which input sizes make every division in a range of layers exact, and what
// floor versus ceil pooling does downstream of an inexact one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/shape_engine.h"

namespace convscope {

// The nearest input sizes, below and above the current one, for which every sliding window in
// layers [first, last] divides exactly, searched per dimension.
struct ExactInputs {
    size_t first = 0, last = 0;  // the layer range examined (inclusive)
    int64_t current_h = 0, current_w = 0;
    bool current_exact = false;  // the present input is already exact over the range
    std::optional<int64_t> below_h, above_h, below_w, above_w;
    // Input sizes in between that keep all layers valid but inexact are skipped.
};

// `last` is clamped to the last layer; a range with no sliding window is exact at any size.
// Searches down to 1 and up to twice the current size plus 64.
ExactInputs find_exact_inputs(const Network& net, size_t first, size_t last);

// One way of rounding every pooling layer, and where the network ends up.
struct RoundingOutcome {
    Rounding rounding = Rounding::Floor;
    Analysis analysis;
    int64_t fc_input = 0;  // features reaching the first fc layer (0 if none or unknown)
};

struct RoundingStudy {
    RoundingOutcome as_modelled;  // pools as the model file says
    RoundingOutcome floor;        // every pool rounds down
    RoundingOutcome ceil;         // every pool rounds up
    // The first layer where floor and ceil outputs differ, if any.
    std::optional<size_t> first_difference;
};

RoundingStudy compare_pool_rounding(const Network& net);

// The same network with another square or rectangular input size.
Network with_input(const Network& net, int64_t h, int64_t w);

}  // namespace convscope
