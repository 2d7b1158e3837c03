// The Devices window (View › Devices): the network split over K devices as AlexNet ran on two GPUs,
// drawn like the paper's Figure 2. One column per device, one row per stage; each box is that device's
// share of the stage, as wide as its channels (log scale, so 3 channels and 4096 units both fit) and as
// tall as the stage's spatial size (square root). Straight lines run down where a device reads only its
// own channels; lines cross to the other columns exactly where devices exchange data, labelled with
// what each device receives for the batch. Clicking a box selects its stage in every panel.
// Beside the towers: the selected stage per device (its channels, what it reads and why, and its share
// of the feature maps; for the first convolution its kernels, whose designed halves mirror the paper's
// colour-agnostic and colour-specific GPUs), and under both a per-device table with totals, the
// training-memory estimate against a 3 GB card, and the same network on one device.
// K and the batch size are edited here; the split follows every edit of the network at once.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/map_textures.h"
#include "app/view_common.h"
#include "app/views.h"
#include "core/text.h"
#include "nn/feature_grid.h"

namespace convscope::app {

namespace {

// ---- colours and words ----------------------------------------------------------------------------

// The three kinds of exchange keep one colour each across boxes, lines, labels and the legend.
ImU32 exchange_colour(Exchange e, int alpha = 255) {
    switch (e) {
        case Exchange::None: return IM_COL32(96, 140, 200, alpha);        // local: blue
        case Exchange::AllGather: return IM_COL32(240, 150, 60, alpha);   // all-gather: orange
        case Exchange::Halo: return IM_COL32(190, 120, 235, alpha);       // halo: violet
    }
    return IM_COL32(160, 160, 160, alpha);
}

ImVec4 exchange_text_colour(Exchange e) { return ImGui::ColorConvertU32ToFloat4(exchange_colour(e)); }

const ImU32 kSelected = IM_COL32(255, 220, 40, 255);
const ImU32 kLocalEdge = IM_COL32(150, 155, 165, 200);
const ImU32 kThin = IM_COL32(110, 112, 120, 255);
const ImU32 kInput = IM_COL32(120, 170, 120, 255);

// Stages that neither hold parameters nor change what a device holds: drawn as thin bars, so that the
// rows that matter (convolutions, pools, LRN, fc) get the height.
bool thin_stage(LayerType t) { return t == LayerType::Relu || t == LayerType::Dropout || t == LayerType::Flatten; }

std::string range_text(ChannelRange r) {
    if (r.count() <= 0) return tr("none");
    if (r.count() == 1) return std::to_string(r.begin);
    return ui_format("%lld–%lld", static_cast<long long>(r.begin), static_cast<long long>(r.end - 1));
}

ChannelRange intersect(ChannelRange a, ChannelRange b) {
    const int64_t lo = std::max(a.begin, b.begin), hi = std::min(a.end, b.end);
    return hi > lo ? ChannelRange{lo, hi} : ChannelRange{lo, lo};
}

std::string fits_text(int64_t bytes) { return bytes <= Partition::kCardBytes ? tr("fits") : tr("does not fit"); }

// ---- the towers: layout ----------------------------------------------------------------------------

// One row of the picture: the input (stage −1) or a layer, with what each device holds after it.
struct Row {
    int stage = -1;
    bool thin = false;
    Exchange exchange = Exchange::None;  // how the devices got what this stage reads
    std::vector<ChannelRange> held;      // per device, the stage's output channels (fc: units)
    int64_t channels = 0;                // of the whole stage's output
    double side = 1;                     // √(h·w) of its output
    int64_t plane = 1;                   // h·w of its input: bytes per exchanged channel and image
    // Placed by fit_rows(): the gap above the row, then the row, in pixels from the picture's top.
    float gap_top = 0, top = 0, bottom = 0;
};

std::vector<Row> build_rows(const App& app, const Partition& p) {
    const Network& net = app.doc.network();
    const Analysis& a = app.doc.analysis();
    std::vector<Row> rows;
    Row in;
    in.held.assign(static_cast<size_t>(p.devices), ChannelRange{0, net.input.c});  // every device has the image
    in.channels = net.input.c;
    in.side = std::sqrt(static_cast<double>(net.input.h * net.input.w));
    rows.push_back(in);
    for (const PartitionStage& s : p.stages) {
        if (s.index >= a.stages.size() || !a.stages[s.index].output || !a.stages[s.index].input) break;
        const Shape3 out = *a.stages[s.index].output, inp = *a.stages[s.index].input;
        Row r;
        r.stage = static_cast<int>(s.index);
        r.thin = thin_stage(s.type);
        r.exchange = s.exchange;
        for (const DeviceShare& d : s.devices) r.held.push_back(d.out);
        r.channels = s.type == LayerType::Flatten ? out.count() : out.c;
        r.side = std::sqrt(static_cast<double>(std::max<int64_t>(1, out.h * out.w)));
        r.plane = inp.h * inp.w;
        rows.push_back(std::move(r));
    }
    return rows;
}

// Places the rows top to bottom in `avail` pixels: at their natural heights when those fit, squeezed
// towards a readable minimum when not (the child scrolls beyond that). Returns the total height.
float fit_rows(std::vector<Row>& rows, float avail) {
    const float line = ImGui::GetTextLineHeight();
    double max_side = 1;
    for (const Row& r : rows) max_side = std::max(max_side, r.side);
    struct Size {
        float natural, least;
    };
    auto height = [&](const Row& r) -> Size {
        if (r.thin) return {line * 0.55f, line * 0.25f};
        const float k = static_cast<float>(std::sqrt(r.side / max_side));  // input 224 → 1, fc 1×1 → 0.07
        return {line * (1.15f + 2.4f * k), line * (1.0f + 0.25f * k)};
    };
    auto gap = [&](const Row& r, size_t i) -> Size {
        if (i == 0) return {0, 0};
        // An exchange needs room for its crossing lines and its byte labels.
        if (r.exchange != Exchange::None) return {line * 2.0f, line * 1.15f};
        return {line * 0.7f, line * 0.25f};
    };
    float natural = 0, least = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        natural += height(rows[i]).natural + gap(rows[i], i).natural;
        least += height(rows[i]).least + gap(rows[i], i).least;
    }
    const float t = natural <= avail ? 1.0f : std::clamp((avail - least) / std::max(natural - least, 1.0f), 0.0f, 1.0f);
    float y = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        const Size g = gap(rows[i], i), h = height(rows[i]);
        rows[i].gap_top = y;
        y += g.least + t * (g.natural - g.least);
        rows[i].top = y;
        y += h.least + t * (h.natural - h.least);
        rows[i].bottom = y;
    }
    return y;
}

