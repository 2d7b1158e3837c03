// The guided tour in the real window, on a virtual X display (xvfb-run; skipped with a message where it
// is missing): a script starts the tour, presses Next to the end with every stage selected in turn, and
// the Tour window shows up in the screenshot; --tour-dir adds a teacher's tour. Every run passes
// --no-persist, so no test touches the user's files.
#include <doctest/doctest.h>

#include <set>

#include "core/tour.h"
#include "gui_support.h"

using namespace convscope;
using namespace convscope::test;

TEST_SUITE("app_gui_window") {

TEST_CASE("the tour runs in the window: Next to the end, every stage selected, the window in the picture") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    // The steps the tour takes on Caffe's AlexNet, as the core lists them.
    const TourList list = load_tours();
    const Tour* tour = tour_for_preset(list.tours, "alexnet-caffe");
    REQUIRE(tour != nullptr);
    const auto steps = tour_steps_for(*tour, preset("alexnet-caffe"));
    REQUIRE(steps.size() == 26);
    const std::string plain = dir.file("plain.png"), conv3 = dir.file("conv3.png"), state = dir.file("state.json");
    std::string script = "wait-pass\nscreenshot " + plain + "\ntour start\n";
    for (size_t k = 0; k < steps.size(); ++k) {
        if (k > 0) script += "tour next\n";
        script += "expect-tour-step " + std::to_string(k + 1) + " " + tour->steps[steps[k]].stage + "\n";
        if (tour->steps[steps[k]].stage == "conv3") script += "screenshot " + conv3 + "\n";
    }
    script += "tour next\nexpect-tour-step 26 overview\nstate " + state + "\n";
    const Run r = run_script_in_window(dir, script);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(slurp(state));
    CHECK(j["tour"]["step"] == 26);
    CHECK(j["tour"]["steps"] == 26);
    CHECK(j["selected_name"] == "input");
    // The picture at conv3: not blank, and the Tour window over the right-hand column changed it there.
    const nn::Image a = load_png(plain), b = load_png(conv3);
    REQUIRE(a.width == 1280);
    REQUIRE(b.width == 1280);
    CHECK(distinct_colours(b) > 100);
    CHECK(differing_pixels(a, b, {880, 0, 1280, a.height}) > 20000);
}

TEST_CASE("--tour-dir adds a teacher's tour, which the script can start") {
    SKIP_WITHOUT_XVFB();
    TempDir dir, tours;
    tours.file("lenet.json", R"({"title": "LeNet-5", "presets": ["lenet5"], "steps": [
        {"stage": "input", "title": "The input", "text": "{input}"},
        {"stage": "c1", "title": "c1", "text": "{formula}"}]})");
    const std::string state = dir.file("state.json");
    const Run r = run_script_in_window(dir,
                                       "preset lenet5\ntour start\nexpect-tour-step 1 input\n"
                                       "tour next\nexpect-tour-step 2 c1\nstate " + state + "\n",
                                       "--tour-dir " + tours.path.string());
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(slurp(state));
    CHECK(j["tour"]["id"] == "lenet");
    CHECK(j["selected_name"] == "c1");
}

}
