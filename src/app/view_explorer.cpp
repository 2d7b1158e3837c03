// The 224-vs-227 explorer. An input-size control with a ruler that marks the sizes at which every
// sliding window divides exactly, and buttons for the nearest exact sizes below and above. Under it,
// side by side, what four classic choices do to every stage of the current network: 224 with floor
// pooling, 224 with ceil pooling, 224 with conv1 padded by 2 (torchvision's way), and 227 (Caffe's);
// inexact cells are tinted, and the last row is what reaches the first fc layer (6,400 or 9,216 for
// AlexNet). The variants are built on copies; "use" applies one to the real network as an edit.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "app/view_common.h"
#include "app/views.h"
#include "core/input_explorer.h"
#include "core/i18n.h"
#include "core/text.h"

namespace convscope::app {

namespace {

// Which of the four classic choices a variant is; its header and note are put into words in the
// current language each frame, so a language switch shows at once.
enum class VariantKind { Floor224, Ceil224, Pad224, At227 };

struct Variant {
    VariantKind kind;
    std::string conv;  // the first conv layer's name, for the padded variant's note
    Network net;
    Analysis analysis;
};

// A column header: "224 floor".
std::string variant_title(const Variant& v) {
    switch (v.kind) {
        case VariantKind::Floor224: return tr("224 floor");
        case VariantKind::Ceil224: return tr("224 ceil");
        case VariantKind::Pad224: return tr("224 pad 2");
        case VariantKind::At227: return "227";
    }
    return {};
}

// What the variant changes, for the header's tooltip.
std::string variant_note(const Variant& v) {
    switch (v.kind) {
        case VariantKind::Floor224: return tr("224×224 input, every pooling layer rounding down (PyTorch's default)");
        case VariantKind::Ceil224: return tr("224×224 input, every pooling layer rounding up (Caffe's pooling)");
        case VariantKind::Pad224:
            return tr("224×224 input, {0} padded by 2 on every side (torchvision's AlexNet); pooling as modelled", v.conv);
        case VariantKind::At227: return tr("227×227 input (Caffe's AlexNet); everything else as modelled");
    }
    return {};
}

// Everything the panel shows is derived from the network; recomputed only when it changes.
struct Derived {
    uint64_t revision = 0;
    std::vector<Variant> variants;
    ExactInputs exact;
    int64_t ruler_lo = 0, ruler_hi = 0;
    std::vector<int64_t> exact_sizes;  // in [ruler_lo, ruler_hi], for the ruler (square inputs)
};
Derived g;
bool g_all_stages = false;

void force_pool_rounding(Network& n, bool ceil) {
    for (Layer& l : n.layers)
        if (l.type == LayerType::MaxPool || l.type == LayerType::AvgPool) l.ceil = ceil;
}

std::vector<Variant> build_variants(const Network& net) {
    std::vector<Variant> v;
    const Network at224 = with_input(net, 224, 224);
    const RoundingStudy study = compare_pool_rounding(at224);
    Network floor = at224, ceil = at224;
    force_pool_rounding(floor, false);
    force_pool_rounding(ceil, true);
    v.push_back({VariantKind::Floor224, {}, floor, study.floor.analysis});
    v.push_back({VariantKind::Ceil224, {}, ceil, study.ceil.analysis});
    const auto conv = std::find_if(at224.layers.begin(), at224.layers.end(),
                                   [](const Layer& l) { return l.type == LayerType::Conv; });
    if (conv != at224.layers.end()) {
        Network padded = at224;
        padded.layers[static_cast<size_t>(conv - at224.layers.begin())].pad = {2, 2, 2, 2};
        const Analysis a = analyze(padded);
        v.push_back({VariantKind::Pad224, conv->name, std::move(padded), a});
    }
    Network at227 = with_input(net, 227, 227);
    const Analysis a227 = analyze(at227);
    v.push_back({VariantKind::At227, {}, std::move(at227), a227});
    return v;
}

// Sizes in [lo, hi] at which every sliding window divides exactly, along the height.
std::vector<int64_t> exact_sizes_between(const Network& net, int64_t lo, int64_t hi) {
    std::vector<int64_t> out;
    if (net.layers.empty()) return out;
    const size_t last = net.layers.size() - 1;
    int64_t s = std::max<int64_t>(lo - 1, 1);
    if (lo <= 1 && find_exact_inputs(with_input(net, 1, 1), 0, last).current_exact) out.push_back(1);
    while (out.size() < 200) {
        const ExactInputs e = find_exact_inputs(with_input(net, s, s), 0, last);
        if (!e.above_h || *e.above_h > hi) break;
        out.push_back(*e.above_h);
        s = *e.above_h;
    }
    return out;
}

void refresh(const App& app) {
    // The analysis's revision, not the network's: the variants' formulas and messages are text in the
    // language of the moment, made again after a change of language.
    if (g.revision == app.doc.analysis_revision()) return;
    const Network& net = app.doc.network();
    g.revision = app.doc.analysis_revision();
    g.variants = build_variants(net);
    g.exact = net.layers.empty() ? ExactInputs{} : find_exact_inputs(net, 0, net.layers.size() - 1);
    const int64_t cur = std::max<int64_t>(net.input.h, 1);
    g.ruler_lo = std::max<int64_t>(1, cur - 48);
    g.ruler_hi = cur + 48;
    g.exact_sizes = exact_sizes_between(net, g.ruler_lo, g.ruler_hi);
}

// ---- the size control ----------------------------------------------------------------------------

void size_button(App& app, const char* dim, int64_t size, bool square, bool height) {
    const Shape3 in = app.doc.network().input;
    const std::string label = std::string(dim) + std::to_string(size);
    ImGui::SameLine();
    if (ImGui::Button(label.c_str())) {
        if (square)
            app.set_input_size(in.c, size, size);
        else if (height)
            app.set_input_size(in.c, size, in.w);
        else
            app.set_input_size(in.c, in.h, size);
    }
    hover_note(tr("use {0}: every convolution and pooling window then divides exactly", size));
}

void draw_exact_status(App& app) {
    const Shape3 in = app.doc.network().input;
    const ExactInputs& e = g.exact;
    if (e.current_exact) {
        show_wrapped(status_text_colour(Severity::Ok),
                     tr("{0}: every sliding window divides exactly", dims_text(in.h, in.w)));
        return;
    }
    ImGui::PushStyleColor(ImGuiCol_Text, status_text_colour(Severity::Warning));
    show_text(tr("{0}: inexact.", dims_text(in.h, in.w)));
    ImGui::PopStyleColor();
    ImGui::SameLine();
    ImGui::TextUnformatted(trc("Nearest exact:"));
    const bool square = in.h == in.w;
    if (square) {
        if (e.below_h) size_button(app, "", *e.below_h, true, true);
        if (e.above_h) size_button(app, "", *e.above_h, true, true);
        if (!e.below_h && !e.above_h) {
            ImGui::SameLine();
            ImGui::TextDisabled("%s", trc("none nearby"));
        }
    } else {
        if (e.below_h) size_button(app, "H ", *e.below_h, false, true);
        if (e.above_h) size_button(app, "H ", *e.above_h, false, true);
        if (e.below_w) size_button(app, "W ", *e.below_w, false, false);
        if (e.above_w) size_button(app, "W ", *e.above_w, false, false);
    }
}

// The ruler: sizes around the current one, exact ones marked green; a click picks the nearest mark.
void draw_ruler(App& app) {
    const Shape3 in = app.doc.network().input;
    const float w = std::max(100.0f, ImGui::GetContentRegionAvail().x);
    const float h = ImGui::GetTextLineHeight() * 2.2f;
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("ruler", ImVec2(w, h));
    const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float span = static_cast<float>(g.ruler_hi - g.ruler_lo);
    auto x = [&](int64_t s) { return o.x + 4 + (w - 8) * static_cast<float>(s - g.ruler_lo) / span; };
    const float base = o.y + h * 0.45f;
    dl->AddLine({o.x + 4, base}, {o.x + w - 4, base}, IM_COL32(150, 150, 150, 255));
    for (int64_t s = g.ruler_lo; s <= g.ruler_hi; ++s)
        if (s % 8 == 0) dl->AddLine({x(s), base - 2}, {x(s), base + 2}, IM_COL32(150, 150, 150, 255));
    const ImU32 green = ImGui::GetColorU32(status_text_colour(Severity::Ok));
    for (int64_t s : g.exact_sizes) dl->AddLine({x(s), base - 7}, {x(s), base + 7}, green, 2);
    // The current size, and the two classic ones when they are in view.
    const float cx = x(in.h);
    dl->AddTriangleFilled({cx, base - 2}, {cx - 5, base - 11}, {cx + 5, base - 11}, IM_COL32(255, 255, 255, 255));
    // 224 is labelled to the left of its tick and 227 to the right, so that the two never overlap.
    for (int64_t classic : {int64_t{224}, int64_t{227}}) {
        if (classic < g.ruler_lo || classic > g.ruler_hi) continue;
        const std::string t = std::to_string(classic);
        const float tw = ImGui::CalcTextSize(t.c_str()).x;
        const float tx = classic == 224 ? x(classic) - tw - 1 : x(classic) + 2;
        dl->AddLine({x(classic), base + 2}, {x(classic), base + 9}, ImGui::GetColorU32(ImGuiCol_TextDisabled));
        dl->AddText({tx, base + 6}, ImGui::GetColorU32(ImGuiCol_TextDisabled), t.c_str());
    }
    if (!hovered) return;
    const float mx = ImGui::GetIO().MousePos.x;
    int64_t at = g.ruler_lo + static_cast<int64_t>(std::lround((mx - o.x - 4) / (w - 8) * span));
    at = std::clamp(at, g.ruler_lo, g.ruler_hi);
    // Snap to an exact size within a few pixels of the pointer.
    for (int64_t s : g.exact_sizes)
        if (std::abs(x(s) - mx) < 6) at = s;
    const bool exact = std::find(g.exact_sizes.begin(), g.exact_sizes.end(), at) != g.exact_sizes.end();
    std::string note = exact ? tr("{0}: exact (every window divides)", at) : tr("{0}: inexact", at);
    note += "\n";
    note += tr("click to use it; green marks are exact sizes, the triangle is the current one");
    hover_note(note);
    if (clicked && at != in.h) app.set_input_size(in.c, at, in.h == in.w ? at : in.w);
}

void draw_size_control(App& app) {
    const Shape3 in = app.doc.network().input;
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(trc("input"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    int s = static_cast<int>(in.h);
    if (ImGui::DragInt("##explorer size", &s, 0.25f, 1, 1024, "%d", ImGuiSliderFlags_AlwaysClamp) && s != in.h)
        app.set_input_size(in.c, s, in.h == in.w ? s : in.w);
    if (ImGui::IsItemDeactivated()) app.doc.end_merge();
    hover_note(tr("the input's height (and width, when square): drag, or double-click to type"));
    ImGui::SameLine();
    draw_exact_status(app);
    draw_ruler(app);
}

// ---- the comparison --------------------------------------------------------------------------------

// Stages whose shape can change with the input size, unless every stage is asked for.
bool shows(const Stage& st) {
    return g_all_stages || is_spatial_window(st.type) || st.type == LayerType::AdaptiveAvgPool ||
           st.type == LayerType::Flatten || st.type == LayerType::Fc;
}

void variant_cell(const Analysis& a, size_t i) {
    ImGui::TableNextColumn();
    if (i >= a.stages.size()) return;
    const Stage& st = a.stages[i];
    Severity tint = st.status;
    if (st.output && !st.exact && tint == Severity::Ok) tint = Severity::Warning;
    if (st.blocked) {
        ImGui::TextDisabled("-");
    } else if (!st.output) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, status_cell_colour(Severity::Error));
        ImGui::TextColored(status_text_colour(Severity::Error), "%s", trc("error"));
    } else {
        if (tint != Severity::Ok) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, status_cell_colour(tint));
        show_text(shape_text(*st.output));
    }
    if (ImGui::IsItemHovered()) {
        std::string tip = st.formula;
        for (const auto& m : st.messages)
            if (!m.rounding || st.formula.empty()) tip += (tip.empty() ? "" : "\n") + m.message;
        if (!tip.empty()) hover_note(tip);
    }
}

// The last row: what reaches the first fc layer, green where its weights' expectation is met.
void fc_row(const Network& net) {
    const auto fc = std::find_if(net.layers.begin(), net.layers.end(), [](const Layer& l) { return l.type == LayerType::Fc; });
    if (fc == net.layers.end()) return;
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    ImGui::TableNextColumn();
    show_text(tr("{0} input", fc->name));
    for (const Variant& v : g.variants) {
        ImGui::TableNextColumn();
        const int64_t n = v.analysis.first_fc_input();
        if (n == 0) {
            ImGui::TextDisabled("-");
            continue;
        }
        const bool fits = fc->in_features == 0 || fc->in_features == n;
        ImGui::PushStyleColor(ImGuiCol_Text, status_text_colour(fits ? Severity::Ok : Severity::Error));
        show_text(group_digits(n));
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered())
            hover_note(!fits ? tr("{0}'s weights expect {1} inputs", fc->name, group_digits(fc->in_features))
                       : fc->in_features ? tr("what {0} receives, as its weights expect", fc->name)
                                         : tr("what {0} receives", fc->name));
    }
}

