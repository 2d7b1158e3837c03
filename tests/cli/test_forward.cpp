// `convscope forward` and `convscope bench`, run in-process: what they print, the files --dump writes,
// and the errors for bad inputs.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "nn/npy.h"
#include "nn/onnx_tensor.h"
#include "nn/safetensors.h"
#include "nn/weight_init.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;
namespace fs = std::filesystem;

TEST_SUITE("cli_forward") {

TEST_CASE("forward prints every layer with its shape and value range") {
    const Run r = run({"forward", "--preset", "lenet5", "--threads", "1"});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(contains(r.out, "LeNet-5 — forward pass on cpu (1 thread)"));
    CHECK(contains(r.out, "input:   1×32×32, pattern grating (torchvision normalisation)"));
    CHECK(contains(r.out, "weights: seeded He-normal (seed 1)"));
    CHECK(contains(r.out, "c1         conv      6×28×28"));
    CHECK(contains(r.out, "prob       softmax   10×1×1"));
}

TEST_CASE("forward --dump writes .npy and .png per layer and a summary") {
    TempDir dir;
    const std::string out_dir = (dir.path / "maps").string();
    const Run r = run({"forward", "--preset", "lenet5", "--pattern", "checkerboard", "--dump", out_dir});
    REQUIRE(r.code == 0);
    CHECK(fs::exists(fs::path(out_dir) / "01_c1.npy"));
    CHECK(fs::exists(fs::path(out_dir) / "01_c1.png"));
    CHECK(fs::exists(fs::path(out_dir) / "12_prob.npy"));
    const auto c1 = nn::read_npy((fs::path(out_dir) / "01_c1.npy").string());
    REQUIRE(c1);
    CHECK(c1.tensor->shape == Shape3{6, 28, 28});
    std::ifstream in(fs::path(out_dir) / "summary.json");
    const auto j = nlohmann::json::parse(in);
    CHECK(j["model"] == "LeNet-5");
    CHECK(j["layers"].size() == 12);
    CHECK(j["layers"][0]["shape"] == nlohmann::json::array({6, 28, 28}));
    CHECK(j["layers"][0]["npy"] == "01_c1.npy");
    CHECK(j["top5"].size() == 5);
    CHECK(j["designed_first_conv"] == false);
}

TEST_CASE("the reference and cpu backends agree through the command line") {
    TempDir dir;
    const std::string a = (dir.path / "a").string(), b = (dir.path / "b").string();
    REQUIRE(run({"forward", "--preset", "lenet5", "--backend", "reference", "--dump", a}).code == 0);
    REQUIRE(run({"forward", "--preset", "lenet5", "--backend", "cpu", "--dump", b}).code == 0);
    const auto x = nn::read_npy((fs::path(a) / "11_output.npy").string());
    const auto y = nn::read_npy((fs::path(b) / "11_output.npy").string());
    REQUIRE(x);
    REQUIRE(y);
    for (size_t i = 0; i < x.tensor->size(); ++i) CHECK(x.tensor->data[i] == doctest::Approx(y.tensor->data[i]).epsilon(1e-4));
}

TEST_CASE("--input-npy feeds a tensor as it is, and must match the input shape") {
    TempDir dir;
    nn::Tensor t({1, 32, 32}, 0.5f);
    std::string error;
    const std::string good = (dir.path / "x.npy").string();
    REQUIRE(nn::write_npy(good, t, error));
    CHECK(run({"forward", "--preset", "lenet5", "--input-npy", good}).code == 0);
    const std::string wrong = (dir.path / "y.npy").string();
    REQUIRE(nn::write_npy(wrong, nn::Tensor({3, 32, 32}), error));
    const Run r = run({"forward", "--preset", "lenet5", "--input-npy", wrong});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "holds 3×32×32, the network expects 1×32×32"));
}

TEST_CASE("weights from safetensors, with labels found beside them, give a top-5") {
    TempDir dir;
    const Network net = preset("lenet5");
    const Analysis a = analyze(net);
    const auto w = nn::make_seeded_weights(net, a, {7, false});
    const std::string path = (dir.path / "lenet.safetensors").string();
    REQUIRE_FALSE(nn::save_safetensors_weights(net, w, path, nn::SafetensorsNaming::Plain));
    dir.file("labels.txt", "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n");
    const Run r = run({"forward", "--preset", "lenet5", "--weights", path});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "weights: lenet.safetensors"));
    CHECK(contains(r.out, "top-5:"));
}

TEST_CASE("forward errors: invalid network exits 1, unreadable inputs exit 2") {
    const Run invalid = run({"forward", "--preset", "alexnet-caffe", "--input", "5"});
    CHECK(invalid.code == 1);
    CHECK(contains(invalid.err, "conv1: the window (11 wide) is larger than the padded input (5)"));
    CHECK(run({"forward", "--preset", "lenet5", "--image", "/nonexistent.png"}).code == 2);
    CHECK(run({"forward", "--preset", "lenet5", "--weights", "/nonexistent.safetensors"}).code == 2);
    CHECK(run({"forward", "--preset", "lenet5", "--pattern", "zebra"}).code == 2);
    CHECK(run({"forward", "--preset", "lenet5", "--backend", "gpu-please"}).code == 2);
    CHECK(run({"forward", "--preset", "lenet5", "--image", "a.png", "--pattern", "dot"}).code == 2);
    CHECK(run({"forward", "--preset", "lenet5", "--threads", "0"}).code == 2);
}

