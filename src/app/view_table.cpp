// The shape table: every stage with its hyperparameters, input and output shapes, formula,
// parameters, MACs, activations, memory and receptive field, a totals row, rows tinted by status.
// Clicking a row selects the stage. Exports to a file (CSV, Markdown, JSON, LaTeX, through a chooser)
// and copies to the clipboard in the same formats.
#include <imgui.h>

#include <string>

#include "app/view_actions.h"
#include "app/view_common.h"
#include "app/views.h"
#include "core/i18n.h"
#include "core/text.h"

namespace convscope::app {

namespace {

constexpr TableFormat kFileFormats[] = {TableFormat::Csv, TableFormat::Markdown, TableFormat::Json, TableFormat::Latex};
constexpr TableFormat kCopyFormats[] = {TableFormat::Text, TableFormat::Csv, TableFormat::Markdown, TableFormat::Json,
                                        TableFormat::Latex};

enum Column { Index, Name, Type, Config, In, Out, Formula, Params, Macs, Activations, Memory, Rf, Jump, ColumnCount };

void draw_toolbar(App& app) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(trc("Export"));
    for (TableFormat f : kFileFormats) {
        ImGui::SameLine();
        ImGui::PushID(static_cast<int>(f));
        if (ImGui::SmallButton(table_format_label(f).c_str())) choose_and_export_table(app, f);
        ImGui::PopID();
        hover_note(tr("save the table as {0} (written atomically)", table_format_label(f)));
    }
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextUnformatted(trc("Copy"));
    for (TableFormat f : kCopyFormats) {
        ImGui::SameLine();
        ImGui::PushID(100 + static_cast<int>(f));
        if (ImGui::SmallButton(table_format_label(f).c_str())) {
            ImGui::SetClipboardText(app.table_text(f).c_str());
            app.info(tr("copied the shape table as {0}", table_format_label(f)));
        }
        ImGui::PopID();
        hover_note(tr("copy the table to the clipboard as {0}", table_format_label(f)));
    }
}

void cell(std::string_view text) {
    ImGui::TableNextColumn();
    show_text(text);
}

void number_cell(int64_t v, bool known) {
    ImGui::TableNextColumn();
    if (!known) {
        ImGui::TextDisabled("-");
        return;
    }
    const std::string s = group_digits(v);
    // Right-aligned, so magnitudes compare at a glance.
    const float w = ImGui::CalcTextSize(s.c_str()).x;
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, ImGui::GetColumnWidth() - w));
    ImGui::TextUnformatted(s.c_str());
}

void setup_columns() {
    const ImGuiTableColumnFlags num = ImGuiTableColumnFlags_WidthFixed;
    // The columns are known by their places (the saved widths and hidden columns too), so the
    // headers can be in any language.
    ImGui::TableSetupColumn("#", num);
    ImGui::TableSetupColumn(trc("layer"), num | ImGuiTableColumnFlags_NoHide);
    ImGui::TableSetupColumn(trc("type"), num);
    ImGui::TableSetupColumn(trc("hyperparameters"), num);
    ImGui::TableSetupColumn(trc("input"), num);
    ImGui::TableSetupColumn(trc("output"), num);
    ImGui::TableSetupColumn(trc("formula"), num);
    ImGui::TableSetupColumn(trc("params"), num);
    ImGui::TableSetupColumn("MACs", num);
    ImGui::TableSetupColumn(trc("activations"), num);
    ImGui::TableSetupColumn(trc("memory"), num);
    ImGui::TableSetupColumn(trc("RF"), num);
    ImGui::TableSetupColumn(trc("jump"), num);
    ImGui::TableSetupScrollFreeze(2, 1);
    ImGui::TableHeadersRow();
}

// The first cell of a row: a selectable that spans the row, so a click anywhere selects the stage.
void select_cell(App& app, int stage, const std::string& label, bool scroll_to) {
    ImGui::TableNextColumn();
    const bool selected = app.selected() == stage;
    ImGui::PushID(stage);
    if (ImGui::Selectable(label.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns)) app.select(stage);
    ImGui::PopID();
    if (selected && scroll_to) ImGui::SetScrollHereY(0.5f);
}

