// Compute backends run a network's forward pass for one image. Each keeps its buffers between passes,
// so a student stepping through layers or editing one does not pay for allocation again.
//   CpuBackend: the fast kernels (im2col + packed matrix product, threaded).
//   RefBackend: the naive reference kernels, the oracle the tests compare every backend with.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/shape_engine.h"
#include "nn/kernels.h"
#include "nn/tensor.h"
#include "nn/weights.h"

namespace convscope::nn {

struct ForwardResult {
    std::vector<Tensor> outputs;  // one per layer: (C, H, W) as the shape engine says
    std::vector<double> ms;       // time per layer, milliseconds: wall time on the CPU, GPU time on a GPU
    double total_ms = 0;          // the whole pass as the caller waits for it (uploads and read-backs too)
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string name() const = 0;
    // Runs every layer on `input` (C, H, W), which must match net.input. Fails with a message when the
    // analysis has errors, the weights do not fit, or the input has the wrong shape.
    virtual std::optional<std::string> forward(const Network& net, const Analysis& a, const NetworkWeights& w,
                                               const Tensor& input, ForwardResult& result) = 0;
    // Why this backend cannot run `net` (a layer it lacks, a buffer past the device's limits), or
    // nothing when it can. The caller then runs the network on the CPU and says so.
    virtual std::optional<std::string> unsupported(const Network&, const Analysis&) const { return std::nullopt; }
    // Whether forward() fills every layer's output (the default) or only the last layer's: a GPU
    // backend then leaves the others on the device, which is what a benchmark wants.
    virtual void set_read_back_all(bool) {}
};

// The checks every forward pass starts with, shared so that every backend refuses the same things
// in the same words: an analysis with errors or of another network, and an input of the wrong shape.
// (check_weights, nn/weights.h, is the third.)
std::optional<std::string> check_analysis(const Network& net, const Analysis& a);
std::optional<std::string> check_input(const Network& net, const Tensor& input);

std::unique_ptr<Backend> make_cpu_backend();
std::unique_ptr<Backend> make_ref_backend();

}  // namespace convscope::nn
