// The menu bar (File, Edit, Presets, View, Help), the keys that work everywhere, and what they open:
// the file chooser, the question before unsaved edits are discarded or the window closes, and the
// "how to read this" window.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "app/view_actions.h"
#include "app/view_common.h"
#include "app/view_file_dialog.h"
#include "app/views.h"
#include "core/presets.h"

namespace convscope::app {

namespace fs = std::filesystem;

namespace {

// ---- small helpers -------------------------------------------------------------------------------

bool ends_with(const std::string& path, std::string_view suffix) {
    if (path.size() < suffix.size()) return false;
    for (size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(path[path.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
}

// "AlexNet (Caffe)" → "alexnet-caffe": a file name suggested from the model's name.
std::string slug(const std::string& name) {
    std::string s;
    for (unsigned char c : name) {
        if (std::isalnum(c)) {
            s += static_cast<char>(std::tolower(c));
        } else if (!s.empty() && s.back() != '-') {
            s += '-';
        }
    }
    while (!s.empty() && s.back() == '-') s.pop_back();
    return s.empty() ? "model" : s;
}

// The folder of the model's own file, so that choosers start beside it.
std::string model_folder(const App& app) {
    return app.doc.path().empty() ? std::string() : fs::path(app.doc.path()).parent_path().string();
}

const std::vector<std::string> kImageExtensions{".png", ".jpg", ".jpeg", ".bmp"};

// ---- the question before unsaved edits go ------------------------------------------------------

struct Pending {
    bool want_open = false;
    std::string what;
    std::function<void()> action;
};
Pending g_unsaved;

void save_then(App& app, std::function<void()> then, std::function<void()> on_cancel);

void draw_unsaved_question(App& app) {
    const std::string id = tr("Unsaved changes") + "###unsaved";
    if (g_unsaved.want_open && !file_dialog_open()) {
        ImGui::OpenPopup(id.c_str());
        g_unsaved.want_open = false;
    }
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal(id.c_str(), nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    show_text(tr("The network has unsaved changes. Save them before {0}?", g_unsaved.what));
    ImGui::Spacing();
    std::function<void()> run;
    if (ImGui::Button(trc("Save first"))) {
        save_then(app, std::move(g_unsaved.action), {});
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(trc("Discard changes"))) {
        run = std::move(g_unsaved.action);
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(trc("Cancel")) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
        g_unsaved.action = nullptr;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
    if (run) run();
}

// ---- quitting ------------------------------------------------------------------------------------

void draw_quit_question(App& app) {
    const std::string id = tr("Quit ConvScope") + "###quit";
    const bool asking = app.quit_requested && app.doc.dirty() && !app.quit_confirmed;
    if (asking && !file_dialog_open() && !ImGui::IsPopupOpen(id.c_str()) &&
        !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel))
        ImGui::OpenPopup(id.c_str());
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal(id.c_str(), nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    const std::string name = app.doc.path().empty() ? app.doc.network().name : app.doc.path();
    show_text(tr("\"{0}\" has unsaved changes.", name));
    ImGui::Spacing();
    if (ImGui::Button(trc("Save"))) {
        ImGui::CloseCurrentPopup();
        // After a good save nothing is unsaved and the window closes; cancelling the chooser withdraws
        // the quit.
        save_then(app, {}, [&app] { app.quit_requested = false; });
    }
    ImGui::SameLine();
    if (ImGui::Button(trc("Discard"))) {
        app.quit_confirmed = true;
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(trc("Cancel")) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
        app.quit_requested = false;
        ImGui::CloseCurrentPopup();
    }
    if (!asking) ImGui::CloseCurrentPopup();  // saved meanwhile, or the request was withdrawn
    ImGui::EndPopup();
}

// ---- saving --------------------------------------------------------------------------------------

void choose_and_save(App& app, std::function<void()> then, std::function<void()> on_cancel) {
    FileDialogSpec spec;
    spec.title = tr("Save model as");
    spec.save = true;
    spec.extensions = {".json"};
    spec.filter_label = tr("model files (.json)");
    const std::string own = app.doc.path();
    spec.file_name = !own.empty() ? fs::path(own).stem().string() + ".json" : slug(app.doc.network().name) + ".json";
    spec.directory = model_folder(app);
    open_file_dialog(
        spec,
        [&app, then = std::move(then)](const std::string& path) {
            if (app.save_model(path) && then) then();
        },
        std::move(on_cancel));
}

void save_then(App& app, std::function<void()> then, std::function<void()> on_cancel) {
    const std::string& own = app.doc.path();
    // A model opened from ONNX is never overwritten with JSON: that asks for a new name.
    if (!own.empty() && ends_with(own, ".json")) {
        if (app.save_model(own) && then) then();
        return;
    }
    choose_and_save(app, std::move(then), std::move(on_cancel));
}

// ---- the menus -----------------------------------------------------------------------------------

constexpr TableFormat kExportFormats[] = {TableFormat::Csv, TableFormat::Markdown, TableFormat::Json,
                                          TableFormat::Latex, TableFormat::Text};

void draw_file_menu(App& app) {
    if (!ImGui::BeginMenu((tr("File") + "###file").c_str())) return;
    if (ImGui::MenuItem(trc("Open model..."), "Ctrl+O")) choose_and_open_model(app);
    hover_note(tr("a model file (.json) or an ONNX file, which brings its weights"));
    if (ImGui::MenuItem(trc("Save model"), "Ctrl+S")) save_model_or_choose(app);
    if (ImGui::MenuItem(trc("Save model as..."))) choose_and_save_model(app);
    ImGui::Separator();
    if (ImGui::MenuItem(trc("Load weights..."))) choose_and_load_weights(app);
    hover_note(tr("safetensors (conv1.weight or torchvision's features.0.weight names) or the weights of an ONNX "
                  "file with the same layers"));
    if (ImGui::MenuItem(trc("Load labels..."))) choose_and_load_labels(app);
    hover_note(tr("class names, one per line, for the top-5 list"));
    if (ImGui::MenuItem(trc("Open image..."))) choose_and_open_image(app);
    if (ImGui::BeginMenu((tr("Recent files") + "###recent").c_str(), !app.recent_files.empty())) {
        for (size_t i = 0; i < app.recent_files.size() && i < 12; ++i) {
            const std::string path = app.recent_files[i];
            ImGui::PushID(static_cast<int>(i));
            if (ImGui::MenuItem(ui_text(path).c_str())) open_recent(app, path);
            ImGui::PopID();
        }
        ImGui::EndMenu();
    }
    ImGui::Separator();
    if (ImGui::BeginMenu((tr("Export table") + "###export").c_str())) {
        for (TableFormat f : kExportFormats)
            if (ImGui::MenuItem((table_format_label(f) + "...").c_str())) choose_and_export_table(app, f);
        ImGui::EndMenu();
    }
    if (ImGui::MenuItem(trc("Save feature maps as PNG..."))) choose_and_save_feature_maps(app);
    hover_note(tr("the selected stage's channels, drawn with the feature-map panel's colours and scaling"));
    ImGui::Separator();
    if (ImGui::MenuItem(trc("Quit"), "Ctrl+Q")) app.quit_requested = true;
    ImGui::EndMenu();
}

void draw_insert_menu(App& app, const char* label, size_t at, bool enabled) {
    if (!ImGui::BeginMenu(label, enabled)) return;
    static constexpr LayerType kTypes[] = {LayerType::Conv,    LayerType::Relu,          LayerType::MaxPool,
                                           LayerType::AvgPool, LayerType::AdaptiveAvgPool, LayerType::Lrn,
                                           LayerType::Dropout, LayerType::Flatten,       LayerType::Fc,
                                           LayerType::Softmax};
    for (LayerType t : kTypes)
        if (ImGui::MenuItem(std::string(type_name(t)).c_str())) app.insert_layer(at, t);
    ImGui::EndMenu();
}

void draw_edit_menu(App& app) {
    if (!ImGui::BeginMenu((tr("Edit") + "###edit").c_str())) return;
    const std::string undo = app.doc.can_undo() ? tr("Undo {0}", app.doc.undo_name()) : tr("Undo");
    const std::string redo = app.doc.can_redo() ? tr("Redo {0}", app.doc.redo_name()) : tr("Redo");
    if (ImGui::MenuItem((ui_text(undo) + "###undo").c_str(), "Ctrl+Z", false, app.doc.can_undo())) app.undo();
    if (ImGui::MenuItem((ui_text(redo) + "###redo").c_str(), "Ctrl+Y", false, app.doc.can_redo())) app.redo();
    ImGui::Separator();
    const int sel = app.selected();
    const size_t n = app.doc.network().layers.size();
    const bool layer = sel >= 0 && static_cast<size_t>(sel) < n;
    draw_insert_menu(app, (tr("Insert layer before") + "###insert before").c_str(), layer ? static_cast<size_t>(sel) : 0,
                     layer);
    draw_insert_menu(app, (tr("Insert layer after") + "###insert after").c_str(), static_cast<size_t>(sel + 1), true);
    if (ImGui::MenuItem(trc("Duplicate layer"), nullptr, false, layer)) app.duplicate_layer(static_cast<size_t>(sel));
    if (ImGui::MenuItem(trc("Delete layer"), nullptr, false, layer)) app.delete_layer(static_cast<size_t>(sel));
    if (ImGui::MenuItem(trc("Move layer up"), nullptr, false, layer && sel > 0))
        app.move_layer(static_cast<size_t>(sel), -1);
    if (ImGui::MenuItem(trc("Move layer down"), nullptr, false, layer && static_cast<size_t>(sel) + 1 < n))
        app.move_layer(static_cast<size_t>(sel), +1);
    ImGui::EndMenu();
}

void draw_presets_menu(App& app) {
    if (!ImGui::BeginMenu((tr("Presets") + "###presets").c_str())) return;
    for (const PresetEntry& p : list_presets()) {
        if (ImGui::MenuItem(ui_text(p.title).c_str(), p.id.c_str())) {
            const std::string id = p.id;
            unless_unsaved(app, tr("opening {0}", p.title), [&app, id] { app.load_preset(id); });
        }
        if (!p.description.empty()) hover_note(p.description);
    }
    ImGui::EndMenu();
}

void draw_view_menu(App& app) {
    if (!ImGui::BeginMenu((tr("View") + "###view").c_str())) return;
    ViewSettings& v = app.view;
    ImGui::MenuItem(trc("Shape table"), nullptr, &v.show_table);
    ImGui::MenuItem(trc("224 vs 227"), nullptr, &v.show_explorer);
    ImGui::MenuItem(trc("Messages"), nullptr, &v.show_messages);
    ImGui::MenuItem(trc("Devices"), nullptr, &app.show_devices);
    ImGui::MenuItem((tr("Convolution, animated") + "###animation").c_str(), nullptr, &app.animation.open);
    ImGui::Separator();
    if (ImGui::BeginMenu((tr("Feature maps") + "###feature maps").c_str())) {
        if (ImGui::MenuItem(trc("Gray"), nullptr, v.colormap == Colormap::Gray)) v.colormap = Colormap::Gray;
        if (ImGui::MenuItem("Viridis", nullptr, v.colormap == Colormap::Viridis)) v.colormap = Colormap::Viridis;
        if (ImGui::MenuItem(trc("Diverging"), nullptr, v.colormap == Colormap::Diverging)) v.colormap = Colormap::Diverging;
        ImGui::Separator();
        if (ImGui::MenuItem(trc("Scale per channel"), nullptr, v.scale == MapScale::PerChannel))
            v.scale = MapScale::PerChannel;
        if (ImGui::MenuItem(trc("Scale per layer"), nullptr, v.scale == MapScale::PerLayer)) v.scale = MapScale::PerLayer;
        ImGui::Separator();
        ImGui::MenuItem(trc("Show the filters"), nullptr, &v.show_filters);
        ImGui::EndMenu();
    }
    ImGui::Separator();
    // Each language's name in itself, so a student can find their own whatever is showing now.
    if (ImGui::BeginMenu((tr("Language") + "###language").c_str())) {
        for (Language l : kAllLanguages)
            if (ImGui::MenuItem(language_name(l), language_code(l), language() == l)) app.set_language(l);
        ImGui::EndMenu();
    }
    ImGui::EndMenu();
}

void draw_help_menu(App& app) {
    if (!ImGui::BeginMenu((tr("Help") + "###help").c_str())) return;
    ImGui::MenuItem(trc("How to read this"), "F1", &app.view.show_help);
    // The guided tour: its window lists the tours; the item below starts the one for this model.
    ImGui::Separator();
    ImGui::MenuItem(trc("Guided tour"), nullptr, &app.show_tour);
    if (ImGui::MenuItem(trc("Start the tour for this model"), nullptr, false,
                        tour_for_network(app.tours().tours, app.doc.network()) != nullptr))
        app.start_tour();
    ImGui::EndMenu();
}

// ---- the help window -----------------------------------------------------------------------------

void help_heading(const char* text) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.55f, 0.75f, 1.0f, 1.0f));
    ImGui::TextUnformatted(text);
    ImGui::PopStyleColor();
    ImGui::Separator();
}

void colour_swatch(Severity s) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + h * 1.6f, p.y + h), ImGui::GetColorU32(status_text_colour(s)), 2);
    ImGui::Dummy(ImVec2(h * 1.6f, h));
    ImGui::SameLine();
}

void draw_help(App& app) {
    if (!app.view.show_help) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_FirstUseEver, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(640.0f, vp->WorkSize.x * 0.8f), std::min(620.0f, vp->WorkSize.y * 0.85f)),
                             ImGuiCond_FirstUseEver);
    if (ImGui::Begin((tr("How to read ConvScope") + "###how to read").c_str(), &app.view.show_help)) {
        help_heading(trc("The network strip"));
        show_wrapped(tr("Every box is a stage, from the input to the last layer, with the shape it produces "
                        "(channels × height × width). Click one, or step with the arrow keys: every panel follows."));
        colour_swatch(Severity::Ok);
        show_wrapped(tr("every division is exact: the windows tile the input"));
        colour_swatch(Severity::Warning);
        show_wrapped(tr("a division is not exact and was rounded: floor drops the last rows and columns, ceil "
                        "adds a window that hangs over the edge"));
        colour_swatch(Severity::Error);
        show_wrapped(tr("an impossible layer (a kernel of 0, groups that do not divide the channels, a window "
                        "larger than its input, an fc layer that gets the wrong number of inputs); the stages "
                        "after it get no shape"));

        help_heading(trc("The formula"));
        show_wrapped(tr("For a convolution or pooling window, each spatial output size is"));
        ImGui::Indent();
        show_text("N = (W − F + 2P)/S + 1");
        ImGui::Unindent();
        show_wrapped(tr("with W the input size, F the kernel, P the padding on each side and S the stride. A "
                        "dilation d spreads the kernel to F_eff = d·(F − 1) + 1. When W − F + 2P is not a "
                        "multiple of S the quotient is not an integer, and the layer must round."));

        help_heading(trc("224 or 227?"));
        show_wrapped(tr("The AlexNet paper says its input is 224×224, but with an 11×11 kernel and stride 4, "
                        "(224 − 11)/4 + 1 = 54.25 is not a whole number. Caffe's AlexNet takes 227×227, where "
                        "(227 − 11)/4 + 1 = 55 exactly, and its pooling ends at 6×6×256 = 9,216 inputs to fc6. "
                        "At 224, floor pooling ends at 5×5×256 = 6,400 instead; torchvision keeps 224 and pads "
                        "conv1 by 2. The 224 vs 227 panel shows all of these side by side."));

        help_heading(trc("Editing"));
        show_wrapped(tr("Drag a number in the Layer panel, or double-click it to type a value. Impossible values "
                        "are allowed: the shape engine marks them and says why. Every change can be undone."));

        help_heading(trc("Keys"));
        // Built every frame: the language may change while the window is open.
        const std::string keys[][2] = {{tr("Left / Right"), tr("previous / next stage")},
                                       {tr("Home / End"), tr("the input / the last layer")},
                                       {tr("Space"), tr("play or pause the walk through the stages")},
                                       {"Ctrl+Z", tr("undo")},
                                       {"Ctrl+Y, Ctrl+Shift+Z", tr("redo")},
                                       {"Ctrl+S", tr("save the model")},
                                       {"Ctrl+O", tr("open a model")},
                                       {"Ctrl+Q", tr("quit")},
                                       {"F1", tr("this window")}};
        if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_SizingFixedFit)) {
            for (const auto& k : keys) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(k[0].c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(k[1].c_str());
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

// ---- drawing the questions last -------------------------------------------------------------------

// The chooser, the questions and the help window are drawn at the very end of the frame, after every
// panel. Dear ImGui 1.86 asserts when a window appears in the same frame as a modal that was begun
// before it (a message line showing up just as a chooser opens would end the program); drawn last,
// a modal never has a window begun after it. The end of the frame is reached through a context
// hook, since the frame's order of panels is not the menu bar's to decide.
App* g_overlay_app = nullptr;  // set by draw_menu_bar each frame, cleared once drawn

void draw_overlays(ImGuiContext*, ImGuiContextHook*) {
    App* app = g_overlay_app;
    g_overlay_app = nullptr;
    if (!app) return;  // a frame without the menu bar draws none of these
    draw_help(*app);
    draw_unsaved_question(*app);
    draw_quit_question(*app);
    draw_file_dialog();
}

void hook_overlays() {
    ImGuiContext* ctx = ImGui::GetCurrentContext();
    for (const ImGuiContextHook& h : ctx->Hooks)
        if (h.Callback == draw_overlays) return;
    ImGuiContextHook hook;
    hook.Type = ImGuiContextHookType_EndFramePre;
    hook.Callback = draw_overlays;
    ImGui::AddContextHook(ctx, &hook);
}

bool key_pressed(int glfw_key) { return ImGui::IsKeyPressed(glfw_key, false); }
bool named_key_pressed(ImGuiKey key, bool repeat = true) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), repeat); }

}  // namespace

