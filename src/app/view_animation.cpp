// "Convolution, animated": the selected conv or pool stage's window sliding over the padded input,
// along a row (the width) and along a column (the height), one output position per step. Each
// dimension is a strip of cells (padding, input, what the windows have passed over, what no window
// ever reaches, what ceil's last window hangs past the edge) with the current window and its taps on
// it, a close-up with cell numbers when the strip is too fine to read, and under it the output
// positions lighting up as they are produced. Play, pause, step and speed drive App::animation;
// the frame itself is worked out from the current analysis each time (core/window_animation.h).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "app/view_common.h"
#include "app/views.h"
#include "core/i18n.h"
#include "core/window_animation.h"

namespace convscope::app {

namespace {

// ---- colours -------------------------------------------------------------------------------------

const ImU32 kPad = IM_COL32(72, 72, 84, 255);
const ImU32 kPadSwept = IM_COL32(125, 125, 142, 255);
const ImU32 kInput = IM_COL32(36, 66, 112, 255);
const ImU32 kInputSwept = IM_COL32(72, 132, 212, 255);
const ImU32 kNever = IM_COL32(222, 62, 62, 255);
const ImU32 kPastEdge = IM_COL32(240, 150, 40, 255);
const ImU32 kTap = IM_COL32(255, 222, 80, 255);
const ImU32 kWindow = IM_COL32(255, 255, 255, 255);
const ImU32 kOutputLater = IM_COL32(48, 50, 58, 255);
const ImU32 kOutputDone = IM_COL32(52, 150, 84, 255);
const ImU32 kOutputNow = IM_COL32(130, 240, 150, 255);
const ImU32 kGridLine = IM_COL32(20, 20, 24, 255);
const ImU32 kLabel = IM_COL32(200, 200, 205, 255);

ImVec4 to_vec(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

// What one cell looks like at this frame: 0 means the cell lies past the padded edge and is drawn as
// an outline only.
ImU32 cell_colour(const WindowAnimationFrame& f, int64_t cell) {
    const bool swept = cell_reached(f.r, f.produced, cell);
    if (cell >= f.padded) return swept ? kPastEdge : 0;
    if (!cell_reached(f.r, f.count, cell)) return kNever;
    const bool input = f.input.contains(cell);
    return input ? (swept ? kInputSwept : kInput) : (swept ? kPadSwept : kPad);
}

std::string n(int64_t v) { return std::to_string(v); }

// ---- the strips ----------------------------------------------------------------------------------

// A run of cells [first, first + count) drawn over [x0, x0 + w): where cell c begins.
struct CellAxis {
    float x0 = 0, w = 0;
    int64_t first = 0, count = 1;
    float x(int64_t c) const { return x0 + w * static_cast<float>(c - first) / static_cast<float>(count); }
    float cell_w() const { return w / static_cast<float>(count); }
};

void text_at(ImDrawList* dl, ImVec2 at, ImU32 colour, const std::string& s) {
    const std::string t = ui_text(s);
    dl->AddText(at, colour, t.c_str(), t.c_str() + t.size());
}

void text_centred(ImDrawList* dl, float cx, float y, ImU32 colour, const std::string& s) {
    const std::string t = ui_text(s);
    const float tw = ImGui::CalcTextSize(t.c_str(), t.c_str() + t.size()).x;
    dl->AddText({cx - tw / 2, y}, colour, t.c_str(), t.c_str() + t.size());
}

// The cells of `ax` as coloured boxes, at [y0, y1). Wide cells get a dark seam between them; narrow
// ones merge into bars of one colour, one rectangle per run, and when there are more cells than
// pixels each pixel column shows the cell at its left edge (the ranges that matter most, the
// uncovered tail and the overhang, are drawn again on top so that they never vanish).
void draw_cells(ImDrawList* dl, const WindowAnimationFrame& f, const CellAxis& ax, float y0, float y1) {
    const float cw = ax.cell_w();
    const bool seams = cw >= 3;
    const int64_t columns = std::min<int64_t>(ax.count, std::max<int64_t>(1, static_cast<int64_t>(ax.w)));
    auto column_cell = [&](int64_t i) { return ax.first + i * ax.count / columns; };
    int64_t run_start = 0;
    ImU32 run_colour = cell_colour(f, column_cell(0));
    auto flush = [&](int64_t end) {
        const float xa = ax.x(column_cell(run_start));
        const float xb = end >= columns ? ax.x0 + ax.w : ax.x(column_cell(end));
        if (run_colour != 0) {
            dl->AddRectFilled({xa, y0}, {xb, y1}, run_colour);
        } else {
            dl->AddRect({xa, y0}, {xb, y1}, kPastEdge, 0, 0, 1.5f);
        }
    };
    for (int64_t i = 1; i <= columns; ++i) {
        const ImU32 c = i < columns ? cell_colour(f, column_cell(i)) : 1;
        if (seams || i == columns || c != run_colour) {
            flush(i);
            run_start = i;
            run_colour = c;
        }
    }
    if (seams)
        for (int64_t c = ax.first + 1; c < ax.first + ax.count; ++c) dl->AddLine({ax.x(c), y0}, {ax.x(c), y1}, kGridLine);
    // The tail and the overhang at least 2 pixels wide, wherever they fall.
    auto at_least = [&](CellRange r, ImU32 colour, bool filled) {
        const int64_t a = std::max(r.begin, ax.first), b = std::min(r.end, ax.first + ax.count);
        if (a >= b) return;
        const float xa = ax.x(a), xb = std::max(ax.x(b), xa + 2);
        if (filled)
            dl->AddRectFilled({xa, y0}, {xb, y1}, colour);
        else
            dl->AddRect({xa, y0}, {xb, y1}, colour, 0, 0, 1.5f);
    };
    if (!seams) {
        at_least(f.tail_uncovered, kNever, true);
        at_least(f.overhang, kPastEdge, f.window_overhangs);
    }
}

// Window k on the strip: its taps filled, its extent outlined a little above and below the cells.
void draw_window(ImDrawList* dl, const WindowAnimationFrame& f, const CellAxis& ax, float y0, float y1) {
    const float cw = ax.cell_w();
    if (f.taps.size() <= 4096) {
        for (const int64_t t : f.taps) {
            if (t < ax.first || t >= ax.first + ax.count) continue;
            const float xa = ax.x(t), inset = cw >= 6 ? 1.5f : 0;
            // A tap past the padded edge reads nothing there: amber, not yellow.
            dl->AddRectFilled({xa + inset, y0 + inset}, {xa + std::max(cw, 1.5f) - inset, y1 - inset},
                              t >= f.padded ? kPastEdge : kTap);
        }
    } else {
        dl->AddRectFilled({ax.x(f.window.begin), y0}, {ax.x(f.window.end), y1}, kTap);
    }
    const float xa = ax.x(std::max(f.window.begin, ax.first));
    const float xb = ax.x(std::min(f.window.end, ax.first + ax.count));
    dl->AddRect({xa - 1, y0 - 3}, {std::max(xb, xa + 2) + 1, y1 + 3}, kWindow, 0, 0, 2.0f);
}

// Ceil rounding: the cells past the padded edge hatched, and the edge itself as a bright line.
void draw_past_edge(ImDrawList* dl, const WindowAnimationFrame& f, const CellAxis& ax, float y0, float y1) {
    const int64_t a = std::max(f.overhang.begin, ax.first), b = std::min(f.overhang.end, ax.first + ax.count);
    if (a >= b) return;
    const float xa = ax.x(a), xb = std::max(ax.x(b), xa + 2);
    dl->PushClipRect({xa, y0}, {xb, y1}, true);
    // Amber over the empty cells; dark over them once the last window fills them amber.
    const ImU32 hatch = f.window_overhangs ? IM_COL32(90, 45, 0, 220) : IM_COL32(255, 190, 90, 200);
    for (float x = xa - (y1 - y0); x < xb; x += 6) dl->AddLine({x, y1}, {x + (y1 - y0), y0}, hatch, 1.5f);
    dl->PopClipRect();
    if (f.padded >= ax.first) dl->AddLine({ax.x(f.padded), y0 - 6}, {ax.x(f.padded), y1 + 6}, kPastEdge, 2.5f);
}

// The cell numbers inside cells wide enough for them, else nothing.
void draw_numbers(ImDrawList* dl, const CellAxis& ax, float y0, float y1) {
    const float digits_w = ImGui::CalcTextSize(n(ax.first + ax.count).c_str()).x;
    if (ax.cell_w() < digits_w + 4) return;
    const float ty = (y0 + y1 - ImGui::GetTextLineHeight()) / 2;
    for (int64_t c = ax.first; c < ax.first + ax.count; ++c)
        text_centred(dl, ax.x(c) + ax.cell_w() / 2, ty, IM_COL32(255, 255, 255, 230), n(c));
}

// One dimension: its title, formula and window, the close-up, the strip and the output positions.
void draw_axis(const WindowResult& r, int64_t step, bool height) {
    const WindowAnimationFrame f = window_animation_frame(r, step);
    const WindowParams& p = r.p;
    const char* sym = height ? "H" : "W";
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.55f, 0.75f, 1.0f, 1.0f));
    show_text(height ? tr("Along a column: height {0} = {1}", sym, p.in) : tr("Along a row: width {0} = {1}", sym, p.in));
    ImGui::PopStyleColor();
    // The formula with its numbers, as the formula panel writes it.
    std::string formula = "N = (";
    formula += sym;
    formula += p.dilation > 1 ? " − F_eff" : " − F";
    formula += p.pad_begin == p.pad_end ? " + 2P)/S + 1 = " : " + P_begin + P_end)/S + 1 = ";
    formula += window_formula(r);
    show_wrapped(formula);
    if (p.dilation > 1) {
        std::string eff = "F_eff = d·(F − 1) + 1 = ";
        eff += n(p.dilation);
        eff += "·(" + n(p.kernel) + " − 1) + 1 = " + n(r.eff_kernel);
        show_text(eff);
    }
    if (!f.valid) {
        show_wrapped(status_text_colour(Severity::Error),
                     tr("the window ({0}) is wider than the padded input ({1}): it fits nowhere", r.eff_kernel,
                        r.padded));
        return;
    }
    // The running count, large, then where window k is.
    ImGui::PushStyleColor(ImGuiCol_Text, to_vec(kOutputNow));
    show_text(f.count_text);
    ImGui::PopStyleColor();
    ImGui::SameLine();
    std::string where = tr("k = {0}: the window starts at k·S = {0}·{1} = {2} and covers cells {2} … {3}", f.step,
                           p.stride, f.window.begin, f.window.end - 1);
    if (p.dilation > 1) {
        std::string list;
        const size_t shown = std::min<size_t>(f.taps.size(), 8);
        for (size_t i = 0; i < shown; ++i) {
            if (i > 0) list += ", ";
            list += n(f.taps[i]);
        }
        if (shown < f.taps.size()) list += ", …";
        where += "; ";
        where += tr("its {0} taps, {1} apart, read {2}", p.kernel, p.dilation, list);
    }
    ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
    show_wrapped(where);
    ImGui::PopStyleColor();

