// Helpers the test files share: a scratch directory, loading a preset that must exist, and text checks.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>
#include <system_error>

#include <unistd.h>

#include "cli/cli.h"
#include "core/presets.h"
#include "core/window_arithmetic.h"
#include "nn/tensor.h"

// CONVSCOPE_ASAN: this build is instrumented by AddressSanitizer (GCC says so with a macro, clang
// with __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define CONVSCOPE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONVSCOPE_ASAN 1
#endif
#endif

namespace convscope::test {

// One dimension of a sliding window: input, kernel, stride, padding before and after, dilation, rounding.
inline WindowParams wp(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, int64_t d = 1,
                Rounding r = Rounding::Floor) {
    WindowParams p;
    p.in = in;
    p.kernel = k;
    p.stride = s;
    p.pad_begin = pb;
    p.pad_end = pe;
    p.dilation = d;
    p.rounding = r;
    return p;
}

// A fresh directory per test: ctest runs test cases in parallel processes, so the name carries the pid,
// a clock stamp and a counter; the destructor removes it even when a check fails.
struct TempDir {
    std::filesystem::path path;
    TempDir() : TempDir(std::filesystem::temp_directory_path()) {}
    // The same inside `parent` rather than the system's temporary directory.
    explicit TempDir(const std::filesystem::path& parent) {
        static std::atomic<int> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path = parent / ("convscope-test-" + std::to_string(::getpid()) + "-" + std::to_string(stamp) + "-" +
                         std::to_string(counter++));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    // The path of `name` inside the directory, written with `text` unless that is empty.
    std::string file(const std::string& name, const std::string& text = {}) const {
        const auto p = path / name;
        if (!text.empty()) std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// A shipped preset; the test stops here if it does not load.
inline Network preset(const char* id) {
    auto r = load_preset(id);
    REQUIRE_MESSAGE(r, r.error);
    return *r.network;
}

inline bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }
inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Text wrapped for a terminal, joined back into one line so that phrases can be found whole.
inline std::string flat(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
            out += ' ';
        } else {
            out += text[i];
        }
    }
    return out;
}

// The command line run in-process: its exit status and what it printed.
struct Run {
    int code;
    std::string out, err;
};

inline Run run(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    const int code = run_cli(args, out, err);
    return {code, out.str(), err.str()};
}

// Element-wise equality of two float sequences whatever their containers (weights live in aligned
// buffers, expectations in plain vectors).
template <class A, class B>
bool same_values(const A& a, const B& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// A network named "test" of `layers` on `input`, with default layer names.
inline Network net_of(Shape3 input, std::vector<Layer> layers) {
    Network n;
    n.name = "test";
    n.input = input;
    n.layers = std::move(layers);
    assign_default_names(n);
    return n;
}

// ‖a − b‖ / ‖b‖ over all values (the absolute norm when b is zero): how the kernels are compared.
inline double rel_l2(const nn::Tensor& a, const nn::Tensor& b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = double(a.data[i]) - b.data[i];
        num += d * d;
        den += double(b.data[i]) * b.data[i];
    }
    return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

}  // namespace convscope::test