// Where each column is and how wide a box of `c` channels is drawn in it.
struct Columns {
    float x0 = 0;      // left of column 0 (right of the names)
    float width = 0;   // of one column
    double log_max = 1;
    float centre(size_t d) const { return x0 + width * (static_cast<float>(d) + 0.5f); }
    float box_width(int64_t c) const {
        if (c <= 0) return 0;
        const double share = std::log2(1.0 + static_cast<double>(c)) / log_max;
        return std::max(6.0f, width * static_cast<float>(0.2 + 0.72 * share));
    }
};

// ---- the towers: drawing ---------------------------------------------------------------------------

// The box of device d in row r, in screen space; empty (x0 == x1) when the device holds nothing there.
ImVec4 box_of(const Row& r, size_t d, const Columns& c, ImVec2 origin) {
    const float w = c.box_width(r.held[d].count());
    const float cx = origin.x + c.centre(d);
    return {cx - w * 0.5f, origin.y + r.top, cx + w * 0.5f, origin.y + r.bottom};
}

// Channels device `d` reads for row `r` that live on device `s` and not on d itself: what crosses from
// s to d before the stage runs.
int64_t crossing_channels(const Row& prev, const PartitionStage& s, size_t from, size_t to) {
    if (from == to) return 0;
    const ChannelRange need = s.devices[to].in;
    const ChannelRange there = intersect(need, prev.held[from]);
    return there.count() - intersect(there, prev.held[to]).count();
}

void label(ImDrawList* dl, ImVec2 at, ImU32 colour, const std::string& text) {
    const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
    dl->AddRectFilled(ImVec2(at.x - 2, at.y), ImVec2(at.x + ts.x + 2, at.y + ts.y), IM_COL32(20, 20, 24, 215), 3.0f);
    dl->AddText(at, colour, text.c_str());
}

// Lines from row `prev` into row `r`: straight down where a device reads its own channels, crossing to
// the other columns where it reads theirs, and each device's received bytes in the gap.
void draw_edges(ImDrawList* dl, const Partition& p, const Row& prev, const Row& r, const Columns& c, ImVec2 o) {
    const PartitionStage& s = p.stages[static_cast<size_t>(r.stage)];
    const size_t K = r.held.size();
    const float y_from = o.y + prev.bottom, y_to = o.y + r.top;
    for (size_t to = 0; to < K; ++to) {
        if (s.devices[to].out.count() == 0 && s.devices[to].in.count() == 0) continue;
        if (intersect(s.devices[to].in, prev.held[to]).count() > 0 && prev.held[to].count() > 0)
            dl->AddLine(ImVec2(o.x + c.centre(to), y_from), ImVec2(o.x + c.centre(to), y_to), kLocalEdge, 1.5f);
        for (size_t from = 0; from < K; ++from)
            if (crossing_channels(prev, s, from, to) > 0)
                dl->AddLine(ImVec2(o.x + c.centre(from), y_from), ImVec2(o.x + c.centre(to), y_to),
                            exchange_colour(s.exchange, 230), 1.6f);
    }
    if (s.exchange == Exchange::None) return;
    // Each receiving device's bytes beside its column's line; when a column is too narrow for that,
    // one label for the row (the range when devices differ).
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = 0;
    float widest = 0;
    for (size_t d = 0; d < K; ++d) {
        const int64_t b = s.devices[d].receive_bytes;
        if (b <= 0) continue;
        lo = std::min(lo, b), hi = std::max(hi, b);
        widest = std::max(widest, ImGui::CalcTextSize(byte_text(b).c_str()).x);
    }
    if (hi == 0) return;
    const float line = ImGui::GetTextLineHeight();
    const float y = std::max(y_from, (y_from + y_to) * 0.5f - line * 0.5f);
    const ImU32 colour = exchange_colour(s.exchange);
    if (widest + 14 <= c.width * 0.5f || K == 1) {
        for (size_t d = 0; d < K; ++d)
            if (s.devices[d].receive_bytes > 0)
                label(dl, ImVec2(o.x + c.centre(d) + 5, y), colour, byte_text(s.devices[d].receive_bytes));
    } else {
        const std::string t =
            tr("{0} per device", lo == hi ? byte_text(hi) : byte_text(lo) + ui_text("–") + byte_text(hi));
        const float w = ImGui::CalcTextSize(t.c_str()).x;
        label(dl, ImVec2(o.x + c.x0 + c.width * static_cast<float>(K) * 0.5f - w * 0.5f, y), colour, t);
    }
}

