// The partitioned forward pass on the GL backend: each device's share of a layer is its own dispatch,
// with its own weight slice and buffers, run one device after another on the one context. Compared
// layer by layer with the unpartitioned CPU pass (relative L2 < 1e-4).
#include <doctest/doctest.h>

#include "backend_support.h"
#include "core/partition.h"
#include "core/presets.h"
#include "nn/partitioned.h"

using namespace convscope;
using namespace convscope::test;

namespace {

void check_gl_partitioned(const char* id, int devices) {
    CAPTURE(id);
    CAPTURE(devices);
    const Network net = preset(id);
    const Analysis a = analyze(net);
    REQUIRE(a.valid());
    const nn::NetworkWeights w = weights_with_biases(net, a, 17);
    const nn::Tensor input = random_input(net.input, 23);
    nn::ForwardResult want;
    REQUIRE_FALSE(nn::make_cpu_backend()->forward(net, a, w, input, want));

    // GL calls must come from the context's thread: the devices take turns.
    nn::PartitionedRunner runner([] { return poisoned_gl_backend(); }, devices, false);
    const auto pe = runner.prepare(net, a, w);
    REQUIRE_MESSAGE(!pe, pe.value_or(""));
    nn::PartitionedPass pass;
    const auto fe = runner.forward(input, pass);
    REQUIRE_MESSAGE(!fe, fe.value_or(""));
    for (size_t i = 0; i < net.layers.size(); ++i) {
        CAPTURE(net.layers[i].name);
        REQUIRE(pass.outputs[i].shape == want.outputs[i].shape);
        CHECK(rel_l2(pass.outputs[i], want.outputs[i]) < 1e-4);
        for (int d = 0; d < devices; ++d)
            CHECK(pass.shares[i][static_cast<size_t>(d)].shape.c ==
                  runner.partition().stages[i].devices[static_cast<size_t>(d)].out.count());
    }
}

}  // namespace

TEST_SUITE("gl_partitioned") {

TEST_CASE("LeNet-5 over 2 and 4 devices on the GL backend equals the unpartitioned CPU pass") {
    check_gl_partitioned("lenet5", 2);
    check_gl_partitioned("lenet5", 4);
}

TEST_CASE("AlexNet (Caffe) over 2 devices on the GL backend equals the unpartitioned CPU pass") {
    check_gl_partitioned("alexnet-caffe", 2);
}

}  // TEST_SUITE
