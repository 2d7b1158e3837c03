// Model files: JSON text ⇄ Network. The loader is the boundary where hand-written, possibly broken
// files enter the program, so these tests pin down every key, every default, the exact wording of
// the errors a person reads, and that nothing a file contains can make the loader throw.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "core/file_io.h"
#include "core/model_io.h"
#include "core/network.h"
#include "core/presets.h"
#include "core/shape_engine.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;
namespace fs = std::filesystem;

namespace {

// A model with a fixed input around a list of layers, so each error test shows only what matters.
std::string model_with_layers(const std::string& layers) {
    return R"({"input": [3, 32, 32], "layers": [)" + layers + "]}";
}

// Parses text that must be rejected and returns the message. The loader promises never to throw,
// so a throw is a failure of its own rather than a crashed test run.
std::string load_error(std::string_view text) {
    LoadResult r;
    REQUIRE_NOTHROW(r = parse_network_json(text));
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error.empty());
    return r.error;
}

Network load_ok(std::string_view text) {
    LoadResult r;
    REQUIRE_NOTHROW(r = parse_network_json(text));
    INFO("error: " << r.error);
    REQUIRE(r);
    return *r.network;
}

// The preset files as shipped, byte for byte: the fuzz should start from text a person wrote, with
// its own spacing and key order, not only from what network_to_json produces.
std::vector<std::string> preset_source_texts() {
    std::vector<std::string> texts;
    for (const auto& p : list_presets()) {
        std::string error;
        const auto text = read_file(std::string(CONVSCOPE_SOURCE_DIR) + "/assets/models/" + p.id + ".json", error);
        INFO(error);
        REQUIRE(text);
        texts.push_back(*text);
    }
    return texts;
}

}  // namespace