void draw_box_tooltip(const App& app, const Partition& p, const Row& r, size_t d) {
    const Network& net = app.doc.network();
    ImGui::BeginTooltip();
    if (r.stage < 0) {
        show_text(tr("input {0} on device {1}", shape_text(net.input), d));
        ImGui::TextDisabled("%s", trc("Every device gets the whole image batch."));
        ImGui::EndTooltip();
        return;
    }
    const PartitionStage& s = p.stages[static_cast<size_t>(r.stage)];
    const DeviceShare& sh = s.devices[d];
    const bool fc = s.type == LayerType::Fc || s.type == LayerType::Flatten || s.type == LayerType::Softmax;
    show_text(tr("{0} ({1}) on device {2}", s.name, std::string(type_name(s.type)), d));
    show_text(fc ? tr("computes units {0} ({1} of {2})", range_text(sh.out), sh.out.count(), r.channels)
                 : tr("computes channels {0} ({1} of {2})", range_text(sh.out), sh.out.count(), r.channels));
    show_text(tr("reads input channels {0}", range_text(sh.in)));
    if (sh.receive_bytes > 0)
        ImGui::TextColored(exchange_text_colour(s.exchange), "%s",
                           tr("receives {0} for a batch of {1} ({2})", byte_text(sh.receive_bytes), p.batch,
                              exchange_label(s.exchange))
                               .c_str());
    if (sh.params > 0)
        show_text(tr("{0} parameters ({1}), {2} MACs per image", group_digits(sh.params), byte_text(sh.weight_bytes),
                     group_digits(sh.macs)));
    show_text(tr("output {0} for the batch", byte_text(sh.activation_bytes)));
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28);
    ImGui::TextDisabled("%s", ui_text(s.why).c_str());
    ImGui::PopTextWrapPos();
    ImGui::TextDisabled("%s", tr("click: select {0}", s.name).c_str());
    ImGui::EndTooltip();
}

void draw_legend() {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float s = ImGui::GetTextLineHeight() * 0.8f;
    auto swatch = [&](ImU32 c, const std::string& text, const std::string& note) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float off = (ImGui::GetTextLineHeight() - s) * 0.5f;
        dl->AddRectFilled(ImVec2(p.x, p.y + off), ImVec2(p.x + s, p.y + off + s), c, 2.0f);
        ImGui::Dummy(ImVec2(s, s));
        ImGui::SameLine(0, 4);
        ImGui::TextUnformatted(text.c_str());
        hover_note(note);
        ImGui::SameLine(0, 14);
    };
    swatch(exchange_colour(Exchange::None), exchange_label(Exchange::None),
           tr("Each device reads only the channels it already holds: nothing crosses between devices."));
    swatch(exchange_colour(Exchange::AllGather), exchange_label(Exchange::AllGather),
           tr("Each device first receives the other devices' outputs (all of them, or the channels its\n"
              "groups need), then computes its share: lines cross between the columns."));
    swatch(exchange_colour(Exchange::Halo), exchange_label(Exchange::Halo),
           tr("LRN's window runs across channels: a device needs the few channels just beyond its edges\n"
              "from its neighbours."));
    swatch(kThin, "relu / dropout", tr("Thin bars: they work value by value, hold no parameters and exchange nothing."));
    ImGui::NewLine();
}

