// Guided tours: the built-in AlexNet tour loads and fits its presets, its placeholders are filled with
// AlexNet's real numbers and follow an edit, every step has Chinese, and a broken tour file is refused
// with a message that names the file, the step and the mistake.
#include <doctest/doctest.h>

#include "core/file_io.h"
#include "core/tour.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;

namespace {

const Tour& builtin_alexnet() {
    static const TourList list = load_tours();
    const Tour* t = tour_for_preset(list.tours, "alexnet-caffe");
    REQUIRE(t != nullptr);
    return *t;
}

const TourStep& step_for(const Tour& t, const std::string& stage) {
    for (const TourStep& s : t.steps)
        if (s.stage == stage) return s;
    FAIL("the tour has no step for " << stage);
    return t.steps.front();
}

// The step's text in `lang` for `net` as the tour engine fills it.
std::string text_of(const Network& net, const std::string& stage, Language lang = Language::English) {
    const Tour& t = builtin_alexnet();
    const TourFacts f = make_tour_facts(net, analyze(net), t);
    return render_step_text(step_for(t, stage), f, lang);
}

// A tour with one step whose English text is `text`, rendered for Caffe's AlexNet at `stage`.
std::string fill(const std::string& text, const std::string& stage = "conv1",
                 const Network& net = preset("alexnet-caffe")) {
    const std::string file = R"({"title": "t", "presets": [], "devices": 2, "steps": [{"stage": ")" + stage +
                             R"(", "title": "t", "text": ")" + text + R"("}]})";
    const TourParse p = parse_tour(file, "t", "t.json");
    REQUIRE_MESSAGE(p, p.error);
    return render_step_text(p.tour->steps[0], make_tour_facts(net, analyze(net), *p.tour), Language::English);
}

std::string parse_error(const std::string& text) {
    const TourParse p = parse_tour(text, "bad", "bad.json");
    CHECK_FALSE(p);
    return p.error;
}

const char* kGoodStep = R"({"stage": "conv1", "title": "t", "text": "x"})";

}  // namespace