TEST_SUITE("model_io") {

TEST_CASE("every key of a hand-written model is read into the Network") {
    const Network net = load_ok(R"({
  "name": "Every field",
  "description": "A model that sets each key once.",
  "source": "written for the tests",
  "input": [3, 32, 48],
  "devices": 2,
  "layers": [
    {"name": "c1", "type": "conv", "out": 16, "kernel": [3, 5], "stride": [2, 1], "pad": [1, 2], "dilation": [2, 1], "groups": 2, "bias": false, "ceil": true},
    {"type": "relu"},
    {"type": "lrn", "size": 3, "alpha": 0.002, "beta": 0.5, "k": 2, "alpha_over_size": false},
    {"type": "maxpool", "kernel": 3},
    {"type": "avgpool", "kernel": [2, 3], "pad": [0, 1, 1, 0], "count_include_pad": false, "ceil": true},
    {"type": "conv", "out": 8, "kernel": 1, "pad": 2},
    {"type": "adaptive_avgpool", "output": [2, 3]},
    {"type": "adaptive_avgpool", "output": 4},
    {"type": "flatten"},
    {"type": "fc", "out": 10, "in": 48},
    {"type": "dropout", "ratio": 0.25},
    {"type": "fc", "out": 5, "bias": false},
    {"type": "lrn"},
    {"type": "dropout"},
    {"type": "maxpool", "kernel": [2, 3], "stride": 1, "dilation": 2},
    {"type": "softmax"}
  ],
  "printed_neurons": [4608, 100, 10]
})");
    CHECK(net.name == "Every field");
    CHECK(net.description == "A model that sets each key once.");
    CHECK(net.source == "written for the tests");
    CHECK(net.input == Shape3{3, 32, 48});
    CHECK(net.devices == 2);
    CHECK(net.printed_neurons == std::vector<int64_t>{4608, 100, 10});
    REQUIRE(net.layers.size() == 16);

    const Layer& conv = net.layers[0];
    CHECK(conv.name == "c1");
    CHECK(conv.type == LayerType::Conv);
    CHECK(conv.out == 16);
    CHECK(conv.kernel == Hw{3, 5});
    CHECK(conv.stride == Hw{2, 1});
    CHECK(conv.pad == Pad4{1, 2, 1, 2});  // [h, w] pads top and bottom by h, left and right by w
    CHECK(conv.dilation == Hw{2, 1});
    CHECK(conv.groups == 2);
    CHECK(conv.bias == false);
    CHECK(conv.ceil == true);

    const Layer& lrn = net.layers[2];
    CHECK(lrn.type == LayerType::Lrn);
    CHECK(lrn.lrn_size == 3);
    CHECK(lrn.alpha == doctest::Approx(0.002));
    CHECK(lrn.beta == doctest::Approx(0.5));
    CHECK(lrn.k == doctest::Approx(2.0));
    CHECK(lrn.alpha_over_size == false);

    // A pool without a stride steps by its kernel (PyTorch's default), not by 1 as a conv does.
    const Layer& max = net.layers[3];
    CHECK(max.type == LayerType::MaxPool);
    CHECK(max.kernel == Hw{3, 3});
    CHECK(max.stride == Hw{3, 3});
    CHECK(max.pad == Pad4{});
    CHECK(max.ceil == false);

    const Layer& avg = net.layers[4];
    CHECK(avg.type == LayerType::AvgPool);
    CHECK(avg.kernel == Hw{2, 3});
    CHECK(avg.stride == Hw{2, 3});
    CHECK(avg.pad == Pad4{0, 1, 1, 0});  // four values are top, left, bottom, right
    CHECK(avg.count_include_pad == false);
    CHECK(avg.ceil == true);

    // The conv defaults: stride 1 (not the kernel), no dilation, one group, a bias.
    const Layer& conv2 = net.layers[5];
    CHECK(conv2.kernel == Hw{1, 1});
    CHECK(conv2.stride == Hw{1, 1});
    CHECK(conv2.pad == Pad4{2, 2, 2, 2});  // one integer pads every side
    CHECK(conv2.dilation == Hw{1, 1});
    CHECK(conv2.groups == 1);
    CHECK(conv2.bias == true);
    CHECK(conv2.ceil == false);

    CHECK(net.layers[6].output_size == Hw{2, 3});
    CHECK(net.layers[7].output_size == Hw{4, 4});
    CHECK(net.layers[8].type == LayerType::Flatten);

    const Layer& fc = net.layers[9];
    CHECK(fc.type == LayerType::Fc);
    CHECK(fc.out == 10);
    CHECK(fc.in_features == 48);
    CHECK(fc.bias == true);

    CHECK(net.layers[10].ratio == doctest::Approx(0.25));
    CHECK(net.layers[11].in_features == 0);  // 0: the fc takes whatever arrives
    CHECK(net.layers[11].bias == false);

    // LRN and dropout defaults are those of Caffe's AlexNet, alpha divided by the window size.
    const Layer& lrn_default = net.layers[12];
    CHECK(lrn_default.lrn_size == 5);
    CHECK(lrn_default.alpha == doctest::Approx(1e-4));
    CHECK(lrn_default.beta == doctest::Approx(0.75));
    CHECK(lrn_default.k == doctest::Approx(1.0));
    CHECK(lrn_default.alpha_over_size == true);
    CHECK(net.layers[13].ratio == doctest::Approx(0.5));

    // An explicit stride wins over the pool default; maxpool takes a dilation.
    const Layer& dilated = net.layers[14];
    CHECK(dilated.kernel == Hw{2, 3});
    CHECK(dilated.stride == Hw{1, 1});
    CHECK(dilated.dilation == Hw{2, 2});
    CHECK(net.layers[15].type == LayerType::Softmax);
}

TEST_CASE("a model without name, description, source or devices gets the defaults") {
    const Network net = load_ok(R"({"input": [1, 28, 28], "layers": []})");
    CHECK(net.name == "untitled");
    CHECK(net.description.empty());
    CHECK(net.source.empty());
    CHECK(net.devices == 1);
    CHECK(net.layers.empty());
    CHECK(net.printed_neurons.empty());
    CHECK(net.input == Shape3{1, 28, 28});
}

TEST_CASE("whole-number floats are accepted as integers, other numbers are not") {
    // Some exporters write 3.0 for 3; refusing it would reject files that mean exactly what they say.
    const Network net = load_ok(model_with_layers(R"({"type": "conv", "out": 8.0, "kernel": 3.0, "pad": [1.0, 0]})"));
    CHECK(net.layers[0].out == 8);
    CHECK(net.layers[0].kernel == Hw{3, 3});
    CHECK(net.layers[0].pad == Pad4{1, 0, 1, 0});
    CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": 3.5})")) ==
          "layers[0].kernel: must be an integer, got 3.5");
}

