// The network as a document: every edit one undo step (a drag merged into one), redo cleared by a new
// edit, a revision bumped by every change, and the unsaved flag that a save clears.
#include <doctest/doctest.h>

#include "app/model_doc.h"
#include "app_support.h"

using namespace convscope;
using namespace convscope::test;
using convscope::app::ModelDoc;

namespace {

ModelDoc alexnet_doc() {
    ModelDoc d;
    d.reset(preset("alexnet-caffe"), "");
    return d;
}

void set_kernel(ModelDoc& d, int k, const std::string& merge_key = {}) {
    d.edit("conv1: kernel " + std::to_string(k), [&](Network& n) { n.layers[0].kernel = {k, k}; }, merge_key);
}

}  // namespace

TEST_SUITE("app_model_doc") {

TEST_CASE("a fresh document is clean, with nothing to undo") {
    const ModelDoc d = alexnet_doc();
    CHECK(!d.dirty());
    CHECK(!d.can_undo());
    CHECK(!d.can_redo());
    CHECK(d.undo_name().empty());
    CHECK(d.analysis().stages.size() == d.network().layers.size());
}

TEST_CASE("an edit re-analyses at once, bumps the revision and is one undo step") {
    ModelDoc d = alexnet_doc();
    const uint64_t r0 = d.revision();
    set_kernel(d, 9);
    CHECK(d.revision() > r0);
    CHECK(d.dirty());
    CHECK(d.network().layers[0].kernel == Hw{9, 9});
    REQUIRE(d.analysis().stages[0].output);
    CHECK(d.analysis().stages[0].output->h == 55);  // (227 − 9)/4 + 1 = 55.5, floored
    CHECK(d.analysis().stages[0].status == Severity::Warning);
    CHECK(d.undo_name() == "conv1: kernel 9");

    const uint64_t r1 = d.revision();
    CHECK(d.undo());
    CHECK(d.revision() > r1);
    CHECK(d.network().layers[0].kernel == Hw{11, 11});
    CHECK(d.analysis().stages[0].status == Severity::Ok);
    CHECK(d.redo_name() == "conv1: kernel 9");
    CHECK(!d.can_undo());
    CHECK(d.redo());
    CHECK(d.network().layers[0].kernel == Hw{9, 9});
    CHECK(!d.can_redo());
}

TEST_CASE("an edit that changes nothing is no step and no revision") {
    ModelDoc d = alexnet_doc();
    const uint64_t r0 = d.revision();
    set_kernel(d, 11);
    CHECK(d.revision() == r0);
    CHECK(!d.can_undo());
    CHECK(!d.dirty());
}

TEST_CASE("edits with one merge key become one step until the merge ends") {
    ModelDoc d = alexnet_doc();
    set_kernel(d, 10, "drag");
    set_kernel(d, 9, "drag");
    set_kernel(d, 8, "drag");
    CHECK(d.undo_name() == "conv1: kernel 8");  // the last name, the first "before"
    CHECK(d.undo());
    CHECK(d.network().layers[0].kernel == Hw{11, 11});
    CHECK(!d.can_undo());

    d.redo();
    d.end_merge();
    set_kernel(d, 7, "drag");
    CHECK(d.undo());
    CHECK(d.network().layers[0].kernel == Hw{8, 8});

    // A different key is a new step too.
    set_kernel(d, 6, "drag");
    d.edit("conv1: stride 2", [](Network& n) { n.layers[0].stride = {2, 2}; }, "stride");
    CHECK(d.undo());
    CHECK(d.network().layers[0].kernel == Hw{6, 6});
}

TEST_CASE("a new edit clears redo, and undo after a merge does not merge the next edit into it") {
    ModelDoc d = alexnet_doc();
    set_kernel(d, 9, "drag");
    d.undo();
    CHECK(d.can_redo());
    set_kernel(d, 7, "drag");
    CHECK(!d.can_redo());
    set_kernel(d, 5, "drag");
    CHECK(d.undo());
    CHECK(d.network().layers[0].kernel == Hw{11, 11});
}

TEST_CASE("saving clears the unsaved flag and keeps the path, and undo makes it unsaved again") {
    ModelDoc d = alexnet_doc();
    set_kernel(d, 9);
    d.mark_saved("/tmp/model.json");
    CHECK(!d.dirty());
    CHECK(d.path() == "/tmp/model.json");
    CHECK(d.can_undo());  // the history survives a save
    d.undo();
    CHECK(d.dirty());
    d.reset(preset("lenet5"), "");
    CHECK(!d.dirty());
    CHECK(!d.can_undo());
    CHECK(d.path().empty());
    d.mark_dirty();
    CHECK(d.dirty());
}

}
