// Command-line parsing shared by the subcommands: each declares the flags it takes, and the common
// ones (which model, which input size, where the output goes) are read the same way everywhere.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/network.h"
#include "nn/weights.h"

namespace convscope::cli {

// A mistake in the command line: reported on stderr with exit status 2.
struct UsageError {
    std::string message;
};

struct Flag {
    std::string name;   // "--preset"
    std::string value;  // what the value is, for messages ("a preset name"); empty for a switch
    std::string alias;  // "-o" for "--output"; may be empty
};

// The flags every model-reading command takes.
std::vector<Flag> model_flags();

class Args {
public:
    // Throws UsageError for an unknown flag or a missing value.
    Args(const std::vector<std::string>& args, size_t first, const std::vector<Flag>& flags);
    bool help() const { return help_; }
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::optional<std::string> get(const std::string& name) const;
    // An integer flag within [lo, hi], or `fallback` when absent; throws UsageError when malformed.
    int64_t get_int(const std::string& name, int64_t fallback, int64_t lo, int64_t hi) const;

private:
    bool help_ = false;
    std::map<std::string, std::string> values_;
};

// "224", "224x224", "224×227" → (H, W)
std::optional<std::pair<int64_t, int64_t>> parse_input_size(const std::string& s);

// The network named by --model FILE, --onnx FILE or --preset NAME (default `default_preset`), with
// --input applied. An ONNX model brings its weights along. On failure prints the reason to `err` and
// returns nothing. Throws UsageError for conflicting flags.
struct ModelSource {
    Network net;
    std::optional<nn::NetworkWeights> weights;  // from an ONNX file
};
std::optional<ModelSource> load_model_source(const Args& args, const char* default_preset, std::ostream& err);
std::optional<Network> load_model(const Args& args, const char* default_preset, std::ostream& err);

// Writes `text` to --output atomically, or to `out`. Returns the exit status (0, or 2 on failure).
int emit(const Args& args, const std::string& text, std::ostream& out, std::ostream& err);

}  // namespace convscope::cli
