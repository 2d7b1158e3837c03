// The feature maps: every channel of the selected stage as a grid of pictures, rendered once per
// (state, stage, colour map, scaling) into a texture and then only drawn, so the frame stays cheap.
// The mouse wheel zooms about the cursor, dragging pans, a click on a tile enlarges that channel (a
// click again returns). Hovering a value shows it with its (c, y, x) and the input region it depends
// on; the input panel draws that region over the image. Beside the maps (under them in a narrow
// panel), a conv layer's kernels.
// Also defines release_view_resources(), which frees the GL objects of every panel in this group.
#include <imgui.h>
#include <imgui_internal.h>  // SetItemUsingMouseWheel: the wheel zooms the maps instead of scrolling

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

#include "app/map_textures.h"
#include "app/view_common.h"
#include "app/views.h"
#include "core/i18n.h"
#include "core/network.h"
#include "core/receptive_field.h"
#include "nn/feature_grid.h"

namespace convscope::app {

namespace {

// ---- what is shown ------------------------------------------------------------------------------

// The tensor of the selected stage, or why there is none.
struct Source {
    const nn::Tensor* tensor = nullptr;  // (C, H, W)
    std::string why;
    bool busy = false;
};

Source source_of(const App& app) {
    Source s;
    const int stage = app.selected();
    if (stage < 0) {
        s.tensor = app.input_tensor().get();
        if (!s.tensor) s.why = tr("No input image: choose a sample or open an image in the Input panel.");
        return s;
    }
    if (const PassOutcome* p = app.current_pass()) {
        const size_t i = static_cast<size_t>(stage);
        if (p->error) s.why = tr("The forward pass failed: {0}", *p->error);
        else if (i < p->result.outputs.size()) s.tensor = &p->result.outputs[i];
        else s.why = tr("This stage has no output in the last pass.");
        return s;
    }
    const Analysis& a = app.doc.analysis();
    if (!a.valid())
        s.why = tr("The network has errors, so nothing can run: fix the layers marked red in the strip.");
    else if (!app.input_tensor())
        s.why = tr("No input image: choose a sample or open an image in the Input panel.");
    else if (!app.weights())
        s.why = tr("No weights.");
    else
        s.busy = true;
    return s;
}

// An fc output (N, 1, 1) is one value per unit: drawn as a single picture, ⌊√N⌋ rows of units read
// left to right, so that 4096 units make a 64 × 64 square instead of 4096 one-pixel tiles. Unused
// places at the end take the smallest value.
struct VectorLayout {
    bool on = false;
    int64_t length = 0, cols = 0;
};

VectorLayout vector_layout(const nn::Tensor& t) {
    VectorLayout v;
    if (t.shape.h != 1 || t.shape.w != 1 || t.shape.c <= 1) return v;
    const int64_t rows = std::max<int64_t>(1, static_cast<int64_t>(std::sqrt(static_cast<double>(t.shape.c))));
    v.on = true;
    v.length = t.shape.c;
    v.cols = (t.shape.c + rows - 1) / rows;
    return v;
}

nn::Tensor vector_picture(const nn::Tensor& t, const VectorLayout& v) {
    const int64_t rows = (v.length + v.cols - 1) / v.cols;
    float lo = std::numeric_limits<float>::infinity();
    for (float x : t.data)
        if (std::isfinite(x)) lo = std::min(lo, x);
    nn::Tensor map(Shape3{1, rows, v.cols}, std::isfinite(lo) ? lo : 0.0f);  // (1, rows, cols)
    std::copy(t.data.begin(), t.data.end(), map.data.begin());
    return map;
}

struct Stats {
    double min = 0, mean = 0, max = 0;
    double zeros = 0;  // share of exact zeros (ReLU's dead values)
    int64_t nonfinite = 0;
};

Stats stats_of(const nn::Tensor& t) {
    Stats s;
    double sum = 0;
    int64_t n = 0, zeros = 0;
    s.min = std::numeric_limits<double>::infinity();
    s.max = -s.min;
    for (float v : t.data) {
        if (!std::isfinite(v)) {
            ++s.nonfinite;
            continue;
        }
        s.min = std::min(s.min, double(v));
        s.max = std::max(s.max, double(v));
        sum += v;
        zeros += v == 0.0f;
        ++n;
    }
    if (n == 0) s.min = s.max = 0;
    s.mean = n ? sum / static_cast<double>(n) : 0.0;
    s.zeros = t.size() ? static_cast<double>(zeros) / static_cast<double>(t.size()) : 0.0;
    return s;
}

// ---- the grid texture, cached ---------------------------------------------------------------------

struct GridKey {
    uint64_t revision = 0;
    int stage = -2;
    Colormap colormap = Colormap::Gray;
    MapScale scale = MapScale::PerChannel;
    const float* data = nullptr;  // the tensor drawn: a pass arriving for the same revision is new data
    friend bool operator==(const GridKey&, const GridKey&) = default;
};

struct GridCache {
    GridKey key;
    Texture texture;
    nn::FeatureGrid layout;  // the grid's layout and ranges; its pixels went to the texture
    int width = 0, height = 0;
    VectorLayout vector;
    Shape3 shape;  // of the tensor drawn
    Stats stats;
    std::string error;
};

GridCache& grid_cache() {
    static GridCache cache;
    return cache;
}

const GridCache& grid_for(const App& app, const nn::Tensor& t) {
    GridCache& g = grid_cache();
    const GridKey key{app.state_revision(), app.selected(), app.view.colormap, app.view.scale, t.ptr()};
    if (key == g.key && (!g.texture.empty() || !g.error.empty())) return g;
    g.key = key;
    g.shape = t.shape;
    g.vector = vector_layout(t);
    g.stats = stats_of(t);
    nn::GridOptions o = app.view.grid_options();
    o.gap = 2;
    o.gap_rgba = {34, 34, 38, 255};
    o.max_side = std::min(8192, max_texture_side());
    nn::FeatureGrid grid = g.vector.on ? nn::render_feature_grid(vector_picture(t, g.vector), o)
                                       : nn::render_feature_grid(t, o);
    g.error = grid.error;
    g.width = grid.image.width;
    g.height = grid.image.height;
    g.texture.upload(grid.image, Texture::Magnify::Nearest);
    grid.image.pixels = {};  // the texture has them; the size stays, tile_at needs it
    g.layout = std::move(grid);
    return g;
}

// ---- the kernels texture, cached ------------------------------------------------------------------

struct FilterKey {
    std::shared_ptr<const nn::NetworkWeights> weights;  // held: a new set never reuses the address
    uint64_t weights_revision = 0;
    int stage = -2;
    int slice = -1;  // −1: drawn in colour (the first layer); else one input channel of each kernel
    bool bgr = false;
    friend bool operator==(const FilterKey&, const FilterKey&) = default;
};

struct FilterCache {
    FilterKey key;
    Texture texture;
    nn::FeatureGrid layout;
    int width = 0, height = 0;
    std::string error;
};

FilterCache& filter_cache() {
    static FilterCache cache;
    return cache;
}

int first_conv(const Network& net) {
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (net.layers[i].type == LayerType::Conv) return static_cast<int>(i);
    return -1;
}

// One input channel of every kernel: weight (out, in, kh, kw) → (out, 1, kh, kw).
std::vector<float> kernel_slice(const nn::LayerWeights& w, int64_t slice) {
    const auto& s = w.weight_shape;
    const int64_t per = s[2] * s[3];
    std::vector<float> out(static_cast<size_t>(s[0] * per));
    for (int64_t f = 0; f < s[0]; ++f)
        std::copy_n(w.weight.data() + (f * s[1] + slice) * per, per, out.data() + f * per);
    return out;
}

const FilterCache& filters_for(const FilterKey& key, const nn::LayerWeights& w) {
    FilterCache& f = filter_cache();
    if (key == f.key && (!f.texture.empty() || !f.error.empty())) return f;
    f.key = key;
    nn::FilterOptions o;
    o.bgr = key.bgr;
    o.gap = 2;
    o.gap_rgba = {34, 34, 38, 255};
    nn::FeatureGrid grid;
    if (key.slice < 0) {
        grid = nn::render_filters(std::span<const float>(w.weight.data(), w.weight.size()), w.weight_shape, o);
    } else {
        const auto one = kernel_slice(w, key.slice);
        const std::vector<int64_t> shape{w.weight_shape[0], 1, w.weight_shape[2], w.weight_shape[3]};
        grid = nn::render_filters(one, shape, o);
    }
    f.error = grid.error;
    f.width = grid.image.width;
    f.height = grid.image.height;
    f.texture.upload(grid.image, Texture::Magnify::Nearest);
    grid.image.pixels = {};  // the texture has them; the size stays, tile_at needs it
    f.layout = std::move(grid);
    return f;
}

// ---- the view state that is not the app's: dragging --------------------------------------------

struct Drag {
    bool moved = false;  // the press turned into a drag, so its release is not a click
};

Drag& drag_state() {
    static Drag d;
    return d;
}

// ---- header and controls -------------------------------------------------------------------------

// Zoom 1 fits the picture to the area; pan 0 centres it.
void reset_view(ViewSettings& v) {
    v.zoom = 1.0f;
    v.pan[0] = v.pan[1] = 0.0f;
}

std::string stage_title(const App& app) {
    const Network& net = app.doc.network();
    const int stage = app.selected();
    if (stage < 0) {
        std::string t = tr("input");
        t += " ";
        t += shape_text(net.input);
        return t;
    }
    const Stage& st = app.doc.analysis().stages[static_cast<size_t>(stage)];
    return st.name + " (" + std::string(type_name(st.type)) + ")" +
           (st.output ? ui_text("  →  ") + shape_text(*st.output) : std::string());
}

void draw_header(const App& app, const GridCache* g) {
    ImGui::TextUnformatted(stage_title(app).c_str());
    if (!g) return;
    const Stats& s = g->stats;
    ImGui::SameLine(0, 24);
    ImGui::TextDisabled("%s", trc("min"));
    ImGui::SameLine();
    ImGui::Text("%s", format_value(s.min).c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%s", trc("mean"));
    ImGui::SameLine();
    ImGui::Text("%s", format_value(s.mean).c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%s", trc("max"));
    ImGui::SameLine();
    ImGui::Text("%s", format_value(s.max).c_str());
    if (s.zeros > 0.005) {
        ImGui::SameLine(0, 16);
        char percent[16];
        std::snprintf(percent, sizeof percent, "%.0f", s.zeros * 100.0);
        ImGui::TextDisabled("%s", tr("{0}% zeros", percent).c_str());
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", trc("Values that are exactly 0, as ReLU leaves every negative sum."));
    }
    if (s.nonfinite > 0) {
        ImGui::SameLine(0, 16);
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.45f, 1.0f), "%s",
                           tr("{0} not finite (magenta)", s.nonfinite).c_str());
    }
    const PassOutcome* p = app.current_pass();
    const int stage = app.selected();
    if (p && stage >= 0 && static_cast<size_t>(stage) < p->result.ms.size()) {
        ImGui::SameLine(0, 24);
        ImGui::TextDisabled("%s", trc("time"));
        ImGui::SameLine();
        ImGui::Text("%s", format_ms(p->result.ms[static_cast<size_t>(stage)]).c_str());
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("This layer on {0}; the whole pass took {1}.", p->device,
                                       format_ms(p->wall_ms)).c_str());
    }
}

void draw_controls(App& app) {
    ViewSettings& v = app.view;
    // viridis is the colour map's own name in every language.
    const char* const maps[] = {trc("gray"), "viridis", trc("diverging")};
    float widest = 0;
    for (const char* m : maps) widest = std::max(widest, ImGui::CalcTextSize(m).x);
    int map = static_cast<int>(v.colormap);
    ImGui::SetNextItemWidth(widest + ImGui::GetFrameHeight() * 2);
    if (ImGui::Combo((tr("colours") + "###colours").c_str(), &map, maps, 3)) v.colormap = static_cast<Colormap>(map);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trc("gray: dark = low, light = high\nviridis: the same, easier to tell apart\n"
                                    "diverging: blue < 0 < red, white = 0 (the range is symmetric around zero)"));
    ImGui::SameLine(0, 16);
    if (ImGui::RadioButton((tr("per channel") + "###per channel").c_str(), v.scale == MapScale::PerChannel))
        v.scale = MapScale::PerChannel;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trc("Each channel stretched over its own range: every channel's pattern shows."));
    ImGui::SameLine();
    if (ImGui::RadioButton((tr("per layer") + "###per layer").c_str(), v.scale == MapScale::PerLayer))
        v.scale = MapScale::PerLayer;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trc("One range for the whole layer: shows which channels respond strongly."));
    ImGui::SameLine(0, 16);
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("00.00×").x * 2.2f);
    if (ImGui::SliderFloat((tr("zoom") + "###zoom").c_str(), &v.zoom, 0.25f, 32.0f, "%.2f×",
                           ImGuiSliderFlags_Logarithmic))
        v.zoom = std::clamp(v.zoom, 0.25f, 32.0f);
    ImGui::SameLine();
    if (ImGui::SmallButton((tr("fit") + "###fit").c_str())) reset_view(v);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trc("Zoom with the mouse wheel over the maps, drag to pan."));
}

