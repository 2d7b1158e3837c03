// Model parallelism as AlexNet used it (the paper's Figure 2): every layer's output channels (fc: its
// units) are split across K devices, each device holding its share of the kernels. What a layer reads:
//   - its own device's channels only, when it works channel by channel (relu, pools, dropout, flatten)
//     or is a convolution whose groups are a multiple of K (AlexNet's conv2, conv4, conv5: groups 2);
//   - every device's channels (an all-gather first), for a convolution with other groups (conv3),
//     fully connected layers, and softmax;
//   - a few channels of its neighbours (a halo) for LRN, whose window runs across channels.
// Per device and layer this counts channels, parameters, MACs, memory and the bytes each device must
// receive before the layer runs, for a batch size; plus how one device (K = 1) would fare on the
// paper's 3 GB cards. Pure: no GL, no GUI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/shape_engine.h"
#include "core/shape_table.h"

namespace convscope {

struct ChannelRange {
    int64_t begin = 0, end = 0;  // [begin, end)
    int64_t count() const { return end - begin; }
    friend bool operator==(const ChannelRange&, const ChannelRange&) = default;
};

// `channels` split over `devices` as evenly as possible: the first (channels mod devices) devices
// hold one more. A device may get none when there are fewer channels than devices.
std::vector<ChannelRange> split_channels(int64_t channels, int devices);

enum class Exchange {
    None,       // reads only its own device's input channels
    AllGather,  // needs every device's input first
    Halo,       // needs a few neighbouring channels from the devices next to it (LRN)
};
std::string_view exchange_name(Exchange e);  // "local", "all-gather", "halo"
// The same in the current language, for tables and the window (the JSON export keeps exchange_name).
std::string exchange_label(Exchange e);

struct DeviceShare {
    ChannelRange out;  // output channels (fc: units) this device computes
    ChannelRange in;   // input channels it reads (all of them after an all-gather)
    int64_t params = 0;           // weights and biases it holds
    int64_t macs = 0;             // per image
    int64_t out_values = 0;       // its output values per image
    int64_t weight_bytes = 0;     // params · 4 (float32)
    int64_t activation_bytes = 0; // out_values · batch · 4
    int64_t receive_bytes = 0;    // input values it gets from other devices, · batch · 4
};

struct PartitionStage {
    size_t index = 0;
    std::string name;
    LayerType type = LayerType::Relu;
    Exchange exchange = Exchange::None;
    std::string why;  // in words: "groups 2 is a multiple of 2 devices: each reads its own channels"
    std::vector<DeviceShare> devices;
};

struct DeviceTotals {
    int64_t params = 0, macs = 0, weight_bytes = 0, activation_bytes = 0, receive_bytes = 0;
};

// A rough estimate of what training needs on one device, with its terms shown (not what a framework
// would allocate): weights three times (values, gradients, momentum), every layer's output twice
// (values and gradients, ReLU outputs included, as cuda-convnet kept them), the input batch, and the
// largest convolution's unrolled input (im2col) for the whole batch as working memory.
struct TrainingMemory {
    int64_t weights = 0, activations = 0, input = 0, workspace = 0;
    int64_t total() const { return weights + activations + input + workspace; }
};

struct Partition {
    int devices = 1;
    int64_t batch = 1;
    std::vector<PartitionStage> stages;
    std::vector<DeviceTotals> per_device;
    DeviceTotals overall;
    std::vector<std::string> warnings;  // uneven splits, with the split used
    std::string error;                  // set when nothing could be computed

    // Training memory per device at this K, and on a single device (K = 1), against one card.
    std::vector<TrainingMemory> training;  // per device
    TrainingMemory single;
    static constexpr int64_t kCardBytes = int64_t{3} << 30;  // a GTX 580: 3 GB
    bool ok() const { return error.empty(); }
};

// Devices must be 1 to 64; batch 1 to 1,000,000; the analysis must be valid (every shape known).
Partition partition_network(const Network& net, const Analysis& a, int devices, int64_t batch);

// The per-layer, per-device table and the totals, in the formats the shape table offers.
std::string format_partition(const Network& net, const Partition& p, TableFormat format);

}  // namespace convscope
