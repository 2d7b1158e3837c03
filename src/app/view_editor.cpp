// The layer editor: every hyperparameter of the selected layer, dragged or typed (double-click or
// Ctrl+click a field), its type, its name, and inserting, duplicating, deleting and moving layers;
// for the input stage, the input's channels and size. Impossible values may be entered: the shape
// engine flags them, and the stage's diagnostics show right under the fields. A drag is one undo
// step: each field edits with its own merge key, and the merge ends when the field is let go.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <optional>
#include <string>

#include "app/view_common.h"
#include "app/views.h"
#include "core/i18n.h"
#include "core/text.h"

namespace convscope::app {

namespace {

// Whether paired fields move together; a pair that differs shows both halves whatever this says.
struct Links {
    bool kernel = true, stride = true, dilation = true, pad = true, output_size = true, input = true;
};
Links g_links;

// The value a field had when the current drag or typing began, so that the undo step reads
// "conv1: kernel 11 → 7" rather than naming only the last pixel of the drag.
std::string g_active_key, g_start_text;

// The name field's text while it is being typed, and for which layer.
std::string g_name;
size_t g_name_layer = 0;
bool g_name_active = false;

// Upper bounds keep a slip of the mouse from asking for gigabytes of weights; lower bounds allow
// the impossible values (0) the shape engine explains.
constexpr int kMaxChannels = 16384, kMaxWindow = 512, kMaxDilation = 64, kMaxInputSide = 1024, kMaxInputChannels = 64;

constexpr LayerType kAllTypes[] = {LayerType::Conv,    LayerType::MaxPool, LayerType::AvgPool, LayerType::AdaptiveAvgPool,
                                   LayerType::Lrn,     LayerType::Relu,    LayerType::Dropout, LayerType::Flatten,
                                   LayerType::Fc,      LayerType::Softmax};

std::string type_text(LayerType t) { return std::string(type_name(t)); }

// Call right after a field: remembers its value when it becomes active and ends the undo merge
// when it is let go.
void track(App& app, const std::string& key, const std::string& value_now) {
    if (ImGui::IsItemActivated()) {
        g_active_key = key;
        g_start_text = value_now;
    }
    if (ImGui::IsItemDeactivated()) {
        app.doc.end_merge();
        if (g_active_key == key) g_active_key.clear();
    }
}

std::string start_text(const std::string& key, const std::string& value_now) {
    return g_active_key == key ? g_start_text : value_now;
}

// ---- the two-column form ---------------------------------------------------------------------------

// Starts a row of the form: the label in the first column, the widget filling the second.
void row(const char* label, std::string_view help = {}) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    if (!help.empty()) hover_note(help);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(-FLT_MIN);
}

// The third column: a "link" toggle for paired values. It shows whether they are linked now (a pair
// that differs is not, whatever was asked before); returns true when it was just ticked, so that the
// caller makes the values equal.
bool link_box(const char* id, bool* linked, bool equal, std::string_view help) {
    ImGui::TableNextColumn();
    bool shown = *linked && equal;
    const bool changed = ImGui::Checkbox(id, &shown);
    hover_note(help);
    if (changed) *linked = shown;
    return changed && shown && !equal;
}

struct Field {
    App& app;
    size_t index;    // the layer
    std::string name;  // the layer's name when the frame began, for undo names and merge keys

    // The merge key: the layer's place rather than its name, which a rename changes mid-edit.
    std::string key(const char* field) const { return "layer " + std::to_string(index) + "." + field; }

    // One edit of the layer; `merge` joins it to the previous edit of the same field (a drag), while
    // a click on a toggle is always a step of its own. `field` keys the merge; `label` is the field
    // as the form shows it, for the undo step's name.
    void apply(const char* field, const char* label, const std::string& from, const std::string& to,
               const std::function<void(Layer&)>& change, bool merge = true) const {
        const size_t i = index;
        app.edit(tr("{0}: {1} {2} → {3}", name, label, from, to), [&](Network& n) { change(n.layers[i]); },
                 merge ? key(field) : std::string());
    }

    // An integer: drag, or double-click to type.
    void integer(const char* label, const char* field, int value, int lo, int hi, float speed,
                 const std::function<void(Layer&, int)>& set, std::string_view help = {}) const {
        row(label, help);
        int v = value;
        const std::string id = std::string("##") + field;
        const std::string k = key(field);
        if (ImGui::DragInt(id.c_str(), &v, speed, lo, hi, "%d", ImGuiSliderFlags_AlwaysClamp) && v != value)
            apply(field, label, start_text(k, std::to_string(value)), std::to_string(v), [&](Layer& l) { set(l, v); });
        track(app, k, std::to_string(value));
        if (!help.empty()) hover_note(help);
    }