TEST_CASE("unnamed layers get AlexNet-style default names without duplicates") {
    const Network net = load_ok(model_with_layers(R"(
        {"type": "maxpool", "kernel": 2},
        {"type": "conv", "out": 8, "kernel": 3},
        {"type": "relu"},
        {"type": "lrn"},
        {"type": "maxpool", "kernel": 2},
        {"type": "conv", "out": 8, "kernel": 3},
        {"type": "relu"},
        {"type": "relu"},
        {"type": "avgpool", "kernel": 2},
        {"type": "adaptive_avgpool", "output": 1},
        {"type": "flatten"},
        {"type": "fc", "out": 10},
        {"type": "relu"},
        {"type": "dropout"},
        {"type": "fc", "out": 10},
        {"type": "adaptive_avgpool", "output": 1},
        {"type": "softmax"})"));
    std::vector<std::string> names;
    for (const auto& l : net.layers) names.push_back(l.name);
    // A pool before any conv belongs to stage 0; fc continues the conv count (fc3 after conv2); a second
    // relu after the same weight layer, or an avgpool sharing maxpool's "pool" prefix, gets a suffix;
    // adaptive pools, flatten and softmax count on their own.
    const std::vector<std::string> expected{"pool0", "conv1",    "relu1", "norm1",    "pool1",   "conv2",
                                            "relu2", "relu2_2",  "pool2", "avgpool1", "flatten1", "fc3",
                                            "relu3", "drop3",    "fc4",   "avgpool2", "prob1"};
    CHECK(names == expected);
}

TEST_CASE("default names step around names the file already uses") {
    // "relu1" is taken by a later, explicitly named layer: the unnamed relu must not steal or repeat it.
    const Network net = load_ok(model_with_layers(R"(
        {"type": "conv", "out": 8, "kernel": 3},
        {"type": "relu"},
        {"type": "relu", "name": "relu1"},
        {"type": "conv", "out": 8, "kernel": 3, "name": "relu1_2"},
        {"type": "relu"})"));
    REQUIRE(net.layers.size() == 5);
    CHECK(net.layers[0].name == "conv1");
    CHECK(net.layers[1].name == "relu1_3");
    CHECK(net.layers[2].name == "relu1");
    CHECK(net.layers[3].name == "relu1_2");
    CHECK(net.layers[4].name == "relu2");
    std::set<std::string> unique;
    for (const auto& l : net.layers) unique.insert(l.name);
    CHECK(unique.size() == net.layers.size());
}

TEST_CASE("errors name the place in the file and say what is wrong") {
    const std::string ok3 = R"({"type": "conv", "out": 8, "kernel": 3}, {"type": "relu"}, {"type": "lrn"}, )";

    SUBCASE("a value out of range") {
        CHECK(load_error(model_with_layers(ok3 + R"({"type": "conv", "out": 8, "kernel": 3, "stride": 0})")) ==
              "layers[3].stride: must be ≥ 1, got 0");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": 3, "stride": [1, 0]})")) ==
              "layers[0].stride[1]: must be ≥ 1, got 0");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": -3, "kernel": 3})")) ==
              "layers[0].out: must be ≥ 1, got -3");
        CHECK(load_error(model_with_layers(R"({"type": "maxpool", "kernel": 2, "pad": [0, 0, -1, 0]})")) ==
              "layers[0].pad[2]: must be ≥ 0, got -1");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 18446744073709551615, "kernel": 3})")) ==
              "layers[0].out: must be ≤ 16777216, got 18446744073709551615");
        CHECK(load_error(model_with_layers(R"({"type": "dropout", "ratio": 1})")) ==
              "layers[0].ratio: must be in [0, 1), got 1");
        CHECK(load_error(model_with_layers(R"({"type": "lrn", "alpha": -1.5})")) ==
              "layers[0].alpha: must be ≥ 0, got -1.5");
        CHECK(load_error(R"({"input": [3, 1048577, 8], "layers": []})") == "input[1]: must be ≤ 1048576, got 1048577");
        CHECK(load_error(R"({"input": [3, 0, 8], "layers": []})") == "input[1]: must be ≥ 1, got 0");
        CHECK(load_error(R"({"input": [3, 8, 8], "layers": [], "devices": 65})") == "devices: must be ≤ 64, got 65");
        CHECK(load_error(R"({"input": [3, 8, 8], "layers": [], "printed_neurons": [1, -1]})") ==
              "printed_neurons[1]: must be ≥ 0, got -1");
    }

    SUBCASE("an unknown key") {
        const std::string conv = load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": 3, "foo": 1})"));
        CHECK(starts_with(conv, "layers[0].foo: unknown key"));
        // The message lists what the layer does take, so a typo can be fixed without the manual.
        CHECK(conv.find("kernel") != std::string::npos);
        CHECK(load_error(model_with_layers(R"({"type": "relu", "foo": 1})")) ==
              "layers[0].foo: unknown key for a relu layer (it takes name, type)");
        // A key valid for one type is still unknown for another: avgpool has no dilation.
        CHECK(starts_with(load_error(model_with_layers(R"({"type": "avgpool", "kernel": 2, "dilation": 2})")),
                          "layers[0].dilation: unknown key for an avgpool layer"));
        CHECK(starts_with(load_error(R"({"input": [3, 8, 8], "layers": [], "layer": []})"), "layer: unknown key"));
    }

    SUBCASE("a value of the wrong type") {
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": "3"})")) ==
              R"(layers[0].kernel: must be an integer, got "3")");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": true, "kernel": 3})")) ==
              "layers[0].out: must be an integer, got true");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": 2.5})")) ==
              "layers[0].kernel: must be an integer, got 2.5");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": [3, "a"]})")) ==
              R"(layers[0].kernel[1]: must be an integer, got "a")");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": [3]})")) ==
              "layers[0].kernel: must be an integer or [h, w], got [3]");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": 3, "pad": [1, 2, 3]})")) ==
              "layers[0].pad: must be an integer, [h, w] or [top, left, bottom, right], got [1,2,3]");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": 3, "bias": 1})")) ==
              "layers[0].bias: must be true or false, got 1");
        CHECK(load_error(model_with_layers(R"({"type": "lrn", "alpha": "x"})")) ==
              R"(layers[0].alpha: must be a number, got "x")");
        CHECK(load_error(model_with_layers(R"({"type": "relu", "name": 5})")) ==
              "layers[0].name: must be a string, got 5");
        CHECK(load_error(model_with_layers(R"({"type": 3})")) == "layers[0].type: must be a string, got 3");
        CHECK(load_error(model_with_layers("5")) == "layers[0]: must be an object, got 5");
        CHECK(load_error(R"({"name": 5, "input": [3, 8, 8], "layers": []})") == "name: must be a string, got 5");
    }

    SUBCASE("a missing or malformed input or layer list") {
        CHECK(load_error(R"({"layers": []})") == "input: missing: give the input shape as [C, H, W], e.g. [3, 227, 227]");
        CHECK(load_error(R"({"input": [3, 8, 8]})") == "layers: missing: a model needs a list of layers");
        CHECK(load_error(R"({"input": [3, 224], "layers": []})") == "input: must be [C, H, W], got [3,224]");
        CHECK(load_error(R"({"input": "3x224x224", "layers": []})") == R"(input: must be [C, H, W], got "3x224x224")");
        CHECK(load_error(R"({"input": [3, 8, 8], "layers": {}})") == "layers: must be a list, got {}");
        CHECK(load_error(R"({"input": [3, 8, 8], "layers": [], "printed_neurons": 5})") ==
              "printed_neurons: must be a list of integers, got 5");
    }

    SUBCASE("a missing or unknown layer type, or a missing required key") {
        CHECK(load_error(model_with_layers(R"({"type": "pool", "kernel": 2})")) ==
              R"(layers[0].type: unknown layer type "pool" (conv, maxpool, avgpool, adaptive_avgpool, lrn, relu, dropout, flatten, fc, softmax))");
        CHECK(starts_with(load_error(model_with_layers("{}")), R"(layers[0]: has no "type")"));
        CHECK(load_error(model_with_layers(R"({"type": "conv", "kernel": 3})")) ==
              R"(layers[0]: a conv layer needs "out" (output channels))");
        CHECK(load_error(model_with_layers(R"({"type": "fc"})")) ==
              R"(layers[0]: an fc layer needs "out" (output features))");
        CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8})")) ==
              R"(layers[0]: a conv layer needs "kernel")");
        CHECK(load_error(model_with_layers(R"({"type": "adaptive_avgpool"})")) ==
              R"(layers[0]: an adaptive_avgpool layer needs "output" ([h, w]))");
    }

    SUBCASE("duplicate layer names") {
        CHECK(load_error(model_with_layers(
                  R"({"type": "relu", "name": "a"}, {"type": "relu", "name": "b"}, {"type": "relu", "name": "a"})")) ==
              R"(layers[2].name: "a" is already the name of layers[0])");
    }

    SUBCASE("a root that is not an object") {
        CHECK(load_error("[1, 2]") == R"(model: must be a JSON object with "input" and "layers", got [1,2])");
        CHECK(starts_with(load_error("42"), "model: must be a JSON object"));
        CHECK(starts_with(load_error("null"), "model: must be a JSON object"));
    }
}