// ---- actions -------------------------------------------------------------------------------------

std::string table_format_label(TableFormat f) { return f == TableFormat::Text ? tr("Text") : format_name(f); }

void unless_unsaved(App& app, const std::string& what, std::function<void()> action) {
    if (!app.doc.dirty()) {
        action();
        return;
    }
    g_unsaved.want_open = true;
    g_unsaved.what = what;
    g_unsaved.action = std::move(action);
}

void choose_and_open_model(App& app) {
    unless_unsaved(app, tr("opening another model"), [&app] {
        FileDialogSpec spec;
        spec.title = tr("Open model");
        spec.extensions = {".json", ".onnx"};
        spec.filter_label = tr("models (.json, .onnx)");
        spec.directory = model_folder(app);
        open_file_dialog(spec, [&app](const std::string& path) { app.open_model(path); });
    });
}

void choose_and_load_weights(App& app) {
    FileDialogSpec spec;
    spec.title = tr("Load weights");
    spec.extensions = {".safetensors", ".onnx"};
    spec.filter_label = tr("weights (.safetensors, .onnx)");
    open_file_dialog(spec, [&app](const std::string& path) { app.load_weights(path); });
}

void choose_and_open_image(App& app) {
    FileDialogSpec spec;
    spec.title = tr("Open image");
    spec.extensions = kImageExtensions;
    spec.filter_label = tr("images (.png, .jpg, .bmp)");
    open_file_dialog(spec, [&app](const std::string& path) { app.open_image(path); });
}

