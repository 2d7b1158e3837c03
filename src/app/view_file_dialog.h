// A small file chooser drawn inside the window, since Dear ImGui has none: a modal with the current
// folder's entries (folders first, files filtered by extension), a path field, and OK / Cancel.
// Double-clicking a folder enters it, double-clicking a file chooses it. One chooser is open at a
// time; it starts in the folder used last.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace convscope::app {

// The title and the filter's label are shown as given: the caller translates them.
struct FileDialogSpec {
    std::string title;                    // "Open model"
    bool save = false;                    // choosing a name to write: the file need not exist
    std::vector<std::string> extensions;  // ".json", ".onnx" (lower case); empty: every file
    std::string filter_label;             // "models (.json, .onnx)"
    std::string file_name;                // the name suggested when saving
    std::string directory;                // start here instead of the last folder, when not empty
};

// Opens the chooser on the next frame, replacing one that is open. `on_choose` receives the chosen
// path (when saving, with the first extension added if it had none of them); `on_cancel` runs when
// the chooser is dismissed without a choice.
void open_file_dialog(FileDialogSpec spec, std::function<void(const std::string&)> on_choose,
                      std::function<void()> on_cancel = {});

bool file_dialog_open();

// Draws the chooser while it is open. Call once per frame, outside any window.
void draw_file_dialog();

}  // namespace convscope::app
