// The desktop window: GLFW, an OpenGL 4.3 core context (3.3 when the driver has no 4.3; the GPU
// backend then runs on its own headless context or not at all), Dear ImGui, and the frame loop that
// draws every view over one App. Also what tests and the docs need from a real window: render N
// frames, save the window as PNG, run a script of steps, write the app's state as JSON.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "core/i18n.h"

namespace convscope::app {

struct GuiOptions {
    std::string preset;       // start on this preset instead of alexnet-caffe
    std::string model;        // or this model file (JSON or ONNX)
    std::string image;        // an image file instead of the sample photo
    std::string select;       // a layer name to select at start
    std::string backend;      // "cpu" or "gl"
    int width = 1600, height = 1000;
    bool size_given = false;  // --size: otherwise the size the window had when last closed
    int frames = 0;           // stop after this many frames (0: run until the window closes)
    std::string screenshot;   // with frames: write the last frame here as PNG
    std::string script;       // a file of steps to run (script.h)
    std::string state_out;    // write App::state_json() here at the end
    bool restore = true;      // bring back an autosaved session
    bool persist = true;      // read and write imgui.ini and the autosave in the config dir
    std::string tour_dir;     // guided tours to read besides the built-in ones and the config dir's
    std::optional<Language> language;  // --lang: else the one chosen last time, else the system's
};

// Runs the window until it closes (or the frames are done). Returns the process exit status:
// 0, or 2 when no window can be made or a file given cannot be used.
int run_gui(const GuiOptions& options, std::ostream& out, std::ostream& err);

}  // namespace convscope::app
