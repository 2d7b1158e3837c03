// The GL backend against the CPU backends, layer by layer (relative L2 < 1e-4): hand-checkable small
// cases, random layers of every kind and option, the shipped presets, and what happens when weights,
// the network or the shaders change. Activation buffers are poisoned with NaN before every pass, so an
// output a shader leaves unwritten fails the comparison.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "backend_support.h"
#include "core/presets.h"
#include "core/shape_table.h"

using namespace convscope;
using namespace convscope::test;

namespace {

Layer conv(const char* name, int out, int k, int stride = 1, int pad = 0) {
    Layer l;
    l.name = name;
    l.type = LayerType::Conv;
    l.out = out;
    l.kernel = {k, k};
    l.stride = {stride, stride};
    l.pad = {pad, pad, pad, pad};
    return l;
}

Layer simple(const char* name, LayerType t) {
    Layer l;
    l.name = name;
    l.type = t;
    return l;
}

// One random layer of `type` for an input of `in`, drawn over every option the kernels have.
Layer random_layer(LayerType type, Shape3 in, std::mt19937& rng) {
    auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    Layer l;
    l.name = "l";
    l.type = type;
    l.kernel = {pick(1, 5), pick(1, 5)};
    l.stride = {pick(1, 3), pick(1, 3)};
    l.dilation = type == LayerType::AvgPool ? Hw{1, 1} : Hw{pick(1, 2), pick(1, 2)};
    l.pad = {pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)};
    l.ceil = pick(0, 1) == 1;
    l.count_include_pad = pick(0, 1) == 1;
    l.bias = pick(0, 3) != 0;
    l.groups = 1;
    if (type == LayerType::Conv) {
        for (int g : {3, 2})
            if (in.c % g == 0 && pick(0, 1)) {
                l.groups = g;
                break;
            }
        l.out = l.groups * pick(1, 5);
    }
    if (type == LayerType::Fc) l.out = pick(1, 40);
    l.lrn_size = pick(1, 6);
    l.alpha = 0.01 * pick(1, 10);
    l.beta = pick(0, 1) ? 0.75 : 0.6;
    l.k = pick(1, 2);
    l.alpha_over_size = pick(0, 1) == 1;
    l.output_size = {pick(1, 4), pick(1, 4)};
    return l;
}

}  // namespace

