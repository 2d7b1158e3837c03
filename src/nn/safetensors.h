// The safetensors weight format: a reader that maps a file and validates its header, float conversion
// from F32, F16, BF16 and F64, a writer, and loading and saving a network's weights under either of two
// naming schemes (the network's own layer names, or the indices torchvision's nn.Sequential gives).
//
// File layout: an 8-byte little-endian length N, N bytes of UTF-8 JSON mapping each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (plus an optional "__metadata__" of strings), then the
// data buffer the offsets point into. Tensors are row-major and little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/network.h"
#include "core/shape_engine.h"
#include "nn/weights.h"

namespace convscope::nn {

// The element types the format defines (sub-byte ones aside). Only the floating-point ones convert to float32.
enum class SafetensorsDtype {
    Bool, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64, C64
};

std::string_view dtype_name(SafetensorsDtype d);                              // "F32", "BF16", …
size_t dtype_size(SafetensorsDtype d);                                        // bytes per element
std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view s);  // inverse of dtype_name
bool is_float_convertible(SafetensorsDtype d);                                // F32, F16, BF16, F64

// One IEEE half or bfloat16 value (given as its bits) as float32; exact for every input, subnormals,
// infinities and NaN payloads included.
float f16_to_f32(uint16_t bits);
float bf16_to_f32(uint16_t bits);

// "(64, 3, 11, 11)"; "()" for a scalar.
std::string tensor_shape_text(const std::vector<int64_t>& shape);

struct SafetensorsTensor {
    std::string name;
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<int64_t> shape;  // row-major, the last dimension fastest; empty for a scalar
    uint64_t begin = 0;          // byte range in the data buffer, [begin, end)
    uint64_t end = 0;
    int64_t count() const;  // the number of elements: the product of the shape
};

// A validated safetensors file, mapped read-only. The file is never read into memory as a whole:
// pages come in as tensors are converted, and the mapping goes away with the object.
class SafetensorsFile {
public:
    // Headers larger than this are refused, as the reference implementation does.
    static constexpr uint64_t kMaxHeaderBytes = 100'000'000;

    // Maps `path` and validates its header. On failure returns nothing and sets `error`: "cannot open …"
    // for system errors, "<path>: <problem>" for a malformed file.
    static std::optional<SafetensorsFile> open(const std::string& path, std::string& error);
    // Validates bytes already in memory, which must outlive the result (nothing is copied). Errors
    // name the problem without a path.
    static std::optional<SafetensorsFile> parse(std::span<const std::byte> bytes, std::string& error);

    SafetensorsFile(SafetensorsFile&& o) noexcept;
    SafetensorsFile& operator=(SafetensorsFile&& o) noexcept;
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;
    ~SafetensorsFile();

    // Sorted by name.
    const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
    const SafetensorsTensor* find(std::string_view name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // The tensor's bytes as stored (little-endian, possibly unaligned).
    std::span<const std::byte> bytes(const SafetensorsTensor& t) const;
    // Converts the tensor to float32 into `out`, which must hold exactly t.count() values. Errors name
    // the tensor: a dtype that is not floating point, or a buffer of the wrong size.
    std::optional<std::string> read_f32(const SafetensorsTensor& t, std::span<float> out) const;

    // Unmaps the file; the object then holds no tensors.
    void close();

private:
    SafetensorsFile() = default;
    static std::optional<SafetensorsFile> parse_into(SafetensorsFile file, std::string& error);

    const std::byte* map_ = nullptr;  // the whole mapping when this object owns one, else null
    size_t map_size_ = 0;
    std::span<const std::byte> file_;  // every byte of the file
    std::span<const std::byte> data_;  // the data buffer after the header
    std::vector<SafetensorsTensor> tensors_;
    std::map<std::string, std::string> metadata_;
};

// A float32 tensor to write; `data` holds the product of `shape` values, row-major.
struct SafetensorsOutput {
    std::string name;
    std::vector<int64_t> shape;
    const float* data = nullptr;
};

// Writes the tensors as F32 in the given order, atomically. The header is padded with spaces so that
// the data buffer starts 8-byte aligned; `metadata` becomes "__metadata__" when not empty.
// Returns an error, or nothing on success.
std::optional<std::string> write_safetensors(const std::string& path, const std::vector<SafetensorsOutput>& tensors,
                                             const std::map<std::string, std::string>& metadata = {});

// How tensor names map to layers:
//   Plain:       <layer name>.weight and <layer name>.bias (conv1.weight, fc6.bias);
//   Torchvision: features.N.* for the layers before the first adaptive_avgpool, flatten or fc, and
//                classifier.N.* for those after the flatten (or after the adaptive pool, or from the
//                first fc, when there is none), N counting every layer of that part (relu, pools,
//                dropout included), as in torchvision's AlexNet and VGG.
enum class SafetensorsNaming { Plain, Torchvision };

// Each layer's tensor name prefix under `naming` ("conv1", "features.0"); empty for layers without
// parameters.
std::vector<std::string> safetensors_prefixes(const Network& net, SafetensorsNaming naming);

struct SafetensorsWeights {
    NetworkWeights weights;  // one entry per layer; origin is the file's name
    SafetensorsNaming naming = SafetensorsNaming::Plain;  // the scheme the file's names follow
    std::string error;       // empty on success
    bool ok() const { return error.empty(); }
};

// Loads every conv and fc layer's weight and bias from `path`, picking the naming scheme that matches
// the file's names. Every weight shape is checked against expected_weight_shape(); a missing, extra
// or misshapen tensor, a bias the layer lacks or needs, or a non-float dtype is an error that names
// the tensor ("<path>: fc6.weight: expected shape (4096, 9216), got (4096, 6400)"). Values are
// converted straight from the mapped file into the result.
SafetensorsWeights load_safetensors_weights(const Network& net, const Analysis& a, const std::string& path);

// Saves the weights of every conv and fc layer as F32 under `naming`, in layer order, atomically.
// Returns an error, or nothing on success.
std::optional<std::string> save_safetensors_weights(const Network& net, const NetworkWeights& w,
                                                    const std::string& path, SafetensorsNaming naming);

}  // namespace convscope::nn
