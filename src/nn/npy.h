// NumPy .npy files ⇄ Tensor, so that activations can be compared with PyTorch or NumPy outside ConvScope
// and reference inputs brought in. Writing follows the format spec (NEP 1, version 1.0) byte for byte as
// numpy.save writes it; reading accepts float32 (and float64, converted) arrays of one to three dimensions
// and explains every file it refuses. Nothing here throws or trusts the header's numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nn/tensor.h"

namespace convscope::nn {

// The whole file for `t`: magic, version 1.0, header {'descr': '<f4', 'fortran_order': False,
// 'shape': (C, H, W), } padded with spaces so the data starts at a multiple of 64 bytes, then C·H·W
// little-endian float32 values, W fastest.
std::string npy_bytes(const Tensor& t);

// Writes npy_bytes(t) atomically. Returns false and sets `error` on failure.
bool write_npy(const std::string& path, const Tensor& t, std::string& error);

struct NpyResult {
    std::optional<Tensor> tensor;  // (N,) → (N, 1, 1); (H, W) → (1, H, W); (C, H, W); (1, C, H, W) → (C, H, W)
    std::vector<int64_t> file_shape;  // the shape as the file states it
    std::string error;                // set when tensor is empty; starts with the name
    explicit operator bool() const { return tensor.has_value(); }
};

// Parses .npy bytes; `name` starts the error messages.
NpyResult parse_npy(std::string_view bytes, const std::string& name);
// Reads and parses a .npy file; errors start with the path.
NpyResult read_npy(const std::string& path);

}  // namespace convscope::nn
