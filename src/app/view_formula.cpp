// The worked formula of the selected stage. For a convolution or sliding pool: N = (W − F + 2P)/S + 1
// per spatial dimension with the live numbers substituted step by step, the exact quotient when it
// is not whole, the rounding and what it costs (drawn as a bar of the padded input and the part the
// windows reach), the nearest sizes that would divide exactly, and the growth of the receptive
// field. For every other layer, what it does to the shape. Then parameters, MACs and memory with
// their numbers, and the stage's diagnostics in words.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/view_common.h"
#include "app/views.h"
#include "core/i18n.h"
#include "core/text.h"

namespace convscope::app {

namespace {

std::string num(int64_t v) { return std::to_string(v); }

void heading(std::string_view text) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.55f, 0.75f, 1.0f, 1.0f));
    show_text(text);
    ImGui::PopStyleColor();
}

void dim_line(std::string_view text) {
    ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
    show_wrapped(text);
    ImGui::PopStyleColor();
}

// ---- one spatial dimension -------------------------------------------------------------------------

// The padded input as a bar: padding grey, the input blue, the stretch no window reaches red, and
// with ceil rounding the last window's overhang outlined in amber. Ticks mark where windows start.
void draw_coverage(const WindowResult& r) {
    if (!r.valid || r.padded <= 0) return;
    const WindowParams& p = r.p;
    const int64_t reached = (r.out - 1) * p.stride + r.eff_kernel;
    const int64_t total = std::max(r.padded, reached);
    const float w = std::max(60.0f, ImGui::GetContentRegionAvail().x - 4);
    const float h = ImGui::GetTextLineHeight() * 0.8f;
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    auto x = [&](int64_t v) { return o.x + w * static_cast<float>(v) / static_cast<float>(total); };
    const float y0 = o.y + 3, y1 = y0 + h;
    const ImU32 pad = IM_COL32(95, 95, 105, 255), input = IM_COL32(55, 110, 190, 255);
    dl->AddRectFilled({x(0), y0}, {x(p.pad_begin), y1}, pad);
    dl->AddRectFilled({x(p.pad_begin), y0}, {x(p.pad_begin + p.in), y1}, input);
    dl->AddRectFilled({x(p.pad_begin + p.in), y0}, {x(r.padded), y1}, pad);
    if (reached < r.padded) dl->AddRectFilled({x(reached), y0}, {x(r.padded), y1}, IM_COL32(220, 60, 60, 230));
    if (reached > r.padded) dl->AddRect({x(r.padded), y0}, {x(reached), y1}, IM_COL32(255, 190, 60, 255), 0, 0, 2);
    // The first and last windows as brackets above the bar, the starts as ticks below it.
    const ImU32 bracket = IM_COL32(235, 235, 235, 255);
    dl->AddLine({x(0), y0 - 2}, {x(r.eff_kernel), y0 - 2}, bracket, 2);
    const int64_t last = (r.out - 1) * p.stride;
    dl->AddLine({x(last), y0 - 2}, {x(last + r.eff_kernel), y0 - 2}, bracket, 2);
    if (r.out <= 256)
        for (int64_t k = 0; k < r.out; ++k) dl->AddLine({x(k * p.stride), y1}, {x(k * p.stride), y1 + 3}, bracket);
    ImGui::Dummy(ImVec2(w, h + 8));
    hover_note(tr("The padded input, {0} pixels: padding grey, input blue. The white bars above are the first and "
                  "the last window ({1} wide); the ticks below are where the {2} windows start, {3} apart. Red: never "
                  "reached by any window. Amber outline: where the last window hangs past the edge.",
                  r.padded, r.eff_kernel, r.out, p.stride));
}