void draw_comparison(App& app) {
    const Network& net = app.doc.network();
    const int columns = 1 + static_cast<int>(g.variants.size());
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_BordersOuter | ImGuiTableFlags_SizingStretchProp;
    const float story_h = ImGui::GetTextLineHeightWithSpacing() * 3.5f;
    const float h = std::max(ImGui::GetTextLineHeightWithSpacing() * 6, ImGui::GetContentRegionAvail().y - story_h);
    if (!ImGui::BeginTable("variants", columns, flags, ImVec2(0, h))) return;
    ImGui::TableSetupScrollFreeze(1, 2);
    // Headers in the current language; the columns' IDs are their places, so widths survive a switch.
    ImGui::TableSetupColumn(trc("stage"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4.5f);
    for (const Variant& v : g.variants) ImGui::TableSetupColumn(variant_title(v).c_str());
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int c = 0; c < columns; ++c) {
        ImGui::TableSetColumnIndex(c);
        ImGui::TableHeader(ImGui::TableGetColumnName(c));
        if (c > 0) hover_note(variant_note(g.variants[static_cast<size_t>(c - 1)]));
    }
    // A row of buttons that apply a variant to the real network (one undo step).
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", trc("apply"));
    std::optional<size_t> use;
    for (size_t k = 0; k < g.variants.size(); ++k) {
        ImGui::TableNextColumn();
        ImGui::PushID(static_cast<int>(k));
        const bool current = g.variants[k].net == net;
        ImGui::BeginDisabled(current);
        if (ImGui::SmallButton(((current ? tr("current") : tr("use")) + "###use").c_str())) use = k;
        ImGui::EndDisabled();
        ImGui::PopID();
        hover_note(current ? tr("the network is this variant now") : tr("change the network to this variant (undoable)"));
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(trc("input"));
    for (const Variant& v : g.variants) {
        ImGui::TableNextColumn();
        show_text(shape_text(v.net.input));
    }
    for (size_t i = 0; i < net.layers.size(); ++i) {
        if (g.variants.empty() || i >= g.variants.front().analysis.stages.size() ||
            !shows(g.variants.front().analysis.stages[i]))
            continue;
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::Selectable(net.layers[i].name.c_str(), app.selected() == static_cast<int>(i)))
            app.select(static_cast<int>(i));
        ImGui::PopID();
        for (const Variant& v : g.variants) variant_cell(v.analysis, i);
    }
    fc_row(net);
    ImGui::EndTable();
    if (use) {
        const Variant v = g.variants[*use];  // a copy: the edit refreshes the cache
        app.edit(tr("use {0}", variant_title(v)), [&](Network& n) { n = v.net; });
    }
}