TEST_CASE("invalid JSON is reported with its line and column") {
    // The trailing comma sits on line 3; the parser notices it at the "]" in column 31.
    const std::string text = "{\n  \"input\": [3, 8, 8],\n  \"layers\": [{\"type\": \"relu\"},]\n}\n";
    const std::string error = load_error(text);
    CHECK(starts_with(error, "not valid JSON (line 3, column 31): "));

    CHECK(starts_with(load_error("{\n \"input\": [3,4,4],\n \"layers\": [,]\n}"), "not valid JSON (line 3, column 13)"));
    CHECK(starts_with(load_error(R"({"input": [3, 8, 8], "layers": []} x)"), "not valid JSON (line 1"));
    CHECK(starts_with(load_error(R"({"input": [3, 8, 8], "layers": [)"), "not valid JSON (line 1"));
    // nlohmann's "[json.exception.parse_error.101]" prefix is noise to a person and must be cut off.
    CHECK(error.find("json.exception") == std::string::npos);

    SUBCASE("empty or blank text") {
        CHECK(starts_with(load_error(""), "not valid JSON (line 1, column 1)"));
        CHECK(starts_with(load_error("\n\n   "), "not valid JSON (line 3"));
    }

    SUBCASE("invalid UTF-8 inside a string") {
        const std::string bad = "{\"name\": \"bad \xC3\x28 byte\", \"input\": [3, 8, 8], \"layers\": []}";
        const std::string e1 = load_error(bad);
        CHECK(starts_with(e1, "not valid JSON (line 1"));
        CHECK(e1.find("UTF-8") != std::string::npos);
        const std::string on_line_2 = "{\"input\": [3, 8, 8],\n\"name\": \"\xFF\", \"layers\": []}";
        CHECK(starts_with(load_error(on_line_2), "not valid JSON (line 2"));
        // The bad byte is quoted in a form a terminal can show, so the message itself stays valid UTF-8.
        CHECK(load_error(on_line_2).find("\\xFF") != std::string::npos);
        CHECK(load_error(on_line_2).find('\xFF') == std::string::npos);
        // A string cut off in the middle of a multi-byte character.
        CHECK(starts_with(load_error("{\"name\": \"\xE2\x80\"}"), "not valid JSON (line 1"));
    }

    SUBCASE("valid UTF-8 is kept as written") {
        const Network net = load_ok("{\"name\": \"3×224×224 \xF0\x9F\x99\x82\", \"input\": [3, 8, 8], \"layers\": []}");
        CHECK(net.name == "3×224×224 \xF0\x9F\x99\x82");
    }
}

