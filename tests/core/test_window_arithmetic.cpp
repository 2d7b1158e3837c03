// One dimension of a sliding window, checked against cases worked out by hand.
#include <doctest/doctest.h>

#include "support.h"

#include "core/window_arithmetic.h"

using namespace convscope;
using convscope::test::wp;

TEST_CASE("AlexNet conv1 at 227 divides exactly into 55") {
    const auto r = compute_window(wp(227, 11, 4, 0, 0));
    CHECK(r.valid);
    CHECK(r.exact);
    CHECK(r.out == 55);
    CHECK(r.eff_kernel == 11);
    CHECK(r.uncovered_input == 0);
    CHECK(window_formula(r) == "(227 − 11 + 2·0)/4 + 1 = 55");
}

TEST_CASE("AlexNet conv1 at 224 is 54.25: floor gives 54 and drops the last pixel") {
    const auto r = compute_window(wp(224, 11, 4, 0, 0));
    CHECK(r.valid);
    CHECK_FALSE(r.exact);
    CHECK(r.out == 54);
    CHECK(r.remainder == 1);          // 213 = 4·53 + 1
    CHECK(r.uncovered_input == 1);    // last window ends at 53·4 + 11 = 223
    CHECK(window_formula(r) == "(224 − 11 + 2·0)/4 + 1 = 54.25 → 54 (floor)");
    CHECK(rounding_consequence(r, WindowUnit::Both) == "the last 1 column and row are never covered");
}

TEST_CASE("ceil rounding of AlexNet conv1 at 224 gives 55 and overhangs by 3") {
    const auto r = compute_window(wp(224, 11, 4, 0, 0, 1, Rounding::Ceil));
    CHECK(r.out == 55);
    CHECK(r.overhang == 3);  // 54·4 + 11 = 227 = 224 + 3
    CHECK(window_formula(r) == "(224 − 11 + 2·0)/4 + 1 = 54.25 → 55 (ceil)");
}

TEST_CASE("torchvision conv1: padding 2 leaves only padding unused") {
    const auto r = compute_window(wp(224, 11, 4, 2, 2));
    CHECK(r.out == 55);  // (228 − 11)/4 + 1 = 55.25
    CHECK_FALSE(r.exact);
    CHECK(r.uncovered_input == 0);
    CHECK(r.uncovered_pad == 1);
    CHECK(rounding_consequence(r, WindowUnit::Column) == "the last 1 padded column is never used");
}

TEST_CASE("overlapping 3/2 pooling: floor and ceil on 54") {
    const auto f = compute_window(wp(54, 3, 2, 0, 0));
    CHECK(f.out == 26);
    CHECK(f.uncovered_input == 1);
    const auto c = compute_window(wp(54, 3, 2, 0, 0, 1, Rounding::Ceil));
    CHECK(c.out == 27);
    CHECK(c.overhang == 1);
    CHECK_FALSE(c.dropped_last);
    CHECK(window_formula(c) == "(54 − 3 + 2·0)/2 + 1 = 26.5 → 27 (ceil)");
    CHECK(rounding_consequence(c, WindowUnit::Both) == "the last window hangs 1 column and row past the input");
}

TEST_CASE("ceil rounding never starts a window inside the end padding") {
    // PyTorch MaxPool2d(2, stride=2, padding=1, ceil_mode=True) on 5: ⌈5/2⌉ + 1 = 4 windows, but the
    // fourth would start at 6 ≥ 5 + 1, inside the bottom padding, so it is dropped.
    const auto r = compute_window(wp(5, 2, 2, 1, 1, 1, Rounding::Ceil));
    CHECK(r.out == 3);
    CHECK(r.dropped_last);
    CHECK(count_window_positions(r.p) == 3);
    // MaxPool2d(3, 2, padding=1, ceil_mode=True) on 6: ⌈5/2⌉ + 1 = 4, last start 6 < 7, kept.
    const auto k = compute_window(wp(6, 3, 2, 1, 1, 1, Rounding::Ceil));
    CHECK(k.out == 4);
    CHECK_FALSE(k.dropped_last);
}

