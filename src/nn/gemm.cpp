#include "nn/gemm.h"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstring>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace convscope::nn {

void gemm_reference(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C) {
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
            double sum = 0;
            for (int64_t k = 0; k < K; ++k) sum += static_cast<double>(A[i * K + k]) * B[k * N + j];
            C[i * N + j] = static_cast<float>(sum);
        }
}

#if defined(__AVX512F__)

namespace {

constexpr int64_t MR = 12;  // rows of C per micro-kernel call
constexpr int64_t NR = 32;  // columns of C per call: two 16-float vectors

// One 12×32 block of C from a packed A panel (K × 12, k-major) and a packed B panel (K × 32): every
// step loads two vectors of B and broadcasts 12 values of A into 24 fused multiply-adds.
void micro_kernel(int64_t K, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr) {
    __m512 acc[MR][2];
    for (int64_t i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (int64_t k = 0; k < K; ++k) {
        const __m512 b0 = _mm512_load_ps(b + k * NR);
        const __m512 b1 = _mm512_load_ps(b + k * NR + 16);
        const float* ak = a + k * MR;
#pragma GCC unroll 12
        for (int64_t i = 0; i < MR; ++i) {
            const __m512 ai = _mm512_set1_ps(ak[i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    if (mr == MR && nr == NR) {
        for (int64_t i = 0; i < MR; ++i) {
            _mm512_storeu_ps(c + i * ldc, acc[i][0]);
            _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
        }
        return;
    }
    alignas(64) float tile[MR][NR];  // the edge of C: only part of the block exists
    for (int64_t i = 0; i < MR; ++i) {
        _mm512_store_ps(tile[i], acc[i][0]);
        _mm512_store_ps(tile[i] + 16, acc[i][1]);
    }
    for (int64_t i = 0; i < mr; ++i) std::memcpy(c + i * ldc, tile[i], static_cast<size_t>(nr) * sizeof(float));
}

}  // namespace

void gemm(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C, GemmScratch& s) {
    const int64_t mp = (M + MR - 1) / MR, np = (N + NR - 1) / NR;
    s.a.resize(static_cast<size_t>(mp * MR * K));
    s.b.resize(static_cast<size_t>(np * NR * K));
    float* pa = s.a.data();
    float* pb = s.b.data();
    const bool parallel = M * N * K >= (int64_t{1} << 18);
#pragma omp parallel if (parallel)
    {
        // A panels: (K × 12), rows past M are zero.
#pragma omp for schedule(static)
        for (int64_t p = 0; p < mp; ++p) {
            float* dst = pa + p * K * MR;
            for (int64_t k = 0; k < K; ++k)
                for (int64_t i = 0; i < MR; ++i) {
                    const int64_t r = p * MR + i;
                    dst[k * MR + i] = r < M ? A[r * K + k] : 0.0f;
                }
        }
        // B panels: (K × 32), columns past N are zero.
#pragma omp for schedule(static)
        for (int64_t q = 0; q < np; ++q) {
            float* dst = pb + q * K * NR;
            const int64_t c0 = q * NR, n = std::min(NR, N - c0);
            for (int64_t k = 0; k < K; ++k) {
                std::memcpy(dst + k * NR, B + k * N + c0, static_cast<size_t>(n) * sizeof(float));
                std::fill(dst + k * NR + n, dst + (k + 1) * NR, 0.0f);
            }
        }
        // Column panels outermost, so that a thread reuses its B panel from cache across all of A.
#pragma omp for collapse(2) schedule(static)
        for (int64_t q = 0; q < np; ++q)
            for (int64_t p = 0; p < mp; ++p)
                micro_kernel(K, pa + p * K * MR, pb + q * K * NR, C + p * MR * N + q * NR, N,
                             std::min(MR, M - p * MR), std::min(NR, N - q * NR));
    }
}

#else

void gemm(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C, GemmScratch&) {
    using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<const RowMatrix> a(A, M, K), b(B, K, N);
    Eigen::Map<RowMatrix> c(C, M, N);
    c.noalias() = a * b;
}

#endif

}  // namespace convscope::nn