void input_row(App& app, bool scroll_to) {
    const Analysis& a = app.doc.analysis();
    const Shape3& in = app.doc.network().input;
    ImGui::TableNextRow();
    if (!a.input_error.empty()) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, status_cell_colour(Severity::Error));
    select_cell(app, -1, "0", scroll_to);
    cell(tr("input"));
    cell("");
    cell("");
    cell("");
    cell(shape_text(in));
    cell(a.input_error);
    number_cell(0, false);
    number_cell(0, false);
    number_cell(in.count(), true);
    cell(byte_text(in.count() * 4));
    cell("1");
    cell("1");
}

void stage_row(App& app, const Stage& st, const Layer& l, bool scroll_to) {
    ImGui::TableNextRow();
    // A stage without a shape only because an earlier one failed is greyed, not red: the red row is
    // the one to fix.
    if (st.blocked)
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(0, 0, 0, 90));
    else if (st.status != Severity::Ok)
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, status_cell_colour(st.status));
    select_cell(app, static_cast<int>(st.index), std::to_string(st.index + 1), scroll_to);
    cell(st.name);
    cell(type_name(st.type));
    cell(layer_summary(l));
    cell(st.input ? shape_text(*st.input) : "-");
    cell(st.output ? shape_text(*st.output) : "-");
    ImGui::TableNextColumn();
    // The formula, or for a stage without one its first message, in the status colour.
    std::string note = st.formula;
    if (note.empty() && !st.messages.empty()) note = st.messages.front().message;
    const ImVec4 colour = st.blocked ? dim_colour() : status_text_colour(st.status);
    if (st.status != Severity::Ok) ImGui::PushStyleColor(ImGuiCol_Text, colour);
    show_text(note);
    if (st.status != Severity::Ok) ImGui::PopStyleColor();
    if (!st.messages.empty() && ImGui::IsItemHovered()) {
        std::string all;
        for (const auto& m : st.messages) all += (all.empty() ? "" : "\n") + m.message;
        hover_note(all);
    }
    const bool known = st.output.has_value();
    number_cell(st.params, known || st.params != 0);
    number_cell(st.macs, known);
    number_cell(st.activations, known);
    ImGui::TableNextColumn();
    if (!known)
        ImGui::TextDisabled("-");
    else if (st.in_place)
        ImGui::TextDisabled("%s", trc("in place"));
    else
        show_text(byte_text(st.activations * 4));
    cell(known ? compact_dims_text(st.rf.size_h, st.rf.size_w) : "-");
    cell(known ? compact_dims_text(st.rf.jump_h, st.rf.jump_w) : "-");
}

void totals_row(const Analysis& a) {
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    cell("");
    cell(tr("total"));
    cell("");
    cell("");
    cell("");
    cell(a.final_output() ? shape_text(*a.final_output()) : "-");
    cell(a.blocked ? tr("{0} errors, {1} warnings, {2} stages without a shape", a.errors, a.warnings, a.blocked)
                   : tr("{0} errors, {1} warnings", a.errors, a.warnings));
    number_cell(a.totals.params, true);
    number_cell(a.totals.macs, true);
    number_cell(a.totals.activations, true);
    cell(byte_text(a.totals.activation_bytes()));
    cell("");
    cell("");
}

int g_last_selected = -2;  // to scroll a row into view only when the selection moved

}  // namespace

void draw_table(App& app) {
    if (!app.view.show_table) return;
    if (begin_panel((tr("Shape table") + "###shape table").c_str(), Slot::Bottom, &app.view.show_table)) {
        draw_toolbar(app);
        const Network& net = app.doc.network();
        const Analysis& a = app.doc.analysis();
        const bool moved = app.selected() != g_last_selected;
        g_last_selected = app.selected();
        const ImGuiTableFlags flags = ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                      ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_BordersOuter |
                                      ImGuiTableFlags_Resizable | ImGuiTableFlags_Hideable | ImGuiTableFlags_SizingFixedFit;
        if (ImGui::BeginTable("shapes", ColumnCount, flags, ImVec2(0, 0))) {
            setup_columns();
            input_row(app, moved);
            for (size_t i = 0; i < a.stages.size() && i < net.layers.size(); ++i)
                stage_row(app, a.stages[i], net.layers[i], moved);
            totals_row(a);
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

}  // namespace convscope::app
