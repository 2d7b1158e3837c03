// Where compute-shader sources come from: the copies built into the binary, or a directory read
// when asked (so an edited shader is used on the next run), with errors that name the file.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "gl/shader_library.h"
#include "support.h"

using namespace convscope;
using convscope::test::contains;
using convscope::test::TempDir;

TEST_SUITE("gl_shader_library") {

TEST_CASE("a directory library reads NAME.comp when asked, edits included") {
    TempDir dir;
    const std::string path = dir.file("double.comp", "#version 430\n// first\n");
    gl::ShaderLibrary lib(dir.path.string());
    CHECK(lib.directory() == dir.path.string());
    CHECK(lib.origin("double") == path);
    std::string error;
    auto src = lib.source("double", error);
    REQUIRE_MESSAGE(src, error);
    CHECK(*src == "#version 430\n// first\n");

    dir.file("double.comp", "#version 430\n// edited\n");
    src = lib.source("double", error);
    REQUIRE_MESSAGE(src, error);
    CHECK(*src == "#version 430\n// edited\n");
}

TEST_CASE("a missing file in a directory library is an error naming its path") {
    TempDir dir;
    gl::ShaderLibrary lib(dir.path.string());
    std::string error;
    CHECK_FALSE(lib.source("absent", error));
    CAPTURE(error);
    CHECK(contains(error, (dir.path / "absent.comp").string()));
    CHECK(contains(error, "No such file or directory"));
}

TEST_CASE("the built-in shaders are the files in shaders/, each with a source") {
    const auto names = gl::ShaderLibrary::builtin_names();
    CHECK(std::is_sorted(names.begin(), names.end()));

    std::vector<std::string> on_disk;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(CONVSCOPE_SOURCE_DIR) / "shaders"))
        if (e.path().extension() == ".comp") on_disk.push_back(e.path().stem().string());
    std::sort(on_disk.begin(), on_disk.end());
    CHECK(names == on_disk);

    gl::ShaderLibrary lib;
    CHECK(lib.directory().empty());
    for (const auto& name : names) {
        CAPTURE(name);
        std::string error;
        auto src = lib.source(name, error);
        REQUIRE_MESSAGE(src, error);
        CHECK_FALSE(src->empty());
        CHECK(contains(*src, "#version"));
        CHECK(lib.origin(name) == "shaders/" + name + ".comp (built in)");
    }
}

TEST_CASE("an unknown built-in shader is an error naming it") {
    gl::ShaderLibrary lib;
    std::string error;
    CHECK_FALSE(lib.source("no_such_kernel", error));
    CHECK(contains(error, "\"no_such_kernel\""));
    CHECK(contains(error, "no built-in shader"));
    CHECK(lib.origin("no_such_kernel") == "shaders/no_such_kernel.comp (built in)");
}

}  // TEST_SUITE
