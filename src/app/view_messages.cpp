// Messages: what went wrong (a file that would not load, weights that no longer fit) or what the app
// did on its own (a restored session). The newest shows for a few seconds as a line at the bottom of
// the window, so it is seen without looking for it; View › Messages lists them all, newest first.
#include <imgui.h>

#include <cstdio>
#include <string>

#include "app/view_common.h"
#include "app/views.h"
#include "core/i18n.h"

namespace convscope::app {

namespace {

ImVec4 level_colour(Message::Level l) {
    switch (l) {
        case Message::Level::Info: return {0.75f, 0.85f, 1.0f, 1.0f};
        case Message::Level::Warning: return {1.0f, 0.80f, 0.35f, 1.0f};
        case Message::Level::Error: return {1.0f, 0.45f, 0.45f, 1.0f};
    }
    return {1, 1, 1, 1};
}

constexpr double kShowSeconds = 8.0;

}  // namespace

void draw_messages(App& app) {
    const auto& msgs = app.messages();
    if (!msgs.empty() && app.now() - msgs.back().time < kShowSeconds) {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + 8, vp->WorkPos.y + vp->WorkSize.y - 8), ImGuiCond_Always,
                                ImVec2(0, 1));
        ImGui::SetNextWindowBgAlpha(0.9f);
        ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(vp->WorkSize.x * 0.6f, FLT_MAX));
        const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                       ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav |
                                       ImGuiWindowFlags_NoSavedSettings;
        if (ImGui::Begin("##latest message", nullptr, flags)) {
            ImGui::PushStyleColor(ImGuiCol_Text, level_colour(msgs.back().level));
            show_wrapped_at(vp->WorkSize.x * 0.58f, msgs.back().text);
            ImGui::PopStyleColor();
            if (ImGui::IsWindowHovered() && ImGui::IsMouseClicked(0)) app.view.show_messages = true;
        }
        ImGui::End();
    }
    if (!app.view.show_messages) return;
    if (begin_panel((tr("Messages") + "###messages").c_str(), Slot::BottomRight, &app.view.show_messages)) {
        if (msgs.empty()) ImGui::TextDisabled("%s", trc("No messages."));
        for (auto it = msgs.rbegin(); it != msgs.rend(); ++it) {
            char when[32];
            std::snprintf(when, sizeof when, "[%6.1f s] ", it->time);
            std::string line = when;
            line += it->text;
            show_wrapped(level_colour(it->level), line);
        }
    }
    ImGui::End();
}

}  // namespace convscope::app