    // A real number with a drag speed relative to its size, so 0.0001 and 2 both drag sensibly.
    void real(const char* label, const char* field, double value, double lo, double hi,
              const std::function<void(Layer&, double)>& set, std::string_view help = {}) const {
        row(label, help);
        double v = value;
        const std::string id = std::string("##") + field;
        const std::string k = key(field);
        const float speed = static_cast<float>(std::max(std::abs(value) * 0.01, 1e-6));
        if (ImGui::DragScalar(id.c_str(), ImGuiDataType_Double, &v, speed, &lo, &hi, "%.6g",
                              ImGuiSliderFlags_AlwaysClamp | ImGuiSliderFlags_NoRoundToFormat) &&
            v != value)
            apply(field, label, start_text(k, short_number(value)), short_number(v), [&](Layer& l) { set(l, v); });
        track(app, k, short_number(value));
    }

    void flag(const char* label, const char* field, bool value, const std::function<void(Layer&, bool)>& set,
              std::string_view help = {}) const {
        row(label, help);
        bool v = value;
        const std::string id = std::string("##") + field;
        if (ImGui::Checkbox(id.c_str(), &v))
            apply(field, label, value ? trc("on") : trc("off"), v ? trc("on") : trc("off"), [&](Layer& l) { set(l, v); },
                  false);
        if (!help.empty()) hover_note(help);
    }

    // A height/width pair: one field while linked and equal, else two.
    void pair(const char* label, const char* field, Hw value, int lo, int hi, float speed, bool* linked,
              Hw Layer::*member, std::string_view help) const {
        row(label, help);
        const std::string k = key(field);
        const std::string now = compact_dims_text(value.h, value.w);
        const bool together = *linked && value.square();
        Hw next = value;
        bool changed = false;
        if (together) {
            int v = value.h;
            changed = ImGui::DragInt((std::string("##") + field).c_str(), &v, speed, lo, hi, "%d",
                                     ImGuiSliderFlags_AlwaysClamp);
            next = {v, v};
        } else {
            int v[2] = {value.h, value.w};
            changed = ImGui::DragInt2((std::string("##") + field).c_str(), v, speed, lo, hi, "%d",
                                      ImGuiSliderFlags_AlwaysClamp);
            next = {v[0], v[1]};
        }
        if (changed && next != value)
            apply(field, label, start_text(k, now), compact_dims_text(next.h, next.w),
                  [&](Layer& l) { l.*member = next; });
        track(app, k, now);
        std::string note(help);
        note += "\n";
        note += together ? tr("(height = width; untick the box to set them apart)") : tr("(height, width)");
        hover_note(note);
        if (link_box((std::string("##link ") + field).c_str(), linked, value.square(),
                     tr("the same for height and width")))
            apply(field, label, now, compact_dims_text(value.h, value.h),
                  [&](Layer& l) { (l.*member).w = (l.*member).h; }, false);
    }