// ---- the maps area ---------------------------------------------------------------------------------

// Where the picture (or the part of it shown) lies on screen: screen = origin + source·scale.
struct Placement {
    ImVec2 origin;
    float scale = 1;
    ImVec2 src0, src1;  // the source rectangle shown, in grid pixels
    ImVec2 screen(float x, float y) const { return {origin.x + (x - src0.x) * scale, origin.y + (y - src0.y) * scale}; }
    ImVec2 source(ImVec2 s) const { return {src0.x + (s.x - origin.x) / scale, src0.y + (s.y - origin.y) / scale}; }
};

Placement place(const ViewSettings& v, ImVec2 area0, ImVec2 size, ImVec2 src0, ImVec2 src1) {
    Placement p;
    p.src0 = src0;
    p.src1 = src1;
    const float sw = std::max(src1.x - src0.x, 1.0f), sh = std::max(src1.y - src0.y, 1.0f);
    const float fit = std::min(size.x / sw, size.y / sh);
    p.scale = std::max(fit * v.zoom, 1e-3f);
    p.origin = ImVec2(area0.x + size.x * 0.5f - sw * p.scale * 0.5f + v.pan[0],
                      area0.y + size.y * 0.5f - sh * p.scale * 0.5f + v.pan[1]);
    return p;
}