void choose_and_load_labels(App& app) {
    FileDialogSpec spec;
    spec.title = tr("Load class labels");
    spec.extensions = {".txt"};
    spec.filter_label = tr("text files (.txt)");
    open_file_dialog(spec, [&app](const std::string& path) { app.load_labels(path); });
}

void choose_and_export_table(App& app, TableFormat format) {
    FileDialogSpec spec;
    spec.title = tr("Export the shape table as {0}", table_format_label(format));
    spec.save = true;
    spec.extensions = {std::string(format_extension(format))};
    spec.filter_label = tr("{0} files", spec.extensions.front());
    spec.file_name = slug(app.doc.network().name) + "-shapes" + spec.extensions.front();
    spec.directory = model_folder(app);
    open_file_dialog(spec, [&app, format](const std::string& path) { app.export_table(path, format); });
}

void choose_and_save_feature_maps(App& app) {
    const int sel = app.selected();
    const auto& layers = app.doc.network().layers;
    const std::string stage = sel < 0 ? std::string("input") : layers[static_cast<size_t>(sel)].name;
    FileDialogSpec spec;
    spec.title = sel < 0 ? tr("Save the input's feature maps") : tr("Save {0}'s feature maps", stage);
    spec.save = true;
    spec.extensions = {".png"};
    spec.filter_label = tr("PNG images");
    spec.file_name = slug(app.doc.network().name) + "-" + slug(stage) + ".png";
    open_file_dialog(spec, [&app](const std::string& path) { app.save_feature_grid_png(path); });
}

