// The App without a window: what it opens on, edits that re-derive every shape in the same call,
// weights that follow the shapes (only the layers whose shapes changed are drawn again), forward
// passes that are shown only for the state they were computed from, and the state as JSON.
#include <doctest/doctest.h>

#include "app_support.h"

using namespace convscope;
using namespace convscope::test;
using convscope::app::App;

namespace {

std::vector<int64_t> shape_of(const std::shared_ptr<const nn::NetworkWeights>& w, size_t layer) {
    return w->layers.at(layer).weight_shape;
}

void set_out(App& a, size_t layer, int out) {
    a.edit("out " + std::to_string(out), [&](Network& n) { n.layers[layer].out = out; });
}

}  // namespace

TEST_SUITE("app_state") {

TEST_CASE("the app opens on Caffe's AlexNet, the sample photo and seeded weights, conv1 selected") {
    App a;
    CHECK(a.doc.network().name == "AlexNet (Caffe)");
    CHECK(a.doc.network().input == Shape3{3, 227, 227});
    CHECK(a.selected() == 0);
    CHECK(a.input_name() == "sample chelsea");
    REQUIRE(a.input_tensor());
    CHECK(a.input_tensor()->shape == Shape3{3, 227, 227});
    REQUIRE(a.weights());
    CHECK(!a.weights_loaded_from_file());
    CHECK(!a.doc.dirty());
}

TEST_CASE("an edit recomputes every shape in the same call") {
    App a;
    const uint64_t rev = a.state_revision();
    a.edit("conv1: stride 4 → 2", [](Network& n) { n.layers[0].stride = {2, 2}; });
    CHECK(a.state_revision() > rev);
    const Analysis& an = a.doc.analysis();
    REQUIRE(an.stages[0].output);
    CHECK(*an.stages[0].output == Shape3{96, 109, 109});  // (227 − 11)/2 + 1
    const size_t pool1 = layer_index(a.doc.network(), "pool1");
    REQUIRE(an.stages[pool1].output);
    CHECK(*an.stages[pool1].output == Shape3{96, 54, 54});  // ceil((109 − 3)/2) + 1
    CHECK(a.doc.undo_name() == "conv1: stride 4 → 2");
}

TEST_CASE("weights follow the shapes: a conv's new width redraws its weights and the next conv's") {
    App a;
    const Network& net = a.doc.network();
    const size_t conv2 = layer_index(net, "conv2"), conv3 = layer_index(net, "conv3");
    const auto before = a.weights();
    CHECK(shape_of(before, 0) == std::vector<int64_t>{96, 3, 11, 11});
    CHECK(shape_of(before, conv2) == std::vector<int64_t>{256, 48, 5, 5});  // two groups

    set_out(a, 0, 64);
    const auto after = a.weights();
    CHECK(shape_of(after, 0) == std::vector<int64_t>{64, 3, 11, 11});
    CHECK(after->layers[0].bias.size() == 64);
    CHECK(shape_of(after, conv2) == std::vector<int64_t>{256, 32, 5, 5});
    CHECK(same_values(after->layers[conv3].weight, before->layers[conv3].weight));  // untouched
    // The weights a pass may still be reading are not changed under it.
    CHECK(shape_of(before, 0) == std::vector<int64_t>{96, 3, 11, 11});

    // Undo brings back the same seeded values, not new ones.
    REQUIRE(a.undo());
    CHECK(same_values(a.weights()->layers[conv2].weight, before->layers[conv2].weight));
    CHECK(same_values(a.weights()->layers[0].weight, before->layers[0].weight));
}

TEST_CASE("a new input size preprocesses the photo again to the new shape") {
    App a;
    a.set_input_size(3, 224, 224);
    REQUIRE(a.input_tensor());
    CHECK(a.input_tensor()->shape == Shape3{3, 224, 224});
    CHECK(a.doc.analysis().stages[0].status == Severity::Warning);  // (224 − 11)/4 + 1 = 54.25
    a.undo();
    CHECK(a.input_tensor()->shape == Shape3{3, 227, 227});
}

TEST_CASE("a pass gives one output per layer in the shapes of the analysis, and an edit makes it stale") {
    App a;
    REQUIRE(a.wait_for_pass(60));
    const app::PassOutcome* p = a.current_pass();
    REQUIRE(p);
    CHECK(!p->error);
    const Analysis& an = a.doc.analysis();
    REQUIRE(p->result.outputs.size() == an.stages.size());
    for (size_t i = 0; i < an.stages.size(); ++i) {
        CAPTURE(an.stages[i].name);
        CHECK(p->result.outputs[i].shape == *an.stages[i].output);
    }
    CHECK(p->result.outputs.back().shape == Shape3{1000, 1, 1});

    set_out(a, 0, 32);
    CHECK(a.current_pass() == nullptr);  // the old maps do not belong to this network
    REQUIRE(a.wait_for_pass(60));
    CHECK(a.current_pass()->result.outputs[0].shape == Shape3{32, 55, 55});
}

TEST_CASE("an invalid network runs no pass, and says so by returning at once") {
    App a;
    a.edit("conv1: kernel 300", [](Network& n) { n.layers[0].kernel = {300, 300}; });
    CHECK(!a.doc.analysis().valid());
    CHECK(!a.wait_for_pass(60));
    CHECK(a.current_pass() == nullptr);
}

TEST_CASE("layers are inserted, duplicated, moved and deleted with the selection following") {
    App a;
    REQUIRE(a.load_preset("lenet5"));  // small: every layer after an insertion gets weights anew
    const size_t n0 = a.doc.network().layers.size();
    a.insert_layer(1, LayerType::Conv);
    CHECK(a.doc.network().layers.size() == n0 + 1);
    CHECK(a.selected() == 1);
    CHECK(a.doc.network().layers[1].type == LayerType::Conv);
    a.duplicate_layer(1);
    CHECK(a.selected() == 2);
    CHECK(a.doc.network().layers[2].type == LayerType::Conv);
    a.move_layer(2, -1);
    CHECK(a.selected() == 1);
    a.delete_layer(1);
    a.delete_layer(1);
    CHECK(a.doc.network().layers.size() == n0);
    CHECK(a.doc.network() == preset("lenet5"));
}

TEST_CASE("the state as JSON has the model, the stages, the selection and the pass") {
    App a;
    a.select(4);
    REQUIRE(a.wait_for_pass(60));
    const auto j = state_of(a);
    for (const char* key : {"model", "input", "valid", "revision", "dirty", "path", "can_undo", "can_redo", "selected",
                            "selected_name", "stages", "weights", "input_source", "backend", "pass", "messages"}) {
        CAPTURE(key);
        CHECK(j.contains(key));
    }
    CHECK(j["model"] == "AlexNet (Caffe)");
    CHECK(j["input"] == nlohmann::json{3, 227, 227});
    CHECK(j["selected"] == 4);
    CHECK(j["selected_name"] == "conv2");
    CHECK(j["valid"] == true);
    CHECK(j["backend"] == "cpu");
    REQUIRE(j["stages"].size() == 23);
    CHECK(j["stages"][0]["name"] == "conv1");
    CHECK(j["stages"][0]["output"] == nlohmann::json{96, 55, 55});
    CHECK(j["stages"][0]["status"] == "ok");
    REQUIRE(j["pass"].is_object());
    REQUIRE(j["pass"]["layers"].size() == 23);
    CHECK(j["pass"]["layers"][0]["shape"] == nlohmann::json{96, 55, 55});
    CHECK(j["pass"]["layers"][22]["max"].get<double>() <= 1.0);  // softmax
}

}
