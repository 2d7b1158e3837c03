// Importing ONNX models: a ModelProto whose graph is a single chain of supported operators from one
// float image input (N, C, H, W) becomes a Network and its NetworkWeights, ready for the shape engine
// and the CPU backends. A feature input (N, K) is accepted too, as K×1×1 (a network of fc layers).
// The batch N must be 1 or symbolic; C, H and W must be fixed. Only weights are allocated: a caller
// that runs the network checks that the input size is reasonable first.
//
// Operator mapping:
//   Conv → conv (kernel, strides, pads [top, left, bottom, right], dilations, group, auto_pad, bias)
//   MaxPool, AveragePool → maxpool, avgpool (ceil_mode, count_include_pad, dilations for MaxPool)
//   GlobalAveragePool → adaptive_avgpool 1×1      LRN → lrn (ONNX divides alpha by size)
//   Gemm, MatMul (+ Add of a bias) → fc, with alpha, beta and transB folded into the weights
//   Flatten (axis 1), Reshape to (N, K) → flatten  Relu, Dropout, Softmax → relu, dropout, softmax
//   Identity, and a Reshape that changes nothing, are skipped; Constant nodes and Transposes of
//   constants are folded.
// auto_pad SAME_UPPER / SAME_LOWER / VALID become explicit pads computed from the layer's input size.
// Weights must be initializers (or given in the options); layer names come from node names.
//
// Anything else is an error that says why, classified so a caller can tell "this model uses operators
// ConvScope lacks" from "this is 1-D data" from "the file is broken". Hostile bytes never crash it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/network.h"
#include "nn/onnx_tensor.h"
#include "nn/weights.h"

namespace convscope::nn {

enum class OnnxImportFailure {
    None,
    Read,                  // the file cannot be read
    Malformed,             // not a valid ONNX model, or one that contradicts itself
    UnsupportedOperators,  // operators ConvScope has no layer for (the error lists every one)
    NotTwoD,               // 1-D or 3-D data or windows: ConvScope's layers are 2-D
    UnsupportedForm,       // a supported operator used in a way no ConvScope layer expresses
    NotChain,              // the graph branches, or has several data inputs or outputs
};

std::string_view failure_name(OnnxImportFailure f);  // "malformed", "not 2-D", …

struct OnnxImportOptions {
    // Accept a fixed batch N > 1 in the input shape. Every supported layer treats the images of a batch
    // independently, so the network runs each image alone.
    bool allow_batch = false;
    // Accept a 3-D input (N, C, L) as C×1×L images. Elementwise layers then run on 1-D data; windowed
    // ones are still refused as not 2-D.
    bool allow_sequence_input = false;
    // Values for graph inputs that carry weights rather than the image (ONNX's operator tests pass
    // Conv's W as an input), by input name. They take the place of initializers of the same name.
    std::map<std::string, OnnxTensor> inputs;
};

struct OnnxImportResult {
    Network net;  // unnamed layers get default names (conv1, pool1, …)
    NetworkWeights weights;
    std::string error;  // empty on success
    OnnxImportFailure failure = OnnxImportFailure::None;
    // What the import did beyond a one-to-one mapping: skipped nodes, merged nodes, folded factors.
    std::vector<std::string> notes;
    int64_t opset = 0;       // the default domain's opset version the model imports
    std::string input_name;  // the graph input that carries the image
    bool ok() const { return error.empty(); }
};

// The operator types the importer handles in some form (the default domain only).
const std::vector<std::string_view>& onnx_supported_operators();

// Reads and imports a .onnx file; errors start with the file's path. The network is named after the file.
OnnxImportResult import_onnx(const std::string& path, const OnnxImportOptions& options = {});

// Imports a serialised ModelProto.
OnnxImportResult import_onnx_bytes(std::string_view bytes, const OnnxImportOptions& options = {});

}  // namespace convscope::nn
