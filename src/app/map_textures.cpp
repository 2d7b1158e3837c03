#include <epoxy/gl.h>

#include "app/map_textures.h"
#include "app/view_common.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <memory>
#include <numbers>
#include <vector>

namespace convscope::app {

// ---- textures -------------------------------------------------------------------------------------

void Texture::upload(const nn::Image& img, Magnify magnify) {
    if (img.empty() || img.width < 1 || img.height < 1 || img.channels < 1 || img.channels > 4) {
        release();
        return;
    }
    // RGBA for every picture: one upload path, and no row alignment to think about.
    std::vector<uint8_t> rgba(static_cast<size_t>(img.width) * img.height * 4);
    const size_t n = static_cast<size_t>(img.width) * img.height;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* s = &img.pixels[i * img.channels];
        uint8_t* d = &rgba[i * 4];
        switch (img.channels) {
            case 1: d[0] = d[1] = d[2] = s[0], d[3] = 255; break;
            case 2: d[0] = d[1] = d[2] = s[0], d[3] = s[1]; break;
            case 3: d[0] = s[0], d[1] = s[1], d[2] = s[2], d[3] = 255; break;
            default: std::copy_n(s, 4, d); break;
        }
    }
    if (id_ == 0) glGenTextures(1, &id_);
    glBindTexture(GL_TEXTURE_2D, id_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, img.width, img.height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    glGenerateMipmap(GL_TEXTURE_2D);
    // One mipmap level, bilinear: as smooth as trilinear to the eye at these sizes, and half the texture
    // reads, which a software renderer (llvmpipe) feels on every frame.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR_MIPMAP_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, magnify == Magnify::Nearest ? GL_NEAREST : GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, 0);
    width_ = img.width;
    height_ = img.height;
}

void Texture::release() {
    if (id_ != 0) glDeleteTextures(1, &id_);
    id_ = 0;
    width_ = height_ = 0;
}

int max_texture_side() {
    static int side = [] {
        GLint v = 0;
        glGetIntegerv(GL_MAX_TEXTURE_SIZE, &v);
        return v > 0 ? static_cast<int>(v) : 4096;  // 4096: what every OpenGL 3.3 driver must take
    }();
    return side;
}

MapProbe& map_probe() {
    static MapProbe probe;
    return probe;
}

// ---- the network input as a picture -----------------------------------------------------------------

namespace {

// Per channel in the tensor's order, the (scale, offset) that turns a normalised value back to 0–255.
struct Undo {
    float scale[3] = {1, 1, 1};
    float offset[3] = {0, 0, 0};
    bool bgr = false;  // channel 0 holds blue
};

Undo undo_of(nn::Normalization n, int64_t channels) {
    constexpr float luma[3] = {0.299f, 0.587f, 0.114f};  // BT.601, as the preprocessing uses for 1 channel
    auto gray = [&](const float (&v)[3]) { return luma[0] * v[0] + luma[1] * v[1] + luma[2] * v[2]; };
    Undo u;
    for (int c = 0; c < 3; ++c) {
        switch (n) {
            case nn::Normalization::None: u.scale[c] = 255.0f; break;
            case nn::Normalization::Torchvision: {
                const float mean = channels == 3 ? nn::kImagenetMean[c] : gray(nn::kImagenetMean);
                const float sd = channels == 3 ? nn::kImagenetStd[c] : gray(nn::kImagenetStd);
                u.scale[c] = 255.0f * sd;
                u.offset[c] = 255.0f * mean;
                break;
            }
            case nn::Normalization::Caffe:
                u.offset[c] = channels == 3 ? nn::kCaffeMeanRgb[2 - c] : gray(nn::kCaffeMeanRgb);
                break;
        }
    }
    u.bgr = n == nn::Normalization::Caffe && channels == 3;
    return u;
}

uint8_t to_byte(float v) {
    if (!(v >= 0.0f)) return 0;  // also NaN
    return static_cast<uint8_t>(std::lround(std::min(v, 255.0f)));
}

}  // namespace

nn::Image input_picture(const nn::Tensor& t, nn::Normalization n, InputDisplay display) {
    const Shape3 s = t.shape;  // (C, H, W)
    if ((s.c != 1 && s.c != 3) || s.h < 1 || s.w < 1 || t.size() != static_cast<size_t>(s.count())) return {};
    nn::Image img(static_cast<int>(s.w), static_cast<int>(s.h), static_cast<int>(s.c));
    const int64_t hw = s.h * s.w;
    if (display == InputDisplay::Restored) {
        const Undo u = undo_of(n, s.c);
        for (int64_t c = 0; c < s.c; ++c) {
            const int64_t dst = u.bgr ? 2 - c : c;  // back to RGB
            const float* p = t.channel(c);
            for (int64_t i = 0; i < hw; ++i)
                img.pixels[static_cast<size_t>(i * s.c + dst)] = to_byte(p[i] * u.scale[c] + u.offset[c]);
        }
        return img;
    }
    for (int64_t c = 0; c < s.c; ++c) {
        const float* p = t.channel(c);
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (int64_t i = 0; i < hw; ++i)
            if (std::isfinite(p[i])) lo = std::min(lo, p[i]), hi = std::max(hi, p[i]);
        const float k = hi > lo ? 255.0f / (hi - lo) : 0.0f;
        for (int64_t i = 0; i < hw; ++i)
            img.pixels[static_cast<size_t>(i * s.c + c)] = hi > lo ? to_byte((p[i] - lo) * k) : 128;
    }
    return img;
}

namespace {

struct InputTextureCache {
    Texture texture;
    std::shared_ptr<const nn::Tensor> tensor;  // held, so that a new tensor never reuses its address
    nn::Normalization normalization = nn::Normalization::None;
    InputDisplay display = InputDisplay::Restored;
};

InputTextureCache& input_cache() {
    static InputTextureCache cache;
    return cache;
}

}  // namespace

InputDisplay& input_display() {
    static InputDisplay display = InputDisplay::Restored;
    return display;
}

const Texture& network_input_texture(const App& app, InputDisplay display) {
    InputTextureCache& c = input_cache();
    const auto tensor = app.input_tensor();
    if (!tensor) {
        c.texture.release();
        c.tensor.reset();
        return c.texture;
    }
    if (tensor != c.tensor || c.normalization != app.preprocess.normalization || c.display != display) {
        c.tensor = tensor;
        c.normalization = app.preprocess.normalization;
        c.display = display;
        c.texture.upload(input_picture(*tensor, c.normalization, display), Texture::Magnify::Nearest);
    }
    return c.texture;
}

void draw_region_over(ImDrawList* dl, ImVec2 p0, ImVec2 p1, int64_t input_h, int64_t input_w,
                      const InputRegion& r) {
    if (r.empty() || input_h < 1 || input_w < 1) return;
    const float sx = (p1.x - p0.x) / static_cast<float>(input_w), sy = (p1.y - p0.y) / static_cast<float>(input_h);
    const ImVec2 a(p0.x + static_cast<float>(r.x0) * sx, p0.y + static_cast<float>(r.y0) * sy);
    const ImVec2 b(p0.x + static_cast<float>(r.x1 + 1) * sx, p0.y + static_cast<float>(r.y1 + 1) * sy);
    // Dim what the value does not see, then outline what it does: readable on any image.
    const ImU32 shade = IM_COL32(0, 0, 0, 110);
    dl->AddRectFilled(p0, ImVec2(p1.x, a.y), shade);
    dl->AddRectFilled(ImVec2(p0.x, b.y), p1, shade);
    dl->AddRectFilled(ImVec2(p0.x, a.y), ImVec2(a.x, b.y), shade);
    dl->AddRectFilled(ImVec2(b.x, a.y), ImVec2(p1.x, b.y), shade);
    dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(0, 0, 0, 220), 0, 0, 3.0f);
    dl->AddRect(a, b, IM_COL32(255, 220, 40, 255), 0, 0, 1.5f);
}

