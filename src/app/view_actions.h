// What the menus, the keyboard and the panels start alike: a file chooser followed by the App's file
// operation, and a question first when an action would discard unsaved edits. Implemented in
// view_menus.cpp, which also draws the choosers and questions every frame.
#pragma once

#include <functional>
#include <string>

#include "app/app.h"

namespace convscope::app {

void choose_and_open_model(App& app);    // asks first when there are unsaved edits
void choose_and_load_weights(App& app);
void choose_and_open_image(App& app);
void choose_and_load_labels(App& app);
void choose_and_export_table(App& app, TableFormat format);
void choose_and_save_feature_maps(App& app);
// Saves to the model's own file when it has a JSON one, otherwise asks for a name; `then` runs
// after a successful save.
void save_model_or_choose(App& app, std::function<void()> then = {});
void choose_and_save_model(App& app, std::function<void()> then = {});
// Opens a recent file with the operation its extension calls for.
void open_recent(App& app, const std::string& path);

// Runs `action` at once, or, when the network has unsaved edits, after the user chose to save or
// discard them; `what` completes "… before <what>?" ("loading the preset").
void unless_unsaved(App& app, const std::string& what, std::function<void()> action);

// A format's name as the menus, buttons and choosers show it: format_name, but "Text" capitalised
// (in the current language).
std::string table_format_label(TableFormat f);

}  // namespace convscope::app
