// The guided tour in the App, without a window: starting the tour for the model on screen, every step
// selecting its stage, the text following an edit, steps dropping out when their layer is deleted,
// tours from a folder, and the script's `tour` and `expect-tour-step` steps.
#include <doctest/doctest.h>

#include "app_support.h"

using namespace convscope;
using namespace convscope::test;
using convscope::app::App;

namespace {

// The last message the app posted.
std::string last_message(const App& a) { return a.messages().empty() ? std::string() : a.messages().back().text; }

// The stage a step should select: −1 for the input and the overviews, else the layer's index.
int expected_stage(const App& a, const TourStep& s) {
    if (s.stage == "input" || s.stage == "overview") return -1;
    return static_cast<int>(layer_index(a.doc.network(), s.stage));
}

}  // namespace

TEST_SUITE("app_tour") {

TEST_CASE("the tour for Caffe's AlexNet walks all 26 steps, each selecting its stage") {
    App a;
    CHECK_FALSE(a.tour.active());
    CHECK(a.current_tour_step() == nullptr);
    REQUIRE(a.start_tour());
    CHECK(a.tour.id == "alexnet");
    CHECK(a.show_tour);
    const auto steps = a.tour_steps();
    REQUIRE(steps.size() == 26);
    std::vector<std::string> stages;
    for (size_t k = 0; k < steps.size(); ++k) {
        const TourStep* s = a.current_tour_step();
        REQUIRE(s != nullptr);
        CHECK(a.tour_step_index() == k);
        CHECK_MESSAGE(a.selected() == expected_stage(a, *s), s->stage);
        stages.push_back(s->stage);
        a.tour_next();
    }
    // Next on the last step stays there.
    CHECK(a.tour_step_index() == 25);
    CHECK(a.current_tour_step()->stage == "overview");
    CHECK(stages[0] == "overview");
    CHECK(stages[1] == "input");
    CHECK(stages[2] == "conv1");
    CHECK(stages[24] == "prob");
    a.tour_prev();
    CHECK(a.current_tour_step()->stage == "prob");
    CHECK(a.selected() == static_cast<int>(layer_index(a.doc.network(), "prob")));
    a.stop_tour();
    CHECK_FALSE(a.tour.active());
    CHECK(state_of(a)["tour"].is_null());
}

TEST_CASE("the step's text follows an edit of the network") {
    App a;
    REQUIRE(a.start_tour("alexnet"));
    a.tour_next();
    a.tour_next();
    REQUIRE(a.current_tour_step()->stage == "conv1");
    auto text = [&] { return render_step_text(*a.current_tour_step(), a.tour_facts(), Language::English); };
    CHECK(contains(text(), "(227 − 11 + 2·0)/4 + 1 = 55."));
    a.set_input_size(3, 224, 224);
    CHECK(contains(text(), "(224 − 11 + 2·0)/4 + 1 = 54.25 → 54"));
    CHECK(contains(text(), "3×224×224 → 96×54×54"));
    a.undo();
    CHECK(contains(text(), "3×227×227 → 96×55×55"));
}

TEST_CASE("a deleted layer's step drops out, and the tour stays on a valid step") {
    App a;
    REQUIRE(a.start_tour());
    for (int i = 0; i < 25; ++i) a.tour_next();  // the closing overview, step 26
    const size_t pool5 = layer_index(a.doc.network(), "pool5");
    a.delete_layer(pool5);
    CHECK(a.tour_steps().size() == 25);
    CHECK(a.tour_step_index() == 24);
    CHECK(a.current_tour_step()->stage == "overview");
    CHECK(state_of(a)["tour"]["steps"] == 25);
    CHECK(state_of(a)["tour"]["step"] == 25);
}

TEST_CASE("starting a tour that does not exist or does not fit is an error message") {
    App a;
    CHECK_FALSE(a.start_tour("nope"));
    CHECK(last_message(a) == "there is no tour named \"nope\" (known: alexnet)");
    REQUIRE(a.load_preset("lenet5"));
    CHECK_FALSE(a.start_tour());
    CHECK(last_message(a) == "there is no tour for LeNet-5");
    CHECK_FALSE(a.start_tour("alexnet"));
    CHECK(last_message(a) == "the tour \"alexnet\" is written for alexnet-caffe, alexnet-paper, alexnet-torchvision, "
                             "not for LeNet-5: open one of those presets first");
    CHECK_FALSE(a.tour.active());
    // torchvision's AlexNet: its steps fit, without LRN and softmax but with the adaptive pool.
    REQUIRE(a.load_preset("alexnet-torchvision"));
    REQUIRE(a.start_tour());
    CHECK(a.tour_steps().size() == 25);
}

TEST_CASE("tours from a folder: a new one can be started, and a broken one is a warning") {
    TempDir dir;
    dir.file("lenet.json", R"({"title": "LeNet", "presets": ["lenet5"], "steps": [
        {"stage": "input", "title": "in", "text": "{input}"},
        {"stage": "c1", "title": "c1", "text": "{in} to {out}: {formula}"}]})");
    dir.file("broken.json", "{\"title\": ]");
    App a;
    a.tour_folders = {dir.path.string()};
    a.reload_tours();
    CHECK(a.tours().tours.size() == 2);
    INFO(last_message(a));
    CHECK(starts_with(last_message(a), "a tour was left out: " + (dir.path / "broken.json").string() +
                                           ": line 1, column 11: not valid JSON"));
    REQUIRE(a.load_preset("lenet5"));
    REQUIRE(a.start_tour());
    CHECK(a.tour.id == "lenet");
    a.tour_next();
    CHECK(a.selected() == 0);
    CHECK(render_step_text(*a.current_tour_step(), a.tour_facts(), Language::English) ==
          "1×32×32 to 6×28×28: (32 − 5 + 2·0)/1 + 1 = 28");
}

