// Timing of the core's interactive paths: what one edit in the app recomputes (analyze), the
// explorer's searches, the exports and the model parser. Prints the median of many runs per step.
//
//   build/bench/convscope_bench [ITERATIONS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/explain.h"
#include "core/input_explorer.h"
#include "core/model_io.h"
#include "core/presets.h"
#include "core/shape_table.h"

using namespace convscope;

namespace {

volatile size_t g_sink = 0;  // keeps the optimiser from dropping the work

double median_us(int iterations, const std::function<size_t()>& work) {
    std::vector<double> t;
    t.reserve(iterations);
    for (int i = 0; i < iterations; ++i) {
        const auto start = std::chrono::steady_clock::now();
        g_sink = g_sink + work();
        const auto end = std::chrono::steady_clock::now();
        t.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
    return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 2000;
    std::printf("%-22s %-34s %12s\n", "model", "step", "median µs");
    for (const char* id : {"alexnet-caffe", "alexnet-paper", "vgg16"}) {
        const Network net = *load_preset(id).network;
        const std::string json = network_to_json(net);
        const Analysis a = analyze(net);
        auto row = [&](const char* step, const std::function<size_t()>& work) {
            std::printf("%-22s %-34s %12.1f\n", id, step, median_us(iterations, work));
        };
        row("analyze (one edit)", [&] { return analyze(net).stages.size(); });
        row("exact inputs, whole network", [&] {
            return static_cast<size_t>(find_exact_inputs(net, 0, net.layers.size() - 1).above_h.value_or(0));
        });
        row("floor vs ceil pooling", [&] { return static_cast<size_t>(compare_pool_rounding(net).ceil.fc_input); });
        row("table as text", [&] { return format_table(net, a, TableFormat::Text).size(); });
        row("table as JSON", [&] { return format_table(net, a, TableFormat::Json).size(); });
        row("explain", [&] { return explain_network(net).size(); });
        row("parse model JSON", [&] { return parse_network_json(json).network->layers.size(); });
    }
    return 0;
}