    // ---- geometry of the drawing
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float line = ImGui::GetTextLineHeight();
    const float w = std::max(120.0f, ImGui::GetContentRegionAvail().x - 8);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float x0 = o.x + 4;
    const CellAxis full{x0, w, 0, f.extent};
    // A close-up with numbered cells when the strip's cells are too narrow to carry their numbers.
    const float number_w = ImGui::CalcTextSize(n(f.extent).c_str()).x + 8;
    const int64_t close_cells = std::max<int64_t>(static_cast<int64_t>(w / std::max(number_w, 16.0f)), 4);
    const bool close_up = full.cell_w() < number_w && f.extent > close_cells;
    float y = o.y + 2;
    CellAxis zoom;
    float zoom_y0 = 0, zoom_y1 = 0;
    if (close_up) {
        // Centred on the window, kept inside the cells.
        const int64_t centre = (f.window.begin + f.window.end) / 2;
        const int64_t first = std::clamp<int64_t>(centre - close_cells / 2, 0, f.extent - close_cells);
        zoom = {x0, w, first, close_cells};
        zoom_y0 = y;
        zoom_y1 = y + line + 6;
        draw_cells(dl, f, zoom, zoom_y0, zoom_y1);
        draw_window(dl, f, zoom, zoom_y0, zoom_y1);
        draw_past_edge(dl, f, zoom, zoom_y0, zoom_y1);
        draw_numbers(dl, zoom, zoom_y0, zoom_y1);
        y = zoom_y1 + line * 0.9f;
    }
    const float strip_h = close_up ? line * 0.9f : line + 6;
    const float s0 = y, s1 = y + strip_h;
    if (close_up) {
        // The magnifier's sides: from the close-up down to the cells it shows.
        const ImU32 guide = IM_COL32(200, 200, 200, 90);
        dl->AddLine({zoom.x0, zoom_y1 + 3}, {full.x(zoom.first), s0 - 4}, guide);
        dl->AddLine({zoom.x0 + zoom.w, zoom_y1 + 3}, {full.x(zoom.first + zoom.count), s0 - 4}, guide);
        dl->AddRect({full.x(zoom.first) - 1, s0 - 4}, {full.x(zoom.first + zoom.count) + 1, s1 + 4}, guide);
    }
    draw_cells(dl, f, full, s0, s1);
    draw_window(dl, f, full, s0, s1);
    draw_past_edge(dl, f, full, s0, s1);
    if (!close_up) draw_numbers(dl, full, s0, s1);
    // Where the windows so far started: a tick under the strip each, while they are far enough apart.
    if (full.cell_w() * static_cast<float>(p.stride) >= 3)
        for (int64_t k = 0; k <= f.step; ++k) {
            const float tx = full.x(window_start(r, k));
            dl->AddLine({tx, s1 + 3}, {tx, s1 + 7}, kLabel);
        }
    // How many cells there are, under the strip on the side away from the window.
    const float label_y = s1 + 8;
    const std::string cells = p.pad_begin + p.pad_end > 0
                                  ? tr("padded input: {0} + {1} + {2} = {3} cells", p.pad_begin, p.in, p.pad_end,
                                       f.padded)
                                  : tr("input: {0} cells", p.in);
    const float cells_w = ImGui::CalcTextSize(ui_text(cells).c_str()).x;
    const bool window_right = full.x((f.window.begin + f.window.end) / 2) > x0 + w / 2;
    text_at(dl, {window_right ? x0 : x0 + w - cells_w, label_y}, kLabel, cells);
    // The output positions under it, joined to the window that produces the current one.
    const float out0 = label_y + line + line * 1.2f, out1 = out0 + line * 0.8f;
    const CellAxis out{x0, w, 0, f.count};
    if (out.cell_w() >= 3) {
        for (int64_t j = 0; j < f.count; ++j) {
            const ImU32 c = j == f.step ? kOutputNow : j < f.produced ? kOutputDone : kOutputLater;
            const float xa = out.x(j), xb = out.x(j + 1) - (out.cell_w() >= 4 ? 1 : 0);
            dl->AddRectFilled({xa, out0}, {xb, out1}, c);
        }
    } else {  // thin: the produced ones as one bar, the current one, the rest as another
        dl->AddRectFilled({out.x(0), out0}, {out.x(f.step), out1}, kOutputDone);
        dl->AddRectFilled({out.x(f.produced), out0}, {out.x(f.count), out1}, kOutputLater);
        dl->AddRectFilled({out.x(f.step), out0}, {std::max(out.x(f.produced), out.x(f.step) + 2), out1}, kOutputNow);
    }
    const float wa = full.x(f.window.begin), wb = full.x(f.window.end);
    const float oa = out.x(f.step), ob = std::max(out.x(f.step + 1), oa + 2);
    dl->AddQuadFilled({wa, s1 + 3}, {wb, s1 + 3}, {ob, out0 - 1}, {oa, out0 - 1}, IM_COL32(130, 240, 150, 60));
    dl->AddLine({wa, s1 + 3}, {oa, out0 - 1}, IM_COL32(130, 240, 150, 160));
    dl->AddLine({wb, s1 + 3}, {ob, out0 - 1}, IM_COL32(130, 240, 150, 160));
    ImGui::Dummy(ImVec2(w + 8, out1 + 4 - o.y));
    if (ImGui::IsItemHovered())
        hover_note(tr("The cells of the padded input, counted from 0 (the first {0} are padding), and under them "
                      "the {1} output positions: window k starts at k·S and produces output k.",
                      p.pad_begin, f.count));
    // What the rounding does, in words.
    const ImVec4 warning = status_text_colour(Severity::Warning);
    if (f.gap > 0)
        show_wrapped(warning, f.gap == 1
                                  ? tr("the stride is larger than the window: the cell after each window is skipped "
                                       "({0} in all, red)", f.count - 1)
                                  : tr("the stride is larger than the window: the {0} cells after each window are "
                                       "skipped ({1} in all, red)", f.gap, f.gap * (f.count - 1)));
    if (f.tail_uncovered.size() == 1)
        show_wrapped(warning, tr("not exact: floor drops the last cell ({0}), which no window reaches (red)",
                                 f.tail_uncovered.begin));
    else if (!f.tail_uncovered.empty())
        show_wrapped(warning, tr("not exact: floor drops the last {0} cells ({1} … {2}), which no window reaches (red)",
                                 f.tail_uncovered.size(), f.tail_uncovered.begin, f.tail_uncovered.end - 1));
    if (f.overhang.size() == 1)
        show_wrapped(warning, tr("ceil: the last window hangs 1 cell past the padded edge (amber)"));
    else if (!f.overhang.empty())
        show_wrapped(warning, tr("ceil: the last window hangs {0} cells past the padded edge (amber)", f.overhang.size()));
    if (f.uncovered == 0 && f.overhang.empty())
        show_wrapped(status_text_colour(Severity::Ok), tr("exact: the last window ends on the last cell"));
}

// ---- controls and legend -------------------------------------------------------------------------

void draw_controls(App& app, int64_t steps) {
    App::AnimationState& a = app.animation;
    ImGui::BeginDisabled(steps == 0);
    if (ImGui::Button("|<###anim-first")) {
        a.playing = false;
        app.set_animation_step(0);
    }
    hover_note(tr("First position"));
    ImGui::SameLine();
    if (ImGui::ArrowButton("anim-prev", ImGuiDir_Left)) {
        a.playing = false;
        app.set_animation_step(a.step - 1);
    }
    hover_note(tr("Previous position"));
    ImGui::SameLine();
    if (ImGui::Button((std::string(a.playing ? trc("Pause") : trc("Play")) + "###anim-play").c_str()))
        app.play_animation(!a.playing);
    ImGui::SameLine();
    if (ImGui::ArrowButton("anim-next", ImGuiDir_Right)) {
        a.playing = false;
        app.set_animation_step(a.step + 1);
    }
    hover_note(tr("Next position"));
    ImGui::SameLine();
    if (ImGui::Button(">|###anim-last")) {
        a.playing = false;
        app.set_animation_step(steps - 1);
    }
    hover_note(tr("Last position"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    float speed = static_cast<float>(a.speed);
    if (ImGui::SliderFloat((tr("positions/s") + "###anim-speed").c_str(), &speed,
                           static_cast<float>(App::kMinAnimationSpeed), static_cast<float>(App::kMaxAnimationSpeed),
                           "%.2g", ImGuiSliderFlags_Logarithmic))
        a.speed = speed;
    ImGui::SameLine();
    ImGui::Checkbox((tr("Loop") + "###anim-loop").c_str(), &a.loop);
    ImGui::EndDisabled();
}

void swatch(ImU32 colour, const char* label, bool outline = false) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float s = ImGui::GetTextLineHeight() * 0.8f;
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const ImVec2 a{o.x, o.y + (ImGui::GetTextLineHeight() - s) / 2}, b{a.x + s, a.y + s};
    if (outline)
        dl->AddRect(a, b, colour, 0, 0, 1.5f);
    else
        dl->AddRectFilled(a, b, colour);
    ImGui::Dummy(ImVec2(s + 3, ImGui::GetTextLineHeight()));
    ImGui::SameLine(0, 0);
    show_text(label);
    ImGui::SameLine(0, ImGui::GetFontSize());
}

void draw_legend() {
    swatch(kPad, trc("padding"));
    swatch(kInput, trc("input"));
    swatch(kInputSwept, trc("passed over"));
    swatch(kTap, trc("window taps"));
    swatch(kWindow, trc("current window"), true);
    swatch(kNever, trc("never reached"));
    swatch(kPastEdge, trc("past the edge (ceil)"), true);
    swatch(kOutputDone, trc("output computed"));
    ImGui::NewLine();
}

}  // namespace

void draw_animation(App& app) {
    if (!app.animation.open) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.14f, vp->WorkPos.y + vp->WorkSize.y * 0.12f),
                            ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x * 0.72f, vp->WorkSize.y * 0.66f), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowBgAlpha(1.0f);  // it opens over the feature maps
    if (ImGui::Begin((tr("Convolution, animated") + "###animation").c_str(), &app.animation.open)) {
        const Analysis& a = app.doc.analysis();
        const int sel = app.selected();
        const auto row = app.animation_axis(false), column = app.animation_axis(true);
        const int64_t steps = app.animation_steps();
        if (sel >= 0 && static_cast<size_t>(sel) < a.stages.size()) {
            const Stage& st = a.stages[static_cast<size_t>(sel)];
            ImGui::PushStyleColor(ImGuiCol_Text, status_text_colour(st.status));
            show_text(st.name + " (" + std::string(type_name(st.type)) + ")  " +
                      (st.input ? shape_text(*st.input) : "?") + " → " + (st.output ? shape_text(*st.output) : "?"));
            ImGui::PopStyleColor();
        }
        draw_controls(app, steps);
        if (sel < 0 || static_cast<size_t>(sel) >= a.stages.size() ||
            !is_spatial_window(a.stages[static_cast<size_t>(sel)].type)) {
            ImGui::Spacing();
            show_wrapped(tr("This stage has no sliding window: select a convolution or pooling stage."));
        } else if (!row || !column) {
            ImGui::Spacing();
            show_wrapped(status_text_colour(Severity::Error),
                         tr("The shape of this stage is not known: an earlier stage has an error."));
        } else {
            draw_legend();
            ImGui::Separator();
            draw_axis(*row, app.animation.step, false);
            ImGui::Spacing();
            ImGui::Separator();
            draw_axis(*column, app.animation.step, true);
        }
    }
    ImGui::End();
}

}  // namespace convscope::app
