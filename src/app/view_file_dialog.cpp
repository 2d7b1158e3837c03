// The in-window file chooser (view_file_dialog.h): state, folder listing, and the modal itself.
#include "app/view_file_dialog.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <system_error>

#include "app/view_common.h"
#include "core/i18n.h"

namespace convscope::app {

namespace fs = std::filesystem;

namespace {

struct Entry {
    std::string name;
    bool folder = false;
    uintmax_t size = 0;
};

struct DialogState {
    bool want_open = false;  // open the popup on the next draw, at the popup's own ID level
    bool open = false;
    FileDialogSpec spec;
    std::function<void(const std::string&)> on_choose;
    std::function<void()> on_cancel;
    fs::path folder;
    std::vector<Entry> entries;
    std::string listing_error;
    std::string field;          // what the user typed or picked: a name in `folder` or a whole path
    std::string problem;        // why OK did nothing
    std::string confirm_overwrite;  // the existing file a second OK will replace
    int selected = -1;
    bool show_all = false, show_hidden = false;
    bool focus_field = false;
};

DialogState g;
fs::path g_last_folder;  // the folder of the last choice, until the app closes

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool has_extension(const std::string& name, const std::vector<std::string>& exts) {
    if (exts.empty()) return true;
    const std::string n = lower(name);
    return std::any_of(exts.begin(), exts.end(), [&](const std::string& e) {
        return n.size() > e.size() && n.compare(n.size() - e.size(), e.size(), e) == 0;
    });
}

fs::path home_folder() {
    if (const char* h = std::getenv("HOME"); h && *h) return h;
    std::error_code ec;
    return fs::current_path(ec);
}

// "~/x" → "$HOME/x"; a relative path is taken inside the dialog's folder.
fs::path resolve(const std::string& text) {
    if (text == "~") return home_folder();
    if (text.rfind("~/", 0) == 0) return home_folder() / text.substr(2);
    const fs::path p(text);
    return p.is_absolute() ? p : g.folder / p;
}

void list_folder() {
    g.entries.clear();
    g.listing_error.clear();
    g.selected = -1;
    std::error_code ec;
    fs::directory_iterator it(g.folder, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        g.listing_error = tr("cannot list {0}: {1}", g.folder.string(), ec.message());
        return;
    }
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
        if (ec) break;
        Entry e;
        e.name = it->path().filename().string();
        if (!g.show_hidden && !e.name.empty() && e.name[0] == '.') continue;
        std::error_code ec2;
        e.folder = it->is_directory(ec2);
        if (!e.folder) {
            if (!g.show_all && !has_extension(e.name, g.spec.extensions)) continue;
            e.size = it->file_size(ec2);
            if (ec2) e.size = 0;
        }
        g.entries.push_back(std::move(e));
    }
    std::sort(g.entries.begin(), g.entries.end(), [](const Entry& a, const Entry& b) {
        if (a.folder != b.folder) return a.folder;
        return lower(a.name) < lower(b.name);
    });
}

void enter(const fs::path& folder) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(folder, ec);
    if (ec) p = folder;
    g.folder = p;
    g.problem.clear();
    g.confirm_overwrite.clear();
    list_folder();
}

void close_dialog() {
    g.open = false;
    ImGui::CloseCurrentPopup();
}

// Checks the field and, when it names something usable, returns the path to hand over.
// A folder is entered instead; a problem is shown under the field.
std::optional<std::string> accept() {
    g.problem.clear();
    if (g.field.empty()) {
        g.problem = g.spec.save ? tr("type a file name") : tr("pick a file");
        return std::nullopt;
    }
    fs::path p = resolve(g.field);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
        enter(p);
        g.field.clear();
        return std::nullopt;
    }
    if (g.spec.save) {
        if (!g.spec.extensions.empty() && !has_extension(p.filename().string(), g.spec.extensions))
            p += g.spec.extensions.front();
        if (!fs::is_directory(p.parent_path(), ec)) {
            g.problem = tr("no folder {0}", p.parent_path().string());
            return std::nullopt;
        }
        if (fs::exists(p, ec) && g.confirm_overwrite != p.string()) {
            g.confirm_overwrite = p.string();
            g.problem = tr("{0} exists: OK again replaces it", p.filename().string());
            return std::nullopt;
        }
    } else if (!fs::exists(p, ec)) {
        g.problem = tr("no file {0}", p.string());
        return std::nullopt;
    }
    return p.string();
}

void draw_toolbar() {
    if (ImGui::Button(trc("Up"))) enter(g.folder.parent_path());
    hover_note(tr("the folder above"));
    ImGui::SameLine();
    if (ImGui::Button(trc("Home"))) enter(home_folder());
    hover_note(tr("your home folder"));
    ImGui::SameLine();
    if (ImGui::Button(trc("Here"))) {
        std::error_code ec;
        enter(fs::current_path(ec));
    }
    hover_note(tr("the folder ConvScope was started from"));
    ImGui::SameLine();
    if (ImGui::Button(trc("Refresh"))) list_folder();
    ImGui::SameLine();
    show_text(g.folder.string());
}

