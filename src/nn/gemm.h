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

void gemm(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C, GemmScratch& s);

// The naive triple loop (double accumulation), the oracle for the tests.
void gemm_reference(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C);

}  // namespace convscope::nn
