// `convscope partition`: the model's own device count by default, the formats, files, and errors.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/file_io.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;

TEST_SUITE("cli_partition") {

TEST_CASE("partition splits the paper's AlexNet over its own two devices by default") {
    const Run r = run({"partition"});
    REQUIRE(r.code == 0);
    CHECK(contains(r.out, "AlexNet (paper, 224 as printed) over 2 devices, batch 128"));
    CHECK(contains(r.out, "conv2 conv    local        128+128"));
    CHECK(contains(r.out, "conv3 conv    all-gather   192+192"));
    CHECK(contains(r.out, "on one device"));
}

TEST_CASE("partition --devices, --batch and --format json") {
    const Run r = run({"partition", "--preset", "alexnet-caffe", "--devices", "4", "--batch", "1", "--format", "json"});
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["devices"] == 4);
    CHECK(j["batch"] == 1);
    CHECK(j["stages"][0]["devices"].size() == 4);
    CHECK(j["stages"][0]["devices"][3]["out"] == nlohmann::json::array({72, 96}));
}

TEST_CASE("partition writes a file atomically with -o, and refuses bad arguments and invalid networks") {
    TempDir dir;
    const std::string path = dir.file("split.csv");
    REQUIRE(run({"partition", "--format", "csv", "-o", path}).code == 0);
    std::string e;
    const auto text = read_file(path, e);
    REQUIRE(text);
    CHECK(starts_with(*text, "#,layer,type,exchange,channels"));
    CHECK(run({"partition", "--devices", "0"}).code == 2);
    CHECK(run({"partition", "--batch", "x"}).code == 2);
    const Run bad = run({"partition", "--preset", "alexnet-caffe", "--input", "5"});
    CHECK(bad.code == 1);
    CHECK(contains(bad.err, "invalid layers"));
}

}
