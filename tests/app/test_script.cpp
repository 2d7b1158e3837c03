// Scripts without a window: every line checked when the file is read (errors name the file and the
// line), each step driving the App as the window's controls would, expectations that fail the script
// with a clear message, and the steps that wait for frames (frames, screenshot).
#include <doctest/doctest.h>

#include <fstream>

#include "app_support.h"
#include "core/file_io.h"

using namespace convscope;
using namespace convscope::test;
using convscope::app::App;
using convscope::app::Script;
using convscope::app::ScriptHost;

namespace {

// The error of parsing `text`, or "" when it parses.
std::string parse_error(const std::string& text) {
    std::string error;
    const auto s = Script::parse(text, "s.txt", error);
    return s ? std::string() : error;
}

std::string slurp(const std::string& path) {
    std::string e;
    return read_file(path, e).value_or("");
}

}  // namespace

TEST_SUITE("app_script") {

TEST_CASE("comments, blank lines and quotes are read, and each step keeps its line") {
    std::string error;
    const auto s = Script::parse("# a comment\n\nselect conv1   # why\n  next\r\nstate \"/tmp/a b.json\"\n", "s.txt",
                                 error);
    REQUIRE_MESSAGE(s, error);
    CHECK(!s->finished());
}

TEST_CASE("a bad line is an error naming the file and the line, before anything runs") {
    CHECK(parse_error("select conv1\nfly away\n") ==
          "s.txt:2: unknown step \"fly\" (select, next, prev, first, last, set, input, insert, duplicate, delete, "
          "move, undo, redo, preset, open-model, save-model, load-weights, open-image, sample, labels, export, seed, "
          "normalize, backend, language, colormap, scale, enlarge, show, wait-pass, frames, screenshot, state, "
          "expect-shape, expect-status, expect-valid, animation, animation-step, animation-play, animation-speed, "
          "expect-animation, tour, expect-tour-step, quit)");
    CHECK(parse_error("# one\n\nset kernel x\n") == "s.txt:3: set: kernel sizes must be whole numbers, got \"x\"");
    CHECK(parse_error("set kernel 0") == "s.txt:1: set: kernel sizes must be between 1 and 1048576, got 0");
    CHECK(parse_error("set kernel 3 3 3") == "s.txt:1: set: usage: set kernel H [W]");
    CHECK(contains(parse_error("set colour red"), "s.txt:1: set: unknown field \"colour\" (out, features, kernel"));
    CHECK(parse_error("set pad 1 2 3") == "s.txt:1: set: pad takes 1, 2 or 4 numbers (P, H W or T L B R), got 3");
    CHECK(parse_error("set ceil maybe") == "s.txt:1: set: expected on or off, got \"maybe\"");
    CHECK(contains(parse_error("set type blob"), "s.txt:1: set: unknown layer type \"blob\""));
    CHECK(parse_error("set ratio 1") == "s.txt:1: set: ratio must be in [0, 1), got 1");
    CHECK(parse_error("set alpha much") == "s.txt:1: set: alpha must be a number, got \"much\"");
    CHECK(parse_error("next 3") == "s.txt:1: next: usage: next");
    CHECK(parse_error("screenshot") == "s.txt:1: screenshot: usage: screenshot PATH");
    CHECK(parse_error("export pdf out.pdf") ==
          "s.txt:1: export: expected csv, md, json, latex or text, got \"pdf\"");
    CHECK(parse_error("backend cuda") == "s.txt:1: backend: expected cpu or gl, got \"cuda\"");
    CHECK(parse_error("input 3 224") == "");  // H W keeps the channels
    CHECK(parse_error("input 224") == "s.txt:1: input: expected C H W, HxW or CxHxW");
    CHECK(parse_error("input 0x5x5") == "s.txt:1: input: channels must be between 1 and 16777216");
    CHECK(parse_error("expect-shape conv1 96 55") == "s.txt:1: expect-shape: expected the shape as C H W or CxHxW");
    CHECK(parse_error("expect-shape conv1 96×55×55") == "");
    CHECK(contains(parse_error("preset alexnet"), "s.txt:1: preset: unknown preset \"alexnet\" (alexnet-caffe"));
    CHECK(contains(parse_error("sample dog"), "s.txt:1: sample: unknown sample image \"dog\" (chelsea"));
    CHECK(parse_error("frames 0") == "s.txt:1: frames: frames must be between 1 and 1000000, got 0");
    CHECK(parse_error("wait-pass soon") == "s.txt:1: wait-pass: the timeout must be a number, got \"soon\"");
    CHECK(parse_error("state \"unclosed.json") == "s.txt:1: a quote is not closed");
}

TEST_CASE("a missing script file is an error naming it") {
    std::string error;
    CHECK(!Script::load("/nonexistent/steps.txt", error));
    CHECK(contains(error, "/nonexistent/steps.txt"));
}

TEST_CASE("set edits the selected layer as one undo step with a descriptive name, and undo takes it back") {
    App a;
    const auto r = run_script(a, R"(
        select conv1
        set kernel 9
        # (227 − 9)/4 + 1 = 55.5: floored, with a warning
        expect-shape conv1 96 55 55
        expect-status conv1 warning
        set stride 2
        expect-shape conv1 96x110x110
        # fc6's weights expect 256×6×6 features: now far more arrive
        expect-valid no
    )");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(a.doc.undo_name() == "conv1: stride 4 → 2");
    a.undo();
    CHECK(a.doc.undo_name() == "conv1: kernel 11 → 9");
    const auto back = run_script(a, "undo\nexpect-shape conv1 96 55 55\nexpect-status conv1 ok\n");
    REQUIRE_MESSAGE(back.error.empty(), back.error);
    CHECK(a.doc.network() == preset("alexnet-caffe"));
    CHECK(run_script(a, "undo").error == "test.script:1: undo: there is nothing to undo");
    CHECK(run_script(a, "redo\nexpect-shape conv1 96 55 55").error.empty());
}

TEST_CASE("every field of set reaches the layer") {
    App a;
    const auto r = run_script(a, R"(
        select conv2
        set out 128
        set pad 1 2 3 4
        set dilation 2 1
        set groups 1
        set bias off
        set ceil on
        set name c2
        select norm1
        set lrn-size 3
        set alpha 0.001
        set beta 0.5
        set k 2
        select fc8
        set features 10
        select pool1
        set type avgpool
        set count-include-pad off
        set type adaptive_avgpool
        set output-size 6 5
        select drop6
        set ratio 0.25
    )");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    const Network& n = a.doc.network();
    const Layer& c2 = n.layers[layer_index(n, "c2")];
    CHECK(c2.out == 128);
    CHECK(c2.pad == Pad4{1, 2, 3, 4});
    CHECK(c2.dilation == Hw{2, 1});
    CHECK(c2.groups == 1);
    CHECK(!c2.bias);
    CHECK(c2.ceil);
    const Layer& norm1 = n.layers[layer_index(n, "norm1")];
    CHECK(norm1.lrn_size == 3);
    CHECK(norm1.alpha == doctest::Approx(0.001));
    CHECK(norm1.beta == doctest::Approx(0.5));
    CHECK(norm1.k == doctest::Approx(2));
    CHECK(n.layers[layer_index(n, "fc8")].out == 10);
    const Layer& pool1 = n.layers[layer_index(n, "pool1")];
    CHECK(pool1.type == LayerType::AdaptiveAvgPool);
    CHECK(!pool1.count_include_pad);
    CHECK(pool1.output_size == Hw{6, 5});
    CHECK(n.layers[layer_index(n, "drop6")].ratio == doctest::Approx(0.25));
    CHECK(a.doc.undo_name() == "drop6: ratio 0.5 → 0.25");
}

TEST_CASE("set refuses a field the layer does not have, a taken name, and the input") {
    App a;
    CHECK(run_script(a, "select relu1\nset out 64").error ==
          "test.script:2: set: relu1 is a relu layer: it has no out");
    CHECK(run_script(a, "select pool1\nset groups 2").error ==
          "test.script:2: set: pool1 is a maxpool layer: it has no groups");
    CHECK(run_script(a, "select conv2\nset name conv1").error ==
          "test.script:2: set: another layer is already called conv1");
    CHECK(run_script(a, "select input\nset out 3").error ==
          "test.script:2: set: no layer is selected (the input is): select one first");
    CHECK(!a.doc.can_undo());
}

TEST_CASE("select takes a name, an index or input, and stepping clamps at the ends") {
    App a;
    CHECK(run_script(a, "select 4").error.empty());
    CHECK(a.selected() == 4);
    CHECK(run_script(a, "select input\nprev").error.empty());
    CHECK(a.selected() == -1);
    CHECK(run_script(a, "next\nnext").error.empty());
    CHECK(a.selected() == 1);
    CHECK(run_script(a, "last\nnext").error.empty());
    CHECK(a.selected() == 22);
    CHECK(run_script(a, "first").error.empty());
    CHECK(a.selected() == -1);
    const std::string e = run_script(a, "select conv9").error;
    CHECK(starts_with(e, "test.script:1: select: no layer named \"conv9\" (conv1, relu1, norm1, pool1, conv2"));
}

TEST_CASE("insert, duplicate, move and delete work on the selected layer") {
    App a;
    const auto r = run_script(a, R"(
        # LeNet-5 keeps this quick: every layer after an insertion gets weights anew
        preset lenet5
        select c1
        insert relu after
        expect-shape 1 6 28 28
        insert conv before
        duplicate
        move down
        expect-shape 3 16 28 28
        delete
        select 2
        delete
        select 1
        delete
        expect-valid yes
    )");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(a.doc.network() == preset("lenet5"));
    CHECK(run_script(a, "first\nmove up").error ==
          "test.script:2: move: no layer is selected (the input is): select one first");
    CHECK(run_script(a, "select c1\nmove up").error == "test.script:2: move: c1 is already first");
    CHECK(run_script(a, "last\nmove down").error == "test.script:2: move: prob is already last");
}

TEST_CASE("input changes the network's input, and expectations say what they found") {
    App a;
    CHECK(run_script(a, "input 224x224\nexpect-shape input 3 224 224\nexpect-shape conv1 96 54 54").error.empty());
    CHECK(run_script(a, "input 1 8 8\nexpect-shape input 1x8x8").error.empty());
    CHECK(starts_with(run_script(a, "expect-valid yes").error,
                      "test.script:1: expect-valid: expected a valid network, but the network has errors (conv1: "));
    CHECK(run_script(a, "expect-valid no").error.empty());
    CHECK(run_script(a, "expect-status conv1 error").error.empty());
    CHECK(run_script(a, "expect-shape input 3 32 32").error ==
          "test.script:1: expect-shape: expected input to be 3×32×32, but it is 1×8×8");
    CHECK(starts_with(run_script(a, "expect-shape conv1 96 1 1").error,
                      "test.script:1: expect-shape: expected conv1 to be 96×1×1, but it is without a shape ("));
    CHECK(starts_with(run_script(a, "wait-pass 5").error,
                      "test.script:1: wait-pass: no forward pass can run: the network has errors (conv1: "));
}

TEST_CASE("each input step is an undo step of its own") {
    App a;
    const auto r = run_script(a, "input 224x224\ninput 3 200 200\nundo\nexpect-shape input 3x224x224\nundo\n"
                                 "expect-shape input 3 227 227\n");
    CHECK_MESSAGE(r.error.empty(), r.error);
}

TEST_CASE("a # inside a word or a quoted path is kept") {
    TempDir dir;
    App a;
    const std::string path = (dir.path / "a#b c.json").string();
    CHECK(run_script(a, "state \"" + path + "\"  # the state\n").error.empty());
    CHECK(slurp(path).size() > 100);
}

TEST_CASE("wait-pass waits for the maps, and state writes the app's state as JSON") {
    TempDir dir;
    App a;
    const std::string before = dir.file("before.json"), after = dir.file("after.json");
    const auto r = run_script(a, "wait-pass 60\nstate " + before + "\nselect conv1\nset out 64\nwait-pass\nstate \"" +
                                     after + "\"\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    const auto j0 = nlohmann::json::parse(slurp(before)), j1 = nlohmann::json::parse(slurp(after));
    CHECK(j0["stages"][0]["output"] == nlohmann::json{96, 55, 55});
    CHECK(j1["stages"][0]["output"] == nlohmann::json{64, 55, 55});
    REQUIRE(j0["pass"].is_object());
    REQUIRE(j1["pass"].is_object());
    CHECK(j1["pass"]["layers"][0]["shape"] == nlohmann::json{64, 55, 55});
    CHECK(j1["pass"]["layers"][4]["mean"] != j0["pass"]["layers"][4]["mean"]);  // conv2 saw other maps
    CHECK(j1["dirty"] == true);
    CHECK(j1["can_undo"] == true);
}

TEST_CASE("view steps change what the maps panel shows, not the network") {
    App a;
    const auto r = run_script(a, R"(
        colormap gray
        scale layer
        select conv1
        enlarge 5
        show table off
        show help on
        normalize caffe
        seed 7
        backend cpu
    )");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(a.view.colormap == app::Colormap::Gray);
    CHECK(a.view.scale == app::MapScale::PerLayer);
    CHECK(a.view.enlarged_channel == 5);
    CHECK(!a.view.show_table);
    CHECK(a.view.show_help);
    CHECK(a.preprocess.normalization == nn::Normalization::Caffe);
    CHECK(a.seed() == 7);
    CHECK(!a.doc.can_undo());
    CHECK(run_script(a, "enlarge 96").error ==
          "test.script:1: enlarge: the selected stage has 96 channels (0 to 95), not 96");
    CHECK(run_script(a, "enlarge off").error.empty());
    CHECK(a.view.enlarged_channel == -1);
}

TEST_CASE("frames lets the window draw, and screenshot waits for the pass and two more frames") {
    TempDir dir;
    App a;
    int shots = 0, shot_at = -1;
    ScriptHost host;
    host.screenshot = [&](const std::string& path, std::string&) {
        ++shots;
        shot_at = host.frames_drawn;
        std::ofstream(path) << "png";
        return true;
    };
    std::string error;
    auto s = Script::parse("frames 5\nscreenshot " + dir.file("a.png") + "\nset out 8\n", "t", error);
    REQUIRE(s);
    int calls = 0;
    while (s->advance(a, host, error)) {
        ++host.frames_drawn;
        a.frame(host.frames_drawn / 60.0);
        ++calls;
    }
    CHECK(error.empty());
    CHECK(shots == 1);
    CHECK(shot_at == 7);  // 5 frames, then 2 after the pass
    CHECK(a.current_pass() == nullptr);  // the edit after the screenshot made the pass stale
    CHECK(slurp(dir.file("a.png")) == "png");
    CHECK(s->finished());
    CHECK(calls == 7);
}

TEST_CASE("a screenshot without a window, or one that fails, fails the script") {
    App a;
    CHECK(run_script(a, "screenshot /tmp/x.png").error ==
          "test.script:1: screenshot: this run has no window to take a screenshot of");
    ScriptHost host;
    host.screenshot = [](const std::string&, std::string& e) {
        e = "cannot write /readonly/x.png";
        return false;
    };
    CHECK(run_script(a, "screenshot /readonly/x.png", host).error ==
          "test.script:1: screenshot: cannot write /readonly/x.png");
}

TEST_CASE("quit ends the script: the steps below it do not run") {
    App a;
    CHECK(run_script(a, "select conv2\nquit\nselect nothing-like-this\n").error.empty());
    CHECK(a.selected() == 4);
}

TEST_CASE("a file step that fails stops the script with the app's own message") {
    App a;
    const std::string e = run_script(a, "select conv2\nopen-model /nonexistent/model.json\nselect conv1\n").error;
    CHECK(starts_with(e, "test.script:2: open-model: "));
    CHECK(contains(e, "/nonexistent/model.json"));
    CHECK(a.selected() == 4);  // nothing after the failing step ran
}

TEST_CASE("preset and sample switch the model and the photo") {
    App a;
    const auto r = run_script(a, "preset lenet5\nexpect-shape input 1 32 32\nsample grating\nwait-pass\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(a.doc.network().name == preset("lenet5").name);
    CHECK(a.input_name() == "sample grating");
    CHECK(a.current_pass()->result.outputs.back().shape == Shape3{10, 1, 1});
}

// These steps need the file operations of the app (app_files.cpp).
TEST_CASE("export writes the shape table, and save-model and open-model round-trip the network") {
    TempDir dir;
    App a;
    const std::string csv = dir.file("t.csv"), json = dir.file("t.json"), model = dir.file("m.json");
    const auto r = run_script(a, "select conv1\nset out 64\nexport csv " + csv + "\nexport json " + json +
                                     "\nsave-model " + model + "\npreset lenet5\nopen-model " + model +
                                     "\nexpect-shape conv1 64 55 55\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    const std::string table = slurp(csv);
    CHECK(starts_with(table, "index,name,type,"));
    CHECK(std::count(table.begin(), table.end(), '\n') == 25);  // the header, 23 layers, the totals
    CHECK(nlohmann::json::accept(slurp(json)));
    CHECK(!a.doc.dirty());
    CHECK(a.doc.path() == model);
}

}
