// The forward pass split across K devices as AlexNet ran on two GPUs (the model: core/partition.h).
// Every layer's output channels (fc: units) are divided between the devices; each device computes its
// share with its own backend, its own slice of the weights and its own buffers, and reads the other
// devices' channels only at the gather steps the model names:
//   - local (relu, pools, dropout, flatten, convolutions whose groups are a multiple of K): the device's
//     own share of the previous layer is its input, nothing moves;
//   - all-gather (other convolutions, fc, softmax): every device's share is copied into the device's
//     receive buffer first, channels in order, so it holds the whole input;
//   - halo (LRN): its own channels plus the few neighbouring channels its window reaches, copied from
//     the devices next to it; the window then never runs off a device's channels except at the real
//     edges, so the result equals the unpartitioned one.
// What a device computes for a layer is a one-layer network run through a Backend: the same layer
// with `out` set to its share (a convolution whose groups straddle the device's range becomes one
// sub-convolution per group piece), on its input channels, with its rows of the weights and biases.
// Each such piece has a backend of its own, made once by prepare(): a Backend keeps one network's
// buffers and uploaded weights, and a device keeps every layer's kernels and weights, as each GPU
// kept its half of AlexNet for the whole of training.
//
// Threads: on the CPU, `parallel` runs each device on a thread of its own, as each GPU ran on its
// own; the devices wait for each other (a barrier) only before a layer that reads another device's
// channels. set_threads() is global, so it is left alone: each device thread instead limits its own
// OpenMP regions to threads()/K (at least 1; omp_set_num_threads acts on the calling thread only),
// so K devices together use the cores one unpartitioned pass would rather than K times as many.
// A GL backend shares one context and must be driven from its thread: run it with parallel = false,
// which runs the devices of a layer one after another, as separate dispatches.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/partition.h"
#include "core/shape_engine.h"
#include "nn/backend.h"
#include "nn/tensor.h"
#include "nn/weights.h"

namespace convscope::nn {

// Makes the backend a device runs a piece of work on (make_cpu_backend, or a GL backend on a context).
using BackendFactory = std::function<std::unique_ptr<Backend>()>;

struct PartitionedPass {
    int devices = 1;
    std::vector<std::vector<Tensor>> shares;  // [layer][device]: its output channels, (count, H, W)
    std::vector<Tensor> outputs;              // [layer]: the shares put together in order, (C, H, W)
    // [layer][device]: the input channels the device held when it ran the layer (its own plus those
    // gathered from the others); empty for a device with no share of the layer.
    std::vector<std::vector<ChannelRange>> inputs;
    std::vector<int64_t> gathered_values;     // [layer]: values copied between devices (per image)
    std::vector<std::vector<double>> device_ms;  // [layer][device]: gather and compute, wall time
    // [layer]: the layer's wall time as the caller waits for it: the slowest device when the devices
    // run in parallel, their sum when they run one after another.
    std::vector<double> ms;
    double total_ms = 0;  // the whole pass, including putting the outputs together
};

class PartitionedRunner {
public:
    // `devices` 1 to 64; `parallel` as described above (false for GL backends).
    PartitionedRunner(BackendFactory make, int devices, bool parallel);
    ~PartitionedRunner();
    PartitionedRunner(const PartitionedRunner&) = delete;
    PartitionedRunner& operator=(const PartitionedRunner&) = delete;

    // Splits `net` with partition_network(net, a, devices, 1), slices the weights for every device and
    // creates each piece's backend. The runner keeps its own copies of the slices: weights changed
    // afterwards take effect at the next prepare(). Fails with a message when the network is invalid,
    // the weights do not fit, the device count is out of range, or a sub-network cannot run.
    std::optional<std::string> prepare(const Network& net, const Analysis& a, const NetworkWeights& w);
    bool prepared() const;
    // The split prepare() used (device ranges, exchanges, bytes).
    const Partition& partition() const;

    // One forward pass over `input` (C, H, W), which must match the prepared network's input. Reuses
    // the buffers in `out` and the runner's own between passes.
    std::optional<std::string> forward(const Tensor& input, PartitionedPass& out);

    int devices() const { return devices_; }
    bool parallel() const { return parallel_; }

private:
    struct Plan;
    BackendFactory make_;
    int devices_;
    bool parallel_;
    std::unique_ptr<Plan> plan_;
};

// prepare() and forward() of a runner made for this one pass.
std::optional<std::string> forward_partitioned(const BackendFactory& make, const Network& net, const Analysis& a,
                                               const NetworkWeights& w, const Tensor& input, int devices,
                                               bool parallel, PartitionedPass& out);

}  // namespace convscope::nn
