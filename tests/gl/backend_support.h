// What the GL backend's tests share: one headless context per test process, a backend with its
// buffers poisoned, and a layer-by-layer comparison of two passes (seeded inputs and weights with
// random biases are in support.h).
#pragma once

#include <memory>
#include <string>

#include "gl/context.h"
#include "gl/gl_backend.h"
#include "nn/backend.h"
#include "nn/weight_init.h"
#include "gl_support.h"

namespace convscope::test {

inline gl::GlContext& gl_context() {
    static std::unique_ptr<gl::GlContext> ctx = headless_context();
    ctx->make_current();
    return *ctx;
}

// A GL backend as the tests use it: activation buffers poisoned with NaN before every pass, so an
// output a shader fails to write cannot pass as last pass's value, and GL errors checked per dispatch.
inline std::unique_ptr<nn::Backend> poisoned_gl_backend(gl::ShaderLibrary shaders = {}) {
    gl::GlBackendOptions o;
    o.shaders = std::move(shaders);
    o.poison = true;
    o.check_errors = true;
    return gl::make_gl_backend(gl_context(), std::move(o));
}

// Runs `net` on both backends and checks every layer's output: same shape, relative L2 below `tol`.
inline void check_layers_match(nn::Backend& gpu, nn::Backend& oracle, const Network& net, const nn::NetworkWeights& w,
                               const nn::Tensor& input, double tol, const std::string& what) {
    const Analysis a = analyze(net);
    REQUIRE_MESSAGE(a.valid(), what);
    nn::ForwardResult g, o;
    const auto eg = gpu.forward(net, a, w, input, g);
    REQUIRE_MESSAGE(!eg, what << ": " << eg.value_or(""));
    const auto eo = oracle.forward(net, a, w, input, o);
    REQUIRE_MESSAGE(!eo, what << ": " << eo.value_or(""));
    REQUIRE(g.outputs.size() == net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
        CAPTURE(what);
        CAPTURE(net.layers[i].name);
        REQUIRE(g.outputs[i].shape == o.outputs[i].shape);
        CHECK(rel_l2(g.outputs[i], o.outputs[i]) < tol);
    }
}

}  // namespace convscope::test
