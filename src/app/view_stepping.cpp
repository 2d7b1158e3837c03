// Stepping through the stages: first, previous, play/pause (with its speed), next, last, and the
// arrow keys (handle_shortcuts), all moving the one selection every panel follows. Drawn inside the
// network strip's panel.
#include <imgui.h>

#include "app/views.h"
#include "core/i18n.h"

namespace convscope::app {

void draw_stepping(App& app) {
    {
        const Network& net = app.doc.network();
        const int n = static_cast<int>(net.layers.size());
        if (ImGui::Button("|<")) app.select_first();
        ImGui::SameLine();
        if (ImGui::ArrowButton("prev", ImGuiDir_Left)) app.step(-1);
        ImGui::SameLine();
        if (ImGui::Button(((app.playing ? tr("pause") : tr("play")) + "###play").c_str())) app.playing = !app.playing;
        ImGui::SameLine();
        if (ImGui::ArrowButton("next", ImGuiDir_Right)) app.step(1);
        ImGui::SameLine();
        if (ImGui::Button(">|")) app.select_last();
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
        float interval = static_cast<float>(app.play_interval_s);
        if (ImGui::SliderFloat((tr("s/stage") + "###speed").c_str(), &interval, 0.1f, 3.0f, "%.1f"))
            app.play_interval_s = interval;
        const int sel = app.selected();
        ImGui::SameLine();
        ImGui::Text("   %s", tr("stage {0} of {1}: {2}", sel + 1, n,
                                sel < 0 ? tr("input") : net.layers[static_cast<size_t>(sel)].name)
                                 .c_str());
    }
}

}  // namespace convscope::app