TEST_CASE("dilation widens the window to d·(F − 1) + 1") {
    const auto same = compute_window(wp(13, 3, 1, 2, 2, 2));
    CHECK(same.eff_kernel == 5);
    CHECK(same.out == 13);  // (13 − 5 + 4)/1 + 1
    const auto r = compute_window(wp(10, 3, 2, 0, 0, 3));
    CHECK(r.eff_kernel == 7);
    CHECK(r.out == 2);  // (10 − 7)/2 + 1 = 2.5 → 2
    CHECK(r.uncovered_input == 1);
    CHECK(window_formula(r) == "(10 − 7 + 2·0)/2 + 1 = 2.5 → 2 (floor)");
}

TEST_CASE("asymmetric padding is written out in the formula") {
    const auto r = compute_window(wp(7, 3, 2, 1, 0));
    CHECK(r.out == 3);  // (7 + 1 − 3)/2 + 1 = 3.5 → 3
    CHECK(window_formula(r) == "(7 − 3 + 1 + 0)/2 + 1 = 3.5 → 3 (floor)");
}

TEST_CASE("a quotient that does not end is shown with an ellipsis") {
    CHECK(exact_quotient_text(7, 3) == "3.33…");
    CHECK(exact_quotient_text(1, 4) == "1.25");
    CHECK(exact_quotient_text(8, 4) == "3");
    // Negative spans (a window that does not fit): −6/4 + 1 = −0.5, −1/2 + 1 = 0.5, −9/4 + 1 = −1.25.
    CHECK(exact_quotient_text(-6, 4) == "-0.5");
    CHECK(exact_quotient_text(-1, 2) == "0.5");
    CHECK(exact_quotient_text(-9, 4) == "-1.25");
    CHECK(window_formula(compute_window(wp(5, 11, 4, 0, 0))) == "(5 − 11 + 2·0)/4 + 1 = −0.5: the window does not fit");
    const auto r = compute_window(wp(10, 3, 3, 0, 0));
    CHECK(window_formula(r) == "(10 − 3 + 2·0)/3 + 1 = 3.33… → 3 (floor)");
}

TEST_CASE("windows that do not fit and out-of-range hyperparameters are invalid") {
    CHECK_FALSE(compute_window(wp(5, 7, 1, 0, 0)).valid);
    CHECK(compute_window(wp(5, 7, 1, 1, 1)).valid);  // 7 fits in 5 + 2
    CHECK_FALSE(compute_window(wp(5, 3, 0, 0, 0)).valid);
    CHECK_FALSE(compute_window(wp(5, 0, 1, 0, 0)).valid);
    CHECK_FALSE(compute_window(wp(5, 3, 1, -1, 0)).valid);
    CHECK_FALSE(compute_window(wp(0, 1, 1, 0, 0)).valid);
    CHECK(count_window_positions(wp(5, 7, 1, 0, 0)) == 0);
    CHECK(window_formula(compute_window(wp(5, 7, 1, 0, 0))) == "(5 − 7 + 2·0)/1 + 1 = −1: the window does not fit");
}

TEST_CASE("the brute-force count agrees with the formula on a grid of small cases") {
    int checked = 0;
    for (int in = 1; in <= 20; ++in)
        for (int k = 1; k <= 6; ++k)
            for (int s = 1; s <= 4; ++s)
                for (int pb = 0; pb <= 2; ++pb)
                    for (int pe = 0; pe <= 2; ++pe)
                        for (int d = 1; d <= 2; ++d)
                            for (auto rounding : {Rounding::Floor, Rounding::Ceil}) {
                                const auto p = wp(in, k, s, pb, pe, d, rounding);
                                const auto r = compute_window(p);
                                const int64_t n = count_window_positions(p);
                                CHECK(r.out == (r.valid ? n : r.out));
                                CHECK(r.valid == (n > 0));
                                ++checked;
                            }
    CHECK(checked == 20 * 6 * 4 * 3 * 3 * 2 * 2);
}

TEST_CASE("ceil rounding with enormous end padding is answered in one step") {
    // Only windows starting inside the input or its begin padding count: here just one.
    const auto r = compute_window(wp(1, 1, 1, 0, 2'000'000'000, 1, Rounding::Ceil));
    CHECK(r.out == 1);
    CHECK(r.dropped_last);
}