void draw_towers(App& app, const Partition& p, ImVec2 size) {
    ImGui::BeginChild("towers", size, true);
    std::vector<Row> rows = build_rows(app, p);
    const size_t K = static_cast<size_t>(p.devices);
    const float line = ImGui::GetTextLineHeight();
    const float pad = ImGui::GetStyle().ItemSpacing.y;

    // Column headers, then the picture.
    auto name_of = [&](const Row& r) {
        return r.stage < 0 ? trc("input") : p.stages[static_cast<size_t>(r.stage)].name.c_str();
    };
    float names = 0;
    for (const Row& r : rows)
        if (!r.thin) names = std::max(names, ImGui::CalcTextSize(name_of(r)).x);
    const float width = ImGui::GetContentRegionAvail().x;
    Columns c;
    c.x0 = std::min(names + 10.0f, width * 0.3f);
    c.width = std::max((width - c.x0) / static_cast<float>(K), 8.0f);
    int64_t widest = 1;
    for (const Row& r : rows)
        for (const ChannelRange& h : r.held) widest = std::max(widest, h.count());
    c.log_max = std::log2(1.0 + static_cast<double>(widest));

    const ImVec2 head = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (size_t d = 0; d < K; ++d) {
        // "device 3", or just "3" over a narrow column.
        std::string t = tr("device {0}", d);
        if (ImGui::CalcTextSize(t.c_str()).x + 8 > c.width) t = std::to_string(d);
        const float w = ImGui::CalcTextSize(t.c_str()).x;
        dl->AddText(ImVec2(head.x + c.centre(d) - w * 0.5f, head.y), ImGui::GetColorU32(ImGuiCol_Text), t.c_str());
    }
    ImGui::Dummy(ImVec2(width, line + pad));

    const float total = fit_rows(rows, ImGui::GetContentRegionAvail().y - pad);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("towers picture", ImVec2(width, std::max(total, 1.0f)));
    const bool hovered = ImGui::IsItemHovered();
    const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);

    // Bring the selected row into view when the selection changed elsewhere (strip, keys, stepping).
    static int last_selected = -2;
    if (app.selected() != last_selected) {
        last_selected = app.selected();
        for (const Row& r : rows)
            if (r.stage == app.selected()) {
                const float y0 = o.y + r.top, y1 = o.y + r.bottom;
                const float v0 = ImGui::GetWindowPos().y, v1 = v0 + ImGui::GetWindowHeight();
                if (y0 < v0 || y1 > v1) ImGui::SetScrollFromPosY(y0 - ImGui::GetWindowPos().y, 0.4f);
            }
    }

    // The selected row's band first, under everything.
    for (const Row& r : rows)
        if (r.stage == app.selected())
            dl->AddRectFilled(ImVec2(o.x, o.y + r.top - 3), ImVec2(o.x + width, o.y + r.bottom + 3),
                              IM_COL32(255, 220, 40, 38), 3.0f);
    for (size_t i = 1; i < rows.size(); ++i) draw_edges(dl, p, rows[i - 1], rows[i], c, o);

    const ImVec2 mouse = ImGui::GetIO().MousePos;
    std::optional<std::pair<size_t, size_t>> under;  // row, device
    for (size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        const bool selected = r.stage == app.selected();
        const ImU32 fill = r.stage < 0 ? kInput : r.thin ? kThin : exchange_colour(r.exchange, 255);
        for (size_t d = 0; d < K; ++d) {
            const ImVec4 b = box_of(r, d, c, o);
            if (b.z <= b.x) {  // this device holds nothing of the stage
                const float cx = o.x + c.centre(d);
                dl->AddRect(ImVec2(cx - 4, b.y), ImVec2(cx + 4, b.w), IM_COL32(120, 120, 120, 160), 2.0f);
                continue;
            }
            dl->AddRectFilled(ImVec2(b.x, b.y), ImVec2(b.z, b.w), fill, r.thin ? 1.0f : 3.0f);
            if (selected) dl->AddRect(ImVec2(b.x - 1, b.y - 1), ImVec2(b.z + 1, b.w + 1), kSelected, 3.0f, 0, 2.0f);
            if (!r.thin && b.w - b.y >= line) {
                // The device's shape when it fits, else its channel count.
                const int64_t n = r.held[d].count();
                const Shape3 whole = r.stage < 0 ? app.doc.network().input
                                                 : *app.doc.analysis().stages[static_cast<size_t>(r.stage)].output;
                std::string t =
                    ui_text(std::to_string(n) + "×" + std::to_string(whole.h) + "×" + std::to_string(whole.w));
                if (whole.h == 1 && whole.w == 1) t = std::to_string(n);
                if (ImGui::CalcTextSize(t.c_str()).x + 6 > b.z - b.x) t = std::to_string(n);
                const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
                if (ts.x + 4 <= b.z - b.x)
                    dl->AddText(ImVec2((b.x + b.z - ts.x) * 0.5f, (b.y + b.w - ts.y) * 0.5f), IM_COL32(15, 15, 20, 255),
                                t.c_str());
            }
            if (hovered && mouse.y >= o.y + r.gap_top && mouse.y < o.y + r.bottom + 1 &&
                mouse.x >= o.x + c.x0 + c.width * static_cast<float>(d) &&
                mouse.x < o.x + c.x0 + c.width * static_cast<float>(d + 1))
                under = {i, d};
        }
        if (!r.thin) {
            const char* name = name_of(r);
            const ImVec2 ts = ImGui::CalcTextSize(name);
            const float y = o.y + (r.top + r.bottom - ts.y) * 0.5f;
            dl->PushClipRect(ImVec2(o.x, o.y + r.gap_top), ImVec2(o.x + c.x0 - 4, o.y + r.bottom + 8), true);
            dl->AddText(ImVec2(o.x, y), selected ? kSelected : ImGui::GetColorU32(ImGuiCol_Text), name);
            dl->PopClipRect();
        }
    }
    if (under) {
        draw_box_tooltip(app, p, rows[under->first], under->second);
        if (clicked) app.select(rows[under->first].stage);
    } else if (clicked && hovered) {
        // A click beside the boxes (on the names) selects the row too.
        for (const Row& r : rows)
            if (mouse.y >= o.y + r.gap_top && mouse.y < o.y + r.bottom + 1) app.select(r.stage);
    }
    ImGui::EndChild();
}

// ---- the selected stage per device: maps and kernels ------------------------------------------------