TEST_SUITE("tour") {

TEST_CASE("the built-in AlexNet tour loads without problems and fits all three AlexNet presets") {
    const TourList list = load_tours();
    CHECK(list.problems.empty());
    const Tour& t = builtin_alexnet();
    CHECK(t.id == "alexnet");
    CHECK(t.origin == "built-in");
    CHECK(t.devices == 2);
    CHECK(t.batch == 128);
    CHECK(t.presets == std::vector<std::string>{"alexnet-caffe", "alexnet-paper", "alexnet-torchvision"});
    CHECK(t.steps.size() >= 15);
    for (const std::string& id : t.presets) {
        INFO("preset " << id);
        const Network net = preset(id.c_str());
        CHECK(check_tour(t, net).empty());
        // A step that is not optional names a stage every preset has; an optional one, a stage at least
        // one of them has.
        for (const TourStep& s : t.steps)
            if (!s.optional) CHECK_MESSAGE(tour_step_stage(s, net).has_value(), s.stage);
    }
    for (const TourStep& s : t.steps) {
        bool somewhere = false;
        for (const std::string& id : t.presets) somewhere |= tour_step_stage(s, preset(id.c_str())).has_value();
        CHECK_MESSAGE(somewhere, s.stage);
    }
    // Caffe's AlexNet: every one of its 23 layers, the input, the overview and a closing overview.
    const Network caffe = preset("alexnet-caffe");
    const auto steps = tour_steps_for(t, caffe);
    CHECK(steps.size() == 26);
    std::vector<std::string> layers_visited;
    for (size_t i : steps) layers_visited.push_back(t.steps[i].stage);
    for (const Layer& l : caffe.layers)
        CHECK_MESSAGE(std::count(layers_visited.begin(), layers_visited.end(), l.name) == 1, l.name);
    // torchvision's has no LRN and no softmax, but an adaptive pool and a flatten.
    const Network tv = preset("alexnet-torchvision");
    CHECK(tour_steps_for(t, tv).size() == 25);
}

TEST_CASE("every step of the built-in tours has a Chinese title and text") {
    for (const Tour& t : load_tours().tours) {
        std::string missing;
        for (size_t i : steps_missing_chinese(t))
            missing.append(" ").append(std::to_string(i + 1)).append(" (").append(t.steps[i].stage).append(")");
        CHECK_MESSAGE(missing.empty(), "tour " << t.id << ": steps without Chinese:" << missing);
        CHECK_FALSE(t.title.zh.empty());
    }
}

TEST_CASE("conv1's step is filled with Caffe's AlexNet numbers") {
    const Network net = preset("alexnet-caffe");
    const std::string text = text_of(net, "conv1");
    CHECK(contains(text, "3×227×227 → 96×55×55"));
    CHECK(contains(text, "(227 − 11 + 2·0)/4 + 1 = 55."));
    CHECK(contains(text, "96·3·11·11 + 96 = 34,944"));
    CHECK(contains(text, "105,415,200 multiply-accumulates"));
    CHECK(contains(text, "a 3×11×11 block of weights"));
    CHECK(contains(text, "each output value sees 11×11 pixels of the input"));
    CHECK(contains(text, "neighbouring outputs are 4 pixels apart"));
    CHECK(contains(text, "Where the GPUs talk: none (every GPU has the whole input image and computes its own share "
                         "of the 96 output channels, 48 + 48)."));
    CHECK_FALSE(contains(text, "{"));
    const Tour& t = builtin_alexnet();
    const TourFacts f = make_tour_facts(net, analyze(net), t);
    CHECK(render_step_title(step_for(t, "conv1"), f, Language::English) == "conv1: 96 filters of 11×11, stride 4");
    CHECK(render_step_title(step_for(t, "conv1"), f, Language::Chinese) == "conv1：96 个 11×11 卷积核，步长 4");
}

TEST_CASE("the exchanges come from the two-GPU split: conv3 gathers, conv2 stays local, norm1 swaps a halo") {
    const Network net = preset("alexnet-caffe");
    // conv3 reads all 256 channels: each GPU receives the other's 128 channels of 13×13 floats,
    // 128·13·13·4 = 86,528 bytes (84.5 KiB) per image, 11,075,584 bytes (10.6 MiB) per batch of 128.
    CHECK(contains(text_of(net, "conv3"),
                   "Where the GPUs talk: an all-gather (before it runs, each GPU receives what the other GPUs "
                   "computed, up to 84.5 KiB per image and 10.6 MiB for a batch of 128, so that every GPU reads the "
                   "whole 256×13×13 input)."));
    CHECK(contains(text_of(net, "conv2"),
                   "none (its 2 groups line up with the 2 GPUs, so each GPU reads only the channels it already "
                   "holds; output channels 128 + 128)"));
    // LRN over 5 channels needs 2 channels beyond the border: 2·55·55·4 = 24,200 bytes (23.6 KiB),
    // 3,097,600 bytes (3.0 MiB) per batch.
    CHECK(contains(text_of(net, "norm1"), "each GPU receives up to 2 neighbouring channels from the GPU next to it: "
                                          "23.6 KiB per image, 3.0 MiB for a batch of 128)"));
    CHECK(contains(text_of(net, "fc6"), "37,752,832, 61.9% of all 60,965,224 parameters"));
    // The closing overview lists where the devices talk and what training would need.
    const std::string last = text_of(net, "overview");
    CHECK(contains(last, "60,965,224 parameters"));
}

TEST_CASE("network-wide placeholders: neurons, exchanges, memory") {
    const Network net = preset("alexnet-caffe");
    // 290,400 + 186,624 + 64,896 + 64,896 + 43,264 + 4,096 + 4,096 + 1,000 output values.
    CHECK(fill("{neurons}") == "659,272");
    CHECK(fill("{total_params} / {total_macs} / {layers}") == "60,965,224 / 724,406,816 / 23");
    CHECK(fill("{exchanges}") == "norm1, norm2, conv3, fc6, fc7, fc8, prob");
    CHECK(fill("{devices} {batch} {model} {input}") == "2 128 AlexNet (Caffe) 3×227×227");
    // 1,901.0 MiB per device (fits 3 GiB); 3,190.4 MiB on one device (does not).
    CHECK(fill("{memory}") == "about 1.9 GiB per GPU for a batch of 128 split over 2 GPUs, which fits a 3 GB card; "
                              "on a single GPU about 3.1 GiB, which is more than a 3 GB card holds");
}

TEST_CASE("stage placeholders: their own stage, another stage, and what a stage does not have") {
    CHECK(fill("{out} {out:pool5} {out:input} {in_size}") == "96×55×55 256×6×6 3×227×227 227×227");
    CHECK(fill("{kernel} {stride} {pad} {groups} {filter}", "conv2") == "5×5 1 2 2 48×5×5");
    CHECK(fill("{formula}", "pool5") == "(13 − 3 + 2·0)/2 + 1 = 6");
    CHECK(fill("{formula} | {features} | {params_formula}", "fc6") ==
          "256·6·6 = 9216 → 4096 | 9,216 | 4096·9216 + 4096 = 37,752,832");
    CHECK(fill("{lrn_size} {alpha} {beta} {k}", "norm1") == "5 0.0001 0.75 1");
    CHECK(fill("{ratio}", "drop6") == "0.5");
    CHECK(fill("{rf} {jump}", "pool5") == "195×195 32");
    // A ReLU has no kernel, no groups and no parameters to count up.
    CHECK(fill("{kernel} {groups} {params} {params_formula}", "relu1") == "— — 0 0");
    CHECK(fill("{name} {out} {channels} {kernel}", "input") == "input 3×227×227 3 —");
    CHECK(fill("{exchange}", "relu1") ==
          "none (it works channel by channel, so each GPU keeps working on the channels it holds)");
    CHECK(fill("{exchange}", "input") == "none (every GPU has its own copy of the input images)");
    CHECK(fill("{{literal}} and {name}") == "{literal} and conv1");
}

TEST_CASE("after an edit the text follows: the paper's 224 input no longer divides evenly") {
    Network net = preset("alexnet-caffe");
    net.input = {3, 224, 224};
    const std::string text = text_of(net, "conv1");
    CHECK(contains(text, "3×224×224 → 96×54×54"));
    CHECK(contains(text, "(224 − 11 + 2·0)/4 + 1 = 54.25 → 54"));
    CHECK_FALSE(contains(text, "= 55"));
    // The input step quotes conv1's formula through {formula:conv1}.
    CHECK(contains(text_of(net, "input"), "Here conv1 computes (224 − 11 + 2·0)/4 + 1 = 54.25 → 54"));
    CHECK(contains(text_of(preset("alexnet-caffe"), "input"), "Here conv1 computes (227 − 11 + 2·0)/4 + 1 = 55."));

    // Ungrouping conv2 makes it read every channel: an all-gather, and twice the weights.
    Network ungrouped = preset("alexnet-caffe");
    ungrouped.layers[layer_index(ungrouped, "conv2")].groups = 1;
    const std::string conv2 = text_of(ungrouped, "conv2");
    CHECK(contains(conv2, "256·96·5·5 + 256 = 614,656"));
    CHECK(contains(conv2, "Where the GPUs talk: an all-gather (before it runs"));
}

TEST_CASE("Chinese text is filled the same way, and a missing translation falls back to English") {
    const Network net = preset("alexnet-caffe");
    const std::string zh = text_of(net, "conv1", Language::Chinese);
    CHECK(contains(zh, "{in} → {out}") == false);
    CHECK(contains(zh, "3×227×227 → 96×55×55"));
    CHECK(contains(zh, "96·3·11·11 + 96 = 34,944"));
    const TourParse p = parse_tour(R"({"title": {"en": "T"}, "presets": [], "steps": [{"stage": "conv1",
        "title": {"en": "Only English"}, "text": {"en": "out {out}", "zh": "输出 {out}"}}]})", "t", "t.json");
    REQUIRE_MESSAGE(p, p.error);
    const TourFacts f = make_tour_facts(net, analyze(net), *p.tour);
    CHECK(render_step_title(p.tour->steps[0], f, Language::Chinese) == "Only English");
    CHECK(render_step_text(p.tour->steps[0], f, Language::Chinese) == "输出 96×55×55");
    CHECK(steps_missing_chinese(*p.tour) == std::vector<size_t>{0});
    // With no devices given, the tour uses the network's own (Caffe's AlexNet: 2).
    CHECK(f.partition.devices == 2);
}

