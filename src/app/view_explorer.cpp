// Placeholder until the panel is written: shows its title only.
#include <imgui.h>

#include "app/views.h"

namespace convscope::app {

void draw_explorer(App&) {
    if (begin_panel("224 vs 227", Slot::BottomRight)) ImGui::TextDisabled("(not yet)");
    ImGui::End();
}

}  // namespace convscope::app
