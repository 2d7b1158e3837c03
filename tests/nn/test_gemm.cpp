// The convolution's matrix product against the naive triple loop, on shapes that exercise every edge
// of the 12×32 blocking, and on AlexNet's own shapes.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "nn/gemm.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;

namespace {
double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    double num = 0, den = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        num += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        den += double(want[i]) * want[i];
    }
    return std::sqrt(num / den);
}
}  // namespace

TEST_SUITE("gemm") {

TEST_CASE("gemm matches the reference on random shapes, including partial panels") {
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> dim(1, 70);
    std::normal_distribution<float> value(0.0f, 1.0f);
    GemmScratch s;
    for (int trial = 0; trial < 200; ++trial) {
        const int64_t M = dim(rng), N = dim(rng), K = dim(rng) / 2 + 1;
        std::vector<float> A(M * K), B(K * N), C(M * N, -7.0f), R(M * N);
        for (float& v : A) v = value(rng);
        for (float& v : B) v = value(rng);
        gemm(M, N, K, A.data(), B.data(), C.data(), s);
        gemm_reference(M, N, K, A.data(), B.data(), R.data());
        CAPTURE(M);
        CAPTURE(N);
        CAPTURE(K);
        CHECK(relative_error(C, R) < 1e-6);
    }
}

TEST_CASE("gemm on AlexNet's conv2 shape (one group): 128 × 729 × 1200") {
    const int64_t M = 128, N = 729, K = 1200;
    std::mt19937 rng(1);
    std::normal_distribution<float> value(0.0f, 1.0f);
    std::vector<float> A(M * K), B(K * N), C(M * N), R(M * N);
    for (float& v : A) v = value(rng);
    for (float& v : B) v = value(rng);
    GemmScratch s;
    gemm(M, N, K, A.data(), B.data(), C.data(), s);
    gemm_reference(M, N, K, A.data(), B.data(), R.data());
    CHECK(relative_error(C, R) < 1e-6);
}

}  // TEST_SUITE