// The grid pixel rectangle of tile t.
ImVec4 tile_rect(const nn::FeatureGrid& L, int t) {
    const float x = static_cast<float>((t % L.columns) * (L.tile_width + L.gap));
    const float y = static_cast<float>((t / L.columns) * (L.tile_height + L.gap));
    return {x, y, x + static_cast<float>(L.tile_width), y + static_cast<float>(L.tile_height)};
}

// Wheel zoom about the cursor, drag to pan.
void handle_mouse(ViewSettings& v, const Placement& p, ImVec2 area0, ImVec2 size) {
    ImGuiIO& io = ImGui::GetIO();
    Drag& d = drag_state();
    if (ImGui::IsItemActivated()) d.moved = false;
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
        d.moved = true;
        v.pan[0] += io.MouseDelta.x;
        v.pan[1] += io.MouseDelta.y;
    }
    if (ImGui::IsItemHovered() && io.MouseWheel != 0.0f) {
        const float zoom = std::clamp(v.zoom * std::pow(1.15f, io.MouseWheel), 0.25f, 32.0f);
        // Keep the picture point under the cursor where it is.
        const ImVec2 q = p.source(io.MousePos);
        const float s = p.scale * zoom / v.zoom;
        const float sw = p.src1.x - p.src0.x, sh = p.src1.y - p.src0.y;
        v.pan[0] = io.MousePos.x - (q.x - p.src0.x) * s - (area0.x + size.x * 0.5f - sw * s * 0.5f);
        v.pan[1] = io.MousePos.y - (q.y - p.src0.y) * s - (area0.y + size.y * 0.5f - sh * s * 0.5f);
        v.zoom = zoom;
    }
}

