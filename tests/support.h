// Helpers the test files share: a scratch directory, loading a preset that must exist, a layer's index
// by name, the interface language set for one test, text checks, and seeded inputs and weights.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>
#include <system_error>

#include <unistd.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/presets.h"
#include "core/window_arithmetic.h"
#include "nn/tensor.h"
#include "nn/weight_init.h"

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

// The index of the layer named `name`; the test fails where there is none.
inline size_t layer_index(const Network& net, const std::string& name) {
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (net.layers[i].name == name) return i;
    FAIL("no layer named " << name);
    return 0;
}

// Keeps the interface language of one test from leaking into the next (the tests expect English, and
// run_cli leaves the language of its last run set): saves it, optionally sets `lang`, and puts the
// saved one back whatever the checks do.
struct ScopedLanguage {
    Language saved = language();
    ScopedLanguage() = default;
    explicit ScopedLanguage(Language lang) { set_language(lang); }
    ~ScopedLanguage() { set_language(saved); }
    ScopedLanguage(const ScopedLanguage&) = delete;
    ScopedLanguage& operator=(const ScopedLanguage&) = delete;
};

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

// The text without any blank: a sentence found whatever the line breaks (Chinese breaks between any two
// characters, so flat() would put a space where the text has none).
inline std::string squeezed(const std::string& text) {
    std::string out;
    for (char ch : text)
        if (ch != ' ' && ch != '\n') out += ch;
    return out;
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
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

// A tensor of `s` filled with normal(0, 1) noise from mt19937 seeded with `seed`, in storage order.
inline nn::Tensor random_input(Shape3 s, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> v(0.0f, 1.0f);
    nn::Tensor t(s);
    for (float& x : t.data) x = v(rng);
    return t;
}

// Seeded weights with random biases too (the seeded ones are zero, which would hide a bias bug, such as
// one that lands on the wrong device's channels).
inline nn::NetworkWeights weights_with_biases(const Network& net, const Analysis& a, uint64_t seed) {
    nn::InitOptions o;
    o.seed = seed;
    nn::NetworkWeights w = nn::make_seeded_weights(net, a, o);
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<float> v(0.0f, 0.1f);
    for (auto& lw : w.layers)
        for (float& b : lw.bias) b = v(rng);
    return w;
}

}  // namespace convscope::test
