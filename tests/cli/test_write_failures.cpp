// Every file the command line writes, in a read-only directory and on a full disk
// (tests/write_failures.h): table, explain and partition with -o, export-weights, and forward --dump
// (the .npy and .png of each layer and summary.json). The installed binary runs in a child process, as
// a user would run it; each refused write must exit with status 2 and a message naming the file and the
// reason, keep the file that was there, and leave no temporary file.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/file_io.h"
#include "nn/npy.h"
#include "support.h"
#include "write_failures.h"

using namespace convscope;
using namespace convscope::test;

namespace {

// The binary's stderr and exit status as a save outcome: success is status 0.
SaveOutcome outcome_of(const ChildRun& r, int expected_failure_code) {
    CAPTURE(r.err);
    CHECK((r.code == 0 || r.code == expected_failure_code));
    return {r.code == 0, r.err};
}

std::vector<std::string> binary_argv(std::vector<std::string> args) {
    args.insert(args.begin(), CONVSCOPE_BINARY);
    return args;
}

// A one-layer model whose dump is three small files, with a noise input (a smooth picture would make
// the PNG smaller than the .npy, and the sizes are what lets the tests below fail each file in turn).
struct TinyForward {
    FaultDir inputs;
    std::string model, input;
    TinyForward() {
        model = inputs.file("tiny.json", R"({"name": "tiny", "input": [1, 8, 8], "layers": [)"
                                         R"({"name": "conv", "type": "conv", "out": 1, "kernel": 1}]})");
        input = inputs.file("noise.npy");
        std::string e;
        REQUIRE_MESSAGE(nn::write_npy(input, random_input(Shape3{1, 8, 8}, 7), e), e);
        ::chmod(input.c_str(), 0644);
    }
    std::vector<std::string> args(const std::string& dump_dir) const {
        return binary_argv({"forward", "--model", model, "--input-npy", input, "--backend", "cpu", "--dump", dump_dir});
    }
};

constexpr const char* kNpy = "01_conv.npy";
constexpr const char* kPng = "01_conv.png";
constexpr const char* kSummary = "summary.json";

}  // namespace

TEST_SUITE("cli_write_failures") {

TEST_CASE("table, explain and partition -o under a fault keep the old file and exit 2") {
    const std::vector<std::vector<std::string>> commands = {
        {"table", "--preset", "alexnet-caffe", "--format", "csv", "-o"},
        {"explain", "--preset", "alexnet-caffe", "-o"},
        {"partition", "--preset", "alexnet-paper", "-o"},
    };
    for (const auto& command : commands) {
        for (const Fault fault : kFaults) {
            CAPTURE(command[0]);
            FaultDir dir;
            const std::string path = dir.file("out.txt", "the old output\n");
            const DirSnapshot before = snapshot(dir.path);
            std::vector<std::string> args = command;
            args.push_back(path);
            const ChildRun r = run_under_fault(fault, dir.path, binary_argv(args));
            CHECK(r.code == 2);
            check_refused(fault, outcome_of(r, 2), path, dir.path, before);
            CHECK(starts_with(r.err, "convscope: cannot write "));
        }
    }
}

TEST_CASE("export-weights under a fault keeps the old weights file and exits 2") {
    TinyForward tiny;
    for (const Fault fault : kFaults) {
        FaultDir dir;
        const std::string path = dir.file("w.safetensors", "old weights");
        const DirSnapshot before = snapshot(dir.path);
        const ChildRun r =
            run_under_fault(fault, dir.path, binary_argv({"export-weights", "--model", tiny.model, "--seed", "3", "-o", path}));
        CHECK(r.code == 2);
        check_refused(fault, outcome_of(r, 2), path, dir.path, before);
    }
}

TEST_CASE("forward --dump under a fault keeps the old layer files and exits 2") {
    TinyForward tiny;
    for (const Fault fault : kFaults) {
        FaultDir dir;
        // A previous dump: the first file the new one writes is the layer's .npy, which must fail.
        dir.file(kNpy, "old npy");
        dir.file(kPng, "old png");
        dir.file(kSummary, "{\"old\": true}\n");
        if (fault == Fault::FullDisk && !kForwardPassUnderFileSizeLimit) {
            MESSAGE("skipped under a full disk: this build's OpenMP runtime cannot start under a file-size limit");
            continue;
        }
        const DirSnapshot before = snapshot(dir.path);
        const ChildRun r = run_under_fault(fault, dir.path, tiny.args(dir.path.string()));
        CHECK(r.code == 2);
        check_refused(fault, outcome_of(r, 2), (dir.path / kNpy).string(), dir.path, before);
    }
}

TEST_CASE("forward --dump on a disk that fills up during the dump: the .png, then summary.json") {
    if (!kForwardPassUnderFileSizeLimit) {
        MESSAGE("skipped: this build's OpenMP runtime cannot start under a file-size limit");
        return;
    }
    TinyForward tiny;
    // The sizes of a dump that succeeds; the disk is then made to hold the files before the one to fail.
    FaultDir reference;
    const ChildRun ok = run_under_fault(Fault::FullDisk, reference.path, tiny.args(reference.path.string()), 1 << 20);
    REQUIRE_MESSAGE(ok.code == 0, ok.err);
    const DirSnapshot files = snapshot(reference.path);
    REQUIRE(files.size() == 3);
    const rlim_t npy = files.at(kNpy).size(), png = files.at(kPng).size(), sum = files.at(kSummary).size();
    REQUIRE_MESSAGE(png > npy, "the PNG (" << png << " bytes) must be larger than the .npy (" << npy << ")");
    REQUIRE(sum > std::max(npy, png));

    struct Step {
        const char* fails;
        rlim_t limit;
        std::vector<std::string> written;
    };
    for (const Step& step : {Step{kPng, npy, {kNpy}}, Step{kSummary, std::max(npy, png), {kNpy, kPng}}}) {
        CAPTURE(step.fails);
        FaultDir dir;
        const std::string target = dir.file(step.fails, "the old file");
        const DirSnapshot before = snapshot(dir.path);
        const ChildRun r = run_under_fault(Fault::FullDisk, dir.path, tiny.args(dir.path.string()), step.limit);
        CHECK(r.code == 2);
        check_refused(Fault::FullDisk, outcome_of(r, 2), target, dir.path, before, step.written);
        // What was written before the disk filled up is whole.
        for (const auto& name : step.written) CHECK(snapshot(dir.path).at(name) == files.at(name));
    }
}

}  // TEST_SUITE("cli_write_failures")
