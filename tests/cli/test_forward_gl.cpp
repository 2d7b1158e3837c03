// `convscope forward` and `bench` with --backend gl: the same output and files as on the CPU, the
// device named, edited shaders from --shader-dir, and the fallback to the CPU, with a note, where no
// OpenGL 4.3 context can be made (Mesa told to offer only OpenGL 4.1, as an older driver would).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <sstream>

#include "cli/run_setup.h"
#include "gl/gl_backend.h"
#include "gl/shader_library.h"
#include "nn/npy.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;
namespace fs = std::filesystem;

namespace {

double rel_l2_of(const fs::path& a, const fs::path& b) {
    const auto x = nn::read_npy(a.string()), y = nn::read_npy(b.string());
    REQUIRE_MESSAGE(x, x.error);
    REQUIRE_MESSAGE(y, y.error);
    REQUIRE(x.tensor->shape == y.tensor->shape);
    return rel_l2(*x.tensor, *y.tensor);
}

// The installed binary with extra environment, its standard output and error captured to files.
Run run_binary(const std::string& env, const std::string& args) {
    TempDir dir;
    const std::string out = dir.file("out.txt"), err = dir.file("err.txt");
    const std::string cmd = env + " " + CONVSCOPE_BINARY + " " + args + " >" + out + " 2>" + err;
    const int status = std::system(cmd.c_str());
    auto slurp = [](const std::string& p) {
        std::ifstream f(p);
        return std::string((std::istreambuf_iterator<char>(f)), {});
    };
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

// The address space this process uses now (VmSize), in bytes.
int64_t address_space_bytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmSize:", 0) == 0) return std::stoll(line.substr(7)) * 1024;
    return 0;
}

// RLIMIT_AS lowered to `bytes` while the object lives, then restored: allocations past it fail, in the
// GPU driver too. On Mesa's llvmpipe a buffer object's store is ordinary memory, so a driver that can
// map no more is what a GPU with full memory is.
struct AddressSpaceLimit {
    rlimit old{};
    explicit AddressSpaceLimit(int64_t bytes) {
        REQUIRE(::getrlimit(RLIMIT_AS, &old) == 0);
        const rlimit lower{static_cast<rlim_t>(bytes), old.rlim_max};
        REQUIRE(::setrlimit(RLIMIT_AS, &lower) == 0);
    }
    ~AddressSpaceLimit() { ::setrlimit(RLIMIT_AS, &old); }
    AddressSpaceLimit(const AddressSpaceLimit&) = delete;
    AddressSpaceLimit& operator=(const AddressSpaceLimit&) = delete;
};

}  // namespace

TEST_SUITE("cli_forward_gl") {

TEST_CASE("forward --backend gl names the device and dumps what the cpu backend dumps") {
    TempDir dir;
    const std::string g = (dir.path / "gl").string(), c = (dir.path / "cpu").string();
    const Run r = run({"forward", "--preset", "alexnet-caffe", "--backend", "gl", "--dump", g});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "AlexNet (Caffe) — forward pass on gl: "));
    CHECK(contains(r.out, "OpenGL"));
    CHECK(!contains(r.out, "note:"));
    REQUIRE(run({"forward", "--preset", "alexnet-caffe", "--backend", "cpu", "--dump", c}).code == 0);
    for (const char* f : {"01_conv1.npy", "02_relu1.npy", "03_norm1.npy", "05_conv2.npy", "16_fc6.npy", "23_prob.npy"}) {
        CAPTURE(f);
        CHECK(rel_l2_of(fs::path(g) / f, fs::path(c) / f) < 1e-4);
    }
    CHECK(fs::exists(fs::path(g) / "01_conv1.png"));
    std::ifstream in(fs::path(g) / "summary.json");
    const auto j = nlohmann::json::parse(in);
    CHECK(j["backend"] == "gl");
    CHECK(contains(j["device"].get<std::string>(), "gl: "));
}

TEST_CASE("bench --backend gl reports GPU times per layer and the wall time of a pass") {
    const Run r = run({"bench", "--preset", "lenet5", "--backend", "gl", "--runs", "3", "--format", "json"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["backend"] == "gl");
    CHECK(j["layers"].size() == 12);
    CHECK(j["total"]["median_ms"].get<double>() > 0);
    CHECK(j["wall"]["median_ms"].get<double>() >= j["total"]["min_ms"].get<double>() * 0.5);
    CHECK(!j.contains("note"));
}

TEST_CASE("--shader-dir runs an edited shader, a missing one falls back to the CPU naming the file") {
    TempDir dir;
    for (const auto& name : gl::ShaderLibrary::builtin_names()) {
        std::string error;
        dir.file(name + ".comp", *gl::ShaderLibrary().source(name, error));
    }
    // softmax.comp edited to write 0.5 everywhere: the printout's last row must show it.
    std::ifstream f(dir.path / "softmax.comp");
    std::string text((std::istreambuf_iterator<char>(f)), {});
    const std::string from = "y[i] = exp(x[i] - m) / total;";
    REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), "y[i] = 0.5;");
    dir.file("softmax.comp", text);
    const Run r = run({"forward", "--preset", "lenet5", "--backend", "gl", "--shader-dir", dir.path.string()});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "prob       softmax   10×1×1"));
    CHECK(contains(r.out, "0.5         0.5         0.5"));

    // A shader that cannot be read (or compiled) is a GPU fault: the pass runs on the CPU, and says why.
    fs::remove(dir.path / "conv.comp");
    const Run missing = run({"forward", "--preset", "lenet5", "--backend", "gl", "--shader-dir", dir.path.string()});
    CHECK(missing.code == 0);
    CHECK(contains(missing.err, "note: the GPU pass failed ("));
    CHECK(contains(missing.err, (dir.path / "conv.comp").string()));
    CHECK(contains(missing.err, "running on the CPU instead"));
    CHECK(contains(missing.out, "LeNet-5 — forward pass on cpu"));
    CHECK(contains(missing.out, "note:    the GPU pass failed"));

    const Run wrong = run({"forward", "--preset", "lenet5", "--shader-dir", dir.path.string()});
    CHECK(wrong.code == 2);
    CHECK(contains(wrong.err, "--shader-dir needs --backend gl"));
}

