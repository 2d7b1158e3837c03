// Whole-file reads and atomic writes. Saving a model or a table must never leave a half-written or
// stray temporary file behind, and every failure must say which path it was about.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "core/file_io.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;
namespace fs = std::filesystem;

namespace {

// Read through a different API than the one under test, so a bug shared by read_file and
// write_file_atomic cannot hide itself.
std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Every byte value, NULs included, and longer than read_file's 64 KiB chunk so that reads take
// several rounds.
std::string binary_blob(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 256) & 0xFF);
    return s;
}

}  // namespace

TEST_SUITE("file_io") {

TEST_CASE("write_file_atomic writes exactly the bytes given") {
    TempDir dir;
    const fs::path target = dir.path / "out.bin";
    const std::string data = binary_blob(200'000);
    std::string error;
    REQUIRE(write_file_atomic(target.string(), data, error));
    CHECK(error.empty());
    CHECK(fs::file_size(target) == data.size());
    CHECK(slurp(target) == data);
    CHECK(entries(dir.path) == std::vector<std::string>{"out.bin"});
}

TEST_CASE("write_file_atomic writes an empty file") {
    TempDir dir;
    const fs::path target = dir.path / "empty.txt";
    std::string error;
    REQUIRE(write_file_atomic(target.string(), "", error));
    CHECK(fs::exists(target));
    CHECK(fs::file_size(target) == 0);
}

TEST_CASE("write_file_atomic replaces an existing file completely") {
    TempDir dir;
    const fs::path target = dir.path / "model.json";
    std::string error;
    REQUIRE(write_file_atomic(target.string(), std::string(10'000, 'x'), error));
    // A shorter second write: a non-atomic in-place overwrite without truncation would leave the old tail.
    REQUIRE(write_file_atomic(target.string(), "short", error));
    CHECK(slurp(target) == "short");
    CHECK(entries(dir.path) == std::vector<std::string>{"model.json"});
}

TEST_CASE("write_file_atomic leaves no temporary files beside the target") {
    TempDir dir;
    std::string error;
    for (int i = 0; i < 20; ++i) {
        // Built with += rather than "f" + to_string(): GCC 12 gives a false -Wrestrict on the latter.
        std::string name = "f";
        name += std::to_string(i % 3);
        REQUIRE(write_file_atomic((dir.path / name).string(), std::to_string(i), error));
    }
    CHECK(entries(dir.path) == std::vector<std::string>{"f0", "f1", "f2"});
    CHECK(slurp(dir.path / "f0") == "18");
    CHECK(slurp(dir.path / "f1") == "19");
    CHECK(slurp(dir.path / "f2") == "17");
}

TEST_CASE("write_file_atomic gives the file the permissions the umask allows, not mkstemp's 0600") {
    TempDir dir;
    const fs::path target = dir.path / "table.csv";
    std::string error;
    REQUIRE(write_file_atomic(target.string(), "a,b\n", error));
    const mode_t mask = ::umask(0);
    ::umask(mask);
    struct stat st {};
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == (0666 & ~mask));
}

TEST_CASE("write_file_atomic into a missing directory fails, names the path and leaves nothing") {
    TempDir dir;
    const std::string path = (dir.path / "missing" / "out.json").string();
    std::string error;
    CHECK_FALSE(write_file_atomic(path, "data", error));
    CHECK(contains(error, path));
    CHECK(contains(error, "No such file or directory"));
    CHECK(fs::is_empty(dir.path));
}

TEST_CASE("write_file_atomic over a directory fails and keeps the directory") {
    TempDir dir;
    const fs::path target = dir.path / "sub";
    fs::create_directory(target);
    std::string error;
    CHECK_FALSE(write_file_atomic(target.string(), "data", error));
    CHECK(contains(error, target.string()));
    CHECK(fs::is_directory(target));
    // The temporary made beside the target must be removed again when the rename fails.
    CHECK(entries(dir.path) == std::vector<std::string>{"sub"});
    CHECK(fs::is_empty(target));
}

TEST_CASE("read_file reads back what was written") {
    TempDir dir;
    const fs::path target = dir.path / "in.bin";
    const std::string data = binary_blob(150'001);
    std::string error;
    REQUIRE(write_file_atomic(target.string(), data, error));
    const auto text = read_file(target.string(), error);
    REQUIRE(text);
    CHECK(text->size() == data.size());
    CHECK(*text == data);

    REQUIRE(write_file_atomic(target.string(), "", error));
    const auto empty = read_file(target.string(), error);
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("read_file refuses a file larger than max_bytes") {
    TempDir dir;
    const fs::path target = dir.path / "big.bin";
    std::string error;
    REQUIRE(write_file_atomic(target.string(), binary_blob(100'000), error));

    // The limit is inclusive: exactly max_bytes is read, one byte more is refused.
    std::string e1;
    const auto exact = read_file(target.string(), e1, 100'000);
    REQUIRE(exact);
    CHECK(exact->size() == 100'000);

    std::string e2;
    CHECK_FALSE(read_file(target.string(), e2, 99'999));
    CHECK(contains(e2, target.string()));
    CHECK(contains(e2, "larger than"));

    // A limit inside the first 64 KiB chunk is enforced too, not only between chunks.
    std::string e3;
    CHECK_FALSE(read_file(target.string(), e3, 10));
    CHECK(contains(e3, target.string()));

    // An empty file fits any limit, even zero.
    REQUIRE(write_file_atomic(target.string(), "", error));
    std::string e4;
    CHECK(read_file(target.string(), e4, 0));
}

TEST_CASE("read_file's size error states the limit it applied") {
    // A limit under 1 MiB must not be rounded away to "0 MiB".
    TempDir dir;
    const fs::path target = dir.path / "big.bin";
    std::string error;
    REQUIRE(write_file_atomic(target.string(), std::string(1000, 'x'), error));
    CHECK_FALSE(read_file(target.string(), error, 100));
    CHECK(contains(error, "larger than 100 bytes"));
}

TEST_CASE("read_file errors on a missing file and on a directory") {
    TempDir dir;
    const std::string missing = (dir.path / "nope.txt").string();
    std::string error;
    CHECK_FALSE(read_file(missing, error));
    CHECK(error == "cannot open " + missing + ": No such file or directory");

    std::string error2;
    CHECK_FALSE(read_file(dir.path.string(), error2));
    CHECK(error2 == "cannot read " + dir.path.string() + ": it is a directory");
}

}  // TEST_SUITE("file_io")
