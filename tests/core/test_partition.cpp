// The partition model: AlexNet's two-GPU split as the paper's Figure 2 draws it, the bytes devices
// exchange, the per-device totals against the whole network's, uneven splits and the memory estimate.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/partition.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;

namespace {

const PartitionStage& stage(const Partition& p, const std::string& name) {
    for (const auto& s : p.stages)
        if (s.name == name) return s;
    FAIL("no stage " << name);
    return p.stages.front();
}

std::vector<int64_t> counts(const PartitionStage& s) {
    std::vector<int64_t> c;
    for (const auto& d : s.devices) c.push_back(d.out.count());
    return c;
}

}  // namespace

TEST_SUITE("partition") {

TEST_CASE("channels split as evenly as possible, the first devices taking the remainder") {
    CHECK(split_channels(96, 2) == std::vector<ChannelRange>{{0, 48}, {48, 96}});
    CHECK(split_channels(10, 4) == std::vector<ChannelRange>{{0, 3}, {3, 6}, {6, 8}, {8, 10}});
    CHECK(split_channels(2, 3) == std::vector<ChannelRange>{{0, 1}, {1, 2}, {2, 2}});
    CHECK(split_channels(7, 1) == std::vector<ChannelRange>{{0, 7}});
}

TEST_CASE("AlexNet over two devices is the paper's Figure 2") {
    for (const char* id : {"alexnet-paper", "alexnet-caffe"}) {
        CAPTURE(id);
        const Network net = preset(id);
        const Partition p = partition_network(net, analyze(net), 2, 128);
        REQUIRE(p.ok());
        CHECK(counts(stage(p, "conv1")) == std::vector<int64_t>{48, 48});
        CHECK(counts(stage(p, "conv2")) == std::vector<int64_t>{128, 128});
        CHECK(counts(stage(p, "conv3")) == std::vector<int64_t>{192, 192});
        CHECK(counts(stage(p, "conv4")) == std::vector<int64_t>{192, 192});
        CHECK(counts(stage(p, "conv5")) == std::vector<int64_t>{128, 128});
        CHECK(counts(stage(p, "fc6")) == std::vector<int64_t>{2048, 2048});
        CHECK(counts(stage(p, "fc7")) == std::vector<int64_t>{2048, 2048});
        CHECK(counts(stage(p, "fc8")) == std::vector<int64_t>{500, 500});
        // Where the GPUs talk: conv3 and the fully connected layers read from both.
        CHECK(stage(p, "conv1").exchange == Exchange::None);  // the image is on both
        CHECK(stage(p, "conv2").exchange == Exchange::None);
        CHECK(stage(p, "conv3").exchange == Exchange::AllGather);
        CHECK(stage(p, "conv4").exchange == Exchange::None);
        CHECK(stage(p, "conv5").exchange == Exchange::None);
        CHECK(stage(p, "fc6").exchange == Exchange::AllGather);
        CHECK(stage(p, "fc7").exchange == Exchange::AllGather);
        CHECK(stage(p, "fc8").exchange == Exchange::AllGather);
        CHECK(stage(p, "norm1").exchange == Exchange::Halo);
        // conv2 on device 1 reads only pool1's second half: channels 48 to 95.
        CHECK(stage(p, "conv2").devices[1].in == ChannelRange{48, 96});
        CHECK(stage(p, "conv3").devices[1].in == ChannelRange{0, 256});
        // conv3: each device receives the other's 128 channels of 13×13, for 128 images, as float32.
        CHECK(stage(p, "conv3").devices[0].receive_bytes == int64_t{128} * 13 * 13 * 128 * 4);
        // fc7 receives the other half of fc6's 4096 (after relu6 and drop6, still split).
        CHECK(stage(p, "fc7").devices[1].receive_bytes == int64_t{2048} * 128 * 4);
        // norm1 (size 5): two channels from the neighbour, 55×55 each (54×54 at the paper's 224).
        const int64_t side = std::string(id) == "alexnet-paper" ? 54 : 55;
        CHECK(stage(p, "norm1").devices[0].receive_bytes == int64_t{2} * side * side * 128 * 4);
    }
}

TEST_CASE("per-device parameters and MACs add up to the whole network's") {
    for (const char* id : {"alexnet-caffe", "alexnet-torchvision", "vgg16", "lenet5"})
        for (int k : {1, 2, 3, 4, 8}) {
            CAPTURE(id);
            CAPTURE(k);
            const Network net = preset(id);
            const Analysis a = analyze(net);
            const Partition p = partition_network(net, a, k, 1);
            REQUIRE(p.ok());
            CHECK(p.overall.params == a.totals.params);
            CHECK(p.overall.macs == a.totals.macs);
            if (k == 1) CHECK(p.overall.receive_bytes == 0);
        }
    // Caffe AlexNet at K = 2: half the parameters each (every split is even).
    const Network net = preset("alexnet-caffe");
    const Partition p = partition_network(net, analyze(net), 2, 1);
    CHECK(p.per_device[0].params == 60965224 / 2);
    CHECK(p.per_device[1].macs == 724406816 / 2);
}

TEST_CASE("groups decide the talking: conv2 without groups gathers, with groups 4 over 4 devices it does not") {
    Network net = preset("alexnet-caffe");
    net.layers[4].groups = 1;  // conv2
    Partition p = partition_network(net, analyze(net), 2, 1);
    CHECK(stage(p, "conv2").exchange == Exchange::AllGather);
    net.layers[4].groups = 4;
    p = partition_network(net, analyze(net), 4, 1);
    CHECK(stage(p, "conv2").exchange == Exchange::None);
    // groups 2 over 4 devices: each pair of devices shares a group's input, gathered from its partner.
    net.layers[4].groups = 2;
    p = partition_network(net, analyze(net), 4, 1);
    CHECK(stage(p, "conv2").exchange == Exchange::AllGather);
    CHECK(stage(p, "conv2").devices[1].in == ChannelRange{0, 48});
    CHECK(stage(p, "conv2").devices[1].receive_bytes == int64_t{24} * 27 * 27 * 4);
}

TEST_CASE("an uneven split is a warning that says the split used") {
    const Network net = preset("alexnet-caffe");
    const Partition p = partition_network(net, analyze(net), 5, 1);
    REQUIRE(p.ok());
    CHECK(counts(stage(p, "conv1")) == std::vector<int64_t>{20, 19, 19, 19, 19});
    REQUIRE(!p.warnings.empty());
    CHECK(p.warnings[0] == "conv1: 96 channels do not split evenly over 5 devices: 20, 19, 19, 19, 19");
}

TEST_CASE("one 3 GB card does not hold AlexNet's training at batch 128; each of two does") {
    const Network net = preset("alexnet-paper");
    const Partition p = partition_network(net, analyze(net), 2, 128);
    CHECK(p.single.total() > Partition::kCardBytes);
    for (const auto& m : p.training) CHECK(m.total() < Partition::kCardBytes);
    // The weights term: three copies of 60,965,224 float32 values on one device.
    CHECK(p.single.weights == int64_t{3} * 60965224 * 4);
    // The workspace: conv1's unrolled input, 3·11·11 rows × 54·54 positions, for the batch.
    CHECK(p.single.workspace == int64_t{363} * 54 * 54 * 128 * 4);
}

TEST_CASE("bad arguments and invalid networks are errors, not tables") {
    Network net = preset("lenet5");
    CHECK(!partition_network(net, analyze(net), 0, 1).ok());
    CHECK(!partition_network(net, analyze(net), 65, 1).ok());
    CHECK(!partition_network(net, analyze(net), 2, 0).ok());
    net.layers[0].stride = {0, 0};
    const Partition p = partition_network(net, analyze(net), 2, 1);
    CHECK(contains(p.error, "invalid layers"));
    CHECK(starts_with(format_partition(net, p, TableFormat::Text), "error: "));
}

TEST_CASE("the table in every format") {
    const Network net = preset("alexnet-caffe");
    const Partition p = partition_network(net, analyze(net), 2, 128);
    const std::string text = format_partition(net, p, TableFormat::Text);
    CHECK(contains(text, "AlexNet (Caffe) over 2 devices, batch 128"));
    CHECK(contains(text, "conv3 conv    all-gather   192+192"));
    CHECK(contains(text, "does not fit"));
    const std::string csv = format_partition(net, p, TableFormat::Csv);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == static_cast<long>(net.layers.size()) + 2);  // header, total
    const auto j = nlohmann::json::parse(format_partition(net, p, TableFormat::Json));
    CHECK(j["devices"] == 2);
    CHECK(j["stages"][8]["exchange"] == "all-gather");
    CHECK(j["stages"][0]["devices"][1]["out"] == nlohmann::json::array({48, 96}));
    CHECK(contains(format_partition(net, p, TableFormat::Markdown), "| conv3 | conv | all-gather | 192+192 |"));
    CHECK(contains(format_partition(net, p, TableFormat::Latex), "\\begin{tabular}"));
}

}