TEST_CASE("without OpenGL 4.3 the gl backend steps aside: the pass runs on the cpu, with a note") {
    const Run r = run_binary("MESA_GL_VERSION_OVERRIDE=4.1", "forward --preset lenet5 --backend gl");
    CHECK(r.code == 0);
    CHECK(contains(r.err, "note: the GPU backend is unavailable"));
    CHECK(contains(r.err, "running on the CPU instead"));
    CHECK(contains(r.out, "LeNet-5 — forward pass on cpu"));
    CHECK(contains(r.out, "prob       softmax   10×1×1"));
}

TEST_CASE("a buffer the GPU cannot allocate: the pass runs on the CPU, with a note, and gives the CPU's result") {
#if defined(CONVSCOPE_ASAN)
    MESSAGE("skipped: AddressSanitizer reserves its shadow memory up front and aborts on a failed allocation");
    return;
#endif
    // One fully connected layer with 96 MiB of weights (4096 inputs, 6144 outputs). Every buffer fits
    // one shader storage block (the weights are bound a slice of rows at a time), so the GPU backend
    // takes the network; the driver is then refused the memory for the weights.
    TempDir dir;
    const std::string model = dir.file("wide-fc.json", R"({"name": "wide fc", "input": [1, 64, 64], )"
                                                       R"("layers": [{"name": "fc", "type": "fc", "out": 6144}]})");
    const std::string input = dir.file("input.npy");
    std::string error;
    REQUIRE_MESSAGE(nn::write_npy(input, random_input({1, 64, 64}, 11), error), error);
    const cli::Args args({"forward", "--model", model, "--input-npy", input, "--backend", "gl"}, 1, cli::run_flags());
    std::ostringstream err;
    int code = 0;
    auto s = cli::prepare_run(args, err, code);
    REQUIRE_MESSAGE(s, err.str());
    REQUIRE(s->backend->name() == "gl");
    REQUIRE(s->backend_note.empty());
    // A real GPU's memory is not the process's address space: lowering the limit would not fill it.
    if (!contains(s->gl_context->info().renderer, "llvmpipe")) {
        MESSAGE("skipped: the GPU is " << s->gl_context->info().renderer << ", not Mesa's llvmpipe");
        return;
    }

    // The CPU's answer first; it also starts the CPU's threads, which need address space of their own.
    nn::ForwardResult want;
    REQUIRE_FALSE(nn::make_cpu_backend()->forward(s->net, s->analysis, s->weights, s->input, want));

    nn::ForwardResult got;
    std::optional<std::string> failed;
    {
        // Room for half the weights: enough for everything but the GPU's copy of them.
        AddressSpaceLimit limit(address_space_bytes() + (48 << 20));
        failed = cli::run_pass(*s, got, err);
    }
    REQUIRE_MESSAGE(!failed, *failed);
    CHECK(s->backend->name() == "cpu");
    CHECK(starts_with(s->device, "cpu ("));
    CHECK(s->backend_note ==
          "the GPU pass failed (fc's weights: the GPU cannot allocate 100663296 bytes (GL_OUT_OF_MEMORY (0x0505))); "
          "running on the CPU instead");
    CHECK(contains(err.str(), "convscope: note: the GPU pass failed (fc's weights: the GPU cannot allocate"));
    REQUIRE(got.outputs.size() == 1);
    CHECK(got.outputs[0].shape == Shape3{6144, 1, 1});
    CHECK(same_values(got.outputs[0].data, want.outputs[0].data));

    // The GPU backend itself: refused under the limit, and the same object runs the network once the
    // memory is back (it asks the driver again instead of writing to the store it was refused).
    auto gpu = gl::make_gl_backend(*s->gl_context);
    nn::ForwardResult on_gpu;
    std::optional<std::string> refused;
    {
        AddressSpaceLimit limit(address_space_bytes() + (48 << 20));
        refused = gpu->forward(s->net, s->analysis, s->weights, s->input, on_gpu);
    }
    REQUIRE(refused);
    CHECK(*refused == "fc's weights: the GPU cannot allocate 100663296 bytes (GL_OUT_OF_MEMORY (0x0505))");
    const auto again = gpu->forward(s->net, s->analysis, s->weights, s->input, on_gpu);
    REQUIRE_MESSAGE(!again, *again);
    CHECK(rel_l2(on_gpu.outputs[0], want.outputs[0]) < 1e-5);
}

}
