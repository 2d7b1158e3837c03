// The views: each draws one panel of the window from the App and turns clicks and keys into App
// calls; none owns application state (a view may cache GL textures of what it draws). Panels start
// in the places `begin_panel` gives them; the user may move them, and imgui.ini remembers.
#pragma once

#include "app/app.h"

namespace convscope::app {

// Where a panel starts, as a share of the window below the menu bar.
enum class Slot { Strip, Left, LeftBottom, Center, Right, RightBottom, Bottom, BottomRight };

// ImGui::Begin with the panel's first-use position and size; returns what Begin returns (End must
// follow either way).
bool begin_panel(const char* title, Slot slot, bool* open = nullptr);

void draw_menu_bar(App& app);           // view_menus.cpp: File, Edit, Presets, View, Help
void draw_strip(App& app);              // view_strip.cpp: the pipeline of stages
void draw_stepping(App& app);           // view_stepping.cpp: first / previous / play / next / last,
                                        // inside the strip's panel
void draw_editor(App& app);             // view_editor.cpp: the selected layer's hyperparameters
void draw_formula(App& app);            // view_formula.cpp: the worked formula of the selected stage
void draw_explorer(App& app);           // view_explorer.cpp: 224 vs 227
void draw_feature_maps(App& app);       // view_feature_maps.cpp: the selected stage's channels
void draw_input(App& app);              // view_input.cpp: the image and the tensor the net sees
void draw_backend(App& app);            // view_backend.cpp: CPU/GPU, threads, timings, top-5
void draw_table(App& app);              // view_table.cpp: every stage, totals, exports
void draw_messages(App& app);           // view_messages.cpp: the latest messages
void draw_devices(App& app);            // view_devices.cpp: the network split over K devices
void draw_animation(App& app);          // view_animation.cpp: the selected stage's window, sliding
void draw_tour(App& app);               // view_tour.cpp: the guided tour, step by step
void handle_shortcuts(App& app);        // view_menus.cpp: keys that work everywhere

// Frees the views' GL objects; called while the window's context is still current.
void release_view_resources();

}  // namespace convscope::app
