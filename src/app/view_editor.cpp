// Placeholder until the panel is written: shows its title only.
#include <imgui.h>

#include "app/views.h"

namespace convscope::app {

void draw_editor(App&) {
    if (begin_panel("Layer", Slot::Left)) ImGui::TextDisabled("(not yet)");
    ImGui::End();
}

}  // namespace convscope::app