// One device's channels of a (C, H, W) output; an fc output (N, 1, 1) becomes one picture of its units,
// ⌊√n⌋ rows read left to right, as the feature-map panel draws a whole layer's.
nn::Tensor device_slice(const nn::Tensor& t, ChannelRange r) {
    const int64_t n = std::clamp<int64_t>(r.count(), 0, t.shape.c - r.begin);
    const int64_t plane = t.shape.h * t.shape.w;
    if (t.shape.h == 1 && t.shape.w == 1 && n > 1) {
        const int64_t rows = std::max<int64_t>(1, static_cast<int64_t>(std::sqrt(static_cast<double>(n))));
        const int64_t cols = (n + rows - 1) / rows;
        float lo = t.data[static_cast<size_t>(r.begin)];
        for (int64_t i = 0; i < n; ++i) lo = std::min(lo, t.data[static_cast<size_t>(r.begin + i)]);
        nn::Tensor m(Shape3{1, rows, cols}, lo);
        std::copy_n(t.data.begin() + r.begin, n, m.data.begin());
        return m;
    }
    nn::Tensor s(Shape3{n, t.shape.h, t.shape.w});
    std::copy_n(t.data.begin() + r.begin * plane, n * plane, s.data.begin());
    return s;
}

struct Picture {
    // What the texture shows: re-made only when one of these changes.
    struct Key {
        uint64_t revision = 0;          // the app's state: every new network, input or set of weights
        uint64_t weights_revision = 0;  // values changed in place
        int stage = -2;
        ChannelRange range;
        int option = 0;  // maps: colour map and scaling; kernels: BGR or not
        const void* data = nullptr;
        friend bool operator==(const Key&, const Key&) = default;
    } key;
    Texture texture;
    std::string error;
};

std::array<Picture, App::kMaxDevices>& map_pictures() {
    static std::array<Picture, App::kMaxDevices> p;
    return p;
}

std::array<Picture, App::kMaxDevices>& kernel_pictures() {
    static std::array<Picture, App::kMaxDevices> p;
    return p;
}

void release_pictures() {
    for (auto* set : {&map_pictures(), &kernel_pictures()})
        for (Picture& p : *set) {
            p.texture.release();
            p = Picture{};
        }
}

const Picture& map_picture(const App& app, size_t d, const nn::Tensor& t, ChannelRange r) {
    Picture& p = map_pictures()[d];
    const Picture::Key key{app.state_revision(), 0, app.selected(), r,
                           static_cast<int>(app.view.colormap) * 2 + static_cast<int>(app.view.scale), t.ptr()};
    if (key == p.key && (!p.texture.empty() || !p.error.empty())) return p;
    p.key = key;
    nn::GridOptions o = app.view.grid_options();
    o.gap = 2;
    o.gap_rgba = {34, 34, 38, 255};
    o.max_side = std::min(4096, max_texture_side());
    const nn::FeatureGrid g = nn::render_feature_grid(device_slice(t, r), o);
    p.error = g.error;
    p.texture.upload(g.image, Texture::Magnify::Nearest);
    return p;
}

const Picture& kernel_picture(const App& app, size_t d, const nn::LayerWeights& w, ChannelRange r) {
    Picture& p = kernel_pictures()[d];
    const bool bgr = app.preprocess.normalization == nn::Normalization::Caffe;
    // The state revision changes with every new set of weights, so a freed set's address coming back
    // cannot pass for the old one.
    const Picture::Key key{app.state_revision(), app.weights()->revision, app.selected(), r, bgr ? 1 : 0,
                           app.weights().get()};
    if (key == p.key && (!p.texture.empty() || !p.error.empty())) return p;
    p.key = key;
    const auto& s = w.weight_shape;
    const int64_t per = s[1] * s[2] * s[3];
    nn::FilterOptions o;
    o.bgr = bgr;
    o.gap = 2;
    o.gap_rgba = {34, 34, 38, 255};
    const std::span<const float> part(w.weight.data() + r.begin * per, static_cast<size_t>(r.count() * per));
    const nn::FeatureGrid g = nn::render_filters(part, {r.count(), s[1], s[2], s[3]}, o);
    p.error = g.error;
    p.texture.upload(g.image, Texture::Magnify::Nearest);
    return p;
}

// The first convolution's weights, when the selected stage is it and its kernels are colour pictures.
const nn::LayerWeights* first_conv_weights(const App& app) {
    const Network& net = app.doc.network();
    const int stage = app.selected();
    if (stage < 0 || !app.weights() || static_cast<size_t>(stage) >= app.weights()->layers.size()) return nullptr;
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (net.layers[i].type == LayerType::Conv) {
            if (static_cast<int>(i) != stage) return nullptr;
            const nn::LayerWeights& w = app.weights()->layers[i];
            if (w.weight_shape.size() != 4 || (w.weight_shape[1] != 3 && w.weight_shape[1] != 1)) return nullptr;
            if (w.weight.size() != static_cast<size_t>(w.weight_shape[0] * w.weight_shape[1] * w.weight_shape[2] *
                                                       w.weight_shape[3]))
                return nullptr;
            return &w;
        }
    return nullptr;
}