TEST_CASE("bench reports per-layer timings as text and JSON") {
    const Run text = run({"bench", "--preset", "lenet5", "--runs", "3"});
    CHECK(text.code == 0);
    CHECK(contains(text.out, "LeNet-5 — 3 passes on cpu"));
    CHECK(contains(text.out, "median ms"));
    const Run json = run({"bench", "--preset", "lenet5", "--runs", "3", "--format", "json"});
    REQUIRE(json.code == 0);
    const auto j = nlohmann::json::parse(json.out);
    CHECK(j["runs"] == 3);
    CHECK(j["layers"].size() == 12);
    CHECK(j["layers"][0]["macs"] == 6 * 28 * 28 * 25);
    CHECK(j["total"]["median_ms"].get<double>() > 0);
}

TEST_CASE("forward and bench answer --help") {
    CHECK(contains(run({"forward", "--help"}).out, "Usage: convscope forward"));
    CHECK(contains(run({"bench", "--help"}).out, "Usage: convscope bench"));
}

}  // TEST_SUITE

TEST_CASE("export-weights writes the seeded weights that forward then loads") {
    TempDir dir;
    const std::string path = (dir.path / "w.safetensors").string();
    const Run r = run({"export-weights", "--preset", "lenet5", "--seed", "5", "-o", path});
    REQUIRE(r.code == 0);
    const Network net = preset("lenet5");
    const Analysis a = analyze(net);
    const auto loaded = nn::load_safetensors_weights(net, a, path);
    REQUIRE(loaded.ok());
    const auto seeded = nn::make_seeded_weights(net, a, {5, true});
    for (size_t i = 0; i < net.layers.size(); ++i) {
        CHECK(loaded.weights.layers[i].weight == seeded.layers[i].weight);
        CHECK(loaded.weights.layers[i].bias == seeded.layers[i].bias);
    }
    CHECK(run({"export-weights", "--preset", "lenet5"}).code == 2);  // no -o
    CHECK(run({"export-weights", "--preset", "lenet5", "--naming", "keras", "-o", path}).code == 2);
}

TEST_CASE("forward --onnx runs an ONNX conformance model end to end and matches its expected output") {
    const fs::path dir = "/usr/share/libonnx-testdata/data/node/test_maxpool_2d_default";
    if (!fs::exists(dir / "model.onnx")) {
        MESSAGE("libonnx-testdata is not installed (scripts/setup installs it): skipped");
        return;
    }
    const auto input = nn::read_onnx_tensor_file((dir / "test_data_set_0" / "input_0.pb").string());
    const auto expected = nn::read_onnx_tensor_file((dir / "test_data_set_0" / "output_0.pb").string());
    REQUIRE(input.tensor);
    REQUIRE(expected.tensor);
    // (1, 3, 32, 32) in the file; one image (3, 32, 32) for ConvScope.
    nn::Tensor x({input.tensor->dims[1], input.tensor->dims[2], input.tensor->dims[3]});
    std::copy(input.tensor->values.begin(), input.tensor->values.end(), x.data.begin());
    TempDir tmp;
    std::string error;
    const std::string npy = (tmp.path / "x.npy").string();
    REQUIRE(nn::write_npy(npy, x, error));
    const std::string dump = (tmp.path / "out").string();
    const Run table = run({"table", "--onnx", (dir / "model.onnx").string()});
    CHECK(table.code == 0);
    CHECK(contains(table.out, "3×31×31"));
    const Run r = run({"forward", "--onnx", (dir / "model.onnx").string(), "--input-npy", npy, "--dump", dump});
    REQUIRE(r.code == 0);
    CHECK(contains(r.out, "weights: model.onnx"));
    const auto y = nn::read_npy((fs::path(dump) / "01_pool0.npy").string());
    REQUIRE(y);
    REQUIRE(y.tensor->size() == expected.tensor->values.size());
    for (size_t i = 0; i < y.tensor->size(); ++i) CHECK(y.tensor->data[i] == expected.tensor->values[i]);
}

TEST_SUITE("cli_forward") {
TEST_CASE("a network too large for the memory budget is refused before anything is allocated") {
    TempDir dir;
    const std::string model = dir.file(
        "wide.json", R"({"name": "wide", "input": [3, 224, 224], "layers": [{"type": "conv", "out": 100000, "kernel": 3}]})");
    for (const char* cmd : {"forward", "bench"}) {
        const Run r = run({cmd, "--model", model});
        CHECK(r.code == 2);
        CHECK(contains(r.err, "the network is too large to run here: it needs "));
        CHECK(contains(r.err, "more than the limit of 4.0 GiB (--memory-limit GIB raises it)"));
    }
    const Run e = run({"export-weights", "--model", model, "-o", dir.file("w.safetensors")});
    CHECK(e.code == 2);
    CHECK(contains(e.err, "too large to generate weights for"));
    CHECK(run({"forward", "--preset", "lenet5", "--memory-limit", "1"}).code == 0);
    CHECK(run({"forward", "--preset", "lenet5", "--memory-limit", "0"}).code == 2);
}
}
