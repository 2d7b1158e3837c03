// A float32 tensor for one image, (C, H, W) row-major and contiguous: the unit every CPU kernel reads
// and writes. Storage is 64-byte aligned for vector loads, and resize() keeps the allocation when it
// is large enough, so buffers can be reused from one forward pass to the next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <sys/mman.h>
#include <vector>

#include "core/network.h"

namespace convscope::nn {

// Aligned storage through C++17 aligned new: 64 bytes for vector loads, and for buffers of 4 MiB or
// more (the weights of big layers) 2 MiB boundaries offered to the kernel as transparent huge pages —
// streaming AlexNet's 151 MB fc6 matrix then misses the TLB far less (44 → 57 GB/s measured).
// Not Eigen's aligned_allocator: its behaviour depends on the instruction set a file is compiled for,
// and the kernels are built with -march=native while their callers are not, so memory allocated on one
// side could not be freed on the other.
template <class T>
struct AlignedAllocator {
    using value_type = T;
    static constexpr size_t kLarge = size_t{4} << 20;
    static constexpr size_t kHugePage = size_t{2} << 20;
    AlignedAllocator() = default;
    template <class U>
    AlignedAllocator(const AlignedAllocator<U>&) {}
    T* allocate(size_t n) {
        const size_t bytes = n * sizeof(T);
        if (bytes < kLarge) return static_cast<T*>(::operator new(bytes, std::align_val_t{64}));
        const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
        void* p = ::operator new(rounded, std::align_val_t{kHugePage});
        ::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: without huge pages the memory works the same
        return static_cast<T*>(p);
    }
    void deallocate(T* p, size_t n) {
        ::operator delete(p, std::align_val_t{n * sizeof(T) < kLarge ? 64 : kHugePage});
    }
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
