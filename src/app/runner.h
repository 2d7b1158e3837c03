// Runs forward passes off the UI thread, so the window never waits for one. Only the newest request
// matters: one made while a pass runs replaces any that waits, and every result carries the state
// revision it was computed from, so the app never shows maps for a network they do not belong to.
// The worker owns its backends: the CPU one, and the GL one on a headless context of its own (created
// on the worker thread the first time a GL pass is asked for).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/network.h"
#include "core/shape_engine.h"
#include "nn/backend.h"
#include "nn/tensor.h"
#include "nn/weights.h"

namespace convscope::app {

enum class BackendKind { Cpu, Gl };

struct PassRequest {
    uint64_t revision = 0;  // the app's state revision (network, weights and input together)
    Network net;
    Analysis analysis;
    std::shared_ptr<const nn::NetworkWeights> weights;
    std::shared_ptr<const nn::Tensor> input;  // (C, H, W), preprocessed
    BackendKind backend = BackendKind::Cpu;
    int threads = 0;             // CPU threads, 0 = all cores
    bool compare_both = false;   // also run the other backend and report the largest difference
};

struct PassOutcome {
    uint64_t revision = 0;
    std::optional<std::string> error;  // the pass failed: why
    nn::ForwardResult result;          // one output and one time per layer
    std::string device;                // "cpu (2 threads)", "gl: NVIDIA …"
    std::string note;                  // why another backend than the one asked for ran; empty if none
    double wall_ms = 0;                // the pass as the app waited for it
    // With compare_both: the other backend's device, and the largest |difference| over every layer's
    // output (and where), or its error.
    std::string compared_with;
    double max_abs_diff = 0;
    std::string max_diff_at;  // "conv2 (c 13, y 4, x 7)"
    std::optional<std::string> compare_error;
};

class Runner {
public:
    Runner();
    ~Runner();  // stops the worker after its current pass
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

    // Queues a pass, replacing any request still waiting.
    void request(PassRequest r);
    // True from a request until its outcome (or a newer one's) is ready.
    bool busy() const;
    // The newest finished outcome not yet taken, if any.
    std::optional<PassOutcome> take();
    // Blocks until no pass is running or waiting (the script runner and tests use it), or the timeout.
    bool wait_idle(double timeout_s);

    // Whether a GL pass is possible: unknown (nothing) until the worker has tried to make its context.
    std::optional<bool> gl_available() const;
    std::string gl_unavailable_reason() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace convscope::app