// The value under grid pixel q, if any: its channel and position in the tensor shown.
struct Hit {
    int tile = -1;
    int64_t c = 0, y = 0, x = 0;
    int64_t py = 0, px = 0;  // the position in the picture (for vectors, not the tensor's)
};

std::optional<Hit> hit_at(const GridCache& g, ImVec2 q, int only_tile) {
    const nn::FeatureGrid& L = g.layout;
    const int qx = static_cast<int>(std::floor(q.x)), qy = static_cast<int>(std::floor(q.y));
    const int t = L.tile_at(qx, qy);
    if (t < 0 || (only_tile >= 0 && t != only_tile) || L.scale < 1) return std::nullopt;
    Hit h;
    h.tile = t;
    h.px = (qx - (t % L.columns) * (L.tile_width + L.gap)) / L.scale;
    h.py = (qy - (t / L.columns) * (L.tile_height + L.gap)) / L.scale;
    if (g.vector.on) {
        h.c = h.py * g.vector.cols + h.px;
        if (h.c >= g.vector.length) return std::nullopt;
    } else {
        h.c = t;
        h.y = h.py;
        h.x = h.px;
    }
    return h;
}

// The names of the input's channels as the network reads them.
const char* input_channel_name(const App& app, int64_t c) {
    if (app.doc.network().input.c != 3) return "";
    static const char* const rgb[] = {" (R)", " (G)", " (B)"};
    static const char* const bgr[] = {" (B)", " (G)", " (R)"};
    return (app.preprocess.normalization == nn::Normalization::Caffe ? bgr : rgb)[c];
}

