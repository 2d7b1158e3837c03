// The forward pass split across devices against the unpartitioned one: every layer of every preset at
// 1, 2 and 4 devices, AlexNet's two-GPU exchanges as the paper draws them, uneven splits (devices with
// one channel more, devices with none, groups that straddle devices), threads against one after
// another, and the errors a runner reports.
#include <doctest/doctest.h>

#include "core/partition.h"
#include "nn/backend.h"
#include "nn/partitioned.h"
#include "nn/weight_init.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;
using convscope::test::preset;
using convscope::test::random_input;
using convscope::test::rel_l2;
using convscope::test::weights_with_biases;

namespace {

BackendFactory cpu() {
    return [] { return make_cpu_backend(); };
}

// VGG-16 at 64×64 so that it runs quickly; its fc layers then take whatever arrives.
Network small_vgg() {
    Network net = preset("vgg16");
    net.input = {3, 64, 64};
    for (Layer& l : net.layers)
        if (l.type == LayerType::Fc) l.in_features = 0;
    return net;
}

Layer layer(LayerType t, int out = 0, int k = 1, int pad = 0, int groups = 1) {
    Layer l;
    l.type = t;
    l.out = out;
    l.kernel = {k, k};
    l.pad = {pad, pad, pad, pad};
    l.groups = groups;
    return l;
}

// Channel counts that do not divide by 3 or 4: 10 over 4 devices is 3+3+2+2; the grouped
// convolution's groups (3 output channels each) then straddle the devices' edges.
Network uneven_net() {
    Network net;
    net.name = "uneven";
    net.input = {3, 12, 12};
    net.layers = {layer(LayerType::Conv, 10, 3, 1),
                  layer(LayerType::Relu),
                  layer(LayerType::Lrn),
                  layer(LayerType::MaxPool, 0, 2),
                  layer(LayerType::Conv, 6, 3, 1, 2),
                  layer(LayerType::Relu),
                  layer(LayerType::Conv, 7, 1),
                  layer(LayerType::AvgPool, 0, 2),
                  layer(LayerType::Flatten),
                  layer(LayerType::Fc, 5),
                  layer(LayerType::Softmax)};
    net.layers[3].stride = {2, 2};
    net.layers[7].stride = {2, 2};
    net.layers[2].lrn_size = 3;
    net.layers[2].alpha = 3.0;  // strong, so that a window cut short at a device's edge shows
    assign_default_names(net);
    return net;
}

struct Reference {
    Analysis a;
    NetworkWeights w;
    Tensor input;
    ForwardResult r;
};

Reference unpartitioned(const Network& net, uint64_t seed) {
    Reference ref;
    ref.a = analyze(net);
    REQUIRE(ref.a.valid());
    ref.w = weights_with_biases(net, ref.a, seed);
    ref.input = random_input(net.input, static_cast<unsigned>(seed) + 7);
    auto backend = make_cpu_backend();
    const auto e = backend->forward(net, ref.a, ref.w, ref.input, ref.r);
    REQUIRE_MESSAGE(!e, e.value_or(""));
    return ref;
}

// Runs `net` over `devices` and checks every layer against the unpartitioned pass, and every share
// against the partition model: its channel count and shape, and the values that moved between devices.
PartitionedPass check_partitioned(const Network& net, const Reference& ref, int devices, bool parallel, double tol) {
    PartitionedRunner runner(cpu(), devices, parallel);
    const auto pe = runner.prepare(net, ref.a, ref.w);
    REQUIRE_MESSAGE(!pe, pe.value_or(""));
    PartitionedPass pass;
    const auto fe = runner.forward(ref.input, pass);
    REQUIRE_MESSAGE(!fe, fe.value_or(""));
    const Partition& p = runner.partition();
    REQUIRE(pass.outputs.size() == net.layers.size());
    REQUIRE(pass.shares.size() == net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
        CAPTURE(net.name);
        CAPTURE(devices);
        CAPTURE(net.layers[i].name);
        const Shape3 out = *ref.a.stages[i].output;
        REQUIRE(pass.outputs[i].shape == out);
        CHECK(rel_l2(pass.outputs[i], ref.r.outputs[i]) < tol);
        REQUIRE(pass.shares[i].size() == static_cast<size_t>(devices));
        int64_t moved = 0;
        for (int d = 0; d < devices; ++d) {
            const DeviceShare& s = p.stages[i].devices[static_cast<size_t>(d)];
            CHECK(pass.shares[i][static_cast<size_t>(d)].shape == Shape3{s.out.count(), out.h, out.w});
            if (s.out.count() > 0) moved += s.receive_bytes / 4;
        }
        CHECK(pass.gathered_values[i] == moved);
    }
    return pass;
}

}  // namespace