// The folder's entries; returns a path when a file was double-clicked and accepted.
std::optional<std::string> draw_entries(float height) {
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                  ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("entries", 2, flags, ImVec2(0, height))) return std::nullopt;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(trc("name"), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn(trc("size"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 7);
    ImGui::TableHeadersRow();
    // What a double-click asks for is done after the loop, which must not see the listing change.
    std::optional<fs::path> go_into;
    bool choose = false;
    // Only the rows in view are drawn: a folder may hold thousands of files.
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(g.entries.size()));
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const Entry& e = g.entries[static_cast<size_t>(row)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(row);
            const std::string label = e.folder ? "[" + e.name + "]" : e.name;
            if (e.folder) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.55f, 0.75f, 1.0f, 1.0f));
            const bool clicked = ImGui::Selectable(label.c_str(), g.selected == row,
                                                   ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick);
            if (e.folder) ImGui::PopStyleColor();
            ImGui::PopID();
            if (clicked) {
                g.selected = row;
                g.problem.clear();
                if (!e.folder) g.field = e.name;
                if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
                    if (e.folder)
                        go_into = g.folder / e.name;
                    else
                        choose = true;
                }
            }
            ImGui::TableNextColumn();
            if (!e.folder) show_text(byte_text(static_cast<int64_t>(e.size)));
        }
    }
    if (g.entries.empty() && g.listing_error.empty()) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextDisabled("%s", g.spec.extensions.empty() ? trc("(empty folder)") : trc("(no matching files here)"));
    }
    ImGui::EndTable();
    if (go_into) {
        enter(*go_into);
        if (!g.spec.save) g.field.clear();  // a name typed for saving stays
    }
    return choose ? accept() : std::nullopt;
}

}  // namespace

void open_file_dialog(FileDialogSpec spec, std::function<void(const std::string&)> on_choose,
                      std::function<void()> on_cancel) {
    for (auto& e : spec.extensions) e = lower(e);
    g.spec = std::move(spec);
    g.on_choose = std::move(on_choose);
    g.on_cancel = std::move(on_cancel);
    g.want_open = true;
    g.show_all = false;
    g.field = g.spec.save ? g.spec.file_name : std::string();
    g.focus_field = true;
    fs::path start = !g.spec.directory.empty() ? fs::path(g.spec.directory) : g_last_folder;
    std::error_code ec;
    if (start.empty() || !fs::is_directory(start, ec)) start = fs::current_path(ec);
    enter(start);
}

bool file_dialog_open() { return g.open || g.want_open; }

void draw_file_dialog() {
    const char* id = "###file chooser";
    if (g.want_open) {
        ImGui::OpenPopup(id);
        g.want_open = false;
        g.open = true;
    }
    if (!g.open) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(760.0f, vp->WorkSize.x * 0.9f), std::min(520.0f, vp->WorkSize.y * 0.9f)),
                             ImGuiCond_Appearing);
    const std::string title = g.spec.title + id;
    bool keep = true;  // the title bar's close button clears it
    std::optional<std::string> chosen;
    bool cancelled = false;
    if (ImGui::BeginPopupModal(title.c_str(), &keep)) {
        draw_toolbar();
        const float footer = ImGui::GetFrameHeightWithSpacing() * 3 + ImGui::GetTextLineHeightWithSpacing();
        if (!g.listing_error.empty()) show_wrapped(status_text_colour(Severity::Error), g.listing_error);
        chosen = draw_entries(std::max(80.0f, ImGui::GetContentRegionAvail().y - footer));

        ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 5);
        if (g.focus_field) {
            ImGui::SetKeyboardFocusHere();
            g.focus_field = false;
        }
        const bool enter_pressed =
            ImGui::InputTextWithHint("##path",
                                     g.spec.save ? trc("file name or path") : trc("a name in this folder, or a path"),
                                     &g.field, ImGuiInputTextFlags_EnterReturnsTrue);
        if (ImGui::IsItemEdited()) g.confirm_overwrite.clear();
        ImGui::SameLine();
        show_text(g.spec.save ? tr("file name") : tr("file"));
        if (!g.spec.extensions.empty()) {
            const std::string label = tr("show every file (not only {0})", g.spec.filter_label) + "###show all";
            if (ImGui::Checkbox(ui_text(label).c_str(), &g.show_all)) list_folder();
            ImGui::SameLine();
        }
        if (ImGui::Checkbox(trc("hidden files"), &g.show_hidden)) list_folder();
        if (!g.problem.empty()) show_wrapped(status_text_colour(Severity::Warning), g.problem);

        const float button_w = ImGui::GetFontSize() * 6;
        ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - 2 * button_w - ImGui::GetStyle().ItemSpacing.x);
        if ((ImGui::Button(g.spec.save ? trc("Save") : trc("Open"), ImVec2(button_w, 0)) || enter_pressed) && !chosen)
            chosen = accept();
        ImGui::SameLine();
        if (ImGui::Button(trc("Cancel"), ImVec2(button_w, 0)) ||
            (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)) && !ImGui::IsAnyItemActive()))
            cancelled = true;
        if (chosen || cancelled) close_dialog();
        ImGui::EndPopup();
    } else {
        cancelled = true;  // closed by the title bar's button (keep is false) or by ImGui itself
    }
    // The callbacks run after the popup is finished: they may open another chooser.
    if (chosen) {
        g_last_folder = fs::path(*chosen).parent_path();
        auto on_choose = std::move(g.on_choose);
        g.on_cancel = nullptr;
        if (on_choose) on_choose(*chosen);
    } else if (cancelled) {
        g.open = false;
        auto on_cancel = std::move(g.on_cancel);
        g.on_choose = nullptr;
        if (on_cancel) on_cancel();
    }
}

}  // namespace convscope::app
