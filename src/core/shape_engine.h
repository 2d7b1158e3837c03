// The shape engine: walks a network stage by stage and computes, for every layer, its output shape,
// the worked formula, diagnostics, parameters, MACs, activations and receptive field.
// An invalid layer never stops the walk: it is marked as an error and later layers get no shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/window_arithmetic.h"

namespace convscope {

enum class Severity { Ok, Warning, Error };
std::string_view severity_name(Severity s);  // "ok", "warning", "error"

struct Diagnostic {
    Severity severity = Severity::Warning;
    std::string message;
    bool rounding = false;  // a non-integer division, which the stage's formula already spells out
};

// Receptive field of one output position, in input pixels, and the jump (effective stride):
// how far apart, in input pixels, two neighbouring output positions are.
struct ReceptiveField {
    int64_t size_h = 1, size_w = 1;
    int64_t jump_h = 1, jump_w = 1;
};

struct Stage {
    size_t index = 0;
    std::string name;
    LayerType type = LayerType::Relu;
    std::optional<Shape3> input;   // (C, H, W); empty when an earlier layer failed
    std::optional<Shape3> output;  // (C, H, W); empty when this or an earlier layer failed
    // Sliding-window layers: the arithmetic of each spatial dimension.
    std::optional<WindowResult> dim_h, dim_w;
    // Text (the formula, the messages) is in the language current when analyze() ran: re-analyse after a
    // change of language.
    std::string formula;  // the worked formula with the numbers substituted
    bool exact = true;    // every division in this layer is exact
    Severity status = Severity::Ok;
    std::vector<Diagnostic> messages;
    int64_t params = 0;       // weights + biases (grouped-aware)
    int64_t macs = 0;         // multiply-accumulates per image, bias not counted
    int64_t activations = 0;  // values in the output tensor
    ReceptiveField rf;
    bool in_place = false;  // relu and dropout overwrite their input (as in Caffe): no new memory
    bool blocked = false;   // no input shape because an earlier stage failed (not a fault of its own)
};

// Sums over the stages that computed without error.
struct Totals {
    int64_t params = 0;
    int64_t macs = 0;         // FLOPs = 2·MACs
    int64_t activations = 0;  // outputs of every layer that allocates a new tensor (not in-place ones)
    int64_t activation_bytes() const { return activations * 4; }  // float32
};

struct Analysis {
    std::string model;
    Shape3 input;
    std::vector<Stage> stages;
    Totals totals;
    std::string input_error;  // set when the input shape itself is invalid
    int errors = 0;    // stages with an error of their own (and an invalid input shape)
    int blocked = 0;   // stages after a failed one, which get no shape
    int warnings = 0;
    bool valid() const { return errors == 0; }
    // Input features that reach the first fc layer (0 when there is none or its input is unknown).
    int64_t first_fc_input() const;
    // The last computed output shape, if the walk reached the end.
    std::optional<Shape3> final_output() const;
};

Analysis analyze(const Network& net);

// What a forward pass of one image allocates, in bytes of float32, before it runs: the weights, every
// layer's output (each layer keeps its own, so that every one can be shown), and the largest
// convolution's unrolled input (im2col). Sums saturate instead of overflowing.
struct MemoryNeed {
    int64_t weights = 0, activations = 0, workspace = 0;
    int64_t total() const;
};
MemoryNeed forward_memory(const Network& net, const Analysis& a);

// The budget checked before anything is allocated, so that a 100000-channel layer or a huge input
// is a message instead of an exhausted machine.
inline constexpr int64_t kDefaultMemoryLimit = int64_t{4} << 30;  // 4 GiB
// "needs 37.3 GiB (weights 37.3 GiB, layer outputs 0.0 GiB, working memory 0.0 GiB), more than the
// limit of 4.0 GiB", or nothing when it fits.
std::optional<std::string> check_memory(const MemoryNeed& need, int64_t limit_bytes);

// The window arithmetic's inputs for one spatial dimension of a conv or sliding pool.
WindowParams window_params(const Layer& l, int64_t in, bool height);

// The stage for one layer from a known input shape and the receptive field so far; pure.
Stage analyze_layer(const Layer& layer, size_t index, const std::optional<Shape3>& input,
                    const ReceptiveField& rf_in);

}  // namespace convscope
