// The network model: an input shape and an ordered list of layers with their hyperparameters.
// Pure data, no GL or GUI. Everything else in the core (shape engine, statistics, exports) reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace convscope {

// A tensor shape for one image: (C, H, W). fc outputs are (N, 1, 1).
struct Shape3 {
    int64_t c = 0;
    int64_t h = 0;
    int64_t w = 0;
    int64_t count() const { return c * h * w; }
    friend bool operator==(const Shape3&, const Shape3&) = default;
};

// A per-dimension pair (height first), used for kernel, stride and dilation.
struct Hw {
    int h = 1;
    int w = 1;
    bool square() const { return h == w; }
    friend bool operator==(const Hw&, const Hw&) = default;
};

// Padding on each side; top/bottom pad the height, left/right the width.
struct Pad4 {
    int top = 0;
    int left = 0;
    int bottom = 0;
    int right = 0;
    bool symmetric() const { return top == bottom && left == right; }
    bool uniform() const { return symmetric() && top == left; }
    friend bool operator==(const Pad4&, const Pad4&) = default;
};

enum class LayerType { Conv, MaxPool, AvgPool, AdaptiveAvgPool, Lrn, Relu, Dropout, Flatten, Fc, Softmax };

// "3×227×227"
std::string shape_text(const Shape3& s);
// "13×11": a height and a width.
std::string dims_text(int64_t h, int64_t w);
// "13" when height and width agree, else "13×11": kernels, strides and receptive fields in tables.
std::string compact_dims_text(int64_t h, int64_t w);

std::string_view type_name(LayerType t);                      // "conv", "maxpool", …
std::optional<LayerType> parse_type_name(std::string_view s);  // inverse of type_name
std::string_view default_name_prefix(LayerType t);            // "conv", "pool", "norm", …
bool is_spatial_window(LayerType t);                          // conv and the sliding pools

struct Layer {
    std::string name;
    LayerType type = LayerType::Relu;

    // conv: output channels; fc: output features.
    int out = 0;
    // Sliding windows (conv, maxpool, avgpool).
    Hw kernel{1, 1};
    Hw stride{1, 1};
    Hw dilation{1, 1};
    Pad4 pad;
    // Round the output count up instead of down (pools, as in Caffe; convs in cuda-convnet).
    bool ceil = false;
    // conv: channel groups (AlexNet's two-GPU split uses 2).
    int groups = 1;
    // conv, fc: whether a bias vector is learned.
    bool bias = true;
    // avgpool: whether zero padding counts in the divisor (PyTorch's default).
    bool count_include_pad = true;
    // adaptive_avgpool: the fixed output size.
    Hw output_size{1, 1};
    // lrn: window across channels, alpha, beta, k; alpha divided by size as Caffe and PyTorch do,
    // unless the layer says otherwise (the paper's formula uses alpha as is).
    int lrn_size = 5;
    double alpha = 1e-4;
    double beta = 0.75;
    double k = 1.0;
    bool alpha_over_size = true;
    // dropout: the probability of dropping a unit during training (identity at inference).
    double ratio = 0.5;
    // fc: the input features its weights expect; 0 means "whatever arrives".
    int64_t in_features = 0;

    friend bool operator==(const Layer&, const Layer&) = default;
};

struct Network {
    std::string name;
    std::string description;  // one or two sentences for the user; may be empty
    std::string source;       // where the architecture comes from; may be empty
    Shape3 input{3, 224, 224};
    int devices = 1;  // how many GPUs the original ran on
    std::vector<Layer> layers;
    // Neuron counts a publication prints: the input first, then each conv and fc layer's output.
    std::vector<int64_t> printed_neurons;

    friend bool operator==(const Network&, const Network&) = default;
};

// Gives every unnamed layer a default name: conv1, relu1, norm1, pool1, fc6, …
// conv and fc share one count (AlexNet's fc6 follows conv5); relu, dropout, lrn and the sliding pools
// take the number of the last conv or fc before them (pool1 after conv1; pool0 before any); the rest
// (adaptive_avgpool, flatten, softmax) count their own kind. A name already taken gets a suffix: relu1_2.
void assign_default_names(Network& net);

}  // namespace convscope
