// Weights for any network the user builds, so it runs at once: He-normal from a seed for every conv
// and fc layer, and for a first convolution over an RGB image a designed filter bank — oriented
// Gabor edges that ignore colour on the first half of the filters (device 0 in AlexNet's split) and
// colour-opponent blobs and edges on the second half (device 1), as the learned filters in the paper's
// Figure 3 look. Designed, not learned: every view that shows them says so.
#pragma once

#include <cstdint>

#include "core/network.h"
#include "core/shape_engine.h"
#include "nn/weights.h"

namespace convscope::nn {

struct InitOptions {
    uint64_t seed = 1;
    bool design_first_conv = true;  // replace the first RGB conv's random filters with the designed bank
};

// Weights for every layer whose shape is known. Each layer's values depend only on the seed, the
// layer's position and its shape, never on other layers.
NetworkWeights make_seeded_weights(const Network& net, const Analysis& a, const InitOptions& o = {});

// After an edit: regenerates only the layers whose expected shapes changed (and resizes the list to
// the network); returns how many layers were regenerated.
size_t update_seeded_weights(const Network& net, const Analysis& a, const InitOptions& o, NetworkWeights& w);

// The designed filter bank alone: (out, 3, k, k), each filter zero-mean with L2 norm √2 (the norm a
// He-normal filter of the same fan-in has on average).
std::vector<float> designed_rgb_filters(int64_t out, int64_t k);

}  // namespace convscope::nn