// Pictures side by side, one per device, each scaled to fit its cell, under a caption of one or more
// lines. `caption(d, short)` gives device d's lines, the short form being used for every device once
// any long line is wider than its cell, so the pictures stay level; `picture(d)` may give nothing.
template <class Caption, class Make>
void picture_row(size_t K, float height, Caption caption, Make picture) {
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float cell = (ImGui::GetContentRegionAvail().x - gap * static_cast<float>(K - 1)) / static_cast<float>(K);
    bool short_form = false;
    for (size_t d = 0; d < K && !short_form; ++d)
        for (const std::string& l : caption(d, false)) short_form |= ImGui::CalcTextSize(l.c_str()).x > cell;
    const float text_h = ImGui::GetTextLineHeightWithSpacing() * static_cast<float>(caption(0, short_form).size());
    for (size_t d = 0; d < K; ++d) {
        if (d) ImGui::SameLine(0, gap);
        ImGui::BeginGroup();
        const ImVec2 at = ImGui::GetCursorScreenPos();
        ImGui::PushClipRect(at, ImVec2(at.x + cell, at.y + text_h), true);
        for (const std::string& l : caption(d, short_form)) ImGui::TextUnformatted(l.c_str());
        ImGui::PopClipRect();
        const Picture* p = picture(d);
        if (p && !p->texture.empty()) {
            const float k = std::min(cell / p->texture.width(), std::max(height - text_h, 8.0f) / p->texture.height());
            ImGui::Image(p->texture.imgui_id(), ImVec2(p->texture.width() * k, p->texture.height() * k));
        } else if (p && !p->error.empty()) {
            ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + cell);
            ImGui::TextDisabled("%s", p->error.c_str());
            ImGui::PopTextWrapPos();
        }
        ImGui::Dummy(ImVec2(cell, 0));
        ImGui::EndGroup();
    }
}

void draw_stage_detail(App& app, const Partition& p, ImVec2 size) {
    ImGui::BeginChild("stage per device", size, true);
    const size_t K = static_cast<size_t>(p.devices);
    const int stage = app.selected();
    const Network& net = app.doc.network();
    if (stage < 0 || static_cast<size_t>(stage) >= p.stages.size()) {
        show_text(tr("input {0}", shape_text(net.input)));
        ImGui::TextDisabled("%s", tr("Every device holds the whole image batch: {0} for {1} images.",
                                     byte_text(net.input.count() * p.batch * 4), p.batch)
                                      .c_str());
        ImGui::TextDisabled("%s", trc("Select a layer (click its row) to see what each device computes."));
        ImGui::EndChild();
        return;
    }
    const PartitionStage& s = p.stages[static_cast<size_t>(stage)];
    const Stage& st = app.doc.analysis().stages[static_cast<size_t>(stage)];
    ImGui::Text("%s (%s)", s.name.c_str(), std::string(type_name(s.type)).c_str());
    if (st.output) {
        ImGui::SameLine();
        show_text(ui_text("→ ") + shape_text(*st.output));
    }
    ImGui::SameLine(0, 12);
    ImGui::TextColored(exchange_text_colour(s.exchange), "%s", exchange_label(s.exchange).c_str());
    show_wrapped(dim_colour(), s.why);

    const bool units = s.type == LayerType::Fc || s.type == LayerType::Softmax || s.type == LayerType::Flatten ||
                       (st.output && st.output->h == 1 && st.output->w == 1);
    for (size_t d = 0; d < K; ++d) {
        const DeviceShare& sh = s.devices[d];
        std::string t = units ? tr("device {0}: units {1}, reads {2}", d, range_text(sh.out), range_text(sh.in))
                              : tr("device {0}: channels {1}, reads {2}", d, range_text(sh.out), range_text(sh.in));
        if (sh.receive_bytes > 0) t += tr(", receives {0}", byte_text(sh.receive_bytes));
        if (sh.params > 0) t += tr(", {0} parameters", group_digits(sh.params));
        show_text(t);
    }

    // This device's share of the maps, from the current pass.
    const PassOutcome* pass = app.current_pass();
    const float line = ImGui::GetFrameHeightWithSpacing();
    const nn::LayerWeights* kernels = first_conv_weights(app);
    const float avail = ImGui::GetContentRegionAvail().y - line;
    const float maps_h = std::max(line * 2, kernels ? avail * 0.55f : avail - line * 0.5f);
    ImGui::Separator();
    if (!pass) {
        ImGui::TextDisabled("%s", ui_text(app.doc.analysis().valid() ? tr("computing the maps…")
                                                                      : tr("no maps: the network has errors"))
                                      .c_str());
    } else if (pass->error || static_cast<size_t>(stage) >= pass->result.outputs.size()) {
        ImGui::TextDisabled(
            "%s", tr("no maps: {0}", pass->error ? *pass->error : tr("this stage has no output")).c_str());
    } else {
        const nn::Tensor& t = pass->result.outputs[static_cast<size_t>(stage)];
        ImGui::TextDisabled("%s", trc("Each device's share of the maps:"));
        hover_note(tr("Computed from the photo by the forward pass, drawn in the colours and scaling chosen for\n"
                      "the Feature maps panel (each device's picture is scaled on its own)."));
        picture_row(
            K, maps_h - line,
            [&](size_t d, bool short_form) {
                const std::string r = range_text(s.devices[d].out);
                return std::vector<std::string>{short_form ? ui_format("d%zu: %s", d, r.c_str())
                                                           : tr("device {0}: {1}", d, r)};
            },
            [&](size_t d) -> const Picture* {
                const ChannelRange r = s.devices[d].out;
                if (r.count() <= 0 || r.end > t.shape.c) return nullptr;
                return &map_picture(app, d, t, r);
            });
    }

    if (!kernels) {
        ImGui::EndChild();
        return;
    }
    ImGui::Separator();
    const int64_t out = kernels->weight_shape[0], half = out / 2;
    if (app.weights()->designed_first_conv) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1.0f, 0.80f, 0.35f, 1.0f), "%s",
                           ui_text(tr("Kernels per device (designed, not learned): the first half is a colour-agnostic "
                                      "bank of Gabor edges, the second half colour-specific blobs and edges — the "
                                      "split the paper found its two GPUs had learned (its Figure 3)."))
                               .c_str());
        ImGui::PopTextWrapPos();
    } else {
        ImGui::TextDisabled("%s", trc("Kernels per device (mid-grey is 0):"));
    }
    const bool designed = app.weights()->designed_first_conv;
    picture_row(
        K, ImGui::GetContentRegionAvail().y - line * 0.5f,
        [&](size_t d, bool short_form) {
            const ChannelRange r = s.devices[d].out;
            std::vector<std::string> lines{short_form ? ui_format("d%zu: %s", d, range_text(r).c_str())
                                                      : tr("device {0}: {1}", d, range_text(r))};
            if (designed) {
                // Which half of the designed bank the device holds (a device may straddle the middle).
                const int half_held = r.count() <= 0 ? -1 : r.end <= half ? 0 : r.begin >= half ? 1 : 2;
                const std::string kind[] = {tr("colour-agnostic"), tr("colour-specific"), tr("both kinds")};
                const std::string brief[] = {tr("agnostic"), tr("specific"), tr("both")};
                lines.push_back(half_held < 0 ? "" : short_form ? brief[half_held] : kind[half_held]);
            }
            return lines;
        },
        [&](size_t d) -> const Picture* {
            const ChannelRange r = s.devices[d].out;
            if (r.count() <= 0 || r.end > out) return nullptr;
            return &kernel_picture(app, d, *kernels, r);
        });
    ImGui::EndChild();
}