void draw_probe_tooltip(const App& app, const GridCache& g, const MapProbe& m) {
    ImGui::BeginTooltip();
    if (g.vector.on)
        show_text(tr("unit {0} of {1}", m.c, g.vector.length));
    else
        show_text(tr("channel {0}{1}   y {2}   x {3}", m.c, m.stage < 0 ? input_channel_name(app, m.c) : "", m.y,
                     m.x));
    show_text(tr("value {0}", format_value(m.value)));
    if (!g.vector.on && static_cast<size_t>(m.c) < g.layout.low.size()) {
        const std::string lo = format_value(g.layout.low[static_cast<size_t>(m.c)]);
        const std::string hi = format_value(g.layout.high[static_cast<size_t>(m.c)]);
        ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
        show_text(app.view.scale == MapScale::PerChannel ? tr("colours span {0} … {1} (this channel)", lo, hi)
                                                          : tr("colours span {0} … {1} (the whole layer)", lo, hi));
        ImGui::PopStyleColor();
    }
    if (m.region) {
        const InputRegion& r = *m.region;
        if (r.empty())
            show_text(tr("depends on padding only, on no input pixel"));
        else if (r.whole)
            show_text(tr("depends on the whole input (rows {0}–{1}, columns {2}–{3})", r.y0, r.y1, r.x0, r.x1));
        else
            show_text(tr("input region: rows {0}–{1}, columns {2}–{3} ({4} × {5} pixels)", r.y0, r.y1, r.x0, r.x1,
                         r.height(), r.width()));
        const Texture& in = network_input_texture(app, input_display());
        if (!in.empty()) {
            const float side = 140.0f * ImGui::GetIO().FontGlobalScale * (ImGui::GetFontSize() / 13.0f);
            const float k = side / static_cast<float>(std::max(in.width(), in.height()));
            const ImVec2 size(in.width() * k, in.height() * k);
            const ImVec2 p0 = ImGui::GetCursorScreenPos();
            ImGui::Image(in.imgui_id(), size);
            draw_region_over(ImGui::GetWindowDrawList(), p0, ImVec2(p0.x + size.x, p0.y + size.y), in.height(),
                             in.width(), r);
        }
    }
    ImGui::EndTooltip();
}

// Channel numbers in the corners of tiles large enough to carry them.
void draw_tile_labels(const App& app, ImDrawList* dl, const GridCache& g, const Placement& p, ImVec2 clip0,
                      ImVec2 clip1) {
    const nn::FeatureGrid& L = g.layout;
    if (g.vector.on || L.tile_width * p.scale < 40.0f || L.tiles < 2) return;
    for (int t = 0; t < L.tiles; ++t) {
        const ImVec4 r = tile_rect(L, t);
        const ImVec2 a = p.screen(r.x, r.y);
        if (a.x > clip1.x || a.y > clip1.y || a.x + L.tile_width * p.scale < clip0.x ||
            a.y + L.tile_height * p.scale < clip0.y)
            continue;
        char text[16];
        std::snprintf(text, sizeof text, "%d%s", t, app.selected() < 0 ? input_channel_name(app, t) : "");
        const ImVec2 ts = ImGui::CalcTextSize(text);
        dl->AddRectFilled(a, ImVec2(a.x + ts.x + 4, a.y + ts.y), IM_COL32(0, 0, 0, 150));
        dl->AddText(ImVec2(a.x + 2, a.y), IM_COL32(255, 255, 255, 220), text);
    }
}