    void padding(Pad4 value) const {
        const char* label = trc("padding");
        row(label, tr("zeros added around the input before the window slides (P in the formula)"));
        const std::string k = key("padding");
        auto text = [](const Pad4& p) {
            if (p.uniform()) return std::to_string(p.top);
            // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::to_string(…).
            std::string s = "[";
            for (int v : {p.top, p.left, p.bottom}) s += std::to_string(v) + ",";
            s += std::to_string(p.right);
            s += "]";
            return s;
        };
        const bool together = g_links.pad && value.uniform();
        Pad4 next = value;
        bool changed = false;
        if (together) {
            int v = value.top;
            changed = ImGui::DragInt("##padding", &v, 0.1f, 0, kMaxWindow, "%d", ImGuiSliderFlags_AlwaysClamp);
            next = {v, v, v, v};
        } else {
            int v[4] = {value.top, value.left, value.bottom, value.right};
            changed = ImGui::DragInt4("##padding", v, 0.1f, 0, kMaxWindow, "%d", ImGuiSliderFlags_AlwaysClamp);
            next = {v[0], v[1], v[2], v[3]};
        }
        if (changed && next != value)
            apply("padding", label, start_text(k, text(value)), text(next), [&](Layer& l) { l.pad = next; });
        track(app, k, text(value));
        hover_note(together ? tr("the same on all four sides; untick the box to set each side")
                            : tr("top, left, bottom, right (ONNX's order); tick the box for the same on all sides"));
        if (link_box("##link padding", &g_links.pad, value.uniform(), tr("the same on all sides")))
            apply("padding", label, text(value), std::to_string(value.top), [&](Layer& l) {
                l.pad = {l.pad.top, l.pad.top, l.pad.top, l.pad.top};
            }, false);
    }
};

// ---- changing a layer's type ---------------------------------------------------------------------

bool is_default_name(const std::string& name, LayerType t) {
    const std::string_view prefix = default_name_prefix(t);
    if (name.rfind(prefix, 0) != 0) return false;
    const std::string rest = name.substr(prefix.size());
    return !rest.empty() && std::all_of(rest.begin(), rest.end(), [](unsigned char c) { return std::isdigit(c) || c == '_'; });
}

// The layer as another type, keeping what carries over (a window's kernel, stride and padding
// between conv and the pools) and giving the new type usable values where it had none.
void retype(Layer& l, LayerType to, const std::optional<Shape3>& input, Network& net) {
    const LayerType from = l.type;
    l.type = to;
    if ((to == LayerType::Conv || to == LayerType::Fc) && l.out < 1)
        l.out = to == LayerType::Conv ? static_cast<int>(input ? std::clamp<int64_t>(input->c, 1, 256) : 16) : 10;
    if (to == LayerType::Fc) l.in_features = 0;  // the old expectation belongs to another layer
    if (is_spatial_window(to) && !is_spatial_window(from)) {
        l.kernel = to == LayerType::Conv ? Hw{3, 3} : Hw{2, 2};
        l.stride = to == LayerType::Conv ? Hw{1, 1} : Hw{2, 2};
        l.pad = to == LayerType::Conv ? Pad4{1, 1, 1, 1} : Pad4{};
        l.dilation = {1, 1};
    }
    if (to == LayerType::Conv) l.groups = std::max(l.groups, 1);
    if (is_default_name(l.name, from)) {
        l.name.clear();  // conv3 turned pool gets a pool name
        assign_default_names(net);
    }
}

// ---- the sections --------------------------------------------------------------------------------

void draw_undo_bar(App& app) {
    ImGui::BeginDisabled(!app.doc.can_undo());
    if (ImGui::Button((tr("Undo") + "###undo").c_str())) app.undo();
    ImGui::EndDisabled();
    hover_note(app.doc.can_undo() ? tr("undo {0} (Ctrl+Z)", app.doc.undo_name()) : tr("nothing to undo"));
    ImGui::SameLine();
    ImGui::BeginDisabled(!app.doc.can_redo());
    if (ImGui::Button((tr("Redo") + "###redo").c_str())) app.redo();
    ImGui::EndDisabled();
    hover_note(app.doc.can_redo() ? tr("redo {0} (Ctrl+Y)", app.doc.redo_name()) : tr("nothing to redo"));
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
    show_text(app.doc.can_undo() ? tr("last: {0}", app.doc.undo_name()) : tr("no edits yet"));
    ImGui::PopStyleColor();
}

void draw_input_stage(App& app) {
    const Network& net = app.doc.network();
    const Shape3 in = net.input;
    show_text(tr("input  {0}", shape_text(in)));
    ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
    show_wrapped(tr("The image as the network sees it: channels × height × width. Set its size here, or find "
                    "the sizes that divide exactly in the 224 vs 227 panel."));
    ImGui::PopStyleColor();
    ImGui::Spacing();
    if (!ImGui::BeginTable("input form", 3, ImGuiTableFlags_SizingStretchProp)) return;
    ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 8);
    ImGui::TableSetupColumn("field", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("link", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFrameHeight());
    auto end_field = [&] {
        if (ImGui::IsItemDeactivated()) app.doc.end_merge();  // set_input_size merges under one key
    };
    row(trc("channels"), tr("3 for colour (RGB), 1 for gray"));
    int c = static_cast<int>(in.c);
    if (ImGui::DragInt("##channels", &c, 0.05f, 0, kMaxInputChannels, "%d", ImGuiSliderFlags_AlwaysClamp))
        app.set_input_size(c, in.h, in.w);
    end_field();
    ImGui::TableNextColumn();
    const bool together = g_links.input && in.h == in.w;
    row(together ? trc("size") : trc("height, width"),
        tr("the input's spatial size in pixels (W in the first layer's formula)"));
    if (together) {
        int s = static_cast<int>(in.h);
        if (ImGui::DragInt("##size", &s, 0.25f, 0, kMaxInputSide, "%d", ImGuiSliderFlags_AlwaysClamp))
            app.set_input_size(in.c, s, s);
    } else {
        int hw[2] = {static_cast<int>(in.h), static_cast<int>(in.w)};
        if (ImGui::DragInt2("##size", hw, 0.25f, 0, kMaxInputSide, "%d", ImGuiSliderFlags_AlwaysClamp))
            app.set_input_size(in.c, hw[0], hw[1]);
    }
    end_field();
    if (link_box("##link input", &g_links.input, in.h == in.w, tr("square: the same height and width")))
        app.set_input_size(in.c, in.h, in.h);
    ImGui::EndTable();
}

void draw_window_fields(const Field& f, const Layer& l) {
    const bool conv = l.type == LayerType::Conv;
    if (conv)
        f.integer(trc("out channels"), "out channels", l.out, 0, kMaxChannels, 0.5f,
                  [](Layer& x, int v) { x.out = v; }, tr("how many filters, so how many output channels"));
    f.pair(trc("kernel"), "kernel", l.kernel, 0, kMaxWindow, 0.05f, &g_links.kernel, &Layer::kernel,
           tr("the window's size (F in the formula)"));
    f.pair(trc("stride"), "stride", l.stride, 0, kMaxWindow, 0.05f, &g_links.stride, &Layer::stride,
           tr("how far the window moves each step (S in the formula)"));
    f.padding(l.pad);
    if (l.type != LayerType::AvgPool)
        f.pair(trc("dilation"), "dilation", l.dilation, 0, kMaxDilation, 0.05f, &g_links.dilation, &Layer::dilation,
               tr("gaps between the kernel's taps: the window spans d·(F − 1) + 1 pixels"));
    if (conv)
        f.integer(trc("groups"), "groups", l.groups, 0, kMaxChannels, 0.05f, [](Layer& x, int v) { x.groups = v; },
                  tr("channel groups: each filter sees only in/groups channels (AlexNet's two-GPU split is 2); "
                     "must divide the input and output channels"));
    const char* rounding = trc("rounding");
    row(rounding, tr("what to do when (W − F + 2P)/S is not a whole number"));
    int ceil = l.ceil ? 1 : 0;
    const int before = ceil;
    ImGui::RadioButton((tr("floor") + "###floor").c_str(), &ceil, 0);
    hover_note(tr("round down: windows that would cross the edge are left out (PyTorch's default)"));
    ImGui::SameLine();
    ImGui::RadioButton((tr("ceil") + "###ceil").c_str(), &ceil, 1);
    hover_note(tr("round up: one more window, hanging over the edge (Caffe's pooling)"));
    if (ceil != before)
        f.apply("rounding", rounding, before ? trc("ceil") : trc("floor"), ceil ? trc("ceil") : trc("floor"),
                [&](Layer& x) { x.ceil = ceil == 1; }, false);
    if (conv)
        f.flag(trc("bias"), "bias", l.bias, [](Layer& x, bool v) { x.bias = v; },
               tr("a learned offset per output channel"));
    if (l.type == LayerType::AvgPool)
        f.flag(trc("count pad"), "count_include_pad", l.count_include_pad,
               [](Layer& x, bool v) { x.count_include_pad = v; },
               tr("whether padded zeros count in the average's divisor (PyTorch's default: yes)"));
}

void draw_fields(const Field& f, const Layer& l) {
    switch (l.type) {
        case LayerType::Conv:
        case LayerType::MaxPool:
        case LayerType::AvgPool: draw_window_fields(f, l); break;
        case LayerType::AdaptiveAvgPool:
            f.pair(trc("output size"), "output size", l.output_size, 0, kMaxWindow, 0.05f, &g_links.output_size,
                   &Layer::output_size, tr("the fixed output size; the windows adapt to whatever input arrives"));
            break;
        case LayerType::Lrn:
            // alpha, beta, k and n are the formula's symbols: they keep their names in every language.
            f.integer(trc("size"), "size", l.lrn_size, 0, 99, 0.05f, [](Layer& x, int v) { x.lrn_size = v; },
                      tr("how many neighbouring channels (n) each value is normalised over"));
            f.real("alpha", "alpha", l.alpha, 0.0, 10.0, [](Layer& x, double v) { x.alpha = v; },
                   tr("the scale of the sum of squares"));
            f.real("beta", "beta", l.beta, 0.0, 10.0, [](Layer& x, double v) { x.beta = v; }, tr("the exponent"));
            f.real("k", "k", l.k, 0.0, 100.0, [](Layer& x, double v) { x.k = v; },
                   tr("the constant added before the power"));
            f.flag("alpha / n", "alpha_over_size", l.alpha_over_size, [](Layer& x, bool v) { x.alpha_over_size = v; },
                   tr("divide alpha by the size, as Caffe and PyTorch do; the paper's formula uses alpha as is"));
            break;
        case LayerType::Dropout:
            f.real(trc("ratio"), "ratio", l.ratio, 0.0, 0.99, [](Layer& x, double v) { x.ratio = v; },
                   tr("the share of units dropped while training; at inference dropout passes everything through"));
            break;
        case LayerType::Fc:
            f.integer(trc("out features"), "out features", l.out, 0, kMaxChannels, 0.5f,
                      [](Layer& x, int v) { x.out = v; }, tr("how many outputs (neurons)"));
            f.integer(trc("in features"), "in features", static_cast<int>(std::min<int64_t>(l.in_features, 1 << 30)),
                      0, 1 << 30, 1.0f, [](Layer& x, int v) { x.in_features = v; },
                      tr("the inputs its weights expect (AlexNet's fc6: 9,216); 0 accepts whatever arrives"));
            f.flag(trc("bias"), "bias", l.bias, [](Layer& x, bool v) { x.bias = v; },
                   tr("a learned offset per output"));
            break;
        case LayerType::Relu:
        case LayerType::Flatten:
        case LayerType::Softmax:
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", trc("no hyperparameters"));
            break;
    }
}

void draw_name_and_type(App& app, const Field& f, const Layer& l) {
    // The name is edited in a buffer and applied when the field is let go: on the way from "conv1"
    // to "conv12" the text may pass through a name another layer has.
    row(trc("name"), tr("unique within the network; Enter or a click elsewhere applies it"));
    if (!g_name_active || g_name_layer != f.index) g_name = l.name;
    ImGui::InputText("##name", &g_name, ImGuiInputTextFlags_AutoSelectAll);
    g_name_active = ImGui::IsItemActive();
    g_name_layer = f.index;
    if (ImGui::IsItemDeactivatedAfterEdit() && g_name != l.name) {
        const auto& layers = app.doc.network().layers;
        const bool taken = std::any_of(layers.begin(), layers.end(), [&](const Layer& x) { return x.name == g_name; });
        if (g_name.empty()) {
            app.error(tr("a layer needs a name; {0} keeps its own", l.name));
        } else if (taken) {
            app.error(tr("another layer is already called {0}; {1} keeps its name", g_name, l.name));
        } else {
            const size_t i = f.index;
            const std::string next = g_name;
            app.edit(tr("rename {0} → {1}", l.name, next), [&](Network& n) { n.layers[i].name = next; });
        }
    }
    // The type keywords (conv, maxpool, …) are the model file's words: they stay as they are.
    row(trc("type"), tr("changing the type keeps what carries over (a window's kernel, stride and padding)"));
    const std::string current = type_text(l.type);
    if (ImGui::BeginCombo("##type", current.c_str())) {
        for (LayerType t : kAllTypes) {
            if (ImGui::Selectable(type_text(t).c_str(), t == l.type) && t != l.type) {
                const size_t i = f.index;
                const auto in = app.doc.analysis().stages[i].input;
                app.edit(tr("{0}: type {1} → {2}", l.name, current, type_text(t)),
                         [&](Network& n) { retype(n.layers[i], t, in, n); });
            }
        }
        ImGui::EndCombo();
    }
}

void insert_popup(App& app, const char* id, size_t at) {
    if (!ImGui::BeginPopup(id)) return;
    for (LayerType t : kAllTypes)
        if (ImGui::Selectable(type_text(t).c_str())) app.insert_layer(at, t);
    ImGui::EndPopup();
}

void draw_layer_buttons(App& app, int sel) {
    const size_t n = app.doc.network().layers.size();
    const bool layer = sel >= 0;
    const size_t i = layer ? static_cast<size_t>(sel) : 0;
    ImGui::BeginDisabled(!layer);
    if (ImGui::Button((tr("+ before") + "###before").c_str())) ImGui::OpenPopup("insert before");
    ImGui::EndDisabled();
    hover_note(tr("insert a layer before this one"));
    ImGui::SameLine();
    if (ImGui::Button((tr("+ after") + "###after").c_str())) ImGui::OpenPopup("insert after");
    hover_note(tr("insert a layer after this one"));
    insert_popup(app, "insert before", i);
    insert_popup(app, "insert after", layer ? i + 1 : 0);
    ImGui::BeginDisabled(!layer);
    ImGui::SameLine();
    if (ImGui::Button((tr("duplicate") + "###duplicate").c_str())) app.duplicate_layer(i);
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.55f, 0.20f, 0.20f, 1.0f));
    if (ImGui::Button((tr("delete") + "###delete").c_str())) app.delete_layer(i);
    ImGui::PopStyleColor();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!layer || i == 0);
    if (ImGui::ArrowButton("up", ImGuiDir_Up)) app.move_layer(i, -1);
    ImGui::EndDisabled();
    hover_note(tr("move this layer one place earlier"));
    ImGui::SameLine();
    ImGui::BeginDisabled(!layer || i + 1 >= n);
    if (ImGui::ArrowButton("down", ImGuiDir_Down)) app.move_layer(i, +1);
    ImGui::EndDisabled();
    hover_note(tr("move this layer one place later"));
}