// ---- the per-device table ---------------------------------------------------------------------------

void memory_note(const TrainingMemory& m) {
    if (!ImGui::IsItemHovered()) return;
    ImGui::BeginTooltip();
    // A table rather than padding with spaces: the columns stay level in every language's font.
    if (ImGui::BeginTable("memory", 2, ImGuiTableFlags_SizingFixedFit)) {
        auto line = [](const std::string& what, int64_t bytes) {
            ImGui::TableNextColumn();
            show_text(what);
            ImGui::TableNextColumn();
            show_text(byte_text(bytes));
        };
        line(tr("weights, gradients, momentum (3×)"), m.weights);
        line(tr("every output and its gradient (2×)"), m.activations);
        line(tr("the input batch"), m.input);
        line(tr("largest unrolled input (im2col)"), m.workspace);
        ImGui::EndTable();
    }
    ImGui::Separator();
    show_text(tr("total {0}", byte_text(m.total())));
    ImGui::TextDisabled("%s", trc("An estimate of what training needs, not what a framework allocates."));
    ImGui::EndTooltip();
}

void fits_cell(int64_t bytes) {
    const bool fits = bytes <= Partition::kCardBytes;
    ImGui::TextColored(fits ? status_text_colour(Severity::Ok) : status_text_colour(Severity::Error), "%s",
                       fits_text(bytes).c_str());
}