void save_model_or_choose(App& app, std::function<void()> then) { save_then(app, std::move(then), {}); }

void choose_and_save_model(App& app, std::function<void()> then) { choose_and_save(app, std::move(then), {}); }

void open_recent(App& app, const std::string& path) {
    if (ends_with(path, ".safetensors")) {
        app.load_weights(path);
    } else if (ends_with(path, ".txt")) {
        app.load_labels(path);
    } else if (std::any_of(kImageExtensions.begin(), kImageExtensions.end(),
                           [&](const std::string& e) { return ends_with(path, e); })) {
        app.open_image(path);
    } else {
        unless_unsaved(app, tr("opening {0}", fs::path(path).filename().string()), [&app, path] { app.open_model(path); });
    }
}

// ---- the bar and the keys ------------------------------------------------------------------------

void draw_menu_bar(App& app) {
    if (ImGui::BeginMainMenuBar()) {
        draw_file_menu(app);
        draw_edit_menu(app);
        draw_presets_menu(app);
        draw_view_menu(app);
        draw_help_menu(app);
        // The model's file and whether it has unsaved edits, at the right of the bar.
        const std::string own = app.doc.path().empty() ? app.doc.network().name : fs::path(app.doc.path()).filename().string();
        std::string title = own;
        if (app.doc.dirty()) title.append("  ").append(tr("(unsaved)"));
        title = ui_text(title);
        const float w = ImGui::CalcTextSize(title.c_str()).x;
        ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowWidth() - w - ImGui::GetStyle().ItemSpacing.x * 2));
        ImGui::TextDisabled("%s", title.c_str());
        ImGui::EndMainMenuBar();
    }
    // The windows and questions the menus open come at the end of the frame (see draw_overlays).
    g_overlay_app = &app;
    hook_overlays();
}