void draw_enlarged_nav(App& app, const GridCache& g) {
    int& e = app.view.enlarged_channel;
    const int n = g.layout.tiles;
    if (ImGui::SmallButton((tr("all channels") + "###all channels").c_str())) {
        e = -1;
        reset_view(app.view);
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(e <= 0);
    if (ImGui::ArrowButton("##prev channel", ImGuiDir_Left)) --e;
    ImGui::EndDisabled();
    ImGui::SameLine();
    show_text(tr("channel {0} of {1}", e, n));
    ImGui::SameLine();
    ImGui::BeginDisabled(e >= n - 1);
    if (ImGui::ArrowButton("##next channel", ImGuiDir_Right)) ++e;
    ImGui::EndDisabled();
    if (e >= 0 && static_cast<size_t>(e) < g.layout.low.size()) {
        ImGui::SameLine(0, 16);
        const size_t i = static_cast<size_t>(e);
        const std::string range = ui_text(tr("range {0} … {1}", format_value(g.layout.low[i]),
                                              format_value(g.layout.high[i])));
        ImGui::TextDisabled("%s", range.c_str());
    }
}

// The grid (or one enlarged channel) in an area `height` tall.
void draw_maps_area(App& app, const nn::Tensor& t, const GridCache& g, float height) {
    ViewSettings& v = app.view;
    int& enlarged = v.enlarged_channel;
    if (g.vector.on || enlarged >= g.layout.tiles) enlarged = -1;
    if (enlarged >= 0) {
        draw_enlarged_nav(app, g);
        height -= ImGui::GetFrameHeightWithSpacing();
    }
    const ImVec2 area0 = ImGui::GetCursorScreenPos();
    const ImVec2 size(std::max(ImGui::GetContentRegionAvail().x, 32.0f), std::max(height, 32.0f));
    // Pressed on release: a click unless the press turned into a drag.
    const bool clicked = ImGui::InvisibleButton("maps", size) && !drag_state().moved;
    ImGui::SetItemUsingMouseWheel();
    ImVec2 src0(0, 0), src1(static_cast<float>(g.width), static_cast<float>(g.height));
    if (enlarged >= 0) {
        const ImVec4 r = tile_rect(g.layout, enlarged);
        src0 = ImVec2(r.x, r.y);
        src1 = ImVec2(r.z, r.w);
    }
    Placement p = place(v, area0, size, src0, src1);
    handle_mouse(v, p, area0, size);
    p = place(v, area0, size, src0, src1);

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 area1(area0.x + size.x, area0.y + size.y);
    dl->PushClipRect(area0, area1, true);
    const ImVec2 uv0(src0.x / g.width, src0.y / g.height), uv1(src1.x / g.width, src1.y / g.height);
    dl->AddImage(g.texture.imgui_id(), p.screen(src0.x, src0.y), p.screen(src1.x, src1.y), uv0, uv1);
    if (enlarged < 0) draw_tile_labels(app, dl, g, p, area0, area1);

    // A pointer that has never moved is where the window happened to open under it, not a person
    // pointing: no probe until it moves (scripted screenshots then show no stray hover).
    static bool pointer_moved = false;
    const ImGuiIO& io = ImGui::GetIO();
    pointer_moved |= io.MouseDelta.x != 0.0f || io.MouseDelta.y != 0.0f;
    std::optional<Hit> hit;
    if (pointer_moved && ImGui::IsItemHovered()) hit = hit_at(g, p.source(io.MousePos), enlarged);
    if (hit) {
        // Outline the value's square in the picture.
        const nn::FeatureGrid& L = g.layout;
        const ImVec4 r = tile_rect(L, hit->tile);
        const ImVec2 a =
            p.screen(r.x + static_cast<float>(hit->px * L.scale), r.y + static_cast<float>(hit->py * L.scale));
        const ImVec2 b(a.x + L.scale * p.scale, a.y + L.scale * p.scale);
        dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(0, 0, 0, 255), 0, 0, 2.0f);
        dl->AddRect(a, b, IM_COL32(255, 220, 40, 255), 0, 0, 1.0f);
    }
    dl->PopClipRect();

    if (hit) {
        MapProbe& m = map_probe();
        m.active = true;
        m.stage = app.selected();
        m.c = hit->c;
        m.y = hit->y;
        m.x = hit->x;
        m.value = g.vector.on ? t.data[static_cast<size_t>(hit->c)] : t.at(hit->c, hit->y, hit->x);
        m.region = input_region(app.doc.network(), app.doc.analysis(), m.stage, hit->y, hit->x);
        draw_probe_tooltip(app, g, m);
    }
    if (clicked) {
        if (enlarged >= 0) {
            enlarged = -1;
            reset_view(v);
        } else if (hit && !g.vector.on && g.layout.tiles > 1) {
            enlarged = hit->tile;
            reset_view(v);
        }
    }
}