// The formula for one dimension: the symbols, then the numbers, step by step. `unit` is what the
// dimension counts, handed on to rounding_consequence.
void draw_dimension(const WindowResult& r, std::string_view title, WindowUnit unit) {
    const WindowParams& p = r.p;
    heading(title);
    const bool dilated = p.dilation > 1;
    const bool symmetric = p.pad_begin == p.pad_end;
    std::string legend = "W = " + num(p.in) + "   F = " + num(p.kernel) + "   " +
                         (symmetric ? "P = " + num(p.pad_begin) : "P = " + num(p.pad_begin) + " + " + num(p.pad_end)) +
                         "   S = " + num(p.stride);
    if (dilated) legend += "   d = " + num(p.dilation);
    dim_line(legend);
    if (dilated)
        show_text("F_eff = d·(F − 1) + 1 = " + num(p.dilation) + "·(" + num(p.kernel) + " − 1) + 1 = " +
                  num(r.eff_kernel));
    const std::string f = dilated ? "F_eff" : "F";
    show_text(symmetric ? "N = (W − " + f + " + 2P)/S + 1" : "N = (W − " + f + " + P_begin + P_end)/S + 1");
    const std::string pads = symmetric ? "2·" + num(p.pad_begin) : num(p.pad_begin) + " + " + num(p.pad_end);
    const int64_t eff = p.dilation * (p.kernel - 1) + 1;
    const int64_t span = p.in + p.pad_begin + p.pad_end - eff;
    show_text("  = (" + num(p.in) + " − " + num(eff) + " + " + pads + ")/" + num(p.stride) + " + 1");
    if (p.stride < 1) {
        show_wrapped(status_text_colour(Severity::Error), tr("a stride of {0} never moves the window", p.stride));
        return;
    }
    if (span < 0) {
        show_text("  = " + num(span) + "/" + num(p.stride) + " + 1");
        show_wrapped(status_text_colour(Severity::Error),
                     tr("the window ({0}) is wider than the padded input ({1}): it fits nowhere, so there is no "
                        "output", eff, span + eff));
        return;
    }
    const std::string quotient = exact_quotient_text(span, p.stride);
    if (r.exact) {
        show_text("  = " + num(span) + "/" + num(p.stride) + " + 1");
        ImGui::PushStyleColor(ImGuiCol_Text, status_text_colour(Severity::Ok));
        std::string line = "  = ";
        line += num(r.out);
        line += "   ";
        line += tr("exact");
        show_text(line);
        ImGui::PopStyleColor();
    } else {
        show_text("  = " + num(span) + "/" + num(p.stride) + " + 1 = " + quotient);
        const bool floor = p.rounding == Rounding::Floor;
        ImGui::PushStyleColor(ImGuiCol_Text, status_text_colour(Severity::Warning));
        std::string line = "  → ";
        line += num(r.out);
        line += " ";
        line += floor ? tr("(floor: rounded down)") : tr("(ceil: rounded up)");
        show_text(line);
        ImGui::PopStyleColor();
        dim_line(tr("{0} = {1}·{2} + {3}: the windows leave a remainder of {3}", span, p.stride, span / p.stride,
                    r.remainder));
        const std::string why = rounding_consequence(r, unit);
        if (!why.empty()) show_wrapped(status_text_colour(Severity::Warning), why);
        // The nearest sizes at which this layer alone divides exactly.
        const int64_t down = p.in - r.remainder, up = p.in + (p.stride - r.remainder);
        const char* symbol = unit == WindowUnit::Row ? "H" : "W";
        dim_line(down + p.pad_begin + p.pad_end >= eff && down >= 1
                     ? tr("exact for this layer at {0} = {1} or {2}", symbol, down, up)
                     : tr("exact for this layer at {0} = {1}", symbol, up));
    }
    draw_coverage(r);
}

void draw_window_layer(const Stage& st) {
    if (!st.dim_h || !st.dim_w) {
        heading(tr("Output size"));
        show_text("N = (W − F + 2P)/S + 1");
        dim_line(tr("cannot be worked out: see the diagnostics below"));
        return;
    }
    const WindowResult& h = *st.dim_h;
    const WindowResult& w = *st.dim_w;
    if (h.p == w.p) {
        draw_dimension(h, tr("Height and width (the same numbers)"), WindowUnit::Both);
    } else {
        draw_dimension(h, tr("Height"), WindowUnit::Row);
        draw_dimension(w, tr("Width"), WindowUnit::Column);
    }
}

// ---- other layers ----------------------------------------------------------------------------------

