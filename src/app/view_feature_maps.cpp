// Placeholder until the panel is written: shows its title only.
#include <imgui.h>

#include "app/views.h"

namespace convscope::app {

void draw_feature_maps(App&) {
    if (begin_panel("Feature maps", Slot::Center)) ImGui::TextDisabled("(not yet)");
    ImGui::End();
}

}  // namespace convscope::app

namespace convscope::app {
void release_view_resources() {}
}  // namespace convscope::app