// ---- kernels ---------------------------------------------------------------------------------------

// The layer's kernels, or nothing to draw for a layer without them.
struct KernelInfo {
    const nn::LayerWeights* w = nullptr;
    bool colour = false;     // the first conv reading the image: each kernel in RGB (or gray)
    int64_t inputs = 0;      // input channels per kernel
    bool designed = false;
};

KernelInfo kernel_info(const App& app) {
    KernelInfo k;
    const int stage = app.selected();
    const auto weights = app.weights();
    const Network& net = app.doc.network();
    if (stage < 0 || !weights || static_cast<size_t>(stage) >= weights->layers.size() ||
        net.layers[static_cast<size_t>(stage)].type != LayerType::Conv)
        return k;
    const nn::LayerWeights& w = weights->layers[static_cast<size_t>(stage)];
    if (w.weight_shape.size() != 4 || w.weight.size() != static_cast<size_t>(w.weight_shape[0] * w.weight_shape[1] *
                                                                            w.weight_shape[2] * w.weight_shape[3]))
        return k;
    if (w.weight_shape[0] < 1 || w.weight_shape[1] < 1) return k;
    k.w = &w;
    k.inputs = w.weight_shape[1];
    const bool first = stage == first_conv(net);
    k.colour = first && net.layers[static_cast<size_t>(stage)].groups == 1 && (k.inputs == 1 || k.inputs == 3);
    k.designed = first && weights->designed_first_conv;
    return k;
}

float kernels_height(const App& app, float avail) {
    const KernelInfo k = kernel_info(app);
    if (!k.w) return 0;
    const float line = ImGui::GetFrameHeightWithSpacing();
    return app.view.show_filters ? std::max(line * 3, avail * 0.34f) : line;
}

