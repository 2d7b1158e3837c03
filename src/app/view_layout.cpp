// Where panels start: a strip across the top, two side columns, the feature maps in the middle and
// the table underneath, as shares of the window so that any size gets a usable first layout.
#include <imgui.h>

#include <algorithm>

#include "app/views.h"

namespace convscope::app {

bool begin_panel(const char* title, Slot slot, bool* open) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    // Below the menu bar; its height is known before the bar has been drawn once.
    const float bar = ImGui::GetFrameHeight();
    const float x = vp->Pos.x, y = vp->Pos.y + bar, w = vp->Size.x, h = vp->Size.y - bar;
    const float strip_h = std::max(110.0f, h * 0.12f);
    const float side_w = std::max(300.0f, w * 0.24f);
    const float bottom_h = h * 0.28f;
    const float mid_y = y + strip_h, mid_h = h - strip_h - bottom_h;
    ImVec2 pos, size;
    switch (slot) {
        case Slot::Strip: pos = {x, y}, size = {w, strip_h}; break;
        case Slot::Left: pos = {x, mid_y}, size = {side_w, mid_h * 0.62f}; break;
        case Slot::LeftBottom: pos = {x, mid_y + mid_h * 0.62f}, size = {side_w, mid_h * 0.38f + bottom_h}; break;
        case Slot::Center: pos = {x + side_w, mid_y}, size = {w - 2 * side_w, mid_h}; break;
        case Slot::Right: pos = {x + w - side_w, mid_y}, size = {side_w, mid_h * 0.5f}; break;
        case Slot::RightBottom: pos = {x + w - side_w, mid_y + mid_h * 0.5f}, size = {side_w, mid_h * 0.5f}; break;
        case Slot::Bottom: pos = {x + side_w, mid_y + mid_h}, size = {(w - side_w) * 0.62f, bottom_h}; break;
        case Slot::BottomRight:
            pos = {x + side_w + (w - side_w) * 0.62f, mid_y + mid_h}, size = {(w - side_w) * 0.38f, bottom_h};
            break;
    }
    ImGui::SetNextWindowPos(pos, ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(size, ImGuiCond_FirstUseEver);
    return ImGui::Begin(title, open);
}

}  // namespace convscope::app