TEST_SUITE("gl backend") {
    TEST_CASE("a hand-checked convolution, pool and fully connected layer") {
        // in (1, 3, 3) = 1..9; conv 2×2 with weights [1, 0; 0, -1] and bias 10 gives x[y][x] − x[y+1][x+1] + 10
        // = −4 + 10 = 6 everywhere; max pool 2×2 of that is 6; fc with weight 3 and bias −1 gives 17.
        Network net;
        net.input = {1, 3, 3};
        net.layers = {conv("c", 1, 2), simple("r", LayerType::Relu), simple("p", LayerType::MaxPool),
                      simple("f", LayerType::Flatten), simple("fc", LayerType::Fc)};
        net.layers[2].kernel = {2, 2};
        net.layers[4].out = 1;
        const Analysis a = analyze(net);
        REQUIRE(a.valid());
        nn::NetworkWeights w = nn::make_seeded_weights(net, a);
        w.layers[0].weight.assign({1, 0, 0, -1});
        w.layers[0].bias.assign({10});
        w.layers[4].weight.assign({3});
        w.layers[4].bias.assign({-1});
        nn::Tensor in({1, 3, 3});
        for (int i = 0; i < 9; ++i) in.data[static_cast<size_t>(i)] = static_cast<float>(i + 1);
        auto gpu = poisoned_gl_backend();
        nn::ForwardResult r;
        const auto e = gpu->forward(net, a, w, in, r);
        REQUIRE_MESSAGE(!e, e.value_or(""));
        REQUIRE(r.outputs[0].shape == Shape3{1, 2, 2});
        for (float v : r.outputs[0].data) CHECK(v == 6.0f);
        CHECK(r.outputs[2].data[0] == 6.0f);
        CHECK(r.outputs[3].data[0] == 6.0f);
        CHECK(r.outputs[4].data[0] == 17.0f);
        CHECK(gpu->name() == "gl");
        CHECK(r.ms.size() == net.layers.size());
        CHECK(r.total_ms > 0);
    }

    TEST_CASE("random layers of every kind match the reference backend") {
        std::mt19937 rng(20261128);
        auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        auto gpu = poisoned_gl_backend();
        auto ref = nn::make_ref_backend();
        const LayerType kinds[] = {LayerType::Conv,    LayerType::Conv,    LayerType::MaxPool,
                                   LayerType::AvgPool, LayerType::Lrn,     LayerType::AdaptiveAvgPool,
                                   LayerType::Fc,      LayerType::Softmax, LayerType::Relu,
                                   LayerType::Dropout, LayerType::Flatten};
        int ran = 0, convs = 0;
        for (int trial = 0; trial < 300; ++trial) {
            const LayerType kind = kinds[trial % std::size(kinds)];
            Network net;
            net.input = {pick(1, 6), pick(1, 15), pick(1, 15)};
            net.layers = {random_layer(kind, net.input, rng)};
            // A second layer half of the time: it reads the first one's buffer, and a ReLU after a
            // convolution, pool or LRN is written by that layer's shader.
            if (pick(0, 1)) {
                Layer next = simple("next", pick(0, 2) ? LayerType::Relu : LayerType::MaxPool);
                next.kernel = {2, 2};
                next.ceil = true;
                net.layers.push_back(next);
            }
            const Analysis a = analyze(net);
            if (!a.valid()) continue;
            // A pooling window lying wholly in padding has no defined value (PyTorch refuses such layers).
            const Layer& l = net.layers[0];
            if ((kind == LayerType::MaxPool || kind == LayerType::AvgPool) &&
                (l.pad.top * 2 > l.kernel.h || l.pad.left * 2 > l.kernel.w || l.pad.bottom * 2 > l.kernel.h ||
                 l.pad.right * 2 > l.kernel.w))
                continue;
            CAPTURE(trial);
            CAPTURE(layer_summary(l));
            check_layers_match(*gpu, *ref, net, weights_with_biases(net, a, static_cast<uint64_t>(trial)),
                               random_input(net.input, static_cast<unsigned>(trial)), 1e-4, type_name(kind).data());
            ++ran;
            convs += kind == LayerType::Conv;
        }
        CHECK(ran > 200);
        CHECK(convs > 30);
    }

    TEST_CASE("LeNet-5 and the three AlexNet presets match the CPU backend at every layer") {
        auto gpu = poisoned_gl_backend();
        auto cpu = nn::make_cpu_backend();
        for (const char* id : {"lenet5", "alexnet-caffe", "alexnet-torchvision", "alexnet-paper"}) {
            const Network net = preset(id);
            const Analysis a = analyze(net);
            check_layers_match(*gpu, *cpu, net, weights_with_biases(net, a, 1), random_input(net.input, 1), 1e-4, id);
        }
    }

    TEST_CASE("ZFNet and VGG-16 match the CPU backend at every layer, on a smaller input") {
        // At full size VGG-16 is 15 GMACs, minutes on a software rasteriser; 64×64 keeps every layer
        // and option (the fully connected layers then take whatever arrives).
        auto gpu = poisoned_gl_backend();
        auto cpu = nn::make_cpu_backend();
        for (const char* id : {"zfnet", "vgg16"}) {
            Network net = preset(id);
            net.input.h = net.input.w = 64;
            for (Layer& l : net.layers) l.in_features = 0;
            const Analysis a = analyze(net);
            check_layers_match(*gpu, *cpu, net, weights_with_biases(net, a, 2), random_input(net.input, 2), 1e-4, id);
        }
    }

    TEST_CASE("new weights, an edited layer and a second pass are all picked up") {
        auto gpu = poisoned_gl_backend();
        auto cpu = nn::make_cpu_backend();
        Network net;
        net.input = {3, 20, 20};
        net.layers = {conv("c1", 8, 3, 1, 1), simple("r1", LayerType::Relu), conv("c2", 4, 3, 2),
                      simple("f", LayerType::Flatten), simple("fc", LayerType::Fc)};
        net.layers[4].out = 5;
        Analysis a = analyze(net);
        const nn::Tensor in = random_input(net.input, 5);
        nn::NetworkWeights w = weights_with_biases(net, a, 1);
        check_layers_match(*gpu, *cpu, net, w, in, 1e-4, "first pass");
        check_layers_match(*gpu, *cpu, net, w, in, 1e-4, "second pass, same weights");
        // Other weights in the same object: a new load or seed.
        w = weights_with_biases(net, a, 2);
        check_layers_match(*gpu, *cpu, net, w, in, 1e-4, "weights replaced");
        // One value changed in place, announced by the revision.
        w.layers[4].bias[0] += 100.0f;
        ++w.revision;
        check_layers_match(*gpu, *cpu, net, w, in, 1e-4, "bias edited in place");
        // An edit to the network: another kernel size, and the weights regenerated to fit.
        net.layers[2].kernel = {5, 5};
        a = analyze(net);
        nn::update_seeded_weights(net, a, {}, w);
        check_layers_match(*gpu, *cpu, net, w, in, 1e-4, "conv2 edited");
    }

    TEST_CASE("a network with a dropout first, a ReLU after an average pool, and no biases") {
        auto gpu = poisoned_gl_backend();
        auto ref = nn::make_ref_backend();
        Network net;
        net.input = {2, 9, 9};
        Layer pool = simple("avg", LayerType::AvgPool);
        pool.kernel = {3, 3};
        pool.stride = {2, 2};
        pool.pad = {1, 1, 1, 1};
        pool.ceil = true;
        Layer c = conv("c", 4, 2);
        c.bias = false;
        Layer fc = simple("fc", LayerType::Fc);
        fc.out = 3;
        fc.bias = false;
        net.layers = {simple("drop", LayerType::Dropout), pool, simple("relu", LayerType::Relu), c,
                      simple("flat", LayerType::Flatten), fc, simple("prob", LayerType::Softmax)};
        const Analysis a = analyze(net);
        REQUIRE(a.valid());
        check_layers_match(*gpu, *ref, net, weights_with_biases(net, a, 3), random_input(net.input, 3), 1e-4, "mixed");
    }

    TEST_CASE("the input must have the network's shape, and a broken network is refused") {
        auto gpu = poisoned_gl_backend();
        const Network net = preset("lenet5");
        const Analysis a = analyze(net);
        const nn::NetworkWeights w = nn::make_seeded_weights(net, a);
        nn::ForwardResult r;
        const auto e = gpu->forward(net, a, w, nn::Tensor({3, 32, 32}), r);
        REQUIRE(e);
        CHECK(contains(*e, "the network expects"));
        Network broken = net;
        broken.layers[0].stride = {0, 0};
        CHECK(gpu->forward(broken, analyze(broken), w, nn::Tensor(net.input), r));
    }

    TEST_CASE("a tensor larger than one shader storage block can be is reported, not run") {
        gl_context();
        auto gpu = poisoned_gl_backend();
        Network net;
        // 3 × 12000 × 12000 floats = 1.7 GB: past the block size of every driver this runs on.
        net.input = {3, 12000, 12000};
        net.layers = {simple("relu", LayerType::Relu)};
        const auto why = gpu->unsupported(net, analyze(net));
        REQUIRE(why);
        CHECK(contains(*why, "larger than one shader storage block"));
        CHECK(!gpu->unsupported(preset("alexnet-caffe"), analyze(preset("alexnet-caffe"))));
    }

    TEST_CASE("shaders read from a directory are used, and a broken one is reported with its file") {
        TempDir dir;
        for (const auto& name : gl::ShaderLibrary::builtin_names()) {
            std::string error;
            const auto src = gl::ShaderLibrary().source(name, error);
            REQUIRE(src);
            dir.file(name + ".comp", *src);
        }
        Network net;
        net.input = {1, 2, 2};
        net.layers = {simple("relu", LayerType::Relu)};
        const Analysis a = analyze(net);
        nn::Tensor in({1, 2, 2});
        in.data.assign({-1, 2, -3, 4});
        {
            // An edited ReLU that lets a tenth of negative values through (a "leaky" one).
            std::ifstream f(dir.path / "relu.comp");
            std::string text((std::istreambuf_iterator<char>(f)), {});
            const std::string from = "max(x[i], 0.0)";
            REQUIRE(text.find(from) != std::string::npos);
            text.replace(text.find(from), from.size(), "(x[i] > 0.0 ? x[i] : 0.1 * x[i])");
            dir.file("relu.comp", text);
            auto gpu = poisoned_gl_backend(gl::ShaderLibrary(dir.path.string()));
            nn::ForwardResult r;
            REQUIRE(!gpu->forward(net, a, nn::make_seeded_weights(net, a), in, r));
            CHECK(r.outputs[0].data[0] == doctest::Approx(-0.1));
            CHECK(r.outputs[0].data[1] == 2.0f);
        }
        {
            dir.file("relu.comp", "#version 430\nlayout(local_size_x = 256) in;\nvoid main() { this is not GLSL; }\n");
            auto gpu = poisoned_gl_backend(gl::ShaderLibrary(dir.path.string()));
            nn::ForwardResult r;
            const auto e = gpu->forward(net, a, nn::make_seeded_weights(net, a), in, r);
            REQUIRE(e);
            CHECK(contains(*e, (dir.path / "relu.comp").string()));
            CHECK(contains(*e, "compile failed"));
        }
    }
}
