// The CPU kernels: small cases worked out by hand, and every fast kernel against its reference twin
// on random shapes and values.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "core/shape_engine.h"
#include "core/shape_table.h"
#include "nn/kernels.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;
using convscope::test::rel_l2;

namespace {

Tensor tensor(Shape3 s, std::vector<float> v) {
    Tensor t(s);
    REQUIRE(v.size() == t.size());
    std::copy(v.begin(), v.end(), t.data.begin());
    return t;
}

Layer window(LayerType type, int k, int s, Pad4 pad = {}, bool ceil = false) {
    Layer l;
    l.type = type;
    l.kernel = {k, k};
    l.stride = {s, s};
    l.pad = pad;
    l.ceil = ceil;
    return l;
}

Shape3 out_shape(const Layer& l, Shape3 in) {
    Network n;
    n.input = in;
    n.layers = {l};
    const Analysis a = analyze(n);
    REQUIRE_MESSAGE(a.stages[0].output, a.stages[0].messages.front().message);
    return *a.stages[0].output;
}

}  // namespace

TEST_SUITE("kernels") {

TEST_CASE("conv2d by hand: one channel, 2×2 kernel, stride 1, with bias") {
    const Tensor in = tensor({1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    Layer l = window(LayerType::Conv, 2, 1);
    l.out = 1;
    const std::vector<float> w{1, 0, 0, -1};  // top-left minus bottom-right
    const float b = 0.5f;
    Tensor out(out_shape(l, in.shape)), fast(out.shape);
    ref::conv2d(in, l, w.data(), &b, out);
    Scratch s;
    conv2d(in, l, w.data(), &b, fast, s);
    for (const Tensor* t : {&out, &fast}) {
        CHECK(t->shape == Shape3{1, 2, 2});
        for (float v : t->data) CHECK(v == doctest::Approx(1 - 5 + 0.5));  // every window: x − (x + 4)
    }
}

TEST_CASE("conv2d by hand: zero padding, stride 2 and two groups") {
    // Two channels, each its own group: channel 0 is summed by a 3×3 box, channel 1 is negated.
    const Tensor in = tensor({2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40});
    Layer l = window(LayerType::Conv, 3, 2, {1, 1, 1, 1});
    l.out = 2;
    l.groups = 2;
    std::vector<float> w(2 * 1 * 9, 0.0f);
    for (int i = 0; i < 9; ++i) w[i] = 1.0f;
    w[9 + 4] = -1.0f;  // the centre tap of filter 1
    Tensor out(out_shape(l, in.shape)), fast(out.shape);
    CHECK(out.shape == Shape3{2, 1, 1});
    ref::conv2d(in, l, w.data(), nullptr, out);
    Scratch s;
    conv2d(in, l, w.data(), nullptr, fast, s);
    CHECK(out.data[0] == 10.0f);   // window centred on (0,0) covers the whole 2×2 image
    CHECK(out.data[1] == -10.0f);  // centre tap at (0,0) of channel 1
    CHECK(fast.data[0] == 10.0f);
    CHECK(fast.data[1] == -10.0f);
}

TEST_CASE("max and average pooling by hand, with padding both ways") {
    const Tensor in = tensor({1, 2, 2}, {1, 2, 3, 4});
    const Layer l = window(LayerType::MaxPool, 2, 1, {1, 1, 1, 1});
    Tensor m(out_shape(l, in.shape));
    CHECK(m.shape == Shape3{1, 3, 3});
    ref::max_pool2d(in, l, m);
    CHECK(m.data == FloatBuffer{1, 2, 2, 3, 4, 4, 3, 4, 4});

    Layer avg = window(LayerType::AvgPool, 2, 1, {1, 1, 1, 1});
    Tensor with(out_shape(avg, in.shape)), without(with.shape);
    ref::avg_pool2d(in, avg, with);
    avg.count_include_pad = false;
    ref::avg_pool2d(in, avg, without);
    CHECK(with.at(0, 0, 0) == doctest::Approx(1.0 / 4));  // 1 value, 3 zeros of padding
    CHECK(without.at(0, 0, 0) == doctest::Approx(1.0));   // 1 value, padding not counted
    CHECK(with.at(0, 1, 1) == doctest::Approx(2.5));
    CHECK(without.at(0, 0, 1) == doctest::Approx(1.5));   // (1 + 2)/2
    CHECK(with.at(0, 0, 1) == doctest::Approx(0.75));     // (1 + 2)/4
}

TEST_CASE("average pooling: a ceil-mode overhang past the padding is not counted (PyTorch's divisor)") {
    // 3 wide, kernel 2, stride 2, ceil: windows [0,2) and [2,4); the second hangs 1 past the input.
    const Tensor in = tensor({1, 1, 3}, {2, 4, 6});
    Layer l = window(LayerType::AvgPool, 1, 1);
    l.kernel = {1, 2};
    l.stride = {1, 2};
    l.ceil = true;
    Tensor out(out_shape(l, in.shape));
    CHECK(out.shape == Shape3{1, 1, 2});
    ref::avg_pool2d(in, l, out);
    CHECK(out.data[0] == doctest::Approx(3.0));
    CHECK(out.data[1] == doctest::Approx(6.0));  // 6/1, not 6/2
}

TEST_CASE("LRN by hand: Caffe's alpha/size and the paper's alpha") {
    const Tensor in = tensor({3, 1, 1}, {1, 2, 3});
    Layer l;
    l.type = LayerType::Lrn;
    l.lrn_size = 3;
    l.alpha = 0.3;
    l.beta = 0.5;
    l.k = 1;
    Tensor out({3, 1, 1});
    ref::lrn(in, l, out);
    // channel 1 sees 1² + 2² + 3² = 14: 2 / √(1 + 0.1·14)
    CHECK(out.data[1] == doctest::Approx(2 / std::sqrt(1 + 0.1 * 14)));
    CHECK(out.data[0] == doctest::Approx(1 / std::sqrt(1 + 0.1 * 5)));  // 1² + 2²
    l.alpha_over_size = false;
    ref::lrn(in, l, out);
    CHECK(out.data[1] == doctest::Approx(2 / std::sqrt(1 + 0.3 * 14)));
    // An even size looks 1 channel back and 2 ahead, as ONNX defines it.
    l.lrn_size = 4;
    l.alpha_over_size = true;
    Tensor four({3, 1, 1});
    ref::lrn(in, l, four);
    CHECK(four.data[0] == doctest::Approx(1 / std::sqrt(1 + 0.075 * 14)));
}

TEST_CASE("softmax is stable for large inputs and sums to 1") {
    const Tensor in = tensor({3, 1, 1}, {1000, 1001, 1002});
    Tensor out({3, 1, 1});
    softmax(in, out);
    const double e0 = 1, e1 = std::exp(1.0), e2 = std::exp(2.0);
    CHECK(out.data[0] == doctest::Approx(e0 / (e0 + e1 + e2)));
    CHECK(out.data[2] == doctest::Approx(e2 / (e0 + e1 + e2)));
}

TEST_CASE("fully connected by hand, reading a (C, H, W) input flat") {
    const Tensor in = tensor({2, 1, 2}, {1, 2, 3, 4});
    const std::vector<float> w{1, 1, 1, 1, 1, -1, 1, -1, 0, 0, 0, 2};  // (3, 4)
    const std::vector<float> b{0, 1, 2};
    Tensor out({3, 1, 1}), r({3, 1, 1});
    fully_connected(in, w.data(), b.data(), out);
    ref::fully_connected(in, w.data(), b.data(), r);
    for (const Tensor* t : {&out, &r}) {
        CHECK(t->data[0] == 10);
        CHECK(t->data[1] == -1);
        CHECK(t->data[2] == 10);
    }
}

TEST_CASE("every fast kernel matches its reference twin on random shapes (relative L2 < 1e-5)") {
    std::mt19937 rng(20261127);
    auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    std::normal_distribution<float> value(0.0f, 1.0f);
    int convs = 0, pools = 0;
    for (int trial = 0; trial < 500; ++trial) {
        Layer l;
        const int kind = trial % 5;
        l.type = kind == 0 || kind == 1 ? LayerType::Conv
               : kind == 2             ? LayerType::MaxPool
               : kind == 3             ? LayerType::AvgPool
                                       : LayerType::Lrn;
        const int groups = l.type == LayerType::Conv ? pick(1, 3) : 1;
        Shape3 in_shape{groups * pick(1, 4), pick(1, 17), pick(1, 17)};
        l.kernel = {pick(1, 5), pick(1, 5)};
        l.stride = {pick(1, 3), pick(1, 3)};
        l.dilation = l.type == LayerType::AvgPool ? Hw{1, 1} : Hw{pick(1, 2), pick(1, 2)};
        l.pad = {pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)};
        l.ceil = pick(0, 1) == 1;
        l.count_include_pad = pick(0, 1) == 1;
        l.groups = groups;
        l.out = groups * pick(1, 4);
        l.lrn_size = pick(1, 6);
        l.alpha = 0.01 * pick(1, 10);
        l.beta = pick(0, 1) ? 0.75 : 0.6;
        l.k = pick(1, 2);
        l.alpha_over_size = pick(0, 1) == 1;
        Network n;
        n.input = in_shape;
        n.layers = {l};
        const Analysis a = analyze(n);
        if (!a.valid()) continue;
        // A pooling window lying wholly in padding has no defined value; PyTorch refuses such layers.
        if (a.stages[0].status == Severity::Warning && l.type != LayerType::Conv &&
            (l.pad.top * 2 > l.kernel.h || l.pad.left * 2 > l.kernel.w || l.pad.bottom * 2 > l.kernel.h ||
             l.pad.right * 2 > l.kernel.w))
            continue;
        Tensor in(in_shape);
        for (float& v : in.data) v = value(rng);
        Tensor fast(*a.stages[0].output), ref_out(fast.shape);
        CAPTURE(trial);
        CAPTURE(layer_summary(l));
        if (l.type == LayerType::Conv) {
            std::vector<float> w(static_cast<size_t>(l.out * (in_shape.c / groups) * l.kernel.h * l.kernel.w));
            std::vector<float> b(static_cast<size_t>(l.out));
            for (float& v : w) v = value(rng);
            for (float& v : b) v = value(rng);
            Scratch s;
            conv2d(in, l, w.data(), b.data(), fast, s);
            ref::conv2d(in, l, w.data(), b.data(), ref_out);
            ++convs;
        } else if (l.type == LayerType::MaxPool) {
            max_pool2d(in, l, fast);
            ref::max_pool2d(in, l, ref_out);
            ++pools;
        } else if (l.type == LayerType::AvgPool) {
            avg_pool2d(in, l, fast);
            ref::avg_pool2d(in, l, ref_out);
            ++pools;
        } else {
            lrn(in, l, fast);
            ref::lrn(in, l, ref_out);
        }
        CHECK(rel_l2(fast, ref_out) < 1e-5);
    }
    CHECK(convs > 100);
    CHECK(pools > 50);
}

TEST_CASE("fast fully connected and relu match the reference on a large random case") {
    std::mt19937 rng(7);
    std::normal_distribution<float> value(0.0f, 1.0f);
    Tensor in({64, 3, 3});
    for (float& v : in.data) v = value(rng);
    std::vector<float> w(1000 * 576), b(1000);
    for (float& v : w) v = value(rng);
    for (float& v : b) v = value(rng);
    Tensor fast({1000, 1, 1}), r({1000, 1, 1});
    fully_connected(in, w.data(), b.data(), fast);
    ref::fully_connected(in, w.data(), b.data(), r);
    CHECK(rel_l2(fast, r) < 1e-5);
    Tensor rf(in.shape), rr(in.shape);
    relu(in, rf);
    ref::relu(in, rr);
    CHECK(rf.data == rr.data);
}

}  // TEST_SUITE