TEST_CASE("a key given twice in one object is an error, not a silent overwrite") {
    CHECK(load_error(R"({"input": [3, 8, 8], "input": [3, 9, 9], "layers": []})") ==
          R"(not valid JSON: the key "input" appears twice in one object)");
    CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 8, "kernel": 3, "kernel": 5})")) ==
          R"(not valid JSON: the key "kernel" appears twice in one object)");
    // The same key in two different objects is fine.
    CHECK(parse_network_json(model_with_layers(R"({"type": "relu", "name": "a"}, {"type": "relu", "name": "b"})")));
}

TEST_CASE("a whole number beyond a field's range is reported as out of range, also when written as a float") {
    CHECK(load_error(model_with_layers(R"({"type": "conv", "out": 1e20, "kernel": 3})")) ==
          "layers[0].out: must be ≤ 16777216, got 1e+20");
    CHECK(load_error(model_with_layers(R"({"type": "conv", "out": -4.0, "kernel": 3})")) ==
          "layers[0].out: must be ≥ 1, got -4.0");
}

TEST_CASE("a number too large for a double is an error, not an exception") {
    // nlohmann reports 1e400 as out_of_range rather than parse_error: the loader must catch that too,
    // and still strip nlohmann's "[json.exception.out_of_range.406]" prefix.
    const std::string error = load_error(model_with_layers(R"({"type": "conv", "out": 1e400, "kernel": 3})"));
    CHECK(starts_with(error, "not valid JSON"));
    CHECK(error.find("1e400") != std::string::npos);
    CHECK(error.find("json.exception") == std::string::npos);
}

