// The command line, run in-process: output, exit codes and files written.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;
namespace fs = std::filesystem;

TEST_CASE("no arguments prints the AlexNet table") {
    const Run r = run({});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "AlexNet (Caffe) — input 3×227×227"));
    CHECK(contains(r.out, "60,965,224 parameters"));
}

TEST_CASE("table: the Caffe AlexNet reference figures, exit 0") {
    const Run r = run({"table", "--preset", "alexnet-caffe"});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(contains(r.out, "(227 − 11 + 2·0)/4 + 1 = 55"));
    CHECK(contains(r.out, "105,415,200"));
    CHECK(contains(r.out, "724,406,816 MACs"));
}

TEST_CASE("table --input overrides the model's input") {
    const Run r = run({"table", "--preset", "alexnet-caffe", "--input", "224", "--format", "json"});
    CHECK(r.code == 0);  // warnings only: ceil pooling brings 54 back to 27
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["input"] == nlohmann::json::array({3, 224, 224}));
    CHECK(j["layers"][0]["output"] == nlohmann::json::array({96, 54, 54}));
    CHECK(j["layers"][3]["output"] == nlohmann::json::array({96, 27, 27}));
    const Run rect = run({"table", "--input", "224x227", "--format", "json"});
    CHECK(nlohmann::json::parse(rect.out)["input"] == nlohmann::json::array({3, 224, 227}));
}

TEST_CASE("table: an invalid layer exits 1 but still prints the table") {
    const Run r = run({"table", "--preset", "alexnet-caffe", "--input", "5"});
    CHECK(r.code == 1);
    CHECK(contains(r.out, "error: conv1: the window (11 wide) is larger than the padded input (5)"));
    CHECK(contains(r.out, "prob"));  // the last row is still there
}

TEST_CASE("every format is available from the command line") {
    for (const char* f : {"text", "csv", "md", "json", "latex"}) {
        CAPTURE(f);
        const Run r = run({"table", "--format", f});
        CHECK(r.code == 0);
        CHECK(contains(r.out, "conv1"));
    }
}

TEST_CASE("-o writes the file atomically and prints nothing") {
    TempDir dir;
    const std::string path = dir.file("alexnet.csv");
    const Run r = run({"table", "--format", "csv", "-o", path});
    CHECK(r.code == 0);
    CHECK(r.out.empty());
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    CHECK(first.rfind("index,name,type", 0) == 0);
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) (void)e, ++files;
    CHECK(files == 1);  // no temporary file left behind
}

TEST_CASE("-o into a missing directory: exit 2 and a clear message") {
    const Run r = run({"table", "-o", "/nonexistent-dir/table.txt"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "cannot write /nonexistent-dir/table.txt"));
}

TEST_CASE("a bad model file: exit 2 with the place of the problem") {
    TempDir dir;
    const std::string bad = dir.file("bad.json", R"({"name": "x", "input": [3, 32, 32], "layers": [
        {"type": "conv", "out": 8, "kernel": 3},
        {"type": "relu"},
        {"type": "maxpool", "kernel": 2},
        {"type": "conv", "out": 8, "kernel": 3, "stride": 0}]})");
    const Run r = run({"table", "--model", bad});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, bad + ": layers[3].stride: must be ≥ 1, got 0"));
    const Run missing = run({"table", "--model", dir.file("missing.json")});
    CHECK(missing.code == 2);
    CHECK(contains(missing.err, "No such file or directory"));
    const std::string broken = dir.file("broken.json", "{\n  \"input\": [3, 8, 8],\n  \"layers\": [,]\n}\n");
    const Run b = run({"table", "--model", broken});
    CHECK(b.code == 2);
    CHECK(contains(b.err, "line 3"));
}

TEST_CASE("usage errors exit 2") {
    CHECK(run({"table", "--format", "pdf"}).code == 2);
    CHECK(run({"table", "--input", "0"}).code == 2);
    CHECK(run({"table", "--input", "abc"}).code == 2);
    CHECK(run({"table", "--input"}).code == 2);
    CHECK(run({"table", "--bogus"}).code == 2);
    CHECK(run({"table", "--preset", "alexnet-caffe", "--model", "x.json"}).code == 2);
    CHECK(run({"frobnicate"}).code == 2);
    const Run unknown = run({"table", "--preset", "lenet"});
    CHECK(unknown.code == 2);
    CHECK(contains(unknown.err, "unknown preset \"lenet\" (known: alexnet-caffe, alexnet-paper"));
}

TEST_CASE("--help on every command") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--help"}, {"table", "--help"}, {"explain", "--help"}, {"presets", "--help"}, {"table", "-h"}}) {
        const Run r = run(args);
        CHECK(r.code == 0);
        CHECK(contains(r.out, "Usage: convscope"));
    }
}

TEST_CASE("presets lists every shipped model") {
    const Run r = run({"presets"});
    CHECK(r.code == 0);
    for (const char* id : {"alexnet-caffe", "alexnet-paper", "alexnet-torchvision", "lenet5", "zfnet", "vgg16"})
        CHECK_MESSAGE(contains(r.out, id), id);
    CHECK(contains(r.out, "AlexNet (Caffe)"));
}

TEST_CASE("explain defaults to the paper's AlexNet") {
    const Run r = run({"explain"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "Proposed input:"));
    CHECK(contains(r.out, "227×227"));
    const Run caffe = run({"explain", "--preset", "alexnet-caffe", "--input", "3"});
    CHECK(caffe.code == 1);
}