void handle_shortcuts(App& app) {
    const ImGuiIO& io = ImGui::GetIO();
    // Typing into a field, or a chooser or question is open: the keys are theirs.
    if (io.WantTextInput || ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel)) return;
    if (io.KeyCtrl) {
        if (named_key_pressed(ImGuiKey_Z, true)) io.KeyShift ? app.redo() : app.undo();
        if (named_key_pressed(ImGuiKey_Y, true)) app.redo();
        if (key_pressed(GLFW_KEY_S)) save_model_or_choose(app);
        if (key_pressed(GLFW_KEY_O)) choose_and_open_model(app);
        if (key_pressed(GLFW_KEY_Q)) app.quit_requested = true;
        return;
    }
    if (ImGui::IsAnyItemActive()) return;  // a drag in progress owns the arrows
    if (named_key_pressed(ImGuiKey_LeftArrow)) app.step(-1);
    if (named_key_pressed(ImGuiKey_RightArrow)) app.step(1);
    if (named_key_pressed(ImGuiKey_Home, false)) app.select_first();
    if (named_key_pressed(ImGuiKey_End, false)) app.select_last();
    if (named_key_pressed(ImGuiKey_Space, false)) app.playing = !app.playing;
    if (key_pressed(GLFW_KEY_F1)) app.view.show_help = !app.view.show_help;
}

}  // namespace convscope::app
