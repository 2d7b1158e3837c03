// The parameters of a network: for each conv or fc layer a weight tensor and a bias vector, laid out
// as PyTorch and ONNX store them, so that real weights load without reshuffling.
//   conv weight: (out, in/groups, kh, kw)    fc weight: (out, in)    bias: (out)
// Other layers have no parameters (empty entries).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/shape_engine.h"
#include "nn/tensor.h"

namespace convscope::nn {

struct LayerWeights {
    std::vector<int64_t> weight_shape;  // empty for layers without parameters
    FloatBuffer weight;
    FloatBuffer bias;  // empty when the layer has no bias
};

struct NetworkWeights {
    std::vector<LayerWeights> layers;  // one entry per network layer, same order
    std::string origin;                // "seeded He-normal (seed 1)", "alexnet.safetensors", …
    // The first conv's filters were designed (Gabor edges, colour-opponent blobs), not learned:
    // every view that shows them must say so.
    bool designed_first_conv = false;
    // Whoever changes values in place bumps this, so that a GPU backend knows to upload them again.
    uint64_t revision = 0;
};

// The weight shape layer `index` needs given the analysis (conv: (out, in/groups, kh, kw); fc:
// (out, in_features)); empty when the layer has no parameters or its input shape is unknown.
std::vector<int64_t> expected_weight_shape(const Network& net, const Analysis& a, size_t index);

// Checks every layer's weight and bias shapes against the network. Returns an error naming the
// first mismatching layer and tensor, or nothing when all fit.
std::optional<std::string> check_weights(const Network& net, const Analysis& a, const NetworkWeights& w);

}  // namespace convscope::nn