TEST_CASE("a text may be a list of paragraphs") {
    const TourParse p = parse_tour(R"({"title": "T", "presets": [], "steps": [{"stage": "input", "title": "t",
        "text": ["one {name}", "two"]}]})", "t", "t.json");
    REQUIRE_MESSAGE(p, p.error);
    CHECK(p.tour->steps[0].text.en == "one {name}\n\ntwo");
}

TEST_CASE("a bad tour file is refused with a message naming the file, the step and the mistake") {
    CHECK(starts_with(parse_error("{\"title\": \"t\",\n  \"steps\": [,]}"), "bad.json: line 2, column 13: not valid JSON ("));
    CHECK(parse_error("[]") == "bad.json: must be a JSON object with \"title\", \"presets\" and \"steps\", got an array");
    CHECK(parse_error(R"({"title": "t", "presets": [], "steps": []})") ==
          "bad.json: needs \"steps\": a non-empty array of steps");
    CHECK(parse_error(std::string(R"({"title": "t", "steps": [)") + kGoodStep + "]}") ==
          "bad.json: needs \"presets\": an array of the preset names the tour was written for");
    CHECK(parse_error(std::string(R"({"titel": "t", "presets": [], "steps": [)") + kGoodStep + "]}") ==
          "bad.json: unknown key \"titel\" (expected title, description, presets, devices, batch, steps)");
    const std::string head = R"({"title": "t", "presets": [], "steps": [)";
    CHECK(starts_with(parse_error(head + kGoodStep + R"(, {"stage": "conv2", "title": "t", "text": {"en": "{out} and {outt}"}}]})"),
                      "bad.json: step 2 (conv2): text.en: unknown placeholder {outt} (known: name, type, in, out,"));
    CHECK(parse_error(head + R"({"stage": "conv1", "title": "t", "text": {"en": "x", "zh": "{out"}}]})") ==
          "bad.json: step 1 (conv1): text.zh: a \"{\" that is not closed (write \"{{\" for a brace)");
    CHECK(parse_error(head + R"({"stage": "conv1", "title": {"zh": "标题"}, "text": "x"}]})") ==
          "bad.json: step 1 (conv1): title: has no \"en\" text (the English is required; \"zh\" may follow)");
    CHECK(parse_error(head + R"({"title": "t", "text": "x"}]})") ==
          "bad.json: step 1: needs \"stage\": a layer's name, \"input\" or \"overview\"");
    CHECK(parse_error(head + R"({"stage": "fc6", "title": "t"}]})") == "bad.json: step 1 (fc6): has no \"text\"");
    CHECK(parse_error(head + R"({"stage": "fc6", "title": "t", "text": "x", "optinal": true}]})") ==
          "bad.json: step 1 (fc6): unknown key \"optinal\" (expected stage, title, text, optional)");
    CHECK(parse_error(head + R"({"stage": "fc6", "title": "t", "text": "{out:}"}]})") ==
          "bad.json: step 1 (fc6): text.en: {out:} names no stage after the colon");
    CHECK(parse_error(R"({"title": "t", "presets": [], "devices": 0, "steps": [)" + std::string(kGoodStep) + "]}") ==
          "bad.json: devices: must be a whole number from 1 to 64");
}

TEST_CASE("against a network, a tour names the stages it cannot find") {
    const Tour& t = builtin_alexnet();
    // LeNet-5 has none of AlexNet's layers: every required step is a problem; optional ones are not.
    const Network lenet = preset("lenet5");
    const auto problems = check_tour(t, lenet);
    REQUIRE(problems.size() >= 2);
    CHECK(problems[0] == "tour alexnet: step 2 (input): {formula:conv1} names a stage LeNet-5 does not have");
    CHECK(starts_with(problems[1], "tour alexnet: step 3 (conv1): LeNet-5 has no stage \"conv1\" (it has input, c1, "));
    for (const auto& p : problems) CHECK_FALSE(contains(p, "(norm1)"));
    // What remains are the steps on the input and on the few names LeNet shares (relu1, prob).
    std::vector<std::string> left;
    for (size_t i : tour_steps_for(t, lenet)) left.push_back(t.steps[i].stage);
    CHECK(left == std::vector<std::string>{"overview", "input", "relu1", "relu3", "relu5", "relu6", "prob", "overview"});
    // A deleted layer: its step drops out, and a reference to it shows as "?".
    Network net = preset("alexnet-caffe");
    net.layers.erase(net.layers.begin() + static_cast<long>(layer_index(net, "pool5")));
    CHECK(check_tour(t, net) == std::vector<std::string>{
                                    "tour alexnet: step 17 (pool5): AlexNet (Caffe) has no stage \"pool5\" (it has "
                                    "input, conv1, relu1, norm1, pool1, conv2, relu2, norm2, pool2, conv3, relu3, conv4, "
                                    "relu4, conv5, relu5, fc6, relu6, drop6, fc7, relu7, drop7, fc8, prob)"});
    CHECK(fill("{out:pool5}", "conv1", net) == "?");
}

TEST_CASE("tours from a folder join the built-in ones, replace one of the same name, and bad files are named") {
    TempDir dir;
    dir.file("lenet.json", R"({"title": {"en": "LeNet", "zh": "LeNet"}, "presets": ["lenet5"], "steps": [
        {"stage": "c1", "title": "c1", "text": "out {out}"}]})");
    dir.file("alexnet.json", R"({"title": "My AlexNet", "presets": ["alexnet-caffe"], "steps": [
        {"stage": "conv1", "title": "conv1", "text": "{formula}"}]})");
    dir.file("broken.json", R"({"title": "t", "presets": [], "steps": [{"stage": "x", "title": "t", "text": "{nope}"}]})");
    dir.file("notes.txt", "not a tour");
    const TourList list = load_tours({dir.path.string(), (dir.path / "missing").string()});
    REQUIRE(list.tours.size() == 2);
    CHECK(list.tours[0].id == "alexnet");
    CHECK(list.tours[0].title.en == "My AlexNet");
    CHECK(list.tours[0].origin == (dir.path / "alexnet.json").string());
    CHECK(list.tours[1].id == "lenet");
    REQUIRE(list.problems.size() == 1);
    CHECK(starts_with(list.problems[0], (dir.path / "broken.json").string() +
                                            ": step 1 (x): text.en: unknown placeholder {nope}"));
    const Network lenet = preset("lenet5");
    CHECK(tour_for_preset(list.tours, "lenet5") == &list.tours[1]);
    CHECK(tour_for_network(list.tours, lenet) == &list.tours[1]);
    CHECK(fill("{out}", "c1", lenet) == "6×28×28");
}

