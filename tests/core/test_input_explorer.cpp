// The 224-vs-227 explorer: exact input sizes and floor versus ceil pooling downstream.
#include <doctest/doctest.h>

#include "support.h"

#include "core/input_explorer.h"
#include "core/presets.h"

using namespace convscope;
using convscope::test::preset;

TEST_CASE("AlexNet conv1 at 224: the nearest exact inputs are 223 and 227") {
    const Network n = preset("alexnet-paper");
    const ExactInputs e = find_exact_inputs(n, 0, 0);
    CHECK_FALSE(e.current_exact);
    CHECK(e.below_h == 223);  // (223 − 11)/4 = 53
    CHECK(e.above_h == 227);  // (227 − 11)/4 = 54
    CHECK(e.below_w == 223);
    CHECK(e.above_w == 227);
}

TEST_CASE("the whole of AlexNet (Caffe, ceil pooling) is exact at 227, and next at 195 below") {
    const Network n = preset("alexnet-caffe");
    const ExactInputs e = find_exact_inputs(n, 0, n.layers.size() - 1);
    CHECK(e.current_exact);
    // 223 → 54 → pool (54 − 3)/2 inexact; 195 → 47 → 23 → 23 → 11 → 11 → 5, every step exact.
    CHECK(e.below_h == 195);
    CHECK(e.above_h == 259);  // 259 → 63 → 31 → 31 → 15 → 15 → 7
    const ExactInputs at224 = find_exact_inputs(with_input(n, 224, 224), 0, n.layers.size() - 1);
    CHECK(at224.above_h == 227);
}

TEST_CASE("a range with no sliding window is exact at any size") {
    const Network n = preset("alexnet-caffe");
    const ExactInputs e = find_exact_inputs(n, 1, 2);  // relu1, norm1
    CHECK(e.current_exact);
    CHECK(e.above_h == 228);
}

TEST_CASE("rectangular inputs are searched per dimension") {
    const Network n = with_input(preset("alexnet-paper"), 224, 227);
    const ExactInputs e = find_exact_inputs(n, 0, 0);
    CHECK(e.above_h == 227);
    CHECK(e.below_w == 223);
    CHECK(e.above_w == 231);
}

TEST_CASE("224 with floor pooling ends at 256×5×5 = 6,400 into fc6 instead of 9,216") {
    const RoundingStudy s = compare_pool_rounding(preset("alexnet-paper"));
    CHECK(s.floor.fc_input == 6'400);  // what reaches fc6, whose 4096×9216 weights then do not fit
    CHECK(s.floor.analysis.stages[15].name == "fc6");
    REQUIRE(s.floor.analysis.stages[15].input);
    CHECK(s.floor.analysis.stages[15].input->count() == 6'400);
    CHECK(*s.floor.analysis.stages[14].output == Shape3{256, 5, 5});
    CHECK_FALSE(s.floor.analysis.valid());
    CHECK(s.ceil.fc_input == 9'216);
    CHECK(s.ceil.analysis.valid());
    CHECK(s.as_modelled.fc_input == 9'216);
    REQUIRE(s.first_difference);
    CHECK(s.floor.analysis.stages[*s.first_difference].name == "pool1");
    CHECK(s.floor.analysis.stages[3].output->h == 26);
    CHECK(s.ceil.analysis.stages[3].output->h == 27);
}

TEST_CASE("at 227 floor and ceil pooling agree") {
    const RoundingStudy s = compare_pool_rounding(preset("alexnet-caffe"));
    CHECK_FALSE(s.first_difference);
    CHECK(s.floor.fc_input == 9'216);
}
