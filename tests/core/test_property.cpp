// Property tests for the shape engine: thousands of random layer stacks, each stage checked against
// window counts computed here by brute force, independently of window_arithmetic.cpp. Hand-picked
// examples only cover the cases someone thought of; the off-by-one cases of ceil rounding with
// asymmetric padding are exactly the ones nobody thinks of.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/model_io.h"
#include "core/network.h"
#include "core/shape_engine.h"
#include "core/window_arithmetic.h"
#include "random_networks.h"

using namespace convscope;
using namespace convscope::test;

namespace {

// The closed form PyTorch uses (pooling_output_shape): one subtraction, not a loop. It agrees with
// the brute force whenever the end padding is no wider than the window, which PyTorch enforces.
int64_t pytorch_formula(const WindowParams& p) {
    const int64_t eff = p.dilation * (p.kernel - 1) + 1;
    const int64_t span = p.in + p.pad_begin + p.pad_end - eff;
    int64_t out = (span + (p.rounding == Rounding::Ceil ? p.stride - 1 : 0)) / p.stride + 1;
    if (p.rounding == Rounding::Ceil && (out - 1) * p.stride >= p.in + p.pad_begin) --out;
    return out;
}

bool has_message(const Stage& st, Severity severity, const std::string& part) {
    for (const auto& m : st.messages)
        if (m.severity == severity && m.message.find(part) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_SUITE("property") {

TEST_CASE("hand-computed ceil and floor cases with padding") {
    struct Case {
        int64_t in, kernel, stride, pad_begin, pad_end, dilation;
        Rounding rounding;
        int64_t out;
        bool dropped_last;
        int64_t overhang;
    };
    const Case cases[] = {
        // PyTorch MaxPool2d(3, 2, padding=1, ceil_mode=True) on 6: ⌈(6+2−3)/2⌉+1 = 4; the last window
        // starts at 6 < 6+1, inside the input, so it stays. It reaches 9 > 8: overhang 1.
        {6, 3, 2, 1, 1, 1, Rounding::Ceil, 4, false, 1},
        {6, 3, 2, 1, 1, 1, Rounding::Floor, 3, false, 0},
        // MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5: ⌈(5+2−2)/2⌉+1 = 4, but that window would
        // start at 6 ≥ 5+1, in the end padding only: dropped, 3.
        {5, 2, 2, 1, 1, 1, Rounding::Ceil, 3, true, 0},
        {5, 2, 2, 1, 1, 1, Rounding::Floor, 3, false, 0},
        // MaxPool2d(3, 2, padding=1, ceil_mode=True) on 8: ⌈7/2⌉+1 = 5, last start 8 < 9 keeps it; floor 4.
        {8, 3, 2, 1, 1, 1, Rounding::Ceil, 5, false, 1},
        {8, 3, 2, 1, 1, 1, Rounding::Floor, 4, false, 0},
        // GoogLeNet's Caffe pool1/3x3_s2 on 112, no padding: ⌈109/2⌉+1 = 56 (floor gives 55).
        {112, 3, 2, 0, 0, 1, Rounding::Ceil, 56, false, 1},
        {112, 3, 2, 0, 0, 1, Rounding::Floor, 55, false, 0},
        // Asymmetric padding, only at the end: 5+0+1 = 6 padded, ⌈3/2⌉+1 = 3, last start 4 < 5.
        {5, 3, 2, 0, 1, 1, Rounding::Ceil, 3, false, 1},
        // 4+0+1 = 5 padded, ⌈3/2⌉+1 = 3, but the last start 4 ≥ 4+0 would see only padding: 2.
        {4, 2, 2, 0, 1, 1, Rounding::Ceil, 2, true, 0},
        // Dilation 2 makes a 3-tap window 5 wide: ⌈(10−5)/2⌉+1 = 4, reaching 11 > 10.
        {10, 3, 2, 0, 0, 2, Rounding::Ceil, 4, false, 1},
        {10, 3, 2, 0, 0, 2, Rounding::Floor, 3, false, 0},
        // A stride wider than the kernel: on 5 with kernel 1, stride 3, ceil wants ⌈4/3⌉+1 = 3 windows
        // but the third would start at 6 ≥ 5, past the input (PyTorch gives 2).
        {5, 1, 3, 0, 0, 1, Rounding::Ceil, 2, true, 0},
        // AlexNet's conv1: (227 − 11)/4 + 1 = 55 exactly, in either rounding.
        {227, 11, 4, 0, 0, 1, Rounding::Ceil, 55, false, 0},
        {227, 11, 4, 0, 0, 1, Rounding::Floor, 55, false, 0},
        // The window exactly fills the input; one pixel less and it does not fit at all.
        {7, 7, 1, 0, 0, 1, Rounding::Ceil, 1, false, 0},
        {6, 7, 1, 0, 0, 1, Rounding::Ceil, 0, false, 0},
        {6, 7, 1, 0, 0, 1, Rounding::Floor, 0, false, 0},
    };
    for (const Case& c : cases) {
        WindowParams p;
        p.in = c.in;
        p.kernel = c.kernel;
        p.stride = c.stride;
        p.pad_begin = c.pad_begin;
        p.pad_end = c.pad_end;
        p.dilation = c.dilation;
        p.rounding = c.rounding;
        INFO("in " << c.in << " kernel " << c.kernel << " stride " << c.stride << " pad " << c.pad_begin << "+"
                   << c.pad_end << " dilation " << c.dilation << (c.rounding == Rounding::Ceil ? " ceil" : " floor"));
        const WindowResult r = compute_window(p);
        CHECK(r.out == c.out);
        CHECK(r.valid == (c.out > 0));
        CHECK(count_window_positions(p) == c.out);
        CHECK(brute_count(p) == c.out);
        if (c.out > 0) {
            CHECK(pytorch_formula(p) == c.out);
            CHECK(r.dropped_last == c.dropped_last);
            CHECK(r.overhang == c.overhang);
        }
    }
}

TEST_CASE("ceil pooling with asymmetric padding through the whole engine") {
    // H and W get different arithmetic, so a mix-up of the two dimensions (or of top/left) shows.
    // H: 6, kernel 3, stride 2, pad 1+1, ceil → 4 (see above). W: 5, kernel 2, stride 2, pad 1+1 → 3.
    Network net;
    net.input = {2, 6, 5};
    Layer pool;
    pool.name = "pool";
    pool.type = LayerType::MaxPool;
    pool.kernel = {3, 2};
    pool.stride = {2, 2};
    pool.pad = {1, 1, 1, 1};
    pool.ceil = true;
    net.layers = {pool};
    const Analysis a = analyze(net);
    REQUIRE(a.stages.size() == 1);
    REQUIRE(a.stages[0].output);
    CHECK(*a.stages[0].output == Shape3{2, 4, 3});
    CHECK(a.stages[0].dim_h->out == 4);
    CHECK(a.stages[0].dim_w->out == 3);
    CHECK(a.stages[0].dim_w->dropped_last);
    CHECK_FALSE(a.stages[0].exact);  // (6+2−3)/2 = 2.5 and (5+2−2)/2 = 2.5
    CHECK(a.stages[0].status == Severity::Warning);
    CHECK(a.valid());
}

TEST_CASE("random layer stacks match the brute-force window counts") {
    Random r(0xC0FFEEu);
    // Each interesting situation must actually occur, or the property would pass vacuously.
    int window_stages = 0, zero_out = 0, dropped = 0, inexact = 0, group_errors = 0, fc_mismatch = 0,
        round_trips = 0, cut_short = 0;

    for (int trial = 0; trial < 5000; ++trial) {
        std::vector<Expected> expected;
        const Network net = random_stack(r, trial, expected);
        const std::optional<Shape3> cur = expected.back().output;

        const Analysis a = analyze(net);
        INFO("trial " << trial << ": " << network_to_json(net));
        REQUIRE(a.stages.size() == net.layers.size());
        std::optional<Shape3> in = net.input;
        bool failed = false;
        int errors = 0, blocked = 0, warnings = 0;
        int64_t params = 0, macs = 0, activations = 0;
        for (size_t i = 0; i < a.stages.size(); ++i) {
            const Stage& st = a.stages[i];
            const Layer& l = net.layers[i];
            const Expected& e = expected[i];
            INFO("stage " << i << " (" << st.name << ")");
            CHECK(st.input == in);
            CHECK(st.output == e.output);
            CHECK((st.status == Severity::Error) == e.error);
            if (e.error) {
                CHECK_FALSE(st.output);
                CHECK(has_message(st, Severity::Error, ""));
            } else {
                CHECK(st.status == (e.warning ? Severity::Warning : Severity::Ok));
            }
            // Once a stage fails, nothing after it has a shape; those stages are blocked, not at fault
            // (every hyperparameter here is valid, so a missing input is the only way to be blocked).
            if (failed) {
                CHECK_FALSE(st.input);
                CHECK_FALSE(st.output);
                CHECK(st.status == Severity::Error);
            }
            CHECK(st.blocked == failed);

            const bool groups_fit = l.type != LayerType::Conv || (in && in->c % l.groups == 0 && l.out % l.groups == 0);
            if (is_spatial_window(l.type) && in && groups_fit) {
                ++window_stages;
                WindowParams ph = params_of(l, in->h, true), pw = params_of(l, in->w, false);
                if (l.type == LayerType::AvgPool) ph.dilation = pw.dilation = 1;
                REQUIRE(st.dim_h);
                REQUIRE(st.dim_w);
                // The engine, its own brute-force twin and the oracle here must agree on every count.
                CHECK(st.dim_h->out == count_window_positions(ph));
                CHECK(st.dim_w->out == count_window_positions(pw));
                CHECK(st.dim_h->out == brute_count(ph));
                CHECK(st.dim_w->out == brute_count(pw));
                if (st.dim_h->valid && st.dim_w->valid) {
                    REQUIRE(st.output);
                    CHECK(st.output->h == brute_count(ph));
                    CHECK(st.output->w == brute_count(pw));
                    if (ph.pad_end <= st.dim_h->eff_kernel) CHECK(st.dim_h->out == pytorch_formula(ph));
                    if (pw.pad_end <= st.dim_w->eff_kernel) CHECK(st.dim_w->out == pytorch_formula(pw));
                    // A stage is exact precisely when it carries no non-integer warning.
                    CHECK(st.exact == !has_message(st, Severity::Warning, "non-integer division"));
                    CHECK(st.exact == (st.dim_h->remainder == 0 && st.dim_w->remainder == 0));
                    if (st.dim_h->dropped_last || st.dim_w->dropped_last) ++dropped;
                    if (!st.exact) ++inexact;
                } else {
                    // A count of 0 in either dimension is an error with no output.
                    CHECK((brute_count(ph) == 0 || brute_count(pw) == 0));
                    CHECK(st.status == Severity::Error);
                    CHECK_FALSE(st.output);
                    CHECK(has_message(st, Severity::Error, "larger than the padded input"));
                    ++zero_out;
                }
            }
            if (l.type == LayerType::Conv && in && !groups_fit) {
                CHECK(has_message(st, Severity::Error, "does not divide"));
                ++group_errors;
            }
            if (l.type == LayerType::Fc && in && l.in_features > 0 && l.in_features != in->count()) {
                CHECK(has_message(st, Severity::Error, "input features"));
                ++fc_mismatch;
            }
            if (st.status == Severity::Error) ++(st.blocked ? blocked : errors);
            if (st.status == Severity::Warning) ++warnings;
            // Totals sum only the stages that worked; in-place layers and flatten allocate nothing new.
            if (st.status != Severity::Error) {
                params += st.params;
                macs += st.macs;
                if (!st.in_place && st.type != LayerType::Flatten) activations += st.activations;
            }
            if (!st.output) failed = true;
            in = st.output;
        }
        CHECK(a.errors == errors);
        CHECK(a.blocked == blocked);
        CHECK(a.warnings == warnings);
        CHECK(a.totals.params == params);
        CHECK(a.totals.macs == macs);
        CHECK(a.totals.activations == activations);
        CHECK(a.valid() == (errors == 0));
        CHECK(a.final_output() == cur);
        if (failed) ++cut_short;

        // Every tenth stack also goes through a model file: what is saved must analyse the same.
        if (trial % 10 == 0) {
            const LoadResult back = parse_network_json(network_to_json(net));
            INFO(back.error);
            REQUIRE(back);
            CHECK(*back.network == net);
            const Analysis b = analyze(*back.network);
            REQUIRE(b.stages.size() == a.stages.size());
            for (size_t i = 0; i < a.stages.size(); ++i) CHECK(b.stages[i].output == a.stages[i].output);
            ++round_trips;
        }
    }
    CHECK(window_stages > 5000);
    CHECK(zero_out > 100);
    CHECK(dropped > 100);
    CHECK(inexact > 1000);
    CHECK(group_errors > 50);
    CHECK(fc_mismatch > 20);
    CHECK(cut_short > 500);
    CHECK(round_trips == 500);
}

TEST_CASE("window counts agree with the brute force over the whole small parameter space") {
    // Exhaustive where random sampling is thin: every combination of small values, both roundings.
    int64_t compared = 0;
    for (int64_t in = 1; in <= 12; ++in)
        for (int64_t kernel = 1; kernel <= 6; ++kernel)
            for (int64_t stride = 1; stride <= 5; ++stride)
                for (int64_t pb = 0; pb <= 3; ++pb)
                    for (int64_t pe = 0; pe <= 3; ++pe)
                        for (int64_t dilation = 1; dilation <= 3; ++dilation)
                            for (const Rounding rounding : {Rounding::Floor, Rounding::Ceil}) {
                                const WindowParams p{in, kernel, stride, pb, pe, dilation, rounding};
                                const WindowResult r = compute_window(p);
                                const int64_t brute = brute_count(p);
                                if (r.out != brute || count_window_positions(p) != brute || r.valid != (brute > 0)) {
                                    // Report the first disagreement in full, then stop: one case is enough to debug.
                                    INFO("in " << in << " kernel " << kernel << " stride " << stride << " pad " << pb
                                               << "+" << pe << " dilation " << dilation
                                               << (rounding == Rounding::Ceil ? " ceil" : " floor"));
                                    CHECK(r.out == brute);
                                    CHECK(count_window_positions(p) == brute);
                                    CHECK(r.valid == (brute > 0));
                                    return;
                                }
                                if (brute > 0) {
                                    // exact means the windows tile the padded input with nothing left over.
                                    const int64_t eff = dilation * (kernel - 1) + 1;
                                    CHECK(r.exact == ((in + pb + pe - eff) % stride == 0));
                                    if (rounding == Rounding::Floor || !r.exact) {
                                        // Floor leaves a part uncovered; ceil either overhangs or was cut back.
                                        const int64_t reach = (r.out - 1) * stride + eff;
                                        if (rounding == Rounding::Floor)
                                            CHECK(r.uncovered_input + r.uncovered_pad == in + pb + pe - reach);
                                        else
                                            CHECK(r.overhang == std::max<int64_t>(0, reach - (in + pb + pe)));
                                    }
                                }
                                ++compared;
                            }
    CHECK(compared == 12 * 6 * 5 * 4 * 4 * 3 * 2);
}

TEST_CASE("invalid hyperparameters are errors, never crashes") {
    Random r(424242u);
    int corrupted_stages = 0;
    for (int trial = 0; trial < 2000; ++trial) {
        Network net;
        net.name = "broken " + std::to_string(trial);
        net.input = {r.between(1, 8), r.between(1, 64), r.between(1, 64)};
        const int depth = r.between(1, 6);
        std::optional<Shape3> cur = net.input;
        for (int i = 0; i < depth; ++i) {
            net.layers.push_back(random_layer(r, cur));
            cur = expect(net.layers.back(), cur).output;
        }
        // Replace one layer by a broken one. The shape reaching it (if any) lets the input-dependent
        // breakages (groups, fc features) be made certain rather than likely.
        const size_t at = static_cast<size_t>(r.between(0, depth - 1));
        std::optional<Shape3> before = net.input;
        for (size_t i = 0; i < at && before; ++i) before = expect(net.layers[i], before).output;
        Layer bad;
        const int kind = r.between(0, 15);
        const int negative = -r.between(0, 3);  // 0 or below
        auto window = [&](LayerType t) {
            bad.type = t;
            bad.out = 4;
            random_window(r, bad);
        };
        switch (kind) {
            case 0: window(LayerType::Conv); (r.percent(50) ? bad.stride.h : bad.stride.w) = negative; break;
            case 1: window(LayerType::MaxPool); (r.percent(50) ? bad.kernel.h : bad.kernel.w) = negative; break;
            case 2: {
                window(LayerType::AvgPool);
                int* sides[] = {&bad.pad.top, &bad.pad.left, &bad.pad.bottom, &bad.pad.right};
                *sides[r.between(0, 3)] = -r.between(1, 5);
                break;
            }
            case 3: window(LayerType::Conv); bad.dilation.w = negative; break;
            case 4: window(LayerType::Conv); bad.groups = negative; break;
            case 5:  // groups that cannot divide the input channels (c + 1 never divides c)
                window(LayerType::Conv);
                bad.groups = before ? static_cast<int>(before->c) + 1 : 3;
                bad.out = bad.groups * 2;
                break;
            case 6: window(LayerType::Conv); bad.out = negative; break;
            case 7:
                bad.type = LayerType::Fc;
                bad.out = 10;
                bad.in_features = before ? before->count() + r.between(1, 100) : 12345;
                break;
            case 8: bad.type = LayerType::Fc; bad.out = 10; bad.in_features = -r.between(1, 100); break;
            case 9: bad.type = LayerType::Fc; bad.out = negative; break;
            case 10: bad.type = LayerType::Lrn; bad.lrn_size = negative; break;
            case 11: {
                bad.type = LayerType::Dropout;
                const double ratios[] = {1.0, 1.5, -0.1, std::nan(""), std::numeric_limits<double>::infinity()};
                bad.ratio = ratios[r.between(0, 4)];
                break;
            }
            case 12: bad.type = LayerType::AdaptiveAvgPool; bad.output_size = {r.between(0, 1) ? 1 : 0, negative}; break;
            case 13:  // absurdly large but legal numbers: the window cannot fit any input here
                window(LayerType::Conv);
                bad.kernel = {INT_MAX, 3};
                bad.dilation = {INT_MAX, 1};
                break;
            case 14: window(LayerType::MaxPool); bad.stride = {0, 0}; bad.kernel = {0, 0}; bad.dilation = {0, 0}; break;
            case 15: window(LayerType::Conv); bad.stride = {INT_MIN, INT_MIN}; bad.pad = {INT_MIN, 0, 0, INT_MIN}; break;
        }
        net.layers[at] = bad;
        assign_default_names(net);

        Analysis a;
        REQUIRE_NOTHROW(a = analyze(net));
        INFO("trial " << trial << ", broken layer " << at << ", kind " << kind);
        REQUIRE(a.stages.size() == net.layers.size());
        const Stage& st = a.stages[at];
        CHECK(st.status == Severity::Error);
        CHECK_FALSE(st.output);
        CHECK(has_message(st, Severity::Error, ""));
        CHECK_FALSE(a.valid());
        CHECK(a.errors >= 1);
        CHECK_FALSE(a.final_output());
        // A layer with a broken hyperparameter is at fault even when nothing reaches it.
        const bool own_fault = kind != 5 && kind != 7 && kind != 13;
        if (own_fault) CHECK_FALSE(st.blocked);
        int error_stages = 0;
        for (const auto& s : a.stages) error_stages += s.status == Severity::Error;
        CHECK(a.errors + a.blocked == error_stages);
        for (size_t i = at + 1; i < a.stages.size(); ++i) {
            CHECK_FALSE(a.stages[i].input);
            CHECK_FALSE(a.stages[i].output);
            CHECK(a.stages[i].status == Severity::Error);
        }
        // The rest of the result is still usable: formulas and names exist for every stage.
        for (const auto& s : a.stages) CHECK_FALSE(s.name.empty());
        ++corrupted_stages;
    }
    CHECK(corrupted_stages == 2000);
}

TEST_CASE("an invalid input shape is an error and every stage is left without a shape") {
    for (const Shape3 input : {Shape3{0, 8, 8}, Shape3{3, 0, 8}, Shape3{3, 8, -1}}) {
        Network net;
        net.input = input;
        Layer conv;
        conv.type = LayerType::Conv;
        conv.out = 4;
        conv.kernel = {3, 3};
        Layer relu;
        relu.type = LayerType::Relu;
        net.layers = {conv, relu};
        assign_default_names(net);
        const Analysis a = analyze(net);
        CHECK_FALSE(a.input_error.empty());
        CHECK_FALSE(a.valid());
        CHECK(a.errors == 1);   // the input itself …
        CHECK(a.blocked == 2);  // … and both stages, which are not at fault
        for (const auto& st : a.stages) {
            CHECK_FALSE(st.input);
            CHECK_FALSE(st.output);
            CHECK(st.status == Severity::Error);
            CHECK(st.blocked);
        }
    }
}

}  // TEST_SUITE("property")
