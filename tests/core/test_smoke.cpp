#include <doctest/doctest.h>
#include "core/presets.h"
#include "core/shape_engine.h"
TEST_CASE("smoke") { auto r = convscope::load_preset("alexnet-caffe"); REQUIRE(r); CHECK(convscope::analyze(*r.network).totals.params == 60965224); }
