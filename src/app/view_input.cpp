// The input: where the image comes from (a sample or a file), the image itself with the part the
// network gets outlined, and beside it the tensor the network really reads (after resize, centre crop
// and normalisation) made visible again; the normalisation preset; and what the weights are (seeded
// or from a file), with the seed. The input region of the map value under the mouse is drawn over
// both pictures.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "app/map_textures.h"
#include "app/view_common.h"
#include "app/views.h"
#include "core/i18n.h"
#include "core/network.h"

namespace convscope::app {

namespace {

// ---- where the network's crop lies in the original -------------------------------------------------

// The resize and centre crop of nn::preprocess, repeated to find the crop in the original's pixels:
// the original is resized to rh × rw, then rows off_y … off_y + target.h − 1 (and columns alike) kept.
struct CropGeometry {
    int64_t rh = 0, rw = 0, off_y = 0, off_x = 0;
    bool valid() const { return rh > 0 && rw > 0; }
};

CropGeometry crop_geometry(int64_t H, int64_t W, Shape3 target, int resize_shorter) {
    CropGeometry g;
    if (H < 1 || W < 1 || target.h < 1 || target.w < 1) return g;
    if (resize_shorter > 0) {
        if (H <= W) {
            g.rh = resize_shorter;
            g.rw = static_cast<int64_t>(static_cast<double>(resize_shorter) * W / H);
        } else {
            g.rw = resize_shorter;
            g.rh = static_cast<int64_t>(static_cast<double>(resize_shorter) * H / W);
        }
    }
    if (g.rh < target.h || g.rw < target.w || g.rh > nn::kMaxImageSide || g.rw > nn::kMaxImageSide) {
        const double scale = std::max(static_cast<double>(target.h) / H, static_cast<double>(target.w) / W);
        g.rh = std::max<int64_t>(target.h, std::llround(H * scale));
        g.rw = std::max<int64_t>(target.w, std::llround(W * scale));
    }
    g.off_y = (g.rh - target.h) / 2;  // an odd margin leaves its extra pixel at the bottom or right
    g.off_x = (g.rw - target.w) / 2;
    return g;
}

// Network-input rows y0 … y1 (columns alike) as a screen rectangle over the original drawn at p0 … p1.
std::array<ImVec2, 2> on_original(const CropGeometry& g, int64_t y0, int64_t y1, int64_t x0, int64_t x1, ImVec2 p0,
                                  ImVec2 p1) {
    const float sy = (p1.y - p0.y) / static_cast<float>(g.rh), sx = (p1.x - p0.x) / static_cast<float>(g.rw);
    return {ImVec2(p0.x + static_cast<float>(g.off_x + x0) * sx, p0.y + static_cast<float>(g.off_y + y0) * sy),
            ImVec2(p0.x + static_cast<float>(g.off_x + x1 + 1) * sx, p0.y + static_cast<float>(g.off_y + y1 + 1) * sy)};
}

// ---- the original image's texture -----------------------------------------------------------------

struct OriginalCache {
    Texture texture;
    std::shared_ptr<const nn::Tensor> tensor;  // the input made from it: a new one means a new image may be
    const uint8_t* pixels = nullptr;
    int width = 0, height = 0;
};

OriginalCache& original_cache() {
    static OriginalCache cache;
    return cache;
}

// Photos larger than the driver takes are thinned (every k-th pixel) before upload; mipmaps do the rest.
nn::Image fit_for_texture(const nn::Image& img) {
    const int limit = std::min(max_texture_side(), 4096);
    const int k = (std::max(img.width, img.height) + limit - 1) / limit;
    if (k <= 1) return img;
    nn::Image out(img.width / k, img.height / k, img.channels);
    for (int y = 0; y < out.height; ++y)
        for (int x = 0; x < out.width; ++x)
            for (int c = 0; c < img.channels; ++c) out.at(x, y, c) = img.at(x * k, y * k, c);
    return out;
}

const Texture& original_texture(const App& app) {
    OriginalCache& c = original_cache();
    const nn::Image& img = app.image();
    if (img.empty()) {
        c.texture.release();
        c.pixels = nullptr;
        return c.texture;
    }
    if (c.tensor != app.input_tensor() || c.pixels != img.pixels.data() || c.width != img.width ||
        c.height != img.height) {
        c.tensor = app.input_tensor();
        c.pixels = img.pixels.data();
        c.width = img.width;
        c.height = img.height;
        c.texture.upload(fit_for_texture(img), Texture::Magnify::Linear);
    }
    return c.texture;
}

// ---- the parts -------------------------------------------------------------------------------------

void draw_source(App& app) {
    const auto names = App::sample_names();
    const std::string& current = app.input_name();
    const bool sample = current.rfind("sample ", 0) == 0;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.38f);
    // The samples' names are the names of built-in files: they stay as they are.
    if (ImGui::BeginCombo("##sample", sample ? current.substr(7).c_str() : trc("sample images"))) {
        for (const auto& n : names) {
            const bool selected = sample && current.substr(7) == n;
            if (ImGui::Selectable(n.c_str(), selected)) app.use_sample(n);
            if (selected) ImGui::SetItemDefaultFocus();
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", trc("Images built into ConvScope: photos and test patterns."));
    ImGui::SameLine();
    static char path[1024] = "";
    const char* open_label = trc("Open");
    const float open_w = ImGui::CalcTextSize(open_label).x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::SetNextItemWidth(
        std::max(60.0f, ImGui::GetContentRegionAvail().x - open_w - ImGui::GetStyle().ItemSpacing.x));
    const std::string hint = ui_text(tr("image file (PNG, JPEG, BMP)…"));
    bool open = ImGui::InputTextWithHint("##image path", hint.c_str(), path, sizeof path,
                                         ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    ImGui::BeginDisabled(path[0] == '\0');
    open |= ImGui::Button((std::string(open_label) + "###open").c_str());
    ImGui::EndDisabled();
    if (open && path[0] != '\0') app.open_image(path);
}

// The original, with the network's crop outlined and, when a map value is hovered, its input region.
void draw_original(const App& app, ImVec2 box) {
    const Texture& tex = original_texture(app);
    const nn::Image& img = app.image();
    if (tex.empty()) {
        ImGui::Dummy(box);
        return;
    }
    const float k = std::min(box.x / img.width, box.y / img.height);
    const ImVec2 size(img.width * k, img.height * k);
    const ImVec2 p0 = ImGui::GetCursorScreenPos(), p1(p0.x + size.x, p0.y + size.y);
    ImGui::Image(tex.imgui_id(), size);
    const Shape3 target = app.doc.network().input;
    const CropGeometry g = crop_geometry(img.height, img.width, target, app.preprocess.resize_shorter);
    if (!g.valid()) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const auto crop = on_original(g, 0, target.h - 1, 0, target.w - 1, p0, p1);
    dl->AddRect(crop[0], crop[1], IM_COL32(120, 200, 255, 255), 0, 0, 1.5f);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", tr("{0} × {1} pixels. The blue frame is what the network gets: resized to {2} × "
                                   "{3},\nthen the centre {4} × {5} cut out.",
                                   img.width, img.height, g.rw, g.rh, target.w, target.h)
                                    .c_str());
    const MapProbe& m = map_probe();
    if (m.active && m.region && !m.region->empty()) {
        const InputRegion& r = *m.region;
        const auto rect = on_original(g, r.y0, r.y1, r.x0, r.x1, p0, p1);
        dl->AddRect(rect[0], rect[1], IM_COL32(255, 220, 40, 255), 0, 0, 2.0f);
    }
}

const char* channel_letter(int64_t c, int64_t channels, bool bgr) {
    static const char* const rgb[] = {"R", "G", "B"};
    static const char* const bgr_order[] = {"B", "G", "R"};
    if (channels != 3 || c < 0 || c > 2) return trc("gray");
    return (bgr ? bgr_order : rgb)[c];
}

// The values at one input position, in the network's channel order.
void input_value_tooltip(const App& app, const nn::Tensor& t, int64_t y, int64_t x) {
    ImGui::BeginTooltip();
    ImGui::Text("y %lld   x %lld", static_cast<long long>(y), static_cast<long long>(x));
    const bool bgr = app.preprocess.normalization == nn::Normalization::Caffe;
    for (int64_t c = 0; c < t.shape.c; ++c)
        show_text(tr("channel {0} ({1}): {2}", c, channel_letter(c, t.shape.c, bgr), format_value(t.at(c, y, x))));
    ImGui::EndTooltip();
}

// The tensor the network reads, made visible, with the hovered map value's input region.
void draw_network_input(const App& app, ImVec2 box) {
    const Texture& tex = network_input_texture(app, input_display());
    const auto t = app.input_tensor();
    if (tex.empty() || !t) {
        ImGui::Dummy(box);
        return;
    }
    const float k = std::min(box.x / tex.width(), box.y / tex.height());
    const ImVec2 size(tex.width() * k, tex.height() * k);
    const ImVec2 p0 = ImGui::GetCursorScreenPos(), p1(p0.x + size.x, p0.y + size.y);
    ImGui::Image(tex.imgui_id(), size);
    const MapProbe& m = map_probe();
    if (m.active && m.region)
        draw_region_over(ImGui::GetWindowDrawList(), p0, p1, t->shape.h, t->shape.w, *m.region);
    if (ImGui::IsItemHovered()) {
        const ImVec2 mp = ImGui::GetIO().MousePos;
        const int64_t x = std::clamp<int64_t>(static_cast<int64_t>((mp.x - p0.x) / k), 0, t->shape.w - 1);
        const int64_t y = std::clamp<int64_t>(static_cast<int64_t>((mp.y - p0.y) / k), 0, t->shape.h - 1);
        input_value_tooltip(app, *t, y, x);
    }
}

void draw_pictures(const App& app) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float w = (ImGui::GetContentRegionAvail().x - style.ItemSpacing.x) * 0.5f;
    const float h = std::max(64.0f, std::min(w, ImGui::GetContentRegionAvail().y * 0.55f));
    const ImVec2 box(w, h);
    const Shape3 in = app.doc.network().input;
    if (ImGui::BeginTable("pictures", 2, ImGuiTableFlags_SizingStretchSame)) {
        ImGui::TableNextColumn();
        draw_original(app, box);
        ImGui::TableNextColumn();
        draw_network_input(app, box);
        ImGui::TableNextColumn();
        const nn::Image& img = app.image();
        ImGui::PushStyleColor(ImGuiCol_Text, dim_colour());
        show_text(img.empty() ? tr("no image") : tr("original {0} × {1}", img.width, img.height));
        ImGui::TableNextColumn();
        show_text(app.input_tensor() ? tr("input {0}", shape_text(in)) : tr("no input tensor"));
        ImGui::PopStyleColor();
        ImGui::EndTable();
    }
}

const char* normalization_help(nn::Normalization n) {
    switch (n) {
        case nn::Normalization::Torchvision:
            return trc("RGB, scaled to 0–1, then (x − mean) / std per channel with ImageNet's statistics\n"
                       "(torchvision's pretrained models)");
        case nn::Normalization::Caffe:
            return trc("BGR (channel 0 is blue), 0–255, minus ImageNet's mean colour (Caffe's models)");
        case nn::Normalization::None: return trc("RGB scaled to 0–1, nothing subtracted");
    }
    return "";
}

void draw_preprocessing(App& app) {
    InputDisplay& d = input_display();
    if (ImGui::RadioButton((tr("colours restored") + "###colours restored").c_str(), d == InputDisplay::Restored))
        d = InputDisplay::Restored;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trc("The network input with its normalisation undone: the crop exactly as the "
                                    "network gets it."));
    ImGui::SameLine();
    if (ImGui::RadioButton((tr("channels as stored") + "###channels as stored").c_str(),
                           d == InputDisplay::Stretched))
        d = InputDisplay::Stretched;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trc("Each channel stretched over its own range and shown as red, green, blue in the "
                                    "order\nthe network stores them: with Caffe's BGR input, channel 0 (blue) shows "
                                    "as red."));

    static const nn::Normalization kAll[] = {nn::Normalization::Torchvision, nn::Normalization::Caffe,
                                             nn::Normalization::None};
    // The presets' names (torchvision, caffe, none) are the words files and scripts use: they stay.
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("torchvision").x + ImGui::GetFrameHeight() * 2);
    if (ImGui::BeginCombo((tr("normalisation") + "###normalisation").c_str(),
                          std::string(nn::normalization_name(app.preprocess.normalization)).c_str())) {
        for (nn::Normalization n : kAll) {
            if (ImGui::Selectable(std::string(nn::normalization_name(n)).c_str(), n == app.preprocess.normalization) &&
                n != app.preprocess.normalization) {
                app.preprocess.normalization = n;
                app.refresh_input();
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", ui_text(normalization_help(n)).c_str());
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", ui_text(normalization_help(app.preprocess.normalization)).c_str());
    ImGui::SameLine();
    int shorter = app.preprocess.resize_shorter;
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("00000").x + ImGui::GetFrameHeight() * 2);
    ImGui::InputInt((tr("resize") + "###resize").c_str(), &shorter, 0, 0);
    if (ImGui::IsItemDeactivatedAfterEdit()) {
        app.preprocess.resize_shorter = std::clamp(shorter, 0, nn::kMaxImageSide);
        app.refresh_input();
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trc("The shorter side is resized to this before the centre crop (torchvision's "
                                    "classic\nevaluation: 256, then crop 224). 0: just enough to cover the network's "
                                    "input."));
}

void draw_weights(App& app) {
    const auto w = app.weights();
    ImGui::TextDisabled("%s", trc("weights"));
    ImGui::SameLine();
    show_wrapped(app.weights_description());
    if (app.weights_loaded_from_file())
        show_wrapped(dim_colour(), tr("loaded from a file: the maps show what these weights compute"));
    else
        show_wrapped(dim_colour(), tr("random (He-normal), not trained: the maps show how shapes and values flow, "
                                      "not what a trained network sees"));
    if (w && w->designed_first_conv && app.weights_loaded_from_file())
        show_wrapped(ImVec4(1.0f, 0.80f, 0.35f, 1.0f),
                     tr("The first convolution's kernels are designed (edges, colour blobs), not learned."));
    // The field shows the app's seed except while it is being typed in; the seed applies when the
    // field is left (Enter, Tab or a click elsewhere).
    static uint64_t seed = 1;
    static bool editing = false;
    if (!editing) seed = app.seed();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("0000000000").x + ImGui::GetStyle().FramePadding.x * 2);
    ImGui::InputScalar((tr("seed") + "###seed").c_str(), ImGuiDataType_U64, &seed, nullptr, nullptr, "%llu");
    editing = ImGui::IsItemActive();
    if (ImGui::IsItemDeactivatedAfterEdit() && (seed != app.seed() || app.weights_loaded_from_file()))
        app.set_seed(seed);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", trc("The same seed always gives the same weights."));
    ImGui::SameLine();
    if (app.weights_loaded_from_file()) {
        if (ImGui::Button((tr("use seeded weights") + "###seeded").c_str())) app.set_seed(app.seed());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", trc("Replace the loaded weights with seeded ones."));
    } else {
        if (ImGui::Button((tr("next seed") + "###next seed").c_str())) app.set_seed(app.seed() + 1);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", trc("New random weights: the seed plus one."));
    }
}

}  // namespace

void draw_input(App& app) {
    if (begin_panel((tr("Input") + "###input").c_str(), Slot::Right)) {
        draw_source(app);
        if (app.input_name().empty())
            ImGui::TextDisabled("%s", trc("no input image"));
        else if (app.input_name().rfind("sample ", 0) != 0)
            ImGui::TextDisabled("%s", tr("file {0}", app.input_name()).c_str());
        draw_pictures(app);
        draw_preprocessing(app);
        ImGui::Separator();
        draw_weights(app);
    }
    ImGui::End();
}

void release_input_textures() {
    original_cache().texture.release();
    original_cache() = OriginalCache{};
}

}  // namespace convscope::app
