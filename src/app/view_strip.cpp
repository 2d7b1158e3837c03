// The network strip: every stage from the input to the last layer as a box with its output shape,
// coloured by status (ok, an inexact division, an error), the selected one outlined. Clicking a box
// selects that stage; the strip scrolls to keep the selection in view.
#include <imgui.h>

#include <string>

#include "app/view_common.h"
#include "app/views.h"
#include "core/i18n.h"
#include "core/network.h"
#include "core/text.h"

namespace convscope::app {

namespace {

ImVec4 status_colour(Severity s) {
    switch (s) {
        case Severity::Ok: return {0.20f, 0.45f, 0.30f, 1.0f};
        case Severity::Warning: return {0.70f, 0.50f, 0.10f, 1.0f};
        case Severity::Error: return {0.70f, 0.18f, 0.18f, 1.0f};
    }
    return {0.3f, 0.3f, 0.3f, 1.0f};
}

}  // namespace

void draw_strip(App& app) {
    if (begin_panel((tr("Network") + "###network").c_str(), Slot::Strip)) {
        const Network& net = app.doc.network();
        const Analysis& a = app.doc.analysis();
        const float box_h = ImGui::GetTextLineHeight() * 2 + ImGui::GetStyle().FramePadding.y * 2;
        ImGui::BeginChild("stages", ImVec2(0, box_h + ImGui::GetStyle().ScrollbarSize + 8), false,
                          ImGuiWindowFlags_HorizontalScrollbar);
        auto box = [&](int index, const std::string& label, Severity status) {
            const bool selected = app.selected() == index;
            ImGui::PushID(index);
            ImGui::PushStyleColor(ImGuiCol_Button, status_colour(status));
            ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.35f, 0.55f, 0.80f, 1.0f));
            ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, selected ? 3.0f : 0.0f);
            ImGui::PushStyleColor(ImGuiCol_Border, ImVec4(1.0f, 1.0f, 1.0f, 1.0f));
            if (ImGui::Button(label.c_str(), ImVec2(0, box_h))) app.select(index);
            if (selected && ImGui::IsWindowAppearing() == false) ImGui::SetScrollHereX(0.5f);
            ImGui::PopStyleColor(3);
            ImGui::PopStyleVar();
            ImGui::PopID();
        };
        std::string input = tr("input");
        input += "\n";
        input += shape_text(net.input);
        box(-1, input, a.input_error.empty() ? Severity::Ok : Severity::Error);
        for (size_t i = 0; i < a.stages.size(); ++i) {
            const Stage& st = a.stages[i];
            ImGui::SameLine();
            ImGui::TextUnformatted(">");
            ImGui::SameLine();
            const std::string shape = st.output ? shape_text(*st.output) : std::string("?");
            box(static_cast<int>(i), st.name + "\n" + shape, st.status);
            if (ImGui::IsItemHovered()) {
                std::string tip = st.name;
                tip += " (";
                tip += type_name(st.type);
                tip += ")";
                if (!st.formula.empty()) (tip += '\n') += st.formula;
                for (const auto& m : st.messages) (tip += '\n') += m.message;
                hover_note(tip);  // wraps the diagnostics, Chinese ones too
            }
        }
        ImGui::EndChild();
        draw_stepping(app);
        ImGui::SameLine();
        const Totals& t = a.totals;
        ImGui::Text("      %s", tr("{0} layers   {1} parameters   {2} MACs   {3} errors, {4} warnings",
                                    net.layers.size(), group_digits(t.params), group_digits(t.macs), a.errors,
                                    a.warnings)
                                     .c_str());
    }
    ImGui::End();
}

}  // namespace convscope::app
