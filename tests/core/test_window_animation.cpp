// The animated sliding window, frame by frame, against cases worked out by hand and against a brute
// force that slides every window over every cell for a grid of small sizes.
#include <doctest/doctest.h>

#include "support.h"

#include <vector>

#include "core/i18n.h"
#include "core/window_animation.h"

using namespace convscope;
using convscope::test::ScopedLanguage;
using convscope::test::wp;

TEST_SUITE("window_animation") {

TEST_CASE("AlexNet conv1 on 227: 55 windows 4 apart, the last ends on the last pixel") {
    ScopedLanguage en(Language::English);  // the tests read the English texts
    const WindowParams p = wp(227, 11, 4, 0, 0);
    const auto f0 = window_animation_frame(p, 0);
    REQUIRE(f0.valid);
    CHECK(f0.count == 55);
    CHECK(f0.produced == 1);
    CHECK(f0.padded == 227);
    CHECK(f0.extent == 227);
    CHECK(f0.pad_before.empty());
    CHECK(f0.pad_after.empty());
    CHECK(f0.input.begin == 0);
    CHECK(f0.input.end == 227);
    CHECK(f0.window.begin == 0);
    CHECK(f0.window.end == 11);
    CHECK(f0.count_text == "position 1 of 55");
    for (int64_t k : {1, 2, 10, 53, 54}) {
        const auto f = window_animation_frame(p, k);
        CHECK(f.window.begin == 4 * k);
        CHECK(f.window.end == 4 * k + 11);
        CHECK(f.produced == k + 1);
    }
    const auto last = window_animation_frame(p, 54);
    CHECK(last.window.begin == 216);
    CHECK(last.window.end == 227);
    CHECK(last.count_text == "position 55 of 55");
    CHECK(last.uncovered == 0);
    CHECK(last.tail_uncovered.empty());
    CHECK(last.overhang.empty());
    CHECK(last.gap == 0);
    CHECK_FALSE(last.window_overhangs);
    CHECK(last.taps.size() == 11);
    CHECK(last.taps.front() == 216);
    CHECK(last.taps.back() == 226);
}

TEST_CASE("AlexNet conv1 on 224: floor keeps 54 windows, the last starts at 212 and cell 223 is never reached") {
    ScopedLanguage en(Language::English);  // the tests read the English texts
    // (224 − 11)/4 + 1 = 54.25 → 54; the last window covers 53·4 = 212 … 222.
    const auto f = window_animation_frame(wp(224, 11, 4, 0, 0), 53);
    REQUIRE(f.valid);
    CHECK(f.count == 54);
    CHECK(f.window.begin == 212);
    CHECK(f.window.end == 223);
    CHECK(f.tail_uncovered.begin == 223);
    CHECK(f.tail_uncovered.end == 224);
    CHECK(f.uncovered == 1);
    CHECK(f.overhang.empty());
    CHECK(f.count_text == "position 54 of 54");
    CHECK_FALSE(cell_reached(f.r, f.count, 223));
    CHECK(cell_reached(f.r, f.count, 222));
    // Earlier frames already know the tail will stay uncovered.
    CHECK(window_animation_frame(wp(224, 11, 4, 0, 0), 0).tail_uncovered.begin == 223);
}

TEST_CASE("a step past the end is clamped to the last window, one before the start to the first") {
    const auto hi = window_animation_frame(wp(227, 11, 4, 0, 0), 1000);
    CHECK(hi.step == 54);
    CHECK(hi.produced == 55);
    const auto lo = window_animation_frame(wp(227, 11, 4, 0, 0), -3);
    CHECK(lo.step == 0);
    CHECK(lo.window.begin == 0);
}

TEST_CASE("AlexNet pool1 (3, stride 2) on 55: 27 windows, exact") {
    const auto f = window_animation_frame(wp(55, 3, 2, 0, 0), 26);
    REQUIRE(f.valid);
    CHECK(f.count == 27);
    CHECK(f.window.begin == 52);  // 26·2
    CHECK(f.window.end == 55);
    CHECK(f.uncovered == 0);
    // Overlapping windows (S < F): cell 2 is in windows 0 and 1.
    CHECK(cell_reached(f.r, 1, 2));
    CHECK_FALSE(cell_reached(f.r, 1, 3));
    CHECK(cell_reached(f.r, 2, 4));
}

TEST_CASE("AlexNet conv2 (5×5, pad 2) on 27: the padding adds 2 cells on each side, 27 windows") {
    ScopedLanguage en(Language::English);  // the tests read the English texts
    const auto f = window_animation_frame(wp(27, 5, 1, 2, 2), 0);
    REQUIRE(f.valid);
    CHECK(f.count == 27);
    CHECK(f.padded == 31);
    CHECK(f.pad_before.begin == 0);
    CHECK(f.pad_before.end == 2);
    CHECK(f.input.begin == 2);
    CHECK(f.input.end == 29);
    CHECK(f.pad_after.begin == 29);
    CHECK(f.pad_after.end == 31);
    CHECK(f.window.begin == 0);
    CHECK(f.window.end == 5);
    const auto last = window_animation_frame(wp(27, 5, 1, 2, 2), 26);
    CHECK(last.window.begin == 26);
    CHECK(last.window.end == 31);  // reaches the last padded cell exactly
    CHECK(last.uncovered == 0);
    CHECK(last.count_text == "position 27 of 27");
}

TEST_CASE("dilation 2 with a kernel of 3: taps 2 apart, an effective size of 5") {
    // Input 7, stride 1: (7 − 5)/1 + 1 = 3 windows.
    const auto f0 = window_animation_frame(wp(7, 3, 1, 0, 0, 2), 0);
    REQUIRE(f0.valid);
    CHECK(f0.r.eff_kernel == 5);
    CHECK(f0.count == 3);
    CHECK(f0.taps == std::vector<int64_t>{0, 2, 4});
    CHECK(f0.window.end == 5);
    const auto f1 = window_animation_frame(wp(7, 3, 1, 0, 0, 2), 1);
    CHECK(f1.taps == std::vector<int64_t>{1, 3, 5});
    // Window 0 passes over cell 1 without reading it; window 1 reads it.
    CHECK(cell_reached(f0.r, 1, 1));
    CHECK_FALSE(cell_read(f0.r, 1, 1));
    CHECK(cell_read(f0.r, 2, 1));
    // Stride 2 with dilation 2: the odd cells are never read by any window, though all are reached.
    const auto r = compute_window(wp(9, 3, 2, 0, 0, 2));  // (9 − 5)/2 + 1 = 3 windows: 0, 2, 4
    REQUIRE(r.out == 3);
    for (int64_t c = 0; c < 9; ++c) {
        CHECK(cell_reached(r, 3, c));
        CHECK(cell_read(r, 3, c) == (c % 2 == 0));
    }
}

TEST_CASE("ceil rounding: pool 3/2 on 56 makes 28 windows, the last hangs one cell past the edge") {
    ScopedLanguage en(Language::English);  // the tests read the English texts
    // floor: (56 − 3)/2 + 1 = 27.5 → 27, the last window covers 52 … 54 and cell 55 is dropped.
    const auto fl = window_animation_frame(wp(56, 3, 2, 0, 0, 1, Rounding::Floor), 26);
    CHECK(fl.count == 27);
    CHECK(fl.tail_uncovered.begin == 55);
    CHECK(fl.tail_uncovered.end == 56);
    CHECK(fl.overhang.empty());
    // ceil: 28 windows, the last at 54 … 56, one cell (56) past the input.
    const auto ce = window_animation_frame(wp(56, 3, 2, 0, 0, 1, Rounding::Ceil), 27);
    REQUIRE(ce.valid);
    CHECK(ce.count == 28);
    CHECK(ce.window.begin == 54);
    CHECK(ce.window.end == 57);
    CHECK(ce.window_overhangs);
    CHECK(ce.overhang.begin == 56);
    CHECK(ce.overhang.end == 57);
    CHECK(ce.overhang.size() == ce.r.overhang);
    CHECK(ce.extent == 57);
    CHECK(ce.padded == 56);
    CHECK(ce.tail_uncovered.empty());
    CHECK(ce.uncovered == 0);
    CHECK(ce.count_text == "position 28 of 28");
    // The window before it stays inside.
    CHECK_FALSE(window_animation_frame(wp(56, 3, 2, 0, 0, 1, Rounding::Ceil), 26).window_overhangs);
}

TEST_CASE("a stride larger than the kernel skips cells between windows") {
    // Kernel 2, stride 3 on 10: (10 − 2)/3 + 1 = 3.67 → 3 windows at 0, 3, 6: cells 2 and 5 fall
    // between windows, 8 and 9 after the last.
    const auto f = window_animation_frame(wp(10, 2, 3, 0, 0), 2);
    REQUIRE(f.valid);
    CHECK(f.count == 3);
    CHECK(f.gap == 1);
    CHECK(f.tail_uncovered.begin == 8);
    CHECK(f.tail_uncovered.end == 10);
    CHECK(f.uncovered == 4);
    const std::vector<bool> reached = {true, true, false, true, true, false, true, true, false, false};
    for (int64_t c = 0; c < 10; ++c) CHECK(cell_reached(f.r, 3, c) == reached[static_cast<size_t>(c)]);
    // After window 0 only cells 0 and 1 have been passed over.
    CHECK_FALSE(cell_reached(f.r, 1, 3));
}

TEST_CASE("a window wider than the padded input gives no frame") {
    ScopedLanguage en(Language::English);  // the tests read the English texts
    const auto f = window_animation_frame(wp(5, 7, 1, 0, 0), 0);
    CHECK_FALSE(f.valid);
    CHECK(f.count == 0);
    CHECK(f.taps.empty());
    CHECK(f.count_text == "no window fits");
    CHECK_FALSE(cell_reached(f.r, 1, 0));
}

TEST_CASE("brute force: every window slid over every cell agrees with the frame and window_arithmetic") {
    int cases = 0;
    for (const Rounding rounding : {Rounding::Floor, Rounding::Ceil})
        for (int64_t in = 1; in <= 14; ++in)
            for (int64_t k = 1; k <= 5; ++k)
                for (int64_t s = 1; s <= 5; ++s)
                    for (int64_t d = 1; d <= 3; ++d)
                        for (int64_t pb = 0; pb <= 2; ++pb)
                            for (int64_t pe = 0; pe <= 2; ++pe) {
                                const WindowParams p = wp(in, k, s, pb, pe, d, rounding);
                                const WindowResult r = compute_window(p);
                                const int64_t n = count_window_positions(p);
                                const auto last = window_animation_frame(p, n - 1);
                                if (n == 0) {
                                    CHECK_FALSE(last.valid);
                                    continue;
                                }
                                REQUIRE(last.valid);
                                ++cases;
                                CHECK(last.count == n);
                                CHECK(last.count == r.out);
                                const int64_t eff = d * (k - 1) + 1;
                                const int64_t padded = in + pb + pe;
                                // Slide the windows one by one, marking what each covers and reads.
                                const int64_t end = (n - 1) * s + eff;
                                std::vector<int> covered(static_cast<size_t>(std::max(end, padded)), 0);
                                std::vector<int> read(covered.size(), 0);
                                int64_t wrong = 0;  // counted, so that 20 000 cases make few assertions
                                for (int64_t w = 0; w < n; ++w) {
                                    const auto f = window_animation_frame(p, w);
                                    wrong += f.window.begin != w * s || f.window.end != w * s + eff || f.produced != w + 1;
                                    REQUIRE(f.taps.size() == static_cast<size_t>(k));
                                    for (int64_t j = 0; j < k; ++j) wrong += f.taps[static_cast<size_t>(j)] != w * s + j * d;
                                    for (int64_t c = w * s; c < w * s + eff; ++c) covered[static_cast<size_t>(c)] = 1;
                                    for (int64_t j = 0; j < k; ++j) read[static_cast<size_t>(w * s + j * d)] = 1;
                                    // After window w: exactly what windows 0 … w covered and read.
                                    for (int64_t c = 0; c < static_cast<int64_t>(covered.size()); ++c) {
                                        wrong += cell_reached(r, w + 1, c) != (covered[static_cast<size_t>(c)] == 1);
                                        wrong += cell_read(r, w + 1, c) != (read[static_cast<size_t>(c)] == 1);
                                    }
                                }
                                CHECK_MESSAGE(wrong == 0, "in " << in << " F " << k << " S " << s << " d " << d << " P " << pb
                                                                << "+" << pe
                                                                << (rounding == Rounding::Ceil ? " ceil" : " floor"));
                                int64_t never = 0, trailing = 0;
                                for (int64_t c = 0; c < padded; ++c) never += covered[static_cast<size_t>(c)] == 0;
                                for (int64_t c = padded - 1; c >= 0 && covered[static_cast<size_t>(c)] == 0; --c) ++trailing;
                                CHECK(last.uncovered == never);
                                CHECK(last.tail_uncovered.size() == trailing);
                                CHECK(last.tail_uncovered.size() == r.uncovered_input + r.uncovered_pad);
                                CHECK(last.overhang.size() == r.overhang);
                                CHECK(last.extent == std::max(end, padded));
                                CHECK(last.window_overhangs == (r.overhang > 0));
                            }
    CHECK(cases > 5000);
}

}  // TEST_SUITE
