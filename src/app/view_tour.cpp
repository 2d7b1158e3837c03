// The Tour window (Help › Guided tour): while a tour runs, the step's title and text, filled with the
// live numbers of the network on screen, "step k of n", and Back / Next / Finish; otherwise the tours
// there are, each with a button to start it. Every step selects its stage, so the strip, the formula,
// the feature maps and the Devices window follow; the arrow keys keep stepping through the stages, and
// Page Up / Page Down step through the tour.
#include <imgui.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/view_actions.h"
#include "app/view_common.h"
#include "app/views.h"

namespace convscope::app {

namespace {

const ImVec4 kHeading(0.55f, 0.75f, 1.0f, 1.0f);

// Over the right-hand column (the input panel), as tall as the middle of the window: the panels the
// tour talks about (strip, formula, feature maps) stay in view.
void place_window() {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float bar = ImGui::GetFrameHeight();
    const float w = vp->Size.x, h = vp->Size.y - bar;
    const float width = std::min(w * 0.9f, std::max(380.0f, w * 0.31f));
    const float top = std::max(110.0f, h * 0.12f);
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + w - width, vp->Pos.y + bar + top), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(width, std::max(300.0f, h * 0.60f)), ImGuiCond_FirstUseEver);
}

// The text broken into lines at the window's width by break_lines (at blanks and between Chinese
// characters; ImGui's own wrapping would also break "34,944" after its comma), one item per line, as
// close as a wrapped text's lines; an empty paragraph is half a line of space.
void show_text_block(std::string_view text) {
    const std::string t = break_lines(ui_text(text), std::max(50.0f, ImGui::GetContentRegionAvail().x));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 1.0f));
    for (size_t start = 0; start <= t.size();) {
        size_t end = t.find('\n', start);
        if (end == std::string::npos) end = t.size();
        if (end == start)
            ImGui::Dummy(ImVec2(0, ImGui::GetTextLineHeight() * 0.5f));
        else
            ImGui::TextUnformatted(t.data() + start, t.data() + end);
        start = end + 1;
    }
    ImGui::PopStyleVar();
}

// ---- the window ------------------------------------------------------------------------------------

std::string stage_name(const App& app, int stage) {
    const auto& layers = app.doc.network().layers;
    return stage >= 0 && static_cast<size_t>(stage) < layers.size() ? layers[static_cast<size_t>(stage)].name
                                                                       : std::string("input");
}

// The running tour: heading, text, the buttons.
void draw_step(App& app, const Tour& t, const TourStep& step) {
    const Language lang = language();
    const TourFacts& facts = app.tour_facts();
    const size_t n = app.tour_steps().size();
    const size_t k = app.tour_step_index();

    ImGui::TextDisabled("%s", ui_text(t.title.in(lang)).c_str());
    ImGui::SameLine();
    const std::string progress = tr("step {0} of {1}", k + 1, n);
    const float pw = ImGui::CalcTextSize(progress.c_str()).x;
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - pw));
    show_text(progress);
    ImGui::ProgressBar(static_cast<float>(k + 1) / static_cast<float>(std::max<size_t>(n, 1)),
                       ImVec2(-1, ImGui::GetTextLineHeight() * 0.35f), "");

    // The buttons above the text, so they stay where they are whatever the text's length.
    const bool first = k == 0, last = k + 1 >= n;
    ImGui::BeginDisabled(first);
    if (ImGui::Button((tr("Back") + "###tour-back").c_str())) app.tour_prev();
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (!last) {
        if (ImGui::Button((tr("Next") + "###tour-next").c_str())) app.tour_next();
    } else if (ImGui::Button((tr("Finish") + "###tour-next").c_str())) {
        app.stop_tour();
        return;
    }
    ImGui::SameLine();
    if (ImGui::Button((tr("Stop the tour") + "###tour-stop").c_str())) {
        app.stop_tour();
        return;
    }
    // The arrow keys may have moved the selection away from the step's stage: a way back.
    const std::optional<int> stage = tour_step_stage(step, app.doc.network());
    if (stage && *stage != app.selected()) {
        ImGui::SameLine();
        if (ImGui::Button((tr("Back to {0}", stage_name(app, *stage)) + "###tour-show").c_str())) app.select(*stage);
        hover_note(tr("the tour is at {0}; the panels show {1}", stage_name(app, *stage), stage_name(app, app.selected())));
    }
    ImGui::Separator();

    ImGui::BeginChild("tour-text", ImVec2(0, 0), false);
    ImGui::PushStyleColor(ImGuiCol_Text, kHeading);
    show_text_block(render_step_title(step, facts, lang));
    ImGui::PopStyleColor();
    ImGui::Spacing();
    show_text_block(render_step_text(step, facts, lang));
    ImGui::EndChild();
}

