// The menu bar and the keys that work everywhere. (Placeholder menus until the full set is written.)
#include <imgui.h>

#include "app/views.h"

namespace convscope::app {

void draw_menu_bar(App& app) {
    if (ImGui::BeginMainMenuBar()) {
        if (ImGui::BeginMenu("File")) {
            if (ImGui::MenuItem("Quit", "Ctrl+Q")) app.quit_requested = true;
            ImGui::EndMenu();
        }
        ImGui::EndMainMenuBar();
    }
}

void handle_shortcuts(App& app) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    if (ImGui::IsKeyPressed(ImGuiKey_LeftArrow)) app.step(-1);
    if (ImGui::IsKeyPressed(ImGuiKey_RightArrow)) app.step(1);
    if (io.KeyCtrl && ImGui::IsKeyPressed(ImGuiKey_Z)) io.KeyShift ? app.redo() : app.undo();
    if (io.KeyCtrl && ImGui::IsKeyPressed(ImGuiKey_Y)) app.redo();
}

}  // namespace convscope::app