// The stage's messages, red for errors and amber for roundings, or a green line when all is well.
void draw_diagnostics(const App& app, int sel) {
    const Analysis& a = app.doc.analysis();
    ImGui::Spacing();
    ImGui::Separator();
    if (sel < 0) {
        if (a.input_error.empty())
            show_wrapped(status_text_colour(Severity::Ok), tr("a valid input shape"));
        else
            show_wrapped(status_text_colour(Severity::Error), a.input_error);
        return;
    }
    const Stage& st = a.stages[static_cast<size_t>(sel)];
    if (st.messages.empty()) {
        show_wrapped(status_text_colour(Severity::Ok),
                     is_spatial_window(st.type) ? tr("every division is exact") : tr("no problems"));
        return;
    }
    for (const Diagnostic& d : st.messages)
        show_wrapped(status_text_colour(d.severity),
                     d.severity == Severity::Error ? tr("error: {0}", d.message) : tr("note: {0}", d.message));
}

}  // namespace

void draw_editor(App& app) {
    if (begin_panel((tr("Layer") + "###layer").c_str(), Slot::Left)) {
        draw_undo_bar(app);
        ImGui::Separator();
        const int sel = app.selected();
        const auto& layers = app.doc.network().layers;
        if (sel < 0 || static_cast<size_t>(sel) >= layers.size()) {
            draw_input_stage(app);
        } else {
            // Copies: an edit replaces the network, and with it any reference into it.
            const Layer l = layers[static_cast<size_t>(sel)];
            const Stage st = app.doc.analysis().stages[static_cast<size_t>(sel)];
            const std::string in = st.input ? shape_text(*st.input) : "?";
            const std::string out = st.output ? shape_text(*st.output) : "?";
            ImGui::PushStyleColor(ImGuiCol_Text, status_text_colour(st.status));
            show_text(l.name + "  " + in + " → " + out);
            ImGui::PopStyleColor();
            hover_note(tr("drag a value, or double-click it to type one; a ticked box keeps height and width equal"));
            const Field f{app, static_cast<size_t>(sel), l.name};
            if (ImGui::BeginTable("layer form", 3, ImGuiTableFlags_SizingStretchProp)) {
                ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 8);
                ImGui::TableSetupColumn("field", ImGuiTableColumnFlags_WidthStretch);
                ImGui::TableSetupColumn("link", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFrameHeight());
                draw_name_and_type(app, f, l);
                draw_fields(f, l);
                ImGui::EndTable();
            }
        }
        // The diagnostics right under the fields, so a value that breaks the layer is explained at once.
        draw_diagnostics(app, std::min(app.selected(), static_cast<int>(app.doc.network().layers.size()) - 1));
        ImGui::Spacing();
        draw_layer_buttons(app, std::min(app.selected(), static_cast<int>(app.doc.network().layers.size()) - 1));
    }
    ImGui::End();
}

}  // namespace convscope::app