TEST_SUITE("partitioned") {

TEST_CASE("every layer of every preset split over 1, 2 and 4 devices equals the unpartitioned pass") {
    std::vector<Network> nets;
    for (const char* id : {"lenet5", "alexnet-caffe", "alexnet-torchvision", "alexnet-paper", "zfnet"})
        nets.push_back(preset(id));
    nets.push_back(small_vgg());
    uint64_t seed = 3;
    for (const Network& net : nets) {
        const Reference ref = unpartitioned(net, seed++);
        for (int k : {1, 2, 4}) check_partitioned(net, ref, k, true, 1e-5);
    }
}

TEST_CASE("one device runs the same kernels on the same values: the same numbers, bit for bit") {
    for (const char* id : {"lenet5", "alexnet-caffe"}) {
        CAPTURE(id);
        const Network net = preset(id);
        const Reference ref = unpartitioned(net, 11);
        const PartitionedPass pass = check_partitioned(net, ref, 1, false, 1e-6);
        for (size_t i = 0; i < net.layers.size(); ++i) {
            CAPTURE(net.layers[i].name);
            CHECK(pass.outputs[i].data == ref.r.outputs[i].data);
            CHECK(pass.gathered_values[i] == 0);
        }
    }
}

TEST_CASE("AlexNet on two devices: the exchanges of the paper's Figure 2") {
    for (const char* id : {"alexnet-paper", "alexnet-caffe"}) {
        CAPTURE(id);
        const Network net = preset(id);
        const Reference ref = unpartitioned(net, 5);
        const PartitionedPass pass = check_partitioned(net, ref, 2, true, 1e-5);
        auto at = [&](const char* name) {
            for (size_t i = 0; i < net.layers.size(); ++i)
                if (net.layers[i].name == name) return i;
            FAIL("no layer " << name);
            return size_t{0};
        };
        // conv1: 48 kernels on each device, both reading the whole image, which each already has.
        const size_t conv1 = at("conv1");
        CHECK(pass.shares[conv1][0].shape.c == 48);
        CHECK(pass.shares[conv1][1].shape.c == 48);
        CHECK(pass.inputs[conv1][1] == ChannelRange{0, 3});
        CHECK(pass.gathered_values[conv1] == 0);
        // norm1: the window reaches two channels across the edge between the devices.
        const size_t norm1 = at("norm1");
        CHECK(pass.inputs[norm1][0] == ChannelRange{0, 50});
        CHECK(pass.inputs[norm1][1] == ChannelRange{46, 96});
        const int64_t plane1 = net.input.h == 227 ? 55 * 55 : 54 * 54;  // conv1's output
        CHECK(pass.gathered_values[norm1] == 4 * plane1);
        // conv2 (groups 2): each device reads only its own 48 channels.
        const size_t conv2 = at("conv2");
        CHECK(pass.inputs[conv2][0] == ChannelRange{0, 48});
        CHECK(pass.inputs[conv2][1] == ChannelRange{48, 96});
        CHECK(pass.gathered_values[conv2] == 0);
        CHECK(pass.shares[conv2][1].shape == Shape3{128, 27, 27});
        // conv3 (groups 1): both devices gather all 256 channels, half of them from the other.
        const size_t conv3 = at("conv3");
        CHECK(pass.inputs[conv3][0] == ChannelRange{0, 256});
        CHECK(pass.inputs[conv3][1] == ChannelRange{0, 256});
        CHECK(pass.gathered_values[conv3] == 2 * 128 * 13 * 13);
        CHECK(pass.shares[conv3][0].shape == Shape3{192, 13, 13});
        // conv4, conv5 (groups 2): local again; fc6 reads every value of pool5.
        CHECK(pass.gathered_values[at("conv4")] == 0);
        CHECK(pass.gathered_values[at("conv5")] == 0);
        CHECK(pass.gathered_values[at("fc6")] == 2 * 128 * 6 * 6);
        CHECK(pass.shares[at("fc6")][1].shape == Shape3{2048, 1, 1});
        CHECK(pass.gathered_values[at("fc7")] == 2 * 2048);
    }
}

TEST_CASE("uneven splits: a channel more on some devices, none on others, groups across devices") {
    const Network net = uneven_net();
    const Reference ref = unpartitioned(net, 21);
    for (int k : {2, 3, 4, 6}) {
        const PartitionedPass pass = check_partitioned(net, ref, k, true, 1e-5);
        if (k == 4) {
            CHECK(pass.shares[0][0].shape.c == 3);
            CHECK(pass.shares[0][3].shape.c == 2);
            // conv3 (6 channels, groups 2 of 3): device 1 holds channels 2 and 3, one of each group.
            CHECK(pass.shares[4][1].shape.c == 2);
        }
    }
    // LeNet-5's c1 has 6 channels: over 8 devices two hold none and compute nothing.
    const Network lenet = preset("lenet5");
    const Reference lref = unpartitioned(lenet, 4);
    const PartitionedPass pass = check_partitioned(lenet, lref, 8, true, 1e-5);
    CHECK(pass.shares[0][6].shape.c == 0);
    CHECK(pass.shares[0][7].shape.c == 0);
    CHECK(pass.inputs[0][7].count() == 0);
    // A depthwise convolution (groups = channels) split over 3 and 4 devices.
    Network dw2 = uneven_net();
    dw2.layers[4] = layer(LayerType::Conv, 10, 3, 1, 10);
    dw2.layers[4].name = "conv_dw";
    const Reference dref = unpartitioned(dw2, 9);
    check_partitioned(dw2, dref, 3, false, 1e-5);
    check_partitioned(dw2, dref, 4, true, 1e-5);
}

TEST_CASE("devices on threads give the same numbers as devices one after another") {
    for (const char* id : {"alexnet-caffe", "lenet5"}) {
        CAPTURE(id);
        const Network net = preset(id);
        const Reference ref = unpartitioned(net, 8);
        for (int k : {2, 4}) {
            CAPTURE(k);
            const PartitionedPass threaded = check_partitioned(net, ref, k, true, 1e-5);
            const PartitionedPass serial = check_partitioned(net, ref, k, false, 1e-5);
            for (size_t i = 0; i < net.layers.size(); ++i) {
                CAPTURE(net.layers[i].name);
                CHECK(rel_l2(threaded.outputs[i], serial.outputs[i]) < 1e-6);
            }
        }
    }
}

TEST_CASE("a runner keeps its buffers between passes and follows a new input") {
    const Network net = preset("alexnet-caffe");
    const Reference ref = unpartitioned(net, 2);
    PartitionedRunner runner(cpu(), 2, true);
    REQUIRE_FALSE(runner.prepare(net, ref.a, ref.w));
    PartitionedPass pass;
    REQUIRE_FALSE(runner.forward(ref.input, pass));
    const float* share = pass.shares[4][1].ptr();
    const Tensor first = pass.outputs.back();
    REQUIRE_FALSE(runner.forward(ref.input, pass));
    CHECK(pass.shares[4][1].ptr() == share);
    CHECK(pass.outputs.back().data == first.data);
    CHECK(pass.ms.size() == net.layers.size());
    CHECK(pass.total_ms > 0);
    // Another image: the devices compute it, not last pass's leftovers.
    const Tensor other = random_input(net.input, 99);
    ForwardResult want;
    REQUIRE_FALSE(make_cpu_backend()->forward(net, ref.a, ref.w, other, want));
    REQUIRE_FALSE(runner.forward(other, pass));
    CHECK(rel_l2(pass.outputs.back(), want.outputs.back()) < 1e-5);
}

TEST_CASE("the runner refuses what it cannot split or run") {
    const Network net = preset("lenet5");
    const Analysis a = analyze(net);
    const NetworkWeights w = make_seeded_weights(net, a);
    PartitionedPass pass;
    {
        PartitionedRunner runner(cpu(), 2, false);
        const auto e = runner.forward(Tensor(net.input), pass);
        REQUIRE(e);
        CHECK(*e == "the runner has no network: prepare it first");
    }
    {
        PartitionedRunner runner(cpu(), 65, false);
        const auto e = runner.prepare(net, a, w);
        REQUIRE(e);
        CHECK(*e == "devices must be between 1 and 64, got 65");
        CHECK_FALSE(runner.prepared());
    }
    {
        PartitionedRunner runner(cpu(), 2, true);
        REQUIRE_FALSE(runner.prepare(net, a, w));
        const auto e = runner.forward(Tensor({3, 32, 32}), pass);
        REQUIRE(e);
        CHECK(*e == "the input is 3×32×32, the network expects 1×32×32");
        NetworkWeights bad = w;
        bad.layers[0].weight_shape = {6, 1, 3, 3};
        const auto misfit = runner.prepare(net, a, bad);
        REQUIRE(misfit);
        CHECK(*misfit == "c1.weight: expected shape (6, 1, 5, 5), got (6, 1, 3, 3)");
        CHECK_FALSE(runner.prepared());
    }
    Network broken = net;
    broken.input.h = 4;
    const auto invalid = forward_partitioned(cpu(), broken, analyze(broken), w, Tensor(broken.input), 2, false, pass);
    REQUIRE(invalid);
    CHECK(*invalid == "the network has invalid layers: fix them before running it");
}

// A backend that fails on one device's share of one layer, to see the others stop instead of waiting
// for it forever at the next gather.
class FailingBackend final : public Backend {
public:
    explicit FailingBackend(std::string victim) : victim_(std::move(victim)), cpu_(make_cpu_backend()) {}
    std::string name() const override { return "failing"; }
    std::optional<std::string> forward(const Network& net, const Analysis& a, const NetworkWeights& w,
                                       const Tensor& input, ForwardResult& r) override {
        if (net.name == victim_) return std::string("out of memory");
        return cpu_->forward(net, a, w, input, r);
    }

private:
    std::string victim_;
    std::unique_ptr<Backend> cpu_;
};

TEST_CASE("a device that fails stops the pass on every thread with its message") {
    const Network net = preset("lenet5");
    const Reference ref = unpartitioned(net, 1);
    for (const char* victim : {"c3 on device 1", "relu3 on device 0", "prob on device 3"}) {
        for (bool parallel : {true, false}) {
            CAPTURE(victim);
            CAPTURE(parallel);
            PartitionedRunner runner([victim] { return std::make_unique<FailingBackend>(victim); }, 4, parallel);
            REQUIRE_FALSE(runner.prepare(net, ref.a, ref.w));
            PartitionedPass pass;
            const auto e = runner.forward(ref.input, pass);
            REQUIRE(e);
            CHECK(*e == std::string(victim) + ": out of memory");
        }
    }
}

}  // TEST_SUITE
