// Compiling compute shaders: defines injected after #version, driver errors that point at the line in
// the file (not in the source the driver saw) and name the variant, link errors, work-group sizes.
#include <doctest/doctest.h>

#include <epoxy/gl.h>

#include "gl/program.h"
#include "gl_support.h"
#include "support.h"

using namespace convscope;
using convscope::test::contains;
using convscope::test::headless_context;
using convscope::test::Ssbo;

namespace {

// The driver's log names a line as "0:5(12)" (Mesa) or "0(5)" (NVIDIA).
bool names_line(const std::string& log, int line) {
    const std::string n = std::to_string(line);
    return contains(log, "0:" + n + "(") || contains(log, "0(" + n + ")");
}

// Runs `program` as one work group over a buffer of `count` ints initialised to -1; returns the buffer.
std::vector<int> run_once(const gl::Program& program, int count) {
    Ssbo<int> out(std::vector<int>(count, -1));
    out.bind(0);
    glUseProgram(program.id());
    glDispatchCompute(1, 1, 1);
    glUseProgram(0);
    return out.read();
}

// Line 5 uses a name that exists nowhere.
const char* kBroken = R"(#version 430
layout(local_size_x = 1) in;
layout(std430, binding = 0) buffer Out { int v[]; };
void main() {
    v[0] = no_such_variable;
}
)";

}  // namespace

TEST_SUITE("gl_program") {

TEST_CASE("a compile error names the origin, the line in the file and the defines") {
    auto ctx = headless_context();
    std::string error;
    auto p = gl::Program::compile("shaders/broken.comp (built in)", kBroken, "#define VALUE 7\n#define OTHER 3\n",
                                  error);
    REQUIRE_FALSE(p);
    CAPTURE(error);
    CHECK(convscope::test::starts_with(error, "shaders/broken.comp (built in): compile failed:\n"));
    CHECK(contains(error, "no_such_variable"));
    // Line 5 of the file, though the driver saw two define lines and a #line directive before it.
    CHECK(names_line(error, 5));
    CHECK_FALSE(names_line(error, 7));
    CHECK(contains(error, "#define VALUE 7"));
    CHECK(contains(error, "#define OTHER 3"));
}

TEST_CASE("line numbers hold without defines, and with comments above #version") {
    auto ctx = headless_context();
    std::string error;
    CHECK_FALSE(gl::Program::compile("plain.comp", kBroken, "", error));
    CAPTURE(error);
    CHECK(names_line(error, 5));
    CHECK(contains(error, "defines: none"));

    // #version may follow comments; the defines must still go after it, and line 7 stay line 7.
    const std::string commented = std::string("// A kernel with a header comment.\n// Second line.\n") + kBroken;
    CHECK_FALSE(gl::Program::compile("commented.comp", commented, "#define VALUE 7", error));
    CHECK_FALSE(contains(error, "#version"));  // no complaint about where #version is
    CHECK(names_line(error, 7));
    CHECK(contains(error, "#define VALUE 7"));
}

TEST_CASE("a link error is reported as one, with the driver's log") {
    auto ctx = headless_context();
    // Declared, called, never defined: each stage compiles alone, only linking finds the hole.
    const char* source = R"(#version 430
layout(local_size_x = 1) in;
layout(std430, binding = 0) buffer Out { int v[]; };
int helper();
void main() { v[0] = helper(); }
)";
    std::string error;
    auto p = gl::Program::compile("unlinked.comp", source, "#define UNUSED 1\n", error);
    REQUIRE_FALSE(p);
    CAPTURE(error);
    CHECK(convscope::test::starts_with(error, "unlinked.comp: link failed:\n"));
    CHECK(contains(error, "helper"));
    CHECK(contains(error, "#define UNUSED 1"));
}

TEST_CASE("injected defines specialise the shader, and the work-group size is read back") {
    auto ctx = headless_context();
    const char* source = R"(#version 430
layout(local_size_x = LX, local_size_y = 2) in;
layout(std430, binding = 0) buffer Out { int v[]; };
void main() { v[gl_LocalInvocationIndex] = VALUE; }
)";
    std::string error;
    auto seven = gl::Program::compile("value.comp", source, "#define VALUE 7\n#define LX 8\n", error);
    REQUIRE_MESSAGE(seven, error);
    CHECK(seven->local_size[0] == 8);
    CHECK(seven->local_size[1] == 2);
    CHECK(seven->local_size[2] == 1);
    auto v = run_once(*seven, 17);
    CHECK(std::count(v.begin(), v.begin() + 16, 7) == 16);
    CHECK(v[16] == -1);  // one group of 8 × 2 writes 16 values, no more

    auto eleven = gl::Program::compile("value.comp", source, "#define VALUE 11\n#define LX 4", error);
    REQUIRE_MESSAGE(eleven, error);
    CHECK(eleven->local_size[0] == 4);
    v = run_once(*eleven, 9);
    CHECK(std::count(v.begin(), v.begin() + 8, 11) == 8);
    CHECK(v[8] == -1);
}

TEST_CASE("programs move, and the one moved over is deleted") {
    auto ctx = headless_context();
    const char* source = "#version 430\nlayout(local_size_x = 32) in;\nvoid main() {}\n";
    std::string error;
    auto a = gl::Program::compile("a.comp", source, "", error);
    auto b = gl::Program::compile("b.comp", source, "", error);
    REQUIRE(a);
    REQUIRE(b);
    const unsigned a_id = a->id(), b_id = b->id();
    CHECK(a_id != 0);
    CHECK(a_id != b_id);

    gl::Program moved(std::move(*a));
    CHECK(moved.id() == a_id);
    CHECK(moved.local_size[0] == 32);
    CHECK(a->id() == 0);

    moved = std::move(*b);
    CHECK(moved.id() == b_id);
    CHECK(b->id() == 0);
    CHECK(glIsProgram(a_id) == GL_FALSE);
    CHECK(glIsProgram(b_id) == GL_TRUE);
}

}  // TEST_SUITE
