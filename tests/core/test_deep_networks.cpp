// Deep and degenerate networks through everything the core derives from a network: the analysis, the
// explanation, the shape table in every format, the device partition, the receptive-field walk, the
// memory budget and the model file. A thousand layers must work as three do; a stack that shrinks to
// nothing must stop with an error at the layer where it ends; inputs of one pixel, kernels as large as
// their input and strides wider than it must give the shapes PyTorch gives. Nothing may recurse once
// per layer: a network of 10,000 layers goes through it all on a thread with a 128 KiB stack.
#include <doctest/doctest.h>

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/explain.h"
#include "core/model_io.h"
#include "core/partition.h"
#include "core/receptive_field.h"
#include "core/shape_engine.h"
#include "core/shape_table.h"
#include "random_networks.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;

namespace {

constexpr TableFormat kFormats[] = {TableFormat::Text, TableFormat::Csv, TableFormat::Markdown, TableFormat::Json,
                                    TableFormat::Latex};

size_t count_of(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
}

// Runs `f` on a thread of its own with only `stack_bytes` of stack: code that recursed once per layer
// would run off its end (a crash, which fails the test run) long before a loop would notice anything.
void on_small_stack(size_t stack_bytes, const std::function<void()>& f) {
    pthread_attr_t attr;
    REQUIRE(pthread_attr_init(&attr) == 0);
    REQUIRE(pthread_attr_setstacksize(&attr, stack_bytes) == 0);
    pthread_t thread;
    auto run = [](void* p) -> void* {
        (*static_cast<const std::function<void()>*>(p))();
        return nullptr;
    };
    REQUIRE(pthread_create(&thread, &attr, run, const_cast<std::function<void()>*>(&f)) == 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
}

// What every core view of a network made, computed together so the small-stack thread can run it.
struct CoreViews {
    Analysis analysis;
    std::string explanation;
    std::vector<std::string> tables;  // in kFormats' order
    Partition partition;
    std::optional<InputRegion> last_region;
    std::string json;
    LoadResult reloaded;
    std::optional<std::string> memory_error;
};

CoreViews all_core_views(const Network& net) {
    CoreViews v;
    v.analysis = analyze(net);
    v.explanation = explain_network(net);
    for (const TableFormat f : kFormats) v.tables.push_back(format_table(net, v.analysis, f));
    v.partition = partition_network(net, v.analysis, 2, 128);
    const int last = static_cast<int>(net.layers.size()) - 1;
    if (const auto out = v.analysis.final_output()) v.last_region = input_region(net, v.analysis, last, out->h / 2, out->w / 2);
    v.json = network_to_json(net);
    v.reloaded = parse_network_json(v.json);
    v.memory_error = check_memory(forward_memory(net, v.analysis), kDefaultMemoryLimit);
    return v;
}

}  // namespace

TEST_SUITE("deep_networks") {

TEST_CASE("a 1000-layer network goes through the analysis, explain, every table format and the partition") {
    // 500 blocks of a 3×3 pad-1 convolution (2 channels) and a ReLU: every stage stays 2×16×16.
    const Network net = deep_stack({2, 16, 16}, 500, 2, 1);
    REQUIRE(net.layers.size() == 1000);
    const auto start = std::chrono::steady_clock::now();
    const CoreViews v = all_core_views(net);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 5.0);  // linear in the layers: well under a second in a Release build

    const Analysis& a = v.analysis;
    REQUIRE(a.stages.size() == 1000);
    CHECK(a.valid());
    CHECK(a.errors == 0);
    CHECK(a.blocked == 0);
    CHECK(a.warnings == 0);
    for (const Stage& st : a.stages) REQUIRE(st.output == Shape3{2, 16, 16});
    CHECK(a.totals.params == 500 * (2 * 2 * 9 + 2));
    CHECK(a.totals.macs == int64_t{500} * 2 * 2 * 9 * 16 * 16);
    // Each 3×3 convolution widens the receptive field by 2: 1 + 2·500.
    CHECK(a.stages.back().rf.size_h == 1001);
    CHECK(a.stages.back().rf.size_w == 1001);

    // The explanation and every table name every layer, the last included.
    CHECK(contains(v.explanation, "conv500"));
    CHECK(contains(v.explanation, "relu500"));
    const std::string& text = v.tables[0];
    CHECK(contains(text, "relu500"));
    CHECK(count_of(text, "2×16×16") >= 2000);  // every row's input and output
    const std::string& csv = v.tables[1];
    CHECK(count_of(csv, "\n") == 1002);  // a header, a row per layer and the totals
    CHECK(contains(csv, "\n1000,relu500,relu,"));
    CHECK(contains(v.tables[2], "relu500"));
    const auto json = nlohmann::json::parse(v.tables[3]);
    REQUIRE(json["layers"].size() == 1000);
    CHECK(json["layers"][999]["name"] == "relu500");
    CHECK(json["layers"][999]["output"] == nlohmann::json{2, 16, 16});
    CHECK(contains(v.tables[4], "relu500"));

    REQUIRE_MESSAGE(v.partition.ok(), v.partition.error);
    CHECK(v.partition.stages.size() == 1000);
    CHECK(contains(format_partition(net, v.partition, TableFormat::Text), "relu500"));

    // The receptive field (1001 wide) covers the whole 16×16 input from any position.
    REQUIRE(v.last_region);
    CHECK(v.last_region->y0 == 0);
    CHECK(v.last_region->y1 == 15);
    CHECK(v.last_region->x0 == 0);
    CHECK(v.last_region->x1 == 15);

    REQUIRE_MESSAGE(v.reloaded, v.reloaded.error);
    CHECK(*v.reloaded.network == net);
    CHECK_FALSE(v.memory_error);
}

TEST_CASE("a deep stack that shrinks to nothing stops with an error at the layer where the window no longer fits") {
    // 3×3 convolutions without padding on 64×64: 62, 60, …, 2 after 31 of them; the 32nd (stage 62,
    // after 31 ReLUs) has a 3-wide window on a 2-wide input. The 937 stages after it are blocked.
    const Network net = deep_stack({1, 64, 64}, 500, 1, 0);
    const CoreViews v = all_core_views(net);
    const Analysis& a = v.analysis;
    REQUIRE(a.stages.size() == 1000);
    CHECK_FALSE(a.valid());
    CHECK(a.errors == 1);
    CHECK(a.blocked == 937);
    REQUIRE(a.stages[61].output == Shape3{1, 2, 2});
    const Stage& end = a.stages[62];
    CHECK(end.name == "conv32");
    CHECK(end.status == Severity::Error);
    CHECK_FALSE(end.blocked);
    CHECK_FALSE(end.output);
    REQUIRE_FALSE(end.messages.empty());
    CHECK(contains(end.messages[0].message, "larger than the padded input (2)"));
    for (size_t i = 63; i < a.stages.size(); ++i) {
        REQUIRE(a.stages[i].blocked);
        REQUIRE_FALSE(a.stages[i].output);
    }
    CHECK_FALSE(a.final_output());

    // Every view says where and why instead of failing on the missing shapes.
    CHECK(contains(v.explanation, "At 64×64 conv32 fails"));
    CHECK(contains(v.tables[0], "(2 − 3 + 2·0)/1 + 1 = 0: the window does not fit"));
    CHECK(contains(v.tables[1], "\n63,conv32,conv,"));
    CHECK(nlohmann::json::parse(v.tables[3])["layers"].size() == 1000);
    CHECK_FALSE(v.partition.ok());
    CHECK_FALSE(v.last_region);
    // A broken network is still a valid file: it saves and loads as it is.
    REQUIRE_MESSAGE(v.reloaded, v.reloaded.error);
    CHECK(*v.reloaded.network == net);
}

TEST_CASE("degenerate networks: one-pixel inputs, kernels as large as the input, strides wider than it") {
    for (const DegenerateCase& c : degenerate_networks()) {
        CAPTURE(c.what);
        const CoreViews v = all_core_views(c.net);
        const Analysis& a = v.analysis;
        REQUIRE(a.stages.size() == 1);
        CHECK(a.stages[0].output == c.out);
        CHECK(a.valid() == c.out.has_value());
        CHECK(v.partition.ok() == c.out.has_value());
        CHECK(contains(v.tables[0], c.net.layers[0].name));
        CHECK_FALSE(v.explanation.empty());
        REQUIRE_MESSAGE(v.reloaded, v.reloaded.error);
        CHECK(*v.reloaded.network == c.net);
        if (c.out) CHECK(v.last_region);
    }
}

TEST_CASE("nothing recurses per layer: 10,000 layers through every core view on a 128 KiB stack") {
    const Network net = deep_stack({1, 8, 8}, 5000, 1, 1);
    CoreViews v;
    bool done = false;
#if defined(CONVSCOPE_ASAN)
    const size_t stack = 1024 * 1024;  // AddressSanitizer's red zones make every frame several times larger
#else
    const size_t stack = 128 * 1024;
#endif
    on_small_stack(stack, [&] {
        v = all_core_views(net);
        done = true;
    });
    REQUIRE(done);
    CHECK(v.analysis.valid());
    CHECK(v.analysis.stages.size() == 10000);
    CHECK(contains(v.tables[0], "relu5000"));
    CHECK(v.partition.ok());
    REQUIRE(v.reloaded);
    CHECK(v.reloaded.network->layers.size() == 10000);
}

}  // TEST_SUITE("deep_networks")