TEST_CASE("the tour for a network: by its preset's name, else by the stages it finds") {
    const TourList list = load_tours();
    CHECK(tour_for_network(list.tours, preset("alexnet-paper")) == tour_for_preset(list.tours, "alexnet-paper"));
    // ZFNet is not among the tour's presets, but shares AlexNet's layer names.
    CHECK(tour_for_network(list.tours, preset("zfnet")) == tour_for_preset(list.tours, "alexnet-caffe"));
    CHECK(tour_for_network(list.tours, preset("lenet5")) == nullptr);
    CHECK(tour_for_preset(list.tours, "vgg16") == nullptr);
    // LeNet-5 has 4 of the 20 layers the AlexNet tour requires (relu1, relu3, relu5, relu6).
    const Tour& alexnet = *tour_for_preset(list.tours, "alexnet-caffe");
    CHECK(tour_fit(alexnet, preset("lenet5")) == doctest::Approx(4.0 / 20));
    CHECK(tour_fit(alexnet, preset("alexnet-torchvision")) == 1.0);
}

TEST_CASE("every placeholder has a meaning and is documented, and the tour file uses only known ones") {
    std::string e;
    const std::string doc = read_file(std::string(CONVSCOPE_SOURCE_DIR) + "/docs/user-guide.md", e).value_or("");
    for (const TourPlaceholder& p : tour_placeholders()) {
        CHECK(std::string(p.meaning).size() > 10);
        CHECK_MESSAGE(contains(doc, "`{" + std::string(p.name) + "}`"), "docs/user-guide.md lacks {" << p.name << "}");
    }
    // The file in the source tree is the one compiled in.
    const std::string tour = read_file(std::string(CONVSCOPE_SOURCE_DIR) + "/assets/tour/alexnet.json", e).value_or("");
    const TourParse p = parse_tour(tour, "alexnet", "assets/tour/alexnet.json");
    REQUIRE_MESSAGE(p, p.error);
    CHECK(p.tour->steps.size() == builtin_alexnet().steps.size());
}

}