// Three sentences with this network's own numbers.
void draw_story() {
    const Variant* floor = nullptr;
    const Variant* at227 = nullptr;
    for (const Variant& v : g.variants) {
        if (v.kind == VariantKind::Floor224) floor = &v;
        if (v.kind == VariantKind::At227) at227 = &v;
    }
    if (!floor || !at227 || floor->analysis.stages.empty()) return;
    const Stage& first = floor->analysis.stages.front();
    std::string s;
    if (first.dim_w && is_spatial_window(first.type)) {
        const WindowResult& r = *first.dim_w;
        s += tr("At 224, {0} computes {1}. ", first.name, window_formula(r));
    }
    const Stage& first227 = at227->analysis.stages.front();
    if (first227.dim_w && is_spatial_window(first227.type))
        s += tr("At 227 it is {0}. ", window_formula(*first227.dim_w));
    const int64_t a = floor->analysis.first_fc_input(), b = at227->analysis.first_fc_input();
    if (a > 0 && b > 0 && a != b)
        s += tr("The first fc layer then gets {0} inputs with floor pooling at 224, and {1} at 227.", group_digits(a),
                group_digits(b));
    ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
    show_wrapped(s);
    ImGui::PopStyleColor();
}

}  // namespace

void draw_explorer(App& app) {
    if (!app.view.show_explorer) return;
    if (begin_panel((tr("224 vs 227") + "###explorer").c_str(), Slot::BottomRight, &app.view.show_explorer)) {
        refresh(app);
        draw_size_control(app);
        ImGui::Checkbox((tr("every stage") + "###every stage").c_str(), &g_all_stages);
        hover_note(tr("also the stages that keep the shape (relu, lrn, dropout, softmax)"));
        ImGui::SameLine();
        ImGui::TextDisabled("%s", trc("amber: inexact, red: impossible"));
        hover_note(tr("hover a cell for its formula"));
        draw_comparison(app);
        draw_story();
    }
    ImGui::End();
}

}  // namespace convscope::app