TEST_CASE("every preset survives a save and load unchanged") {
    const auto presets = list_presets();
    REQUIRE(presets.size() >= 6);
    for (const auto& p : presets) {
        INFO("preset " << p.id);
        const LoadResult original = load_preset(p.id);
        REQUIRE(original);
        CHECK_FALSE(original.network->layers.empty());
        CHECK(p.title == original.network->name);

        const std::string first = network_to_json(*original.network);
        const Network reloaded = load_ok(first);
        CHECK(reloaded == *original.network);
        // The saved text is a fixed point: saving what was loaded gives the same bytes, so opening and
        // saving a model without changes never shows up as a diff.
        CHECK(network_to_json(reloaded) == first);
    }
}

TEST_CASE("a Network with every unusual value round-trips through JSON") {
    Network net;
    net.name = "quotes \" backslash \\ newline \n tab \t ctrl \x01 unicode × \xF0\x9F\x99\x82";
    net.description = "d";
    net.source = "s";
    net.input = {5, 17, 33};
    net.devices = 4;
    net.printed_neurons = {0, 1, int64_t{1} << 40};
    Layer conv;
    conv.name = "c";
    conv.type = LayerType::Conv;
    conv.out = 12;
    conv.kernel = {3, 5};
    conv.stride = {2, 3};
    conv.dilation = {1, 2};
    conv.pad = {1, 2, 3, 0};  // asymmetric: needs the four-value form
    conv.groups = 3;
    conv.bias = false;
    conv.ceil = true;
    Layer sym_pad = conv;
    sym_pad.name = "c2";
    sym_pad.pad = {1, 2, 1, 2};  // symmetric but not uniform: the [h, w] form
    sym_pad.ceil = false;
    sym_pad.bias = true;
    Layer half_sym = sym_pad;
    half_sym.name = "c3";
    half_sym.pad = {2, 0, 2, 1};  // top and bottom agree, left and right do not: still four values
    Layer max;
    max.name = "m";
    max.type = LayerType::MaxPool;
    max.kernel = {2, 2};
    max.stride = {1, 2};
    max.dilation = {2, 2};
    max.pad = {1, 1, 1, 1};
    Layer avg;
    avg.name = "a";
    avg.type = LayerType::AvgPool;
    avg.kernel = {3, 3};
    avg.stride = {3, 3};
    avg.ceil = true;
    avg.count_include_pad = false;
    Layer adaptive;
    adaptive.name = "ad";
    adaptive.type = LayerType::AdaptiveAvgPool;
    adaptive.output_size = {6, 7};
    Layer lrn;
    lrn.name = "n";
    lrn.type = LayerType::Lrn;
    lrn.lrn_size = 7;
    lrn.alpha = 1.0 / 3.0;  // no short decimal form: the writer must print enough digits to get it back
    lrn.beta = 0.1;
    lrn.k = 1e-300;
    lrn.alpha_over_size = false;
    Layer drop;
    drop.name = "d";
    drop.type = LayerType::Dropout;
    drop.ratio = 0.0;
    Layer fc;
    fc.name = "f";
    fc.type = LayerType::Fc;
    fc.out = 3;
    fc.in_features = int64_t{1} << 40;
    fc.bias = false;
    Layer flat;
    flat.name = "fl";
    flat.type = LayerType::Flatten;
    Layer soft;
    soft.name = "p";
    soft.type = LayerType::Softmax;
    Layer relu;
    relu.name = "r";
    relu.type = LayerType::Relu;
    net.layers = {conv, sym_pad, half_sym, relu, max, avg, adaptive, lrn, drop, flat, fc, soft};

    const std::string text = network_to_json(net);
    const Network back = load_ok(text);
    CHECK(back == net);
    CHECK(network_to_json(back) == text);
}

