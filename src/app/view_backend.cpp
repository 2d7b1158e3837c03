// Placeholder until the panel is written: shows its title only.
#include <imgui.h>

#include "app/views.h"

namespace convscope::app {

void draw_backend(App&) {
    if (begin_panel("Backend and timing", Slot::RightBottom)) ImGui::TextDisabled("(not yet)");
    ImGui::End();
}

}  // namespace convscope::app
