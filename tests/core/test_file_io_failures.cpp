// write_file_atomic and the model file under the two faults a save meets in practice: a directory the
// program may not write to, and a full disk (tests/write_failures.h makes both). The write must fail
// with the path and the reason, the file that was there must keep its bytes, and the temporary file
// made beside it must be gone, whichever step failed.
#include <doctest/doctest.h>

#include <string>

#include "core/file_io.h"
#include "core/model_io.h"
#include "support.h"
#include "write_failures.h"

using namespace convscope;
using namespace convscope::test;

TEST_SUITE("file_io_failures") {

TEST_CASE("write_file_atomic in a read-only directory or on a full disk fails with the path and the reason") {
    for (const Fault fault : kFaults) {
        FaultDir dir;
        const std::string path = dir.file("table.csv", "the old table\n");
        const DirSnapshot before = snapshot(dir.path);
        // More than one write() call's worth, so that on the full disk part of it lands first.
        const std::string data(200'000, 'x');
        const SaveOutcome r =
            save_under_fault(fault, dir.path, [&] { return reporting(write_file_atomic)(path, data); });
        check_refused(fault, r, path, dir.path, before);
        // The whole message: which step failed, on which file, and strerror's words for why.
        std::string expected = "cannot write ";
        expected += path;
        expected += ": ";
        expected += fault_reason(fault);
        CHECK(r.error == expected);
    }
}

TEST_CASE("write_file_atomic under a fault creates no file where there was none") {
    for (const Fault fault : kFaults) {
        CAPTURE(fault_name(fault));
        FaultDir dir;
        const std::string path = dir.file("new.json");
        const SaveOutcome r = save_under_fault(
            fault, dir.path, [&] { return reporting(write_file_atomic)(path, "{\"a\": 1234567890123}\n"); });
        check_refused(fault, r, path, dir.path, {});
        CHECK(snapshot(dir.path).empty());
    }
}

TEST_CASE("the faults are what makes the writes fail: a write that fits succeeds in the same child") {
    // Without this, a child that cannot write anything at all would pass the tests above.
    FaultDir dir;
    const std::string path = dir.file("small.txt", "old");
    const SaveOutcome full = save_under_fault(Fault::FullDisk, dir.path, [&] {
        return reporting(write_file_atomic)(path, "0123456789abcdef");  // exactly the 16 bytes allowed
    });
    CHECK(full.ok);
    CHECK(full.error.empty());
    CHECK(snapshot(dir.path) == DirSnapshot{{"small.txt", "0123456789abcdef"}});

    // Outside the read-only directory, the same child (uid 65534 as root) may write.
    FaultDir other;
    ::chmod(other.path.c_str(), 0777);
    const std::string elsewhere = other.file("elsewhere.txt");
    const SaveOutcome ro = save_under_fault(Fault::ReadOnlyDir, dir.path,
                                            [&] { return reporting(write_file_atomic)(elsewhere, "written"); });
    CHECK(ro.ok);
    CHECK(snapshot(other.path) == DirSnapshot{{"elsewhere.txt", "written"}});
}

TEST_CASE("save_network_file under a fault keeps the old model, which still loads") {
    const Network old_net = preset("alexnet-caffe");
    const Network new_net = preset("alexnet-torchvision");
    const auto save = [](const std::string& path, const Network& net) {
        std::string e;
        const bool ok = save_network_file(net, path, e);
        return SaveOutcome{ok, e};
    };
    check_overwrite_refused("model.json", old_net, new_net, save, [&](const std::string& path) {
        const LoadResult back = load_network_file(path);
        REQUIRE_MESSAGE(back, back.error);
        CHECK(*back.network == old_net);
    });
}

}  // TEST_SUITE("file_io_failures")
