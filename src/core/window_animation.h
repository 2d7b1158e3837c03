// The sliding window of one spatial dimension, frame by frame: what an animation of
// N = (W − F_eff + P_begin + P_end)/S + 1 shows at step k. The padded input as cells (padding before,
// the input, padding after), where window k starts and which cells its F taps read (d apart), how many
// output positions exist so far (k + 1 of N), the cells no window ever reaches (between windows when
// S > F_eff, and at the end when floor drops them), and with ceil rounding the last window's cells
// past the padded edge. The numbers all come from compute_window (window_arithmetic.h); this only
// lays them out along the cells. Pure: no drawing, no state.
//
// Cells are counted over the padded input from 0: the first pad_begin cells are padding, window k
// covers [k·S, k·S + F_eff).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/window_arithmetic.h"

namespace convscope {

// The half-open run of cells [begin, end).
struct CellRange {
    int64_t begin = 0, end = 0;
    int64_t size() const { return end > begin ? end - begin : 0; }
    bool empty() const { return end <= begin; }
    bool contains(int64_t cell) const { return cell >= begin && cell < end; }
};

struct WindowAnimationFrame {
    WindowResult r;       // the arithmetic of this dimension
    bool valid = false;   // false: no window fits (or a parameter is out of range); the rest is empty
    int64_t count = 0;    // N: output positions along this dimension
    int64_t step = 0;     // k, clamped to [0, N − 1]
    int64_t produced = 0; // k + 1: output positions computed once window k has been
    // The cells: padding, the input, padding; `padded` of them, and `extent` to draw (the padded input
    // plus the cells the last window hangs past it with ceil rounding).
    int64_t padded = 0, extent = 0;
    CellRange pad_before, input, pad_after;
    // Window k and the cells it reads: F taps from its start, d apart.
    CellRange window;
    std::vector<int64_t> taps;
    bool window_overhangs = false;  // window k is the last one and reaches past the padded edge
    CellRange swept;                // [0, end of window k): what the windows so far passed over
    // Cells never reached by any window: `gap` cells after each window but the last when S > F_eff,
    // and the tail that floor drops. `uncovered` counts them all (in the padded input).
    int64_t gap = 0;
    CellRange tail_uncovered;
    int64_t uncovered = 0;
    // Ceil rounding: the last window's cells past the padded edge (empty otherwise).
    CellRange overhang;
    std::string count_text;  // "position 12 of 55", in the interface's language
};

// The frame at step k (clamped into [0, N − 1]).
WindowAnimationFrame window_animation_frame(const WindowResult& r, int64_t step);
WindowAnimationFrame window_animation_frame(const WindowParams& p, int64_t step);

// Whether one of windows 0 … windows − 1 covers `cell` (between its start and its end, taps or not).
// O(1): the latest window starting at or before the cell is the only one that can reach furthest.
bool cell_reached(const WindowResult& r, int64_t windows, int64_t cell);

// Whether one of windows 0 … windows − 1 reads `cell` through a tap. With dilation a window skips
// the cells between its taps; with S a multiple of d some cells are never read at all.
bool cell_read(const WindowResult& r, int64_t windows, int64_t cell);

// The start of window k: k·S.
inline int64_t window_start(const WindowResult& r, int64_t k) { return k * r.p.stride; }

}  // namespace convscope
