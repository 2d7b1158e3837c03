// What the feature-map, input and backend panels share: GL textures for the pictures they draw (uploaded
// only when the picture changes), the map position under the mouse (the maps panel finds it, the input
// panel draws its receptive field), the network input made displayable again, and a busy spinner.
// Everything here runs on the UI thread, with the window's GL context current.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <optional>
#include <string>

#include "app/app.h"
#include "core/receptive_field.h"
#include "nn/feature_grid.h"
#include "nn/image.h"
#include "nn/tensor.h"

namespace convscope::app {

// One RGBA8 texture. Minified pictures are mipmapped (no shimmer when a big grid is shown small);
// magnified ones stay crisp squares for maps and filters (Nearest), smooth for photographs (Linear).
class Texture {
public:
    enum class Magnify { Nearest, Linear };
    // Replaces the picture; 1 (gray), 3 (RGB) or 4 (RGBA) channels. An empty image releases it.
    void upload(const nn::Image& img, Magnify magnify);
    void release();  // the GL object goes; needs the context current
    bool empty() const { return id_ == 0; }
    int width() const { return width_; }
    int height() const { return height_; }
    ImTextureID imgui_id() const { return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(id_)); }

private:
    unsigned id_ = 0;  // GLuint
    int width_ = 0, height_ = 0;
};

// The largest texture side the driver takes (GL_MAX_TEXTURE_SIZE), asked once.
int max_texture_side();

// The map value under the mouse this frame: the maps panel clears it at the start of its frame and sets
// it while a pixel is hovered; panels drawn after it read it.
struct MapProbe {
    bool active = false;
    int stage = -1;  // −1: the input
    int64_t c = 0, y = 0, x = 0;
    float value = 0;
    std::optional<InputRegion> region;  // in network-input pixels
};
MapProbe& map_probe();

// How the network input (C, H, W) is turned back into a picture.
enum class InputDisplay {
    Restored,   // the normalisation undone, channels back in RGB order: the crop the network sees
    Stretched,  // each channel min–max stretched and drawn in stored order as R, G, B: Caffe's BGR input
                // then shows its blue channel as red, which is what "channel 0" really holds
};
// The picture of a preprocessed input: RGB for 3 channels, gray for 1, nothing otherwise.
nn::Image input_picture(const nn::Tensor& t, nn::Normalization n, InputDisplay display);

// The current network input as a texture, re-made only when the input or the way of showing it changes.
// Empty when there is no input.
const Texture& network_input_texture(const App& app, InputDisplay display);
InputDisplay& input_display();  // the input panel's choice, which the maps panel's inset follows too

// Draws `tex` into [p0, p1] and the region (network-input pixels) as a rectangle over it.
void draw_region_over(ImDrawList* dl, ImVec2 p0, ImVec2 p1, int64_t input_h, int64_t input_w,
                      const InputRegion& r);

// A small turning arc, for "computing…".
void spinner(float radius, double now_s);

// printf into a string, then through ui_text (view_common.h): − → … – › show as themselves in a font
// that has them and as ASCII stand-ins in one that does not.
std::string ui_format(const char* fmt, ...) IM_FMTARGS(1);

// "1.23 ms", "456 µs", "12.3 s".
std::string format_ms(double ms);
// A value for a tooltip: "0.1234", "-12.35", "1.2e+06".
std::string format_value(double v);

// GL objects of the panels, freed by release_view_resources() (view_feature_maps.cpp).
void release_shared_textures();
void release_input_textures();  // view_input.cpp

}  // namespace convscope::app
