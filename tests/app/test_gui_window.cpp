// The real window, on a virtual X display (xvfb-run; skipped with a message where it is missing): a
// screenshot is a PNG of the asked size that shows the panels, and scripts edit, undo and export as
// a person at the window would. Every run passes --no-persist, so no test touches the user's files.
#include <doctest/doctest.h>

#include <cctype>
#include <cstdlib>
#include <sstream>
#include <set>

#include "gui_support.h"

using namespace convscope;
using namespace convscope::test;

namespace {

double luma_variance(const nn::Image& img) {
    double sum = 0, sq = 0;
    const double n = double(img.width) * img.height;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) {
            const double v = 0.299 * img.at(x, y, 0) + 0.587 * img.at(x, y, 1) + 0.114 * img.at(x, y, 2);
            sum += v;
            sq += v * v;
        }
    return sq / n - (sum / n) * (sum / n);
}

// The network strip's boxes: green for a stage that computes exactly, amber for one that rounds,
// red for an error (view_strip.cpp), in the strip at the top of the window.
constexpr int kStripRows = 140;
Region strip(const nn::Image& img) { return {0, 0, img.width, std::min(img.height, kStripRows)}; }
int strip_green(const nn::Image& img) { return count_colour(img, strip(img), 51, 115, 77); }
int strip_amber(const nn::Image& img) { return count_colour(img, strip(img), 178, 128, 26); }
int strip_red(const nn::Image& img) { return count_colour(img, strip(img), 178, 46, 46); }

}  // namespace

TEST_SUITE("app_gui_window") {

TEST_CASE("--screenshot writes a PNG of the window's size that shows the panels") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    const std::string png = dir.file("shot.png");
    const Run r = run_gui("--size 1280x800 --frames 3 --screenshot " + png);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "wrote " + png));
    CHECK(slurp(png).substr(0, 8) == "\x89PNG\r\n\x1a\n");
    const nn::Image img = load_png(png);
    CHECK(img.width == 1280);
    CHECK(img.height == 800);
    CHECK(distinct_colours(img) > 100);
    CHECK(luma_variance(img) > 50);
    // Caffe's AlexNet computes exactly at 227: every box in the strip is green, none red.
    CHECK(strip_green(img) > 2000);
    CHECK(strip_red(img) == 0);
}

TEST_CASE("a script's edit changes the shapes, the maps and the strip, and undo restores the stages") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    const std::string before = dir.file("before.json"), after = dir.file("after.json");
    const std::string undone = dir.file("undone.json");
    const std::string shot_before = dir.file("before.png"), shot_after = dir.file("after.png");
    const Run r = run_script_in_window(dir, "wait-pass\nstate " + before + "\nscreenshot " + shot_before +
                                                "\nselect conv1\nset out 64\nset kernel 9\nwait-pass\nstate " +
                                                after + "\nscreenshot " + shot_after +
                                                "\nundo\nundo\nwait-pass\nstate " + undone + "\n");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j0 = nlohmann::json::parse(slurp(before)), j1 = nlohmann::json::parse(slurp(after)),
               j2 = nlohmann::json::parse(slurp(undone));
    CHECK(j0["stages"][0]["output"] == nlohmann::json{96, 55, 55});
    CHECK(j1["stages"][0]["output"] == nlohmann::json{64, 55, 55});
    CHECK(j1["stages"][0]["status"] == "warning");  // (227 − 9)/4 + 1 = 55.5
    CHECK(j1["can_undo"] == true);
    CHECK(j2["stages"] == j0["stages"]);
    CHECK(j2["can_undo"] == false);
    CHECK(j2["can_redo"] == true);
    REQUIRE(j0["pass"].is_object());
    REQUIRE(j1["pass"].is_object());
    REQUIRE(j2["pass"].is_object());
    CHECK(j1["pass"]["layers"][0]["shape"] == nlohmann::json{64, 55, 55});
    CHECK(j1["pass"]["layers"][0]["mean"] != j0["pass"]["layers"][0]["mean"]);
    CHECK(j2["pass"]["layers"][0]["shape"] == j0["pass"]["layers"][0]["shape"]);
    // conv1's box turns amber for its rounding.
    const nn::Image b = load_png(shot_before), a = load_png(shot_after);
    CHECK(strip_amber(b) == 0);
    CHECK(strip_amber(a) > 200);
}

TEST_CASE("an invalid edit shows red in the strip and the script can expect it") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    const std::string shot = dir.file("bad.png"), state = dir.file("bad.json");
    const Run r = run_script_in_window(dir, "select conv1\nset kernel 300\nexpect-valid no\nexpect-status conv1 error\n"
                                            "screenshot " + shot + "\nstate " + state + "\n");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(strip_red(load_png(shot)) > 200);
    const auto j = nlohmann::json::parse(slurp(state));
    CHECK(j["valid"] == false);
    CHECK(j["pass"].is_null());
}

TEST_CASE("a script's export writes the table: a CSV row per layer after the header") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    const std::string csv = dir.file("table.csv"), json = dir.file("table.json");
    const Run r = run_script_in_window(dir, "export csv " + csv + "\nexport json " + json + "\n");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    // The header, one row per layer (numbered), and the totals.
    std::istringstream table(slurp(csv));
    std::string header, line;
    std::getline(table, header);
    CHECK(starts_with(header, "index,name,type,"));
    int layers = 0;
    while (std::getline(table, line))
        if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) ++layers;
    CHECK(layers == 23);
    CHECK(nlohmann::json::accept(slurp(json)));
}

TEST_CASE("a bad script is refused before the window runs it, naming the line") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    const std::string script = dir.file("steps.txt", "select conv1\nset kernel eleven\n");
    const Run r = run_gui("--script " + script);
    CHECK(r.code == 2);
    CHECK(contains(r.err, script + ":2: set: kernel sizes must be whole numbers, got \"eleven\""));
}