TEST_CASE("the script drives the tour and checks where it is") {
    App a;
    std::string text = "tour start alexnet\nexpect-tour-step 1 overview\ntour next\nexpect-tour-step 2 input\n"
                       "tour next\nexpect-tour-step 3 conv1\ntour prev\ntour prev\ntour prev\nexpect-tour-step 1\n";
    for (int i = 0; i < 30; ++i) text += "tour next\n";
    text += "expect-tour-step 26 overview\n";
    const ScriptRun r = run_script(a, text);
    CHECK(r.error.empty());
    CHECK(a.selected() == -1);
    const auto j = state_of(a);
    CHECK(j["tour"]["id"] == "alexnet");
    CHECK(j["tour"]["step"] == 26);
    CHECK(j["tour"]["steps"] == 26);
    CHECK(j["tour"]["stage"] == "overview");
    // The selection moved away by hand: the step is still conv1, but STAGE also checks the panels.
    App b;
    const ScriptRun moved = run_script(b, "tour start\ntour next\ntour next\nnext\nexpect-tour-step 3 conv1\n");
    CHECK(moved.error == "test.script:5: expect-tour-step: expected tour step 3 at conv1, but it is step 3 of 26 "
                         "at conv1 (selected: relu1)");
    App c;
    CHECK(run_script(c, "tour next\n").error == "test.script:1: tour: no tour is running: start one first (tour start [NAME])");
    CHECK(run_script(c, "tour start nope\n").error ==
          "test.script:1: tour: there is no tour named \"nope\" (known: alexnet)");
    CHECK(run_script(c, "tour start\ntour stop\nexpect-tour-step 1\n").error ==
          "test.script:3: expect-tour-step: no tour is running");
    std::string e;
    CHECK_FALSE(app::Script::parse("tour next conv1\n", "s", e));
    CHECK(e == "s:1: tour: next takes no name");
    CHECK_FALSE(app::Script::parse("tour go\n", "s", e));
    CHECK(e == "s:1: tour: expected start, next, prev, stop, open or close, got \"go\"");
    CHECK_FALSE(app::Script::parse("expect-tour-step 0\n", "s", e));
    CHECK(e == "s:1: expect-tour-step: the step must be between 1 and 100000, got 0");
}

}
