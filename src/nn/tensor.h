// A float32 tensor for one image, (C, H, W) row-major and contiguous: the unit every CPU kernel reads
// and writes. Storage is 64-byte aligned for vector loads, and resize() keeps the allocation when it
// is large enough, so buffers can be reused from one forward pass to the next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "core/network.h"

namespace convscope::nn {

// 64-byte aligned storage through C++17 aligned new. Not Eigen's aligned_allocator: its behaviour
// depends on the instruction set a file is compiled for, and the kernels are built with -march=native
// while their callers are not, so memory allocated on one side could not be freed on the other.
template <class T>
struct AlignedAllocator {
    using value_type = T;
    static constexpr std::align_val_t kAlign{64};
    AlignedAllocator() = default;
    template <class U>
    AlignedAllocator(const AlignedAllocator<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
    void deallocate(T* p, size_t) { ::operator delete(p, kAlign); }
    template <class U>
    bool operator==(const AlignedAllocator<U>&) const { return true; }
};

using FloatBuffer = std::vector<float, AlignedAllocator<float>>;

struct Tensor {
    Shape3 shape;                                              // (C, H, W)
    FloatBuffer data;  // C·H·W values, W fastest

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
