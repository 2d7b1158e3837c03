// The lecture-note derivation: the parts a student relies on are present and carry the right numbers.
#include <doctest/doctest.h>

#include "support.h"

#include "core/explain.h"
#include "core/presets.h"

using namespace convscope;
using namespace convscope::test;

TEST_CASE("explain alexnet-paper tells the 224-vs-227 story") {
    const std::string t = flat(explain_network(preset("alexnet-paper")));
    CHECK(contains(t, "(224 − 11 + 2·0)/4 + 1 = 54.25 → 54 (floor)"));
    CHECK(contains(t, "223 below and 227 above"));
    CHECK(contains(t, "Proposed input: 227×227"));
    CHECK(contains(t, "(224 − 11 + 2·0)/4 + 1 = 54.25 → 55 (ceil)"));  // cuda-convnet's rounding
    CHECK(contains(t, "256×5×5 = 6,400"));
    CHECK(contains(t, "256×6×6 = 9,216"));
    CHECK(contains(t, "They first differ at pool1: 26×26 rounding down, 27×27 rounding up."));
    // The printed neuron counts against the computed ones, with the erratum flagged.
    CHECK(contains(t, "253,440"));
    CHECK(contains(t, "290,400   ← differs"));
    CHECK(contains(t, "55·55·96 = 290,400"));
    CHECK(contains(t, "60,965,224 parameters"));
    // Grouped convolutions are explained as the two GPUs' halves.
    CHECK(contains(t, "each kernel sees only 48 of the 96 input channels"));
}

TEST_CASE("explain alexnet-caffe: everything tiles at 227") {
    const std::string t = flat(explain_network(preset("alexnet-caffe")));
    CHECK(contains(t, "Yes: at 227×227 every division is exact"));
    CHECK(contains(t, "N = (227 − 11 + 2·0)/4 + 1 = 55."));
    CHECK(contains(t, "every pooling division is exact"));
    CHECK(contains(t, "724,406,816 multiply-accumulates"));
    CHECK_FALSE(contains(t, "Printed against computed"));
}

TEST_CASE("explain keeps every line within 100 columns except the source line") {
    const std::string t = explain_network(preset("alexnet-torchvision"));
    size_t start = 0;
    while (start < t.size()) {
        size_t end = t.find('\n', start);
        if (end == std::string::npos) end = t.size();
        const std::string line = t.substr(start, end - start);
        size_t width = 0;
        for (unsigned char ch : line)
            if ((ch & 0xC0) != 0x80) ++width;
        if (line.rfind("Source:", 0) != 0) CHECK_MESSAGE(width <= 100, line);
        start = end + 1;
    }
}