TEST_CASE("a failing expectation ends the run with status 1 and says what it found") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    const std::string script = dir.file("steps.txt", "select conv1\nset stride 2\nexpect-shape conv1 96 55 55\n");
    const Run r = run_gui("--script " + script);
    CHECK(r.code == 1);
    CHECK(contains(r.err, script + ":3: expect-shape: expected conv1 to be 96×55×55, but it is 96×109×109"));
}

TEST_CASE("unsaved edits are autosaved when the window closes and come back at the next start") {
    SKIP_WITHOUT_XVFB();
    TempDir config, dir;
    const std::string home = config.path.string(), state = dir.file("state.json");
    const Run edit = run_gui("--script " + dir.file("edit.txt", "select conv1\nset stride 2\n"), home);
    REQUIRE_MESSAGE(edit.code == 0, edit.err);
    CHECK(std::filesystem::exists(config.path / "convscope" / "session.json"));

    const Run again = run_gui("--state-out " + state + " --script " +
                                  dir.file("check.txt", "expect-shape conv1 96 109 109\nexpect-status fc6 error\n"),
                              home);
    REQUIRE_MESSAGE(again.code == 0, again.err);
    const auto j = nlohmann::json::parse(slurp(state));
    CHECK(j["dirty"] == true);
    CHECK(j["selected_name"] == "conv1");
    CHECK(contains(j["messages"].dump(), "restored your unsaved session from "));

    const Run fresh = run_gui("--no-restore --script " + dir.file("fresh.txt", "expect-shape conv1 96 55 55\n"), home);
    CHECK_MESSAGE(fresh.code == 0, fresh.err);
}

TEST_CASE("the window opens at the size it was closed with, unless --size says otherwise") {
    SKIP_WITHOUT_XVFB();
    TempDir config, dir;
    const std::string home = config.path.string();
    REQUIRE(run_gui("--frames 2 --size 900x640", home).code == 0);
    const auto saved = nlohmann::json::parse(slurp((config.path / "convscope" / "window.json").string()));
    CHECK(saved["width"] == 900);
    CHECK(saved["height"] == 640);
    CHECK(std::filesystem::exists(config.path / "convscope" / "imgui.ini"));  // the layout, beside it
    const std::string shot = dir.file("shot.png");
    REQUIRE(run_gui("--frames 2 --screenshot " + shot, home).code == 0);
    const nn::Image img = load_png(shot);
    CHECK(img.width == 900);
    CHECK(img.height == 640);
}

}

TEST_SUITE("app_gui_window") {
TEST_CASE("an edit survives the app being killed: the next start brings it back") {
    SKIP_WITHOUT_XVFB();
    TempDir config, dir;
    const std::string home = config.path.string();
    // The edit, then frames enough to stay open until it is killed.
    const std::string steps = dir.file("edit.txt", "select conv1\nset stride 2\nframes 100000\n");
    const std::string cmd = "XDG_CONFIG_HOME='" + home + "' xvfb-run -a -s '-screen 0 1280x800x24' " + CONVSCOPE_BINARY +
                            " gui --script " + steps + " >/dev/null 2>&1 & " +
                            // Killed once the autosave is there (at most a minute: a slow or instrumented
                            // build may take a while to open the window), or after that minute anyway.
                            "for i in $(seq 600); do [ -f '" + home + "/convscope/session.json' ] && break; sleep 0.1; done; " +
                            "sleep 0.5; pkill -9 -f -- '--script " + steps + "'; wait";
    std::system(cmd.c_str());
    CHECK(std::filesystem::exists(config.path / "convscope" / "session.json"));
    const std::string state = dir.file("state.json");
    const Run again = run_gui("--frames 2 --state-out " + state, home);
    REQUIRE_MESSAGE(again.code == 0, again.err);
    const auto j = nlohmann::json::parse(slurp(state));
    CHECK(j["stages"][0]["output"] == nlohmann::json::array({96, 109, 109}));
    CHECK(j["dirty"] == true);
    CHECK(contains(j["messages"].dump(), "restored your unsaved session"));
}

TEST_CASE("switching the language changes what the window draws, and --lang starts in it") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    const std::string en = dir.file("en.png"), zh = dir.file("zh.png"), back = dir.file("back.png");
    const std::string state = dir.file("zh.json");
    const Run r = run_script_in_window(dir, "wait-pass\nscreenshot " + en + "\nlanguage zh\nscreenshot " + zh +
                                                "\nstate " + state + "\nlanguage en\nscreenshot " + back + "\n");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(nlohmann::json::parse(slurp(state))["language"] == "zh");
    const nn::Image a = load_png(en), b = load_png(zh), c = load_png(back);
    REQUIRE(a.width == b.width);
    REQUIRE(a.width == c.width);
    // The menu bar (File, Edit, … in English; 文件, 编辑, … in Chinese): the words differ, so do the
    // pixels; back in English they are the same again.
    const Region menu_bar{0, 0, a.width, 18};
    CHECK(differing_pixels(a, b, menu_bar) > 200);
    CHECK(differing_pixels(a, c, menu_bar) == 0);

    const std::string started = dir.file("started.json");
    const Run z = run_gui("--size 1280x800 --frames 2 --lang zh --state-out " + started);
    REQUIRE_MESSAGE(z.code == 0, z.err);
    const std::string started_state = slurp(started);
    CHECK(nlohmann::json::parse(started_state)["language"] == "zh");
    // No warning about a missing font: scripts/setup installs one.
    CHECK_FALSE(contains(started_state, "No Chinese font"));
}
}
