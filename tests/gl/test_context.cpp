// The headless OpenGL context: it exists wherever the tests run, reports what the driver can do, and
// runs a compute shader end to end (upload, dispatch, barrier, read back).
#include <doctest/doctest.h>

#include <epoxy/gl.h>

#include "gl/program.h"
#include "gl_support.h"
#include "support.h"

using namespace convscope;
using convscope::test::contains;
using convscope::test::headless_context;
using convscope::test::Ssbo;

TEST_SUITE("gl_context") {

TEST_CASE("a headless context offers OpenGL 4.3 and reports its limits") {
    auto ctx = headless_context();
    const gl::GlInfo& info = ctx->info();
    MESSAGE(info.summary());
    CHECK((info.major > 4 || (info.major == 4 && info.minor >= 3)));
    CHECK((info.platform == "EGL device" || info.platform == "EGL surfaceless (Mesa)"));
    CHECK_FALSE(info.vendor.empty());
    CHECK_FALSE(info.renderer.empty());
    CHECK(contains(info.version, std::to_string(info.major) + "." + std::to_string(info.minor)));
    CHECK_FALSE(info.glsl_version.empty());
    // The minimums OpenGL 4.3 guarantees.
    CHECK(info.max_ssbo_bytes >= (int64_t{1} << 24));
    CHECK(info.max_shared_bytes >= 32768);
    CHECK(info.max_invocations >= 1024);
    for (int64_t g : info.max_groups) CHECK(g >= 65535);
    CHECK(info.ssbo_offset_alignment >= 1);
    CHECK(info.timer_queries);
    const std::string s = info.summary();
    CHECK(contains(s, info.renderer));
    CHECK(contains(s, "OpenGL " + info.version));
    CHECK(contains(s, info.platform));
    // The queries leave no error behind.
    CHECK(glGetError() == GL_NO_ERROR);
}

TEST_CASE("the context current on this thread can be adopted, and make_current is harmless") {
    auto ctx = headless_context();
    ctx->make_current();
    std::string why;
    auto adopted = gl::GlContext::adopt_current(why);
    REQUIRE_MESSAGE(adopted, why);
    CHECK(adopted->info().platform == "window");
    CHECK(adopted->info().renderer == ctx->info().renderer);
    CHECK(adopted->info().max_ssbo_bytes == ctx->info().max_ssbo_bytes);
    adopted.reset();
    // Dropping the adopted one leaves the context alive and current.
    CHECK(glGetString(GL_VERSION) != nullptr);
}

TEST_CASE("adopting with no context current fails with a reason") {
    std::string why;
    {
        auto ctx = headless_context();
    }  // destroyed: nothing is current on this thread now
    auto adopted = gl::GlContext::adopt_current(why);
    CHECK_FALSE(adopted);
    CHECK(contains(why, "no OpenGL context is current"));
}

TEST_CASE("two headless contexts alive at once both work, and outlive each other") {
    auto first = headless_context();
    auto second = headless_context();
    second.reset();  // must not take the shared EGL display away from the first
    first->make_current();
    REQUIRE(glGetString(GL_VERSION) != nullptr);
    std::string error;
    auto p = gl::Program::compile("two.comp", "#version 430\nlayout(local_size_x = 1) in;\nvoid main() {}\n", "", error);
    CHECK_MESSAGE(p, error);
}

TEST_CASE("a compute shader computes y = 2x + 1 for 1000 values") {
    auto ctx = headless_context();
    const char* source = R"(#version 430
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float y[]; };
uniform uint n;
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < n) y[i] = 2.0 * x[i] + 1.0;
}
)";
    std::string error;
    auto program = gl::Program::compile("affine.comp", source, "", error);
    REQUIRE_MESSAGE(program, error);
    CHECK(program->local_size[0] == 64);

    const int n = 1000;
    std::vector<float> x(n);
    for (int i = 0; i < n; ++i) x[i] = 0.5f * static_cast<float>(i) - 100.0f;
    // One value past the end: the bounds check in the shader must leave it alone.
    Ssbo<float> in(x), out(std::vector<float>(n + 1, -7.0f));
    in.bind(0);
    out.bind(1);
    glUseProgram(program->id());
    glUniform1ui(glGetUniformLocation(program->id(), "n"), n);
    glDispatchCompute((n + 63) / 64, 1, 1);
    REQUIRE(glGetError() == GL_NO_ERROR);
    const std::vector<float> y = out.read();
    int wrong = 0;
    for (int i = 0; i < n; ++i)
        if (y[i] != 2.0f * x[i] + 1.0f) ++wrong;
    CHECK(wrong == 0);
    CHECK(y[0] == -199.0f);
    CHECK(y[999] == 800.0f);
    CHECK(y[n] == -7.0f);
    glUseProgram(0);
}

}  // TEST_SUITE
