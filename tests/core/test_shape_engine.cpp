// The shape engine against the published AlexNet figures and small cases worked out by hand.
#include <doctest/doctest.h>

#include "support.h"

#include <map>

#include "core/presets.h"
#include "core/shape_engine.h"

using namespace convscope;
using convscope::test::net_of;
using convscope::test::preset;

namespace {

const Stage& stage(const Analysis& a, const std::string& name) {
    for (const auto& st : a.stages)
        if (st.name == name) return st;
    FAIL("no stage " << name);
    return a.stages.front();
}

Layer conv(int out, int k, int s = 1, int p = 0, int groups = 1) {
    Layer l;
    l.type = LayerType::Conv;
    l.out = out;
    l.kernel = {k, k};
    l.stride = {s, s};
    l.pad = {p, p, p, p};
    l.groups = groups;
    return l;
}

Layer pool(int k, int s, bool ceil) {
    Layer l;
    l.type = LayerType::MaxPool;
    l.kernel = {k, k};
    l.stride = {s, s};
    l.ceil = ceil;
    return l;
}

Layer fc(int out, int64_t in_features = 0) {
    Layer l;
    l.type = LayerType::Fc;
    l.out = out;
    l.in_features = in_features;
    return l;
}

}  // namespace

TEST_CASE("Caffe AlexNet: every shape, parameter, MAC, activation and receptive field") {
    const Analysis a = analyze(preset("alexnet-caffe"));
    CHECK(a.valid());
    CHECK(a.warnings == 0);
    CHECK(a.totals.params == 60'965'224);
    CHECK(a.totals.macs == 724'406'816);

    struct Expect {
        const char* name;
        Shape3 out;
        int64_t macs;
        int64_t rf;
        int64_t jump;
    };
    const Expect expected[] = {
        {"conv1", {96, 55, 55}, 105'415'200, 11, 4},   {"pool1", {96, 27, 27}, 0, 19, 8},
        {"conv2", {256, 27, 27}, 223'948'800, 51, 8},  {"pool2", {256, 13, 13}, 0, 67, 16},
        {"conv3", {384, 13, 13}, 149'520'384, 99, 16}, {"conv4", {384, 13, 13}, 112'140'288, 131, 16},
        {"conv5", {256, 13, 13}, 74'760'192, 163, 16}, {"pool5", {256, 6, 6}, 0, 195, 32},
        {"fc6", {4096, 1, 1}, 37'748'736, 355, 32},    {"fc7", {4096, 1, 1}, 16'777'216, 355, 32},
        {"fc8", {1000, 1, 1}, 4'096'000, 355, 32},
    };
    for (const auto& e : expected) {
        CAPTURE(e.name);
        const Stage& st = stage(a, e.name);
        REQUIRE(st.output);
        CHECK(*st.output == e.out);
        CHECK(st.macs == e.macs);
        CHECK(st.activations == e.out.count());
        CHECK(st.rf.size_h == e.rf);
        CHECK(st.rf.size_w == e.rf);
        CHECK(st.rf.jump_h == e.jump);
        CHECK(st.exact);
    }
    // Activations as the reference lists them.
    const std::map<std::string, int64_t> acts{{"conv1", 290'400}, {"pool1", 69'984}, {"conv2", 186'624},
                                              {"pool2", 43'264},  {"conv3", 64'896}, {"conv4", 64'896},
                                              {"conv5", 43'264},  {"pool5", 9'216},  {"fc6", 4'096},
                                              {"fc7", 4'096},     {"fc8", 1'000}};
    for (const auto& [name, n] : acts) CHECK(stage(a, name).activations == n);
    // Per-layer parameters: grouped convs see half the input channels.
    CHECK(stage(a, "conv1").params == 96 * 3 * 11 * 11 + 96);
    CHECK(stage(a, "conv2").params == 256 * 48 * 5 * 5 + 256);
    CHECK(stage(a, "conv3").params == 384 * 256 * 3 * 3 + 384);
    CHECK(stage(a, "conv4").params == 384 * 192 * 3 * 3 + 384);
    CHECK(stage(a, "fc6").params == 9216 * 4096 + 4096);
    // Totals count every tensor that is not overwritten in place (relu, dropout) or a view (flatten):
    // conv1 + norm1 + pool1 + conv2 + norm2 + pool2 + conv3 + conv4 + conv5 + pool5 + fc6 + fc7 + fc8 + prob.
    CHECK(a.totals.activations == 290'400 + 290'400 + 69'984 + 186'624 + 186'624 + 43'264 + 64'896 + 64'896 +
                                      43'264 + 9'216 + 4'096 + 4'096 + 1'000 + 1'000);
    CHECK(a.totals.activation_bytes() == 4 * a.totals.activations);
    CHECK(stage(a, "conv1").formula == "(227 − 11 + 2·0)/4 + 1 = 55");
    CHECK(stage(a, "relu1").in_place);
}

TEST_CASE("Caffe AlexNet without groups has 62,378,344 parameters") {
    Network n = preset("alexnet-caffe");
    for (auto& l : n.layers) l.groups = 1;
    CHECK(analyze(n).totals.params == 62'378'344);
}

TEST_CASE("torchvision AlexNet: 61,100,840 parameters and 714,188,480 MACs") {
    const Analysis a = analyze(preset("alexnet-torchvision"));
    CHECK(a.valid());
    CHECK(a.totals.params == 61'100'840);
    CHECK(a.totals.macs == 714'188'480);
    int64_t features = 0, classifier = 0;
    for (const auto& st : a.stages) (st.type == LayerType::Fc ? classifier : features) += st.macs;
    CHECK(features == 655'566'528);
    CHECK(classifier == 58'621'952);
    CHECK(*stage(a, "conv1").output == Shape3{64, 55, 55});
    CHECK_FALSE(stage(a, "conv1").exact);  // (224 + 4 − 11)/4 + 1 = 55.25
    CHECK(stage(a, "conv1").status == Severity::Warning);
    CHECK(*stage(a, "pool5").output == Shape3{256, 6, 6});
    CHECK(*stage(a, "avgpool").output == Shape3{256, 6, 6});
    CHECK(stage(a, "avgpool").formula == "adaptive: 6×6 → 6×6 (windows of 1×1)");
    CHECK(*stage(a, "flatten").output == Shape3{9216, 1, 1});
}

TEST_CASE("the paper's AlexNet at 224: conv1 warns, ceil pooling recovers 27") {
    const Analysis a = analyze(preset("alexnet-paper"));
    CHECK(a.valid());
    const Stage& c1 = stage(a, "conv1");
    CHECK(c1.status == Severity::Warning);
    CHECK(*c1.output == Shape3{96, 54, 54});
    CHECK(c1.formula == "(224 − 11 + 2·0)/4 + 1 = 54.25 → 54 (floor): the last 1 column and row are never covered");
    REQUIRE(c1.messages.size() == 1);
    CHECK(c1.messages[0].message ==
          "non-integer division: 54.25 rounded down to 54; the last 1 column and row are never covered");
    CHECK(*stage(a, "pool1").output == Shape3{96, 27, 27});
    CHECK(*stage(a, "pool5").output == Shape3{256, 6, 6});
    CHECK(a.totals.params == 60'965'224);
}

TEST_CASE("VGG-16, ZFNet and LeNet-5 presets") {
    const Analysis vgg = analyze(preset("vgg16"));
    CHECK(vgg.valid());
    CHECK(vgg.totals.params == 138'357'544);
    CHECK(*stage(vgg, "pool5").output == Shape3{512, 7, 7});
    CHECK(vgg.totals.macs == 15'346'630'656 + 123'633'664);

    const Analysis zf = analyze(preset("zfnet"));
    CHECK(zf.valid());
    CHECK(*stage(zf, "conv1").output == Shape3{96, 110, 110});  // (224 + 2 − 7)/2 + 1 = 110.5 → 110
    CHECK(*stage(zf, "pool1").output == Shape3{96, 55, 55});    // ceil((110 − 3)/2) + 1 = 55
    CHECK(*stage(zf, "conv2").output == Shape3{256, 26, 26});
    CHECK(*stage(zf, "pool2").output == Shape3{256, 13, 13});
    CHECK(*stage(zf, "pool5").output == Shape3{256, 6, 6});

    const Analysis le = analyze(preset("lenet5"));
    CHECK(le.valid());
    CHECK(*stage(le, "c1").output == Shape3{6, 28, 28});
    CHECK(*stage(le, "s2").output == Shape3{6, 14, 14});
    CHECK(*stage(le, "c3").output == Shape3{16, 10, 10});
    CHECK(*stage(le, "s4").output == Shape3{16, 5, 5});
    CHECK(*stage(le, "c5").output == Shape3{120, 1, 1});
    CHECK(le.totals.params == 156 + 2'416 + 48'120 + 10'164 + 850);
}

TEST_CASE("dilation, asymmetric padding and rectangular kernels, by hand") {
    Layer d = conv(8, 3, 1, 2);
    d.dilation = {2, 2};
    Layer a = conv(4, 3);
    a.pad = {0, 1, 2, 3};  // top, left, bottom, right
    Layer r = conv(2, 1);
    r.kernel = {3, 5};
    r.stride = {1, 2};
    const Analysis an = analyze(net_of({3, 13, 13}, {d, a, r}));
    REQUIRE(an.valid());
    CHECK(*an.stages[0].output == Shape3{8, 13, 13});  // F_eff 5: (13 − 5 + 4)/1 + 1
    CHECK(an.stages[0].formula == "F_eff = 2·(3 − 1) + 1 = 5; (13 − 5 + 2·2)/1 + 1 = 13");
    CHECK(an.stages[0].rf.size_h == 5);
    CHECK(*an.stages[1].output == Shape3{4, 13, 15});  // H: 13 + 0 + 2 − 3 + 1; W: 13 + 1 + 3 − 3 + 1
    CHECK(an.stages[1].formula == "H: (13 − 3 + 0 + 2)/1 + 1 = 13; W: (13 − 3 + 1 + 3)/1 + 1 = 15");
    CHECK(*an.stages[2].output == Shape3{2, 11, 6});  // H: (13 − 3)/1 + 1; W: (15 − 5)/2 + 1
    CHECK(an.stages[2].params == 2 * 4 * 3 * 5 + 2);
    CHECK(an.stages[2].macs == 2 * 11 * 6 * 4 * 3 * 5);
}

TEST_CASE("ceil-mode pooling, by hand") {
    const Analysis a = analyze(net_of({1, 54, 54}, {pool(3, 2, true), pool(3, 2, false)}));
    CHECK(*a.stages[0].output == Shape3{1, 27, 27});
    CHECK(*a.stages[1].output == Shape3{1, 13, 13});
    CHECK(a.stages[0].status == Severity::Warning);
    CHECK(a.stages[1].status == Severity::Ok);
}

TEST_CASE("diagnostics: each invalid case is an error and later layers get no shape") {
    SUBCASE("kernel larger than the padded input") {
        const Analysis a = analyze(net_of({3, 5, 5}, {conv(4, 7), fc(10)}));
        CHECK(a.errors == 1);
        CHECK(a.blocked == 1);
        CHECK_FALSE(a.stages[0].output);
        CHECK(a.stages[0].messages[0].message ==
              "the window (7 wide) is larger than the padded input (5): no position fits, so there is no output");
        CHECK(a.stages[1].blocked);
        CHECK(a.stages[1].status == Severity::Error);
        CHECK_FALSE(a.stages[1].input);
        CHECK(a.stages[1].messages[0].message == "no input shape: an earlier stage failed");
    }
    SUBCASE("stride 0") {
        const Analysis a = analyze(net_of({3, 8, 8}, {conv(4, 3, 0)}));
        CHECK(a.stages[0].status == Severity::Error);
        CHECK(a.stages[0].messages[0].message ==
              "stride must be ≥ 1, got 0×0 (a stride of 0 would never move the window)");
    }
    SUBCASE("groups that do not divide the channels") {
        const Analysis a = analyze(net_of({3, 8, 8}, {conv(4, 3, 1, 0, 2)}));
        CHECK(a.stages[0].status == Severity::Error);
        CHECK(a.stages[0].messages[0].message == "groups = 2 does not divide the 3 input channels");
        const Analysis b = analyze(net_of({4, 8, 8}, {conv(5, 3, 1, 0, 2)}));
        CHECK(b.stages[0].messages[0].message == "groups = 2 does not divide the 5 output channels");
    }
    SUBCASE("fc whose weights expect another input size") {
        const Analysis a = analyze(net_of({256, 5, 5}, {fc(4096, 9216), fc(10)}));
        CHECK(a.stages[0].status == Severity::Error);
        CHECK(a.stages[0].messages[0].message ==
              "expects 9216 input features (its weights are 4096×9216), got 6400 (256×5×5)");
        CHECK(a.stages[0].params == 9216 * 4096 + 4096);  // the weights exist even if they do not fit …
        CHECK(a.totals.params == 0);                      // … but a failed stage adds nothing to the totals
        CHECK_FALSE(a.stages[1].output);
    }
    SUBCASE("an invalid input shape") {
        const Analysis a = analyze(net_of({3, 0, 8}, {conv(4, 3)}));
        CHECK_FALSE(a.valid());
        CHECK(a.input_error == "the input shape must be positive, got 3×0×8");
        CHECK_FALSE(a.stages[0].output);
        CHECK(a.stages[0].messages[0].message == "no input shape: the network's input shape is invalid");
    }
    SUBCASE("the rest of the table is still computed before the error") {
        const Analysis a = analyze(net_of({3, 32, 32}, {conv(8, 3), pool(2, 2, false), conv(8, 20)}));
        CHECK(a.stages[0].output);
        CHECK(a.stages[1].output);
        CHECK_FALSE(a.stages[2].output);
        CHECK(a.errors == 1);
    }
}

TEST_CASE("absurd sizes saturate instead of wrapping around") {
    const Analysis a = analyze(net_of({1 << 24, 1 << 20, 1 << 20}, {conv(1 << 24, 1), fc(1 << 24)}));
    bool overflow_noted = false;
    for (const auto& m : a.stages[0].messages) overflow_noted |= m.message.find("too large") != std::string::npos;
    CHECK(overflow_noted);
    CHECK(a.stages[0].macs > 0);
}

TEST_CASE("the memory a forward pass needs is counted before anything is allocated") {
    const Network net = preset("alexnet-caffe");
    const Analysis a = analyze(net);
    const MemoryNeed m = forward_memory(net, a);
    CHECK(m.weights == int64_t{60965224} * 4);
    // Every layer's output, relu and dropout included: 23 tensors.
    int64_t values = 0;
    for (const auto& st : a.stages) values += st.output->count();
    CHECK(m.activations == values * 4);
    // conv1's unrolled input: 3·11·11 rows × 55·55 positions.
    CHECK(m.workspace == int64_t{363} * 3025 * 4);
    CHECK(!check_memory(m, kDefaultMemoryLimit));

    // A 100000×100000 input: 120 GB of input-sized outputs, refused with the figures.
    Network huge;
    huge.input = {3, 100000, 100000};
    Layer relu;
    relu.type = LayerType::Relu;
    relu.name = "relu";
    huge.layers = {relu};
    const auto e = check_memory(forward_memory(huge, analyze(huge)), kDefaultMemoryLimit);
    REQUIRE(e);
    CHECK(*e == "needs 111.8 GiB (weights 0.0 GiB, layer outputs 111.8 GiB, working memory 0.0 GiB), more than "
                "the limit of 4.0 GiB");
}
