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

void DenseSource::pack_panel(int64_t c0, int64_t n, float* dst) const {
    for (int64_t k = 0; k < k_; ++k)
        std::memcpy(dst + k * kPanel, b_ + k * n_ + c0, static_cast<size_t>(n) * sizeof(float));
}

void gemm(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C, GemmScratch& s) {
    gemm(M, N, K, A, DenseSource(B, K, N), C, s);
}

#if defined(__AVX512F__)

namespace {

constexpr int64_t MR = 12;                     // rows of C per micro-kernel call
constexpr int64_t NR = MatrixSource::kPanel;  // columns of C per call: two 16-float vectors

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

void gemm(int64_t M, int64_t N, int64_t K, const float* A, const MatrixSource& B, float* C, GemmScratch& s) {
    const int64_t mp = (M + MR - 1) / MR, np = (N + NR - 1) / NR;
    s.a.resize(static_cast<size_t>(mp * MR * K));
    const bool parallel = M * N * K >= (int64_t{1} << 18);
    s.b.resize(static_cast<size_t>((parallel ? omp_get_max_threads() : 1) * NR * K));
    float* pa = s.a.data();
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
        // The (B panel, A panel) pairs are split evenly between the threads in B-panel-major order.
        // A thread packs each B panel it meets (K × 32, columns past N zero) into its own buffer and
        // runs it against its A panels while it is still in cache: the packed B never goes to memory.
        // A panel that straddles two threads' shares is packed by both, a small price for the balance.
        float* pb = s.b.data() + static_cast<size_t>(omp_get_thread_num()) * K * NR;
        const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num(), pairs = np * mp;
        int64_t packed = -1;
        for (int64_t i = pairs * t / nt; i < pairs * (t + 1) / nt; ++i) {
            const int64_t q = i / mp, p = i % mp;
            const int64_t c0 = q * NR, n = std::min(NR, N - c0);
            if (q != packed) {
                B.pack_panel(c0, n, pb);
                if (n < NR)
                    for (int64_t k = 0; k < K; ++k) std::fill(pb + k * NR + n, pb + (k + 1) * NR, 0.0f);
                packed = q;
            }
            micro_kernel(K, pa + p * K * MR, pb, C + p * MR * N + c0, N, std::min(MR, M - p * MR), n);
        }
    }
}

#else

// Without AVX-512, Eigen multiplies; a source that is not already a dense matrix is gathered into one
// first, a panel at a time.
void gemm(int64_t M, int64_t N, int64_t K, const float* A, const MatrixSource& B, float* C, GemmScratch& s) {
    using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    constexpr int64_t NR = MatrixSource::kPanel;
    s.a.resize(static_cast<size_t>(K * NR));
    s.b.resize(static_cast<size_t>(K * N));
    for (int64_t c0 = 0; c0 < N; c0 += NR) {
        const int64_t n = std::min(NR, N - c0);
        B.pack_panel(c0, n, s.a.data());
        for (int64_t k = 0; k < K; ++k)
            std::memcpy(s.b.data() + k * N + c0, s.a.data() + k * NR, static_cast<size_t>(n) * sizeof(float));
    }
    Eigen::Map<const RowMatrix> a(A, M, K), b(s.b.data(), K, N);
    Eigen::Map<RowMatrix> c(C, M, N);
    c.noalias() = a * b;
}

#endif

}  // namespace convscope::nn
