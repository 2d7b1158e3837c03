// What `forward` and `bench` share: reading the model, its weights, the input and the backend from the
// command line, with every failure reported as a message instead of an exception or a crash.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/options.h"
#include "core/network.h"
#include "core/shape_engine.h"
#include "gl/context.h"
#include "nn/backend.h"
#include "nn/tensor.h"
#include "nn/weights.h"

namespace convscope::cli {

// Flags for the model, weights, input image and backend.
std::vector<Flag> run_flags();

struct RunSetup {
    Network net;
    Analysis analysis;
    nn::NetworkWeights weights;
    nn::Tensor input;              // (C, H, W), preprocessed
    std::string input_description;  // "image cat.jpg (torchvision normalisation)", "pattern grating", …
    std::unique_ptr<gl::GlContext> gl_context;  // with --backend gl; outlives the backend that uses it
    std::unique_ptr<nn::Backend> backend;
    int threads = 1;
    std::string device;        // where it runs, for people: "cpu (2 threads)", "gl: NVIDIA H100 …"
    std::string backend_note;  // why another backend than the one asked for runs; empty when none
    std::string weights_path;  // empty for seeded weights
};

// One pass on the setup's backend. When the GPU fails (a shader that does not compile, a lost context,
// a buffer it cannot allocate) the pass runs on the CPU instead: the backend is replaced, the reason
// printed and kept in backend_note. Returns the error of a pass that failed on the CPU too.
std::optional<std::string> run_pass(RunSetup& s, nn::ForwardResult& r, std::ostream& err);

// Reads everything; on failure prints the reason and returns nothing with `exit_code` set (1 for an
// invalid network, 2 for unreadable files and bad flags).
std::optional<RunSetup> prepare_run(const Args& args, std::ostream& err, int& exit_code);

}  // namespace convscope::cli