TEST_CASE("load_network_file and save_network_file") {
    TempDir dir;

    SUBCASE("a missing file is an error that names the path") {
        const std::string path = (dir.path / "nope.json").string();
        LoadResult r;
        REQUIRE_NOTHROW(r = load_network_file(path));
        CHECK_FALSE(r);
        CHECK(r.error.find(path) != std::string::npos);
        CHECK(r.error.find("No such file") != std::string::npos);
    }

    SUBCASE("a directory is an error that names the path") {
        const std::string path = dir.path.string();
        LoadResult r;
        REQUIRE_NOTHROW(r = load_network_file(path));
        CHECK_FALSE(r);
        CHECK(r.error.find(path) != std::string::npos);
        CHECK(r.error.find("directory") != std::string::npos);
    }

    SUBCASE("a file with a model error starts with its path") {
        const std::string path = (dir.path / "bad.json").string();
        std::string error;
        REQUIRE(write_file_atomic(path, R"({"input": [3, 8, 8], "layers": [{"type": "conv", "out": 0, "kernel": 1}]})",
                                  error));
        const LoadResult r = load_network_file(path);
        CHECK_FALSE(r);
        CHECK(r.error == path + ": layers[0].out: must be ≥ 1, got 0");
    }

    SUBCASE("save then load gives the same network") {
        for (const auto& p : list_presets()) {
            INFO("preset " << p.id);
            const LoadResult original = load_preset(p.id);
            REQUIRE(original);
            const std::string path = (dir.path / (p.id + ".json")).string();
            std::string error;
            REQUIRE(save_network_file(*original.network, path, error));
            CHECK(error.empty());
            const LoadResult back = load_network_file(path);
            INFO(back.error);
            REQUIRE(back);
            CHECK(*back.network == *original.network);
        }
        // Only the saved files remain: the atomic write leaves no temporaries beside them.
        size_t files = 0;
        for (const auto& entry : fs::directory_iterator(dir.path)) {
            CHECK(entry.path().extension() == ".json");
            ++files;
        }
        CHECK(files == list_presets().size());
    }

    SUBCASE("saving into a missing directory fails and names the path") {
        const std::string path = (dir.path / "missing" / "m.json").string();
        std::string error;
        CHECK_FALSE(save_network_file(*load_preset("lenet5").network, path, error));
        CHECK(error.find(path) != std::string::npos);
        CHECK(fs::is_empty(dir.path));
    }
}

TEST_CASE("the shipped preset files parse to the embedded presets") {
    // The fuzz below reads the files from the source tree; make sure they are what the binary embeds.
    const auto texts = preset_source_texts();
    const auto presets = list_presets();
    REQUIRE(texts.size() == presets.size());
    for (size_t i = 0; i < texts.size(); ++i) {
        INFO("preset " << presets[i].id);
        CHECK(load_ok(texts[i]) == *load_preset(presets[i].id).network);
    }
}

