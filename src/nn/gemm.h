// Single-precision matrix product for the convolutions: C (M×N) = A (M×K) · B (K×N), all row-major.
// With AVX-512 it packs A into 12-row panels and B into 32-column panels and runs a register-blocked
// micro-kernel (12×32 results in 24 vector registers), threaded over panels with OpenMP; without
// AVX-512 it hands the product to Eigen. Measured on AlexNet's convolution shapes it runs faster than
// Eigen's general product, whose blocking is tuned for larger, squarer matrices.
#pragma once

#include <cstdint>

#include "nn/tensor.h"

namespace convscope::nn {

// Packing buffers, kept between calls.
struct GemmScratch {
    FloatBuffer a, b;
};

// Where the K×N right-hand matrix comes from. The product asks for it in panels of 32 columns, so a
// convolution can gather its input patches straight into the panel layout without ever writing the
// whole im2col matrix.
class MatrixSource {
public:
    static constexpr int64_t kPanel = 32;
    virtual ~MatrixSource() = default;
    // Writes columns [c0, c0 + n) of every row k into dst[k·32 + j], j < n; n ≤ 32. Called from
    // several threads at once for different panels.
    virtual void pack_panel(int64_t c0, int64_t n, float* dst) const = 0;
};

// A row-major K×N matrix in memory.
class DenseSource final : public MatrixSource {
public:
    DenseSource(const float* b, int64_t k, int64_t n) : b_(b), k_(k), n_(n) {}
    void pack_panel(int64_t c0, int64_t n, float* dst) const override;

private:
    const float* b_;
    int64_t k_, n_;
};

void gemm(int64_t M, int64_t N, int64_t K, const float* A, const MatrixSource& B, float* C, GemmScratch& s);
void gemm(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C, GemmScratch& s);

// The naive triple loop (double accumulation), the oracle for the tests.
void gemm_reference(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C);

}  // namespace convscope::nn