void spinner(float radius, double now_s) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = std::max(radius * 2, ImGui::GetTextLineHeight());
    const ImVec2 centre(p.x + radius, p.y + h * 0.5f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float start = static_cast<float>(std::fmod(now_s * 6.0, 2 * std::numbers::pi));
    dl->PathArcTo(centre, radius, start, start + 4.2f, 24);
    dl->PathStroke(ImGui::GetColorU32(ImGuiCol_Text), 0, std::max(2.0f, radius * 0.25f));
    ImGui::Dummy(ImVec2(radius * 2, h));
}

std::string ui_format(const char* fmt, ...) {
    char buf[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    return ui_text(buf);
}

std::string format_ms(double ms) {
    char buf[48];
    if (!(ms >= 0)) return ui_text("–");
    else if (ms < 1.0) std::snprintf(buf, sizeof buf, "%.0f µs", ms * 1000.0);
    else if (ms < 100.0) std::snprintf(buf, sizeof buf, "%.2f ms", ms);
    else if (ms < 10000.0) std::snprintf(buf, sizeof buf, "%.0f ms", ms);
    else std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000.0);
    return buf;
}

std::string format_value(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

void release_shared_textures() {
    input_cache().texture.release();
    input_cache().tensor.reset();
}

}  // namespace convscope::app