TEST_CASE("mutated model files never make the loader throw") {
    // Deterministic (fixed seed, and raw mt19937 output rather than std::uniform_int_distribution, whose
    // algorithm differs between standard libraries), so a failure reproduces on every machine.
    std::mt19937 rng(20240611);
    auto below = [&rng](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };

    std::vector<std::string> seeds = preset_source_texts();
    for (const auto& p : list_presets()) seeds.push_back(network_to_json(*load_preset(p.id).network));

    // Values chosen to sit on the loader's limits and type rules, so mutated files that stay valid
    // JSON reach the validation code rather than failing at the first character.
    const std::vector<std::string> numbers{"0",       "-1",  "1",   "2.5", "3.0",  "1e9", "1048576", "1048577",
                                           "16777217", "-0", "1e400", "18446744073709551616", "true", "null",
                                           "\"7\"",   "[]",  "[1, 2]", "[0, 0, 0, 0]", "{}"};
    const std::string punctuation = "{}[],:\"\\-.0123456789eEtfn \n";

    int parsed = 0, rejected = 0;
    for (int iteration = 0; iteration < 2000; ++iteration) {
        std::string text = seeds[below(seeds.size())];
        const int edits = 1 + static_cast<int>(below(2));
        for (int e = 0; e < edits; ++e) {
            const size_t pos = below(text.size() + 1);
            // Weighted towards the edits that keep the text valid JSON (digits, whole values), since
            // the loader's validation is only reached by text the JSON parser accepts.
            static constexpr int kOps[] = {0, 1, 2, 3, 4, 4, 4, 4, 5, 5, 5, 6};
            switch (kOps[below(std::size(kOps))]) {
                case 0:  // delete a few bytes
                    text.erase(std::min(pos, text.size()), 1 + below(8));
                    break;
                case 1:  // insert a JSON-significant character
                    text.insert(pos, 1, punctuation[below(punctuation.size())]);
                    break;
                case 2:  // overwrite a byte with anything, including bytes that are not UTF-8
                    if (pos < text.size()) text[pos] = static_cast<char>(below(256));
                    break;
                case 3:  // truncate
                    text.resize(pos);
                    break;
                case 4: {  // change one digit: keeps the JSON valid and moves a value across limits
                    std::vector<size_t> digits;
                    for (size_t i = 0; i < text.size(); ++i)
                        if (text[i] >= '0' && text[i] <= '9') digits.push_back(i);
                    if (!digits.empty()) text[digits[below(digits.size())]] = static_cast<char>('0' + below(10));
                    break;
                }
                case 5: {  // replace a whole value after a colon with an edge value
                    std::vector<size_t> colons;
                    for (size_t i = 0; i < text.size(); ++i)
                        if (text[i] == ':') colons.push_back(i);
                    if (colons.empty()) break;
                    const size_t start = colons[below(colons.size())] + 1;
                    size_t end = start;
                    while (end < text.size() && text[end] != ',' && text[end] != '}') ++end;
                    text.replace(start, end - start, " " + numbers[below(numbers.size())]);
                    break;
                }
                case 6: {  // duplicate a slice elsewhere: repeated keys, layers and brackets
                    const size_t from = below(text.size() + 1);
                    const std::string slice = text.substr(from, 1 + below(40));
                    text.insert(std::min(pos, text.size()), slice);
                    break;
                }
            }
        }
        INFO("iteration " << iteration << ", text: " << text);
        LoadResult r;
        REQUIRE_NOTHROW(r = parse_network_json(text));
        if (!r) {
            ++rejected;
            REQUIRE_FALSE(r.error.empty());
            continue;
        }
        ++parsed;
        const Network& net = *r.network;
        Analysis a;
        REQUIRE_NOTHROW(a = analyze(net));
        REQUIRE(a.stages.size() == net.layers.size());
        // Errors of a stage's own count as errors; stages that only lack an input count as blocked.
        int errors = a.input_error.empty() ? 0 : 1, blocked = 0;
        for (const auto& st : a.stages) {
            errors += st.status == Severity::Error && !st.blocked;
            blocked += st.status == Severity::Error && st.blocked;
        }
        CHECK(a.errors == errors);
        CHECK(a.blocked == blocked);

        const std::string saved = network_to_json(net);
        LoadResult again;
        REQUIRE_NOTHROW(again = parse_network_json(saved));
        INFO("saved: " << saved << "\nerror: " << again.error);
        REQUIRE(again);
        CHECK(*again.network == net);
        CHECK(network_to_json(*again.network) == saved);
    }
    // Both outcomes must be common, or the fuzz only exercises one side of the loader.
    CHECK(parsed > 400);
    CHECK(rejected > 400);
}

}  // TEST_SUITE("model_io")
