// Sliding-window arithmetic for one spatial dimension: N = ⌊(W − F_eff + P_begin + P_end)/S⌋ + 1,
// with F_eff = d·(F − 1) + 1, ceil rounding on request, and the worked formula a student writes.
#pragma once

#include <cstdint>
#include <string>

namespace convscope {

enum class Rounding { Floor, Ceil };

struct WindowParams {
    int64_t in = 0;  // input size along this dimension
    int64_t kernel = 1;
    int64_t stride = 1;
    int64_t pad_begin = 0;  // top or left
    int64_t pad_end = 0;    // bottom or right
    int64_t dilation = 1;
    Rounding rounding = Rounding::Floor;

    bool operator==(const WindowParams&) const = default;
};

struct WindowResult {
    WindowParams p;
    bool valid = false;       // false: a hyperparameter is out of range or the window does not fit
    int64_t eff_kernel = 0;   // d·(F − 1) + 1
    int64_t padded = 0;       // W + P_begin + P_end
    int64_t span = 0;         // padded − F_eff, the distance the window travels
    int64_t remainder = 0;    // span mod S: 0 when the division is exact
    bool exact = false;
    int64_t out = 0;          // the output size (≥ 1 when valid)
    // Floor rounding: positions at the end never reached by any window.
    int64_t uncovered_input = 0;  // real input pixels
    int64_t uncovered_pad = 0;    // end padding
    // Ceil rounding: how far the last window reaches past the padded input.
    int64_t overhang = 0;
    // Ceil rounding: a last window was dropped because it would start inside the end padding.
    bool dropped_last = false;
};

WindowResult compute_window(const WindowParams& p);

// Windows counted one by one (the brute-force twin of compute_window, used as a test oracle).
int64_t count_window_positions(const WindowParams& p);

// "(227 − 11 + 2·0)/4 + 1 = 55", or for a non-integer case
// "(224 − 11 + 2·0)/4 + 1 = 54.25 → 54 (floor)". Uses U+2212 minus and U+00B7 middle dot; in the
// current language ("(224 − 11 + 2×0)/4 + 1 = 54.25 → 54（向下取整）" in Chinese).
std::string window_formula(const WindowResult& r);

// What one dimension counts, for the words that describe it: Both when height and width agree.
enum class WindowUnit { Column, Row, Both };

// What the rounding did, in words and in the current language, for one dimension: "the last 1 column
// is never covered" (or "column and row" for Both). Empty when exact.
std::string rounding_consequence(const WindowResult& r, WindowUnit unit);

// The unrounded (W − F_eff + P)/S + 1 as text: "54.25", "3.33…".
std::string exact_quotient_text(int64_t span, int64_t stride);

}  // namespace convscope
