// Placeholder until the panel is written: shows its title only.
#include <imgui.h>

#include "app/views.h"

namespace convscope::app {

void draw_table(App&) {
    if (begin_panel("Shape table", Slot::Bottom)) ImGui::TextDisabled("(not yet)");
    ImGui::End();
}

}  // namespace convscope::app