void draw_other_layer(const Stage& st, const Layer& l) {
    const std::string in = st.input ? shape_text(*st.input) : "?";
    const std::string out = st.output ? shape_text(*st.output) : "?";
    heading(tr("What it does to the shape"));
    switch (l.type) {
        case LayerType::Relu:
            show_wrapped(tr("max(0, x) for every value: negative values become 0. The shape stays {0}; computed in "
                            "place, so it needs no new memory.", in));
            break;
        case LayerType::Dropout:
            show_wrapped(tr("While training it zeroes a random {0}% of the values; at inference it passes everything "
                            "through. The shape stays {1}.", short_number(100 * l.ratio), in));
            break;
        case LayerType::Softmax:
            show_wrapped(tr("Turns the scores into probabilities: e^x divided by the sum of all e^x, so they are "
                            "positive and add up to 1. The shape stays {0}.", in));
            break;
        case LayerType::Lrn: {
            const char* a = l.alpha_over_size ? "alpha/n" : "alpha";
            show_wrapped(tr("Local response normalisation: each value is divided by (k + {0}·Σ a²)^beta, the sum "
                            "running over n = {1} neighbouring channels. The shape stays {2}.", a, l.lrn_size, in));
            const std::string k = short_number(l.k), alpha = short_number(l.alpha), beta = short_number(l.beta);
            dim_line(l.alpha_over_size ? tr("k = {0}, alpha = {1} (divided by n), beta = {2}", k, alpha, beta)
                                       : tr("k = {0}, alpha = {1} (as is), beta = {2}", k, alpha, beta));
            break;
        }
        case LayerType::Flatten:
            show_wrapped(tr("Lays the maps out as one vector; nothing is computed."));
            if (st.input)
                show_text("C·H·W = " + num(st.input->c) + "·" + num(st.input->h) + "·" + num(st.input->w) + " = " +
                          group_digits(st.input->count()));
            break;
        case LayerType::Fc:
            show_wrapped(tr("Fully connected: every output is a weighted sum of all the inputs, whatever their "
                            "layout, so the maps are read as one vector."));
            if (st.input) {
                const Shape3& s = *st.input;
                show_text("in = C·H·W = " + num(s.c) + "·" + num(s.h) + "·" + num(s.w) + " = " +
                          group_digits(s.count()) + " → " + group_digits(l.out));
                if (l.in_features > 0) {
                    const bool fits = l.in_features == s.count();
                    show_wrapped(status_text_colour(fits ? Severity::Ok : Severity::Error),
                                 fits ? tr("its weights expect {0} inputs: they fit", group_digits(l.in_features))
                                      : tr("its weights expect {0} inputs, but {1} arrive", group_digits(l.in_features),
                                           group_digits(s.count())));
                }
            }
            break;
        case LayerType::AdaptiveAvgPool:
            show_wrapped(tr("Averages over windows chosen so that the output is always {0}, whatever the input size: "
                            "torchvision puts one before the classifier so any input size reaches fc6 with the same "
                            "number of features.", dims_text(l.output_size.h, l.output_size.w)));
            if (!st.formula.empty()) show_text(st.formula);
            break;
        default: break;
    }
    if (st.input && st.output) show_text(in + " → " + out);
}

// ---- what every stage costs ------------------------------------------------------------------------

void draw_costs(const Stage& st, const Layer& l) {
    if (!st.output) return;
    heading(tr("Parameters, work and memory"));
    if (l.type == LayerType::Conv && st.input && st.dim_h && st.dim_w && l.groups > 0) {
        const int64_t per = st.input->c / l.groups;
        show_wrapped(tr("params") + " = out·(C_in/groups)·F_h·F_w" + std::string(l.bias ? " + out" : "") + " = " + num(l.out) +
                     "·" + num(per) + "·" + num(l.kernel.h) + "·" + num(l.kernel.w) +
                     (l.bias ? " + " + num(l.out) : std::string()) + " = " + group_digits(st.params));
        show_wrapped("MACs = out·N_h·N_w·(C_in/groups)·F_h·F_w = " + num(l.out) + "·" + num(st.output->h) + "·" +
                     num(st.output->w) + "·" + num(per) + "·" + num(l.kernel.h) + "·" + num(l.kernel.w) + " = " +
                     group_digits(st.macs));
    } else if (l.type == LayerType::Fc && st.input) {
        const int64_t in = st.input->count();
        show_wrapped(tr("params") + " = in·out" + std::string(l.bias ? " + out" : "") + " = " + group_digits(in) + "·" +
                     group_digits(l.out) + (l.bias ? " + " + group_digits(l.out) : std::string()) + " = " +
                     group_digits(st.params));
        show_wrapped("MACs = in·out = " + group_digits(st.macs));
    } else {
        dim_line(tr("no parameters"));
    }
    const Shape3& o = *st.output;
    std::string act = tr("activations");
    act += " = " + num(o.c) + "·" + num(o.h) + "·" + num(o.w) + " = " + group_digits(st.activations);
    act += st.in_place ? tr(" (in place: no new memory)") : tr(", {0} as float32", byte_text(st.activations * 4));
    show_wrapped(act);
}

