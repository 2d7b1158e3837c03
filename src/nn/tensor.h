// A float32 tensor for one image, (C, H, W) row-major and contiguous: the unit every CPU kernel reads
// and writes. Storage is 64-byte aligned for vector loads, and resize() keeps the allocation when it
// is large enough, so buffers can be reused from one forward pass to the next.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/network.h"

namespace convscope::nn {

struct Tensor {
    Shape3 shape;                                              // (C, H, W)
    std::vector<float, Eigen::aligned_allocator<float>> data;  // C·H·W values, W fastest

    Tensor() = default;
    explicit Tensor(Shape3 s, float fill = 0.0f) : shape(s), data(static_cast<size_t>(s.count()), fill) {}

    // Sets the shape; reallocates only when the capacity is too small. Contents are unspecified.
    void resize(Shape3 s) {
        shape = s;
        data.resize(static_cast<size_t>(s.count()));
    }
    size_t size() const { return data.size(); }
    float* ptr() { return data.data(); }
    const float* ptr() const { return data.data(); }
    float* channel(int64_t c) { return data.data() + c * shape.h * shape.w; }
    const float* channel(int64_t c) const { return data.data() + c * shape.h * shape.w; }
    float& at(int64_t c, int64_t y, int64_t x) { return data[static_cast<size_t>((c * shape.h + y) * shape.w + x)]; }
    float at(int64_t c, int64_t y, int64_t x) const {
        return data[static_cast<size_t>((c * shape.h + y) * shape.w + x)];
    }
};

}  // namespace convscope::nn
