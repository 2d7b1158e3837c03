#include "core/window_animation.h"

#include <algorithm>
#include <numeric>

#include "core/i18n.h"

namespace convscope {

namespace {

// x with a·x ≡ 1 (mod m), for gcd(a, m) = 1 and m ≥ 1 (extended Euclid).
int64_t inverse_mod(int64_t a, int64_t m) {
    if (m == 1) return 0;
    int64_t old_r = a % m, r = m, old_s = 1, s = 0;
    while (r != 0) {
        const int64_t q = old_r / r;
        old_r -= q * r;
        std::swap(old_r, r);
        old_s -= q * s;
        std::swap(old_s, s);
    }
    return ((old_s % m) + m) % m;
}

// The windows that cover `cell`: k in [lo, hi] (empty when lo > hi), among the first `windows`
// (and the N that exist).
void covering_windows(const WindowResult& r, int64_t windows, int64_t cell, int64_t& lo, int64_t& hi) {
    lo = 1, hi = 0;
    if (!r.valid || windows < 1 || cell < 0) return;
    const int64_t s = r.p.stride;
    hi = std::min({cell / s, windows - 1, r.out - 1});
    // The first k with k·S + F_eff > cell: k > (cell − F_eff)/S.
    const int64_t behind = cell - r.eff_kernel;  // may be negative
    lo = behind < 0 ? 0 : behind / s + 1;
}

}  // namespace

bool cell_reached(const WindowResult& r, int64_t windows, int64_t cell) {
    int64_t lo = 0, hi = 0;
    covering_windows(r, windows, cell, lo, hi);
    return lo <= hi;
}

bool cell_read(const WindowResult& r, int64_t windows, int64_t cell) {
    int64_t lo = 0, hi = 0;
    covering_windows(r, windows, cell, lo, hi);
    if (lo > hi) return false;
    const int64_t d = r.p.dilation;
    if (d == 1) return true;
    // A tap of window k sits on the cell when cell − k·S is a multiple of d: k·S ≡ cell (mod d).
    // Solved for k instead of trying every covering window, which for a wide kernel and stride 1 would
    // be F_eff tries per cell.
    const int64_t s = r.p.stride % d;
    const int64_t g = std::gcd(s == 0 ? d : s, d);
    if (cell % g != 0) return false;
    const int64_t m = d / g;                                       // k is fixed modulo m
    const int64_t k0 = ((cell / g) % m) * inverse_mod((s / g) % m, m) % m;  // the smallest such k ≥ 0
    const int64_t first = lo + ((k0 - lo % m) % m + m) % m;       // the smallest such k ≥ lo
    return first <= hi;
}

WindowAnimationFrame window_animation_frame(const WindowResult& r, int64_t step) {
    WindowAnimationFrame f;
    f.r = r;
    if (!r.valid || r.out < 1) {
        f.count_text = tr("no window fits");
        return f;
    }
    const WindowParams& p = r.p;
    f.valid = true;
    f.count = r.out;
    f.step = std::clamp<int64_t>(step, 0, r.out - 1);
    f.produced = f.step + 1;
    f.padded = r.padded;
    f.pad_before = {0, p.pad_begin};
    f.input = {p.pad_begin, p.pad_begin + p.in};
    f.pad_after = {p.pad_begin + p.in, r.padded};
    const int64_t start = window_start(r, f.step);
    f.window = {start, start + r.eff_kernel};
    f.taps.reserve(static_cast<size_t>(p.kernel));
    for (int64_t j = 0; j < p.kernel; ++j) f.taps.push_back(start + j * p.dilation);
    f.swept = {0, f.window.end};
    // Where the last window ends; past the padded input only with ceil rounding.
    const int64_t reached = window_start(r, r.out - 1) + r.eff_kernel;
    f.extent = std::max(r.padded, reached);
    f.window_overhangs = f.window.end > r.padded;
    if (reached > r.padded) f.overhang = {r.padded, reached};
    if (reached < r.padded) f.tail_uncovered = {reached, r.padded};
    f.gap = std::max<int64_t>(0, p.stride - r.eff_kernel);
    f.uncovered = f.gap * (r.out - 1) + f.tail_uncovered.size();
    f.count_text = tr("position {0} of {1}", f.produced, f.count);
    return f;
}

WindowAnimationFrame window_animation_frame(const WindowParams& p, int64_t step) {
    return window_animation_frame(compute_window(p), step);
}

}  // namespace convscope