void draw_receptive_field(const Stage& st, const ReceptiveField& before) {
    if (!st.output) return;
    heading(tr("Receptive field"));
    const ReceptiveField& rf = st.rf;
    auto one = [&](int64_t r0, int64_t j0, int64_t r1, int64_t j1, const std::optional<WindowResult>& d,
                   const char* dim) {
        std::string s = dim;
        if (d && (st.type == LayerType::Conv || st.type == LayerType::MaxPool || st.type == LayerType::AvgPool)) {
            s += tr("RF = r + (F_eff − 1)·j = {0} + ({1} − 1)·{2} = {3};  jump = j·S = {2}·{4} = {5}", r0,
                    d->eff_kernel, j0, r1, d->p.stride, j1);
        } else if (r1 != r0 || j1 != j0) {
            s += tr("RF {0} → {1}, jump {2} → {3}", r0, r1, j0, j1);
        } else {
            s += tr("unchanged: RF {0}, jump {1}", r1, j1);
        }
        show_wrapped(s);
    };
    const bool square = rf.size_h == rf.size_w && rf.jump_h == rf.jump_w && before.size_h == before.size_w &&
                        before.jump_h == before.jump_w && (!st.dim_h || !st.dim_w || st.dim_h->p == st.dim_w->p);
    if (square) {
        one(before.size_h, before.jump_h, rf.size_h, rf.jump_h, st.dim_h, "");
    } else {
        one(before.size_h, before.jump_h, rf.size_h, rf.jump_h, st.dim_h, "H: ");
        one(before.size_w, before.jump_w, rf.size_w, rf.jump_w, st.dim_w, "W: ");
    }
    dim_line(tr("each output value sees {0} input pixels; neighbouring outputs are {1} input pixels apart",
                dims_text(rf.size_h, rf.size_w), compact_dims_text(rf.jump_h, rf.jump_w)));
}

void draw_diagnostics(const Stage& st) {
    heading(tr("Diagnostics"));
    if (st.messages.empty()) {
        show_wrapped(status_text_colour(Severity::Ok),
                     is_spatial_window(st.type) ? tr("every division is exact") : tr("nothing to report"));
        return;
    }
    for (const Diagnostic& d : st.messages) show_wrapped(status_text_colour(d.severity), d.message);
}

void draw_input_stage(const App& app) {
    const Analysis& a = app.doc.analysis();
    const Shape3& in = app.doc.network().input;
    show_text(tr("input  {0}", shape_text(in)));
    heading(tr("The input"));
    show_wrapped(tr("The image as the network sees it: {0} channels of {1} pixels. It is W in the first layer's "
                    "formula.", in.c, dims_text(in.h, in.w)));
    show_wrapped(tr("values = {0}·{1}·{2} = {3}, {4} as float32", in.c, in.h, in.w, group_digits(in.count()),
                    byte_text(in.count() * 4)));
    heading(tr("Receptive field"));
    show_wrapped(tr("1 pixel, jump 1: each input value is its own pixel."));
    if (!a.input_error.empty()) show_wrapped(status_text_colour(Severity::Error), a.input_error);
}

}  // namespace

void draw_formula(App& app) {
    if (begin_panel((tr("Formula") + "###formula").c_str(), Slot::LeftBottom)) {
        const Analysis& a = app.doc.analysis();
        const auto& layers = app.doc.network().layers;
        const int sel = app.selected();
        if (sel < 0 || static_cast<size_t>(sel) >= a.stages.size()) {
            draw_input_stage(app);
        } else {
            const size_t i = static_cast<size_t>(sel);
            const Stage& st = a.stages[i];
            const Layer& l = layers[i];
            ImGui::PushStyleColor(ImGuiCol_Text, status_text_colour(st.status));
            show_text(st.name + " (" + std::string(type_name(st.type)) + ")  " +
                      (st.input ? shape_text(*st.input) : "?") + " → " + (st.output ? shape_text(*st.output) : "?"));
            ImGui::PopStyleColor();
            if (is_spatial_window(st.type)) {
                // The same formula as an animation of the window sliding (view_animation.cpp).
                if (ImGui::SmallButton((tr("Animate") + "###animate").c_str())) app.animation.open = true;
                hover_note(tr("Watch the window slide over the padded input, one output position at a time"));
                draw_window_layer(st);
            } else
                draw_other_layer(st, l);
            draw_costs(st, l);
            draw_receptive_field(st, i == 0 ? ReceptiveField{} : a.stages[i - 1].rf);
            draw_diagnostics(st);
        }
    }
    ImGui::End();
}

}  // namespace convscope::app
