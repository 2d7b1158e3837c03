// The guided tour in the real window, on a virtual X display (xvfb-run; skipped with a message where it
// is missing): a script starts the tour, presses Next to the end with every stage selected in turn, and
// the Tour window shows up in the screenshot; --tour-dir adds a teacher's tour. Every run passes
// --no-persist, so no test touches the user's files.
#include <doctest/doctest.h>

#include <set>

#include "app_support.h"
#include "core/file_io.h"
#include "core/tour.h"
#include "nn/image.h"

using namespace convscope;
using namespace convscope::test;

namespace {

bool have_xvfb() { return std::system("command -v xvfb-run >/dev/null 2>&1") == 0; }

std::string slurp(const std::string& path) {
    std::string e;
    return read_file(path, e).value_or("");
}

// `convscope gui --no-persist ARGS` on a fresh virtual display, with what it printed (a start that lost
// the race for a display number to a run beside it is tried again).
Run run_window(const TempDir& dir, const std::string& args) {
    const std::string out = dir.file("out.txt"), err = dir.file("err.txt");
    const std::string cmd = std::string("xvfb-run -a -s '-screen 0 1280x800x24' ") + CONVSCOPE_BINARY +
                            " gui --no-persist --size 1280x800 " + args + " >" + out + " 2>" + err;
    Run r{-1, "", ""};
    for (int attempt = 0; attempt < 3; ++attempt) {
        const int status = std::system(cmd.c_str());
        r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
        if (!contains(r.err, "Xvfb failed to start") && !contains(r.err, "xvfb-run: error")) break;
    }
    return r;
}

nn::Image load_png(const std::string& path) {
    auto r = nn::load_image(path);
    REQUIRE_MESSAGE(r, r.error);
    return *r.image;
}

size_t distinct_colours(const nn::Image& img) {
    std::set<uint32_t> seen;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
            seen.insert(uint32_t(img.at(x, y, 0)) << 16 | uint32_t(img.at(x, y, 1)) << 8 | img.at(x, y, 2));
    return seen.size();
}

// Pixels that differ between two pictures of the same size within the columns [x0, x1).
int differing(const nn::Image& a, const nn::Image& b, int x0, int x1) {
    int n = 0;
    for (int y = 0; y < a.height; ++y)
        for (int x = x0; x < x1; ++x)
            for (int c = 0; c < 3; ++c)
                if (a.at(x, y, c) != b.at(x, y, c)) {
                    ++n;
                    break;
                }
    return n;
}

#define SKIP_WITHOUT_XVFB()                                                         \
    if (!have_xvfb()) {                                                             \
        MESSAGE("skipped: xvfb-run is not installed (apt-get install xvfb xauth)"); \
        return;                                                                     \
    }

}  // namespace

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
    const Run r = run_window(dir, "--script " + dir.file("steps.txt", script));
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
    CHECK(differing(a, b, 880, 1280) > 20000);
}

TEST_CASE("--tour-dir adds a teacher's tour, which the script can start") {
    SKIP_WITHOUT_XVFB();
    TempDir dir, tours;
    tours.file("lenet.json", R"({"title": "LeNet-5", "presets": ["lenet5"], "steps": [
        {"stage": "input", "title": "The input", "text": "{input}"},
        {"stage": "c1", "title": "c1", "text": "{formula}"}]})");
    const std::string state = dir.file("state.json");
    const Run r = run_window(dir, "--tour-dir " + tours.path.string() + " --script " +
                                      dir.file("steps.txt", "preset lenet5\ntour start\nexpect-tour-step 1 input\n"
                                                            "tour next\nexpect-tour-step 2 c1\nstate " + state + "\n"));
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(slurp(state));
    CHECK(j["tour"]["id"] == "lenet");
    CHECK(j["selected_name"] == "c1");
}

}
