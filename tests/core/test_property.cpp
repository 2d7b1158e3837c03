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

using namespace convscope;

namespace {

// Raw mt19937 output with a modulo rather than std::uniform_int_distribution: the distribution's
// algorithm differs between standard libraries, and a failing seed must reproduce everywhere.
struct Random {
    std::mt19937 g;
    explicit Random(uint32_t seed) : g(seed) {}
    int between(int lo, int hi) { return lo + static_cast<int>(g() % static_cast<uint32_t>(hi - lo + 1)); }
    bool percent(int p) { return between(1, 100) <= p; }
};

// ---- The independent oracle ----------------------------------------------------------------------

// Floor: every start position 0, S, 2S, … whose window lies wholly inside the padded input.
int64_t brute_floor(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                    int64_t dilation) {
    const int64_t eff = dilation * (kernel - 1) + 1;
    int64_t n = 0;
    for (int64_t start = 0; start + eff <= in + pad_begin + pad_end; start += stride) ++n;
    return n;
}

// Ceil, as PyTorch and Caffe do it: a further window is added only while the previous one has not yet
// reached the end of the padded input, and no window may start at or beyond W + P_begin (it would see
// nothing but end padding). Formulated as "is another window needed?" rather than count_window_positions'
// "stop once covered", so the two are not the same loop written twice.
int64_t brute_ceil(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                   int64_t dilation) {
    const int64_t eff = dilation * (kernel - 1) + 1;
    const int64_t padded = in + pad_begin + pad_end;
    if (eff > padded) return 0;  // not even the first window fits
    int64_t n = 1;
    int64_t last_start = 0;
    while (last_start + eff < padded && last_start + stride < in + pad_begin) {
        last_start += stride;
        ++n;
    }
    return n;
}

int64_t brute_count(const WindowParams& p) {
    return p.rounding == Rounding::Floor ? brute_floor(p.in, p.kernel, p.stride, p.pad_begin, p.pad_end, p.dilation)
                                         : brute_ceil(p.in, p.kernel, p.stride, p.pad_begin, p.pad_end, p.dilation);
}

// The closed form PyTorch uses (pooling_output_shape): one subtraction, not a loop. It agrees with
// the brute force whenever the end padding is no wider than the window, which PyTorch enforces.
int64_t pytorch_formula(const WindowParams& p) {
    const int64_t eff = p.dilation * (p.kernel - 1) + 1;
    const int64_t span = p.in + p.pad_begin + p.pad_end - eff;
    int64_t out = (span + (p.rounding == Rounding::Ceil ? p.stride - 1 : 0)) / p.stride + 1;
    if (p.rounding == Rounding::Ceil && (out - 1) * p.stride >= p.in + p.pad_begin) --out;
    return out;
}

WindowParams params_of(const Layer& l, int64_t in, bool height) {
    WindowParams p;
    p.in = in;
    p.kernel = height ? l.kernel.h : l.kernel.w;
    p.stride = height ? l.stride.h : l.stride.w;
    p.pad_begin = height ? l.pad.top : l.pad.left;
    p.pad_end = height ? l.pad.bottom : l.pad.right;
    p.dilation = height ? l.dilation.h : l.dilation.w;
    p.rounding = l.ceil ? Rounding::Ceil : Rounding::Floor;
    return p;
}

bool has_message(const Stage& st, Severity severity, const std::string& part) {
    for (const auto& m : st.messages)
        if (m.severity == severity && m.message.find(part) != std::string::npos) return true;
    return false;
}

// ---- The random stacks ---------------------------------------------------------------------------

void random_window(Random& r, Layer& l) {
    l.kernel.h = r.between(1, 7);
    l.kernel.w = r.percent(60) ? l.kernel.h : r.between(1, 7);
    l.stride.h = r.between(1, 4);
    l.stride.w = r.percent(60) ? l.stride.h : r.between(1, 4);
    if (l.type != LayerType::AvgPool && r.percent(30)) {  // avgpool has no dilation in files or in PyTorch
        l.dilation.h = r.between(1, 3);
        l.dilation.w = r.between(1, 3);
    }
    l.pad.top = r.between(0, 3);
    l.pad.left = r.between(0, 3);
    if (r.percent(50)) {
        l.pad.bottom = l.pad.top;
        l.pad.right = l.pad.left;
    } else {
        l.pad.bottom = r.between(0, 3);
        l.pad.right = r.between(0, 3);
    }
    l.ceil = r.percent(50);
}

// What a stage should produce, worked out here from the brute-force counts.
struct Expected {
    std::optional<Shape3> output;
    bool error = false;
    bool warning = false;
};

// Picks the next layer with knowledge of the shape reaching it, so that groups and fc input features
// sometimes fit and sometimes do not, on purpose.
Layer random_layer(Random& r, const std::optional<Shape3>& in) {
    Layer l;
    const int kind = r.between(1, 100);
    if (kind <= 35) {
        l.type = LayerType::Conv;
        l.out = r.between(1, 16);
        if (r.percent(25)) {
            l.groups = r.between(2, 4);
            if (in && r.percent(70)) {
                // A group count that divides the input channels, and output channels to match.
                l.groups = 1;
                for (int g = static_cast<int>(in->c); g >= 1; --g)
                    if (in->c % g == 0 && r.percent(50)) {
                        l.groups = g;
                        break;
                    }
                l.out = l.groups * r.between(1, 4);
            }
        }
        l.bias = r.percent(80);
        random_window(r, l);
    } else if (kind <= 55) {
        l.type = LayerType::MaxPool;
        random_window(r, l);
    } else if (kind <= 70) {
        l.type = LayerType::AvgPool;
        random_window(r, l);
        l.count_include_pad = r.percent(50);
    } else if (kind <= 80) {
        l.type = LayerType::Relu;
    } else if (kind <= 88) {
        l.type = LayerType::Lrn;
        l.lrn_size = 2 * r.between(0, 3) + 1;
    } else if (kind <= 93) {
        l.type = LayerType::Flatten;
    } else {
        l.type = LayerType::Fc;
        l.out = r.between(1, 64);
        const int choice = r.between(1, 10);
        if (in && choice <= 3) l.in_features = in->count();          // matches what arrives
        else if (in && choice == 4) l.in_features = in->count() + 1;  // a mismatch
    }
    return l;
}

Expected expect(const Layer& l, const std::optional<Shape3>& in) {
    Expected e;
    if (!in) {
        e.error = true;
        return e;
    }
    switch (l.type) {
        case LayerType::Conv:
        case LayerType::MaxPool:
        case LayerType::AvgPool: {
            if (l.type == LayerType::Conv && (in->c % l.groups != 0 || l.out % l.groups != 0)) {
                e.error = true;
                return e;
            }
            WindowParams ph = params_of(l, in->h, true), pw = params_of(l, in->w, false);
            if (l.type == LayerType::AvgPool) ph.dilation = pw.dilation = 1;
            const int64_t h = brute_count(ph), w = brute_count(pw);
            if (h == 0 || w == 0) {
                e.error = true;
                return e;
            }
            const int64_t eff_h = ph.dilation * (ph.kernel - 1) + 1, eff_w = pw.dilation * (pw.kernel - 1) + 1;
            const bool exact = (in->h + ph.pad_begin + ph.pad_end - eff_h) % ph.stride == 0 &&
                               (in->w + pw.pad_begin + pw.pad_end - eff_w) % pw.stride == 0;
            // Pools warn about padding PyTorch would refuse (more than half the window).
            const bool wide_pad = l.type != LayerType::Conv &&
                                  (2 * ph.pad_begin > eff_h || 2 * ph.pad_end > eff_h || 2 * pw.pad_begin > eff_w ||
                                   2 * pw.pad_end > eff_w);
            e.warning = !exact || wide_pad;
            e.output = Shape3{l.type == LayerType::Conv ? l.out : in->c, h, w};
            return e;
        }
        case LayerType::Flatten:
            e.output = Shape3{in->count(), 1, 1};
            return e;
        case LayerType::Fc:
            if (l.in_features > 0 && l.in_features != in->count()) {
                e.error = true;
                return e;
            }
            e.output = Shape3{l.out, 1, 1};
            return e;
        default:
            e.output = in;
            return e;
    }
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
        Network net;
        net.name = "random " + std::to_string(trial);
        net.input = {r.between(1, 8), r.between(1, 64), r.between(1, 64)};
        std::vector<Expected> expected;
        std::optional<Shape3> cur = net.input;
        const int depth = r.between(1, 8);
        for (int i = 0; i < depth; ++i) {
            net.layers.push_back(random_layer(r, cur));
            expected.push_back(expect(net.layers.back(), cur));
            cur = expected.back().output;
        }
        assign_default_names(net);

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
