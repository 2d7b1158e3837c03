// ONNX's own operator tests on the two CPU backends: the naive reference loops and the fast kernels.
// The cases, the tolerance and the skips are described in onnx_conformance.h.
#include <doctest/doctest.h>

#include "onnx_conformance.h"

TEST_SUITE("onnx_conformance") {
    TEST_CASE("ONNX operator tests pass on both CPU backends") {
        convscope::test::run_conformance({convscope::nn::make_ref_backend, convscope::nn::make_cpu_backend},
                                         "reference and cpu");
    }
}