// The kernels in `height`: under the maps (`side` false: the controls on one line) or beside them
// (`side` true: one control a line in a narrow column).
void draw_kernels(App& app, float height, bool side) {
    const KernelInfo k = kernel_info(app);
    if (!k.w) return;
    auto next = [side] {
        if (!side) ImGui::SameLine(0, 12);
    };
    static int slice = 0;
    const auto& s = k.w->weight_shape;
    ImGui::Checkbox((tr("kernels") + "###kernels").c_str(), &app.view.show_filters);
    ImGui::SameLine();
    ImGui::TextDisabled("%lld × %lld×%lld×%lld", static_cast<long long>(s[0]), static_cast<long long>(s[1]),
                        static_cast<long long>(s[2]), static_cast<long long>(s[3]));
    if (k.designed) {
        next();
        ImGui::TextColored(ImVec4(1.0f, 0.80f, 0.35f, 1.0f), "%s", trc("designed, not learned"));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", trc("These kernels were drawn by hand (edges at several angles, colour-opponent "
                                        "blobs)\nto show what trained first layers look like; no training produced "
                                        "them."));
    }
    if (!app.view.show_filters) return;
    next();
    if (!k.colour) {
        slice = std::clamp(slice, 0, static_cast<int>(k.inputs) - 1);
        const char* label = trc("input channel");
        ImGui::SetNextItemWidth(side ? -ImGui::CalcTextSize(label).x - ImGui::GetStyle().ItemInnerSpacing.x
                                     : std::min(200.0f, ImGui::GetContentRegionAvail().x * 0.4f));
        ImGui::SliderInt((std::string(label) + "###input channel").c_str(), &slice, 0, static_cast<int>(k.inputs) - 1);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("Each kernel reads {0} input channels; shown is the slice of every kernel "
                                       "that\nweighs this one (within its group). Mid-grey is 0, light positive, dark "
                                       "negative.", k.inputs).c_str());
    } else {
        ImGui::TextDisabled("%s", k.inputs == 3 ? trc("in colour, mid-grey = 0") : trc("gray, mid-grey = 0"));
    }
    const FilterKey key{app.weights(), app.weights()->revision, app.selected(), k.colour ? -1 : slice,
                        app.preprocess.normalization == nn::Normalization::Caffe};
    const FilterCache& f = filters_for(key, *k.w);
    if (f.texture.empty()) {
        ImGui::TextDisabled("%s", f.error.c_str());
        return;
    }
    const float h = std::max(side ? ImGui::GetContentRegionAvail().y : height - ImGui::GetFrameHeightWithSpacing(),
                             16.0f);
    const float w = ImGui::GetContentRegionAvail().x;
    const float scale = std::min(w / f.width, h / f.height);
    const ImVec2 size(f.width * scale, f.height * scale);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::Image(f.texture.imgui_id(), size);
    if (!ImGui::IsItemHovered()) return;
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int t = f.layout.tile_at(static_cast<int>((m.x - p0.x) / scale), static_cast<int>((m.y - p0.y) / scale));
    if (t < 0) return;
    ImGui::BeginTooltip();
    show_text(tr("kernel {0}: makes channel {0}", t));
    const size_t i = static_cast<size_t>(t);
    ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
    show_text(tr("weights within ±{0} (mid-grey is 0)", format_value(f.layout.high[i])));
    if (i < k.w->bias.size()) show_text(tr("bias {0}", format_value(k.w->bias[i])));
    show_text(tr("click: enlarge channel {0}", t));
    ImGui::PopStyleColor();
    ImGui::EndTooltip();
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        app.view.enlarged_channel = t;
        reset_view(app.view);
    }
}

void draw_missing(const App& app, const Source& s) {
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + std::max(0.0f, avail.y * 0.35f));
    if (s.busy) {
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail.x * 0.5f - 60);
        spinner(ImGui::GetTextLineHeight() * 0.5f, app.now());
        ImGui::SameLine();
        show_text(tr("computing…"));
        return;
    }
    show_wrapped(dim_colour(), s.why);
}

// The maps with the kernels beside them when the panel is wide, else under them.
void draw_maps_and_kernels(App& app, const nn::Tensor& t, const GridCache& g) {
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const bool side = kernel_info(app).w && app.view.show_filters && avail.x > avail.y * 1.3f;
    if (!side) {
        const float kernels = kernels_height(app, avail.y);
        draw_maps_area(app, t, g, avail.y - kernels - ImGui::GetStyle().ItemSpacing.y);
        draw_kernels(app, kernels, false);
        return;
    }
    const float kw = std::clamp(avail.x - avail.y * 1.05f, avail.x * 0.28f, avail.x * 0.45f);
    const ImGuiWindowFlags still = ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse;
    ImGui::BeginChild("##maps", ImVec2(avail.x - kw - ImGui::GetStyle().ItemSpacing.x, avail.y), false, still);
    draw_maps_area(app, t, g, ImGui::GetContentRegionAvail().y);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##kernels", ImVec2(0, avail.y), false, still);
    draw_kernels(app, avail.y, true);
    ImGui::EndChild();
}

}  // namespace

void draw_feature_maps(App& app) {
    map_probe() = MapProbe{};
    if (begin_panel((tr("Feature maps") + "###feature maps").c_str(), Slot::Center)) {
        const Source s = source_of(app);
        const GridCache* g = s.tensor ? &grid_for(app, *s.tensor) : nullptr;
        draw_header(app, g);
        draw_controls(app);
        ImGui::Separator();
        if (!g) {
            draw_missing(app, s);
        } else if (g->texture.empty()) {
            ImGui::TextDisabled("%s", tr("Cannot draw this stage: {0}", g->error).c_str());
        } else {
            draw_maps_and_kernels(app, *s.tensor, *g);
        }
    }
    ImGui::End();
}

void release_view_resources() {
    grid_cache().texture.release();
    grid_cache() = GridCache{};
    filter_cache().texture.release();
    filter_cache() = FilterCache{};
    release_shared_textures();
    release_input_textures();
}

}  // namespace convscope::app
