// `convscope forward --devices K`: the layers split across devices print each layer's split and the
// values gathered, give the numbers of the unsplit pass (cpu and gl), and a bad K is a usage error.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nn/npy.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;
namespace fs = std::filesystem;

namespace {

// Every layer's dumped output in two directories, compared (relative L2).
void check_dumps_match(const std::string& a, const std::string& b, size_t layers, double tol) {
    size_t compared = 0;
    for (const auto& entry : fs::directory_iterator(a)) {
        if (entry.path().extension() != ".npy") continue;
        CAPTURE(entry.path().filename().string());
        const auto x = nn::read_npy(entry.path().string());
        const auto y = nn::read_npy((fs::path(b) / entry.path().filename()).string());
        REQUIRE_MESSAGE(x, x.error);
        REQUIRE_MESSAGE(y, y.error);
        REQUIRE(x.tensor->shape == y.tensor->shape);
        CHECK(rel_l2(*x.tensor, *y.tensor) < tol);
        ++compared;
    }
    CHECK(compared == layers);
}

}  // namespace

TEST_SUITE("cli_forward_devices") {

TEST_CASE("forward --devices 2 splits AlexNet as the paper did and prints what moved") {
    TempDir dir;
    const std::string whole = (dir.path / "whole").string(), split = (dir.path / "split").string();
    REQUIRE(run({"forward", "--preset", "alexnet-caffe", "--dump", whole}).code == 0);
    const Run r = run({"forward", "--preset", "alexnet-caffe", "--threads", "2", "--devices", "2", "--dump", split});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.empty());
    CHECK(contains(r.out, "AlexNet (Caffe) — forward pass on cpu (2 threads), split across 2 devices (a thread each)"));
    CHECK(contains(r.out, "devices     gathered"));
    CHECK(contains(r.out, "conv1      conv      96×55×55      48+48          "));
    CHECK(contains(r.out, "conv2      conv      256×27×27     128+128        "));
    CHECK(contains(r.out, "conv3      conv      384×13×13     192+192       43,264"));  // 2 · 128 · 13 · 13
    CHECK(contains(r.out, "values gathered from other devices: 76,688 per image (306,752 bytes)"));
    check_dumps_match(split, whole, 23, 1e-5);
    std::ifstream in(fs::path(split) / "summary.json");
    const auto j = nlohmann::json::parse(in);
    CHECK(j["devices"] == 2);
    CHECK(j["layers"][0]["device_channels"] == nlohmann::json::array({48, 48}));
    CHECK(j["layers"][8]["gathered_values"] == 43264);
}

TEST_CASE("forward --devices on the GL backend runs the devices one after another, with the same numbers") {
    TempDir dir;
    const std::string whole = (dir.path / "whole").string(), split = (dir.path / "split").string();
    REQUIRE(run({"forward", "--preset", "lenet5", "--dump", whole}).code == 0);
    const Run r = run({"forward", "--preset", "lenet5", "--backend", "gl", "--devices", "4", "--dump", split});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "split across 4 devices (one after another)"));
    CHECK(contains(r.out, "c1         conv      6×28×28       2+2+1+1"));
    check_dumps_match(split, whole, 12, 1e-4);
}

TEST_CASE("forward --devices outside 1 to 64 is a usage error") {
    for (const char* k : {"0", "65", "two"}) {
        CAPTURE(k);
        const Run r = run({"forward", "--preset", "lenet5", "--devices", k});
        CHECK(r.code == 2);
        CHECK(contains(r.err, "--devices: expected an integer from 1 to 64, got \"" + std::string(k) + "\""));
    }
}

}  // TEST_SUITE