void draw_device_table(const App& app, const Partition& p) {
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("per device", 8, flags, ImGui::GetContentRegionAvail())) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    for (const char* h : {trc("device"), trc("parameters"), trc("MACs / image"), trc("weights"), trc("outputs (batch)"),
                          trc("receives (batch)"), trc("training (estimate)"), trc("3 GB card")})
        ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    auto row = [](const std::string& name, int64_t params, int64_t macs, int64_t weights, int64_t acts,
                  const std::string& recv, const TrainingMemory& m) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(name.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(group_digits(params).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(group_digits(macs).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(byte_text(weights).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(byte_text(acts).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(recv.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(byte_text(m.total()).c_str());
        memory_note(m);
        ImGui::TableNextColumn();
        fits_cell(m.total());
    };
    for (size_t d = 0; d < p.per_device.size(); ++d) {
        const DeviceTotals& t = p.per_device[d];
        row(tr("device {0}", d), t.params, t.macs, t.weight_bytes, t.activation_bytes,
            byte_text(t.receive_bytes), p.training[d]);
    }
    if (p.devices > 1) {
        // The devices together: what is summed is split, not repeated (the input is on every device).
        TrainingMemory all;
        for (const TrainingMemory& m : p.training) {
            all.weights += m.weights, all.activations += m.activations, all.workspace += m.workspace;
            all.input += m.input;
        }
        ImGui::TableNextRow();
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(255, 255, 255, 18));
        const DeviceTotals& o = p.overall;
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(trc("all devices"));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(group_digits(o.params).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(group_digits(o.macs).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(byte_text(o.weight_bytes).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(byte_text(o.activation_bytes).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(byte_text(o.receive_bytes).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(byte_text(all.total()).c_str());
        memory_note(all);
        ImGui::TableNextColumn();
    }
    // The comparison that motivated the split: the whole network on one card.
    const Analysis& a = app.doc.analysis();
    int64_t acts = 0;
    for (const DeviceTotals& t : p.per_device) acts += t.activation_bytes;
    row(tr("one device"), a.totals.params, a.totals.macs, a.totals.params * 4, acts, tr("nothing"), p.single);
    ImGui::EndTable();
}

// ---- K and the batch --------------------------------------------------------------------------------

void draw_controls(App& app) {
    const float w = ImGui::CalcTextSize("0000000").x + ImGui::GetFrameHeight() * 2;
    ImGui::SetNextItemWidth(w * 1.3f);
    ImGui::SliderInt(trc("devices (K)"), &app.devices, 1, App::kMaxDevices, "%d", ImGuiSliderFlags_AlwaysClamp);
    hover_note(tr("How many devices (GPUs) share every layer: each computes 1/K of its channels or units.\n"
                  "AlexNet used 2 GTX 580s with 3 GB each."));
    ImGui::SameLine(0, 16);
    ImGui::SetNextItemWidth(w * 1.4f);
    const int64_t step = 32, fast = 128;
    ImGui::InputScalar(trc("batch"), ImGuiDataType_S64, &app.batch, &step, &fast, "%lld");
    app.batch = std::clamp<int64_t>(app.batch, 1, App::kMaxBatch);
    hover_note(tr("Images per training step (the paper used 128): scales the outputs, the bytes exchanged\n"
                  "and the training memory, not the parameters."));
    const int from_model = app.doc.network().devices;
    if (from_model > 1 && from_model <= App::kMaxDevices && from_model != app.devices) {
        ImGui::SameLine(0, 16);
        if (ImGui::SmallButton((tr("K = {0}, as the model ran", from_model) + "###K from model").c_str()))
            app.devices = from_model;
        hover_note(tr("The model file says how many GPUs the original network was trained on."));
    }
    ImGui::SameLine(0, 24);
    draw_legend();
}

void draw_summary(const Partition& p) {
    int64_t most = 0;
    for (const TrainingMemory& m : p.training) most = std::max(most, m.total());
    const bool fits = most <= Partition::kCardBytes, one_fits = p.single.total() <= Partition::kCardBytes;
    std::string t;
    // Whole sentences, one per case, so that each language can order its words.
    const std::string need = byte_text(most), one = byte_text(p.single.total()), sent = byte_text(p.overall.receive_bytes);
    if (p.devices == 1) {
        t = fits ? tr("Training on one device needs about {0} (estimate): it fits a 3 GB card.", need)
                 : tr("Training on one device needs about {0} (estimate): it does not fit a 3 GB card.", need);
    } else if (fits) {
        t = one_fits ? tr("Training needs about {0} per device (estimate): each fits a 3 GB card; one device would "
                          "need {1} and fit. Sent between devices in a batch's forward pass: {2}.",
                          need, one, sent)
                     : tr("Training needs about {0} per device (estimate): each fits a 3 GB card; one device would "
                          "need {1} and not fit. Sent between devices in a batch's forward pass: {2}.",
                          need, one, sent);
    } else {
        t = one_fits ? tr("Training needs about {0} per device (estimate): each does not fit a 3 GB card; one device "
                          "would need {1} and fit. Sent between devices in a batch's forward pass: {2}.",
                          need, one, sent)
                     : tr("Training needs about {0} per device (estimate): each does not fit a 3 GB card; one device "
                          "would need {1} and not fit. Sent between devices in a batch's forward pass: {2}.",
                          need, one, sent);
    }
    show_wrapped(fits ? status_text_colour(Severity::Ok) : status_text_colour(Severity::Warning), t);
    for (const std::string& w : p.warnings) show_wrapped(status_text_colour(Severity::Warning), tr("uneven: {0}", w));
}

}  // namespace

void draw_devices(App& app) {
    if (!app.show_devices) {
        // Closed: its textures go (and come back when it opens again).
        if (!map_pictures()[0].texture.empty() || !kernel_pictures()[0].texture.empty()) release_pictures();
        return;
    }
    // Larger than a panel slot at first use, over the centre of the window: the towers need height.
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.12f, vp->WorkPos.y + vp->WorkSize.y * 0.06f),
                            ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x * 0.76f, vp->WorkSize.y * 0.9f), ImGuiCond_FirstUseEver);
    // Opaque: it opens over the feature maps, which would otherwise show through the towers.
    ImGui::SetNextWindowBgAlpha(1.0f);
    if (ImGui::Begin((tr("Devices") + "###devices").c_str(), &app.show_devices)) {
        const Partition& p = app.partition();
        draw_controls(app);
        if (!p.ok()) {
            show_wrapped(status_text_colour(Severity::Error), tr("Cannot split this network: {0}", p.error));
        } else {
            draw_summary(p);
            const float line = ImGui::GetFrameHeightWithSpacing();
            const ImVec2 avail = ImGui::GetContentRegionAvail();
            // The table's header, a row per device, all devices together (K > 1) and one device.
            const float table_rows = static_cast<float>(p.devices + (p.devices > 1 ? 3 : 2));
            const float row_h = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y;
            const float table_h = std::min(avail.y * 0.4f, row_h * table_rows + 6);
            const float main_h = std::max(avail.y - table_h - ImGui::GetStyle().ItemSpacing.y, line * 4);
            const float towers_w = std::max(avail.x * 0.5f, std::min(avail.x, 260.0f));
            draw_towers(app, p, ImVec2(towers_w, main_h));
            ImGui::SameLine();
            draw_stage_detail(app, p, ImVec2(0, main_h));
            draw_device_table(app, p);
        }
    }
    ImGui::End();
}

}  // namespace convscope::app
