// ONNX's own operator tests on the GPU backend, with its buffers poisoned: the same cases the CPU
// backends pass must pass here (onnx_conformance.h describes them, the tolerance and the skips).
#include <doctest/doctest.h>

#include "backend_support.h"
#include "onnx_conformance.h"

TEST_SUITE("onnx_conformance") {
    TEST_CASE("ONNX operator tests pass on the GPU backend") {
        convscope::test::run_conformance({[] { return convscope::test::poisoned_gl_backend(); }}, "gl");
    }
}
