// ONNX tensors (TensorProto) as float32 values and dims: read from a serialised .pb file (the format of
// ONNX's test data, input_0.pb and output_0.pb) or converted from a model's initializer or Constant.
// FLOAT, DOUBLE, FLOAT16 and BFLOAT16 convert to float32; the integers (INT64 and INT32 shape tensors,
// INT8, UINT8 and BOOL) keep their exact values as well. Hostile input (bytes that are not a TensorProto,
// dims that disagree with the stored data, an unsupported element type, data in an external file) is an
// error, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onnx {
class TensorProto;
}

namespace convscope::nn {

struct OnnxTensor {
    std::string name;
    int32_t data_type = 0;      // TensorProto.DataType as stored: 1 FLOAT, 7 INT64, 11 DOUBLE, …
    std::vector<int64_t> dims;  // row-major, the last dimension fastest; empty for a scalar
    std::vector<float> values;  // every element as float32
    std::vector<int64_t> ints;  // integer and bool tensors only: the exact values; empty otherwise
    int64_t count() const { return static_cast<int64_t>(values.size()); }
};

struct OnnxTensorResult {
    std::optional<OnnxTensor> tensor;
    std::string error;  // set when tensor is empty
    explicit operator bool() const { return tensor.has_value(); }
};

// "FLOAT", "INT64", "UINT8", …; "#42" for a number ONNX does not define.
std::string onnx_type_name(int32_t data_type);

// "(64, 3, 11, 11)"; "()" for a scalar.
std::string onnx_dims_text(const std::vector<int64_t>& dims);

// The number of elements dims describe, or nothing when a dim is negative or the product overflows.
std::optional<int64_t> onnx_element_count(const std::vector<int64_t>& dims);

// Converts a TensorProto already parsed (an initializer, a Constant's value). Errors name the tensor.
OnnxTensorResult onnx_tensor_from_proto(const onnx::TensorProto& t);

// Parses a serialised TensorProto.
OnnxTensorResult parse_onnx_tensor(std::string_view bytes);

// Reads and parses a .pb file; errors start with the file's path.
OnnxTensorResult read_onnx_tensor_file(const std::string& path);

}  // namespace convscope::nn