// No tour runs: the tours there are, each with what it is for.
void draw_tour_list(App& app) {
    const Language lang = language();
    const TourList& list = app.tours();
    show_text_block(tr("A tour walks through the network stage by stage: what each layer does, its formula with "
                       "the numbers of the network on screen, and where the GPUs exchange data."));
    ImGui::Spacing();
    const Tour* fitting = tour_for_network(list.tours, app.doc.network());
    for (size_t i = 0; i < list.tours.size(); ++i) {
        const Tour& t = list.tours[i];
        ImGui::PushID(static_cast<int>(i));
        ImGui::Separator();
        ImGui::PushStyleColor(ImGuiCol_Text, kHeading);
        show_text_block(t.title.in(lang));
        ImGui::PopStyleColor();
        if (!t.description.en.empty()) show_text_block(t.description.in(lang));
        std::string presets;
        for (const std::string& p : t.presets) {
            if (!presets.empty()) presets += ", ";
            presets += p;
        }
        if (!presets.empty()) show_wrapped(dim_colour(), tr("written for {0}", presets));
        if (t.origin != "built-in") show_wrapped(dim_colour(), tr("from {0}", t.origin));
        const std::vector<size_t> steps = tour_steps_for(t, app.doc.network());
        if (&t == fitting || tour_fit(t, app.doc.network()) >= 0.5) {
            if (ImGui::Button((tr("Start ({0} steps)", steps.size()) + "###start").c_str())) app.start_tour(t.id);
        } else if (!t.presets.empty()) {
            // Written for another model: open its first preset, then start.
            const std::string preset = t.presets.front(), id = t.id;
            if (ImGui::Button((tr("Open {0} and start", preset) + "###open-start").c_str()))
                unless_unsaved(app, tr("opening {0} for the tour", preset), [&app, preset, id] {
                    if (app.load_preset(preset)) app.start_tour(id);
                });
        }
        ImGui::PopID();
    }
    ImGui::Separator();
    if (ImGui::Button((tr("Read the tours again") + "###reload").c_str())) app.reload_tours();
    std::string folders;
    for (const std::string& f : app.tour_folders) {
        if (!folders.empty()) folders += ", ";
        folders += f;
    }
    hover_note(folders.empty() ? tr("only the built-in tours: start with --tour-dir DIR to add a folder")
                               : tr("the built-in tours and those in {0}", folders));
}

}  // namespace

void draw_tour(App& app) {
    // Page Down / Page Up step through the tour wherever the focus is (the arrows stay the strip's).
    const ImGuiIO& io = ImGui::GetIO();
    if (app.tour.active() && !io.WantTextInput && !io.KeyCtrl &&
        !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel)) {
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageDown))) app.tour_next();
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageUp))) app.tour_prev();
    }
    if (!app.show_tour) return;
    place_window();
    ImGui::SetNextWindowBgAlpha(1.0f);  // opaque: the panel underneath would show through the text
    if (ImGui::Begin((tr("Tour") + "###tour").c_str(), &app.show_tour)) {
        const Tour* t = app.current_tour();
        const TourStep* step = app.current_tour_step();
        if (t && step)
            draw_step(app, *t, *step);
        else
            draw_tour_list(app);
    }
    ImGui::End();
}

}  // namespace convscope::app
