#include "app/gui.h"

#include <epoxy/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <memory>

#include "app/app.h"
#include "app/fonts.h"
#include "app/script.h"
#include "app/views.h"
#include "core/file_io.h"
#include "core/tour.h"
#include "nn/image.h"

#include <nlohmann/json.hpp>

namespace convscope::app {

namespace {

std::string g_glfw_error;

void glfw_error(int, const char* text) { g_glfw_error = text ? text : "unknown GLFW error"; }

// The window's pixels, top row first, as a PNG file.
bool save_window_png(GLFWwindow* window, const std::string& path, std::string& error) {
    int w = 0, h = 0;
    glfwGetFramebufferSize(window, &w, &h);
    if (w <= 0 || h <= 0) {
        error = tr("the window has no pixels to save");
        return false;
    }
    nn::Image img(w, h, 3);  // RGB: the window is opaque, and the file smaller without alpha
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    std::vector<uint8_t> rows(static_cast<size_t>(w) * h * 3);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, rows.data());
    const size_t stride = static_cast<size_t>(w) * 3;
    for (int y = 0; y < h; ++y)  // OpenGL's rows start at the bottom
        std::copy_n(rows.data() + static_cast<size_t>(h - 1 - y) * stride, stride, img.pixels.data() + y * stride);
    return nn::save_png(path, img, error);
}

// The window's size as it was last closed (config dir, window.json), so that it opens the same way.
std::string window_file() { return (std::filesystem::path(App::config_dir()) / "window.json").string(); }

void read_window_size(int& width, int& height) {
    std::string error;
    const auto text = read_file(window_file(), error);
    if (!text) return;  // first start, or unreadable: the defaults
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("width") || !j.contains("height") || !j["width"].is_number_integer() ||
        !j["height"].is_number_integer())
        return;
    const int w = j["width"].get<int>(), h = j["height"].get<int>();
    if (w >= 200 && h >= 150 && w <= 16384 && h <= 16384) width = w, height = h;
}

// Returns why the size could not be written, or nothing.
std::optional<std::string> write_window_size(GLFWwindow* window) {
    int w = 0, h = 0;
    glfwGetWindowSize(window, &w, &h);
    // The window is created scaled to the monitor's content scale: store the unscaled size, or it would
    // grow at every start on a HiDPI screen.
    float sx = 1, sy = 1;
    glfwGetWindowContentScale(window, &sx, &sy);
    w = static_cast<int>(std::lround(w / std::max(sx, 1.0f)));
    h = static_cast<int>(std::lround(h / std::max(sy, 1.0f)));
    if (w <= 0 || h <= 0) return std::nullopt;
    std::string error;
    if (!write_file_atomic(window_file(), nlohmann::json{{"width", w}, {"height", h}}.dump() + "\n", error))
        return error;
    return std::nullopt;
}

// The window layout (imgui.ini) written atomically, as every other file.
std::optional<std::string> save_layout(const std::string& path) {
    size_t size = 0;
    const char* text = ImGui::SaveIniSettingsToMemory(&size);
    std::string error;
    if (!write_file_atomic(path, std::string_view(text, size), error)) return error;
    return std::nullopt;
}

void draw_all(App& app) {
    handle_shortcuts(app);
    draw_menu_bar(app);
    draw_strip(app);
    draw_editor(app);
    draw_formula(app);
    draw_feature_maps(app);
    draw_input(app);
    draw_backend(app);
    draw_table(app);
    draw_explorer(app);
    draw_messages(app);
    draw_devices(app);
    draw_animation(app);
    draw_tour(app);
}

}  // namespace

int run_gui(const GuiOptions& opt, std::ostream& out, std::ostream& err) {
    glfwSetErrorCallback(glfw_error);
    if (!glfwInit()) {
        err << "convscope: " << tr("cannot open a window: {0}", g_glfw_error) << "\n";
        return 2;
    }
    // OpenGL 4.3 core for the compute shaders; a driver without it still gets the app, on 3.3.
    GLFWwindow* window = nullptr;
    const char* glsl = "#version 430";
    int width = opt.width, height = opt.height;
    if (opt.persist && !opt.size_given) read_window_size(width, height);
    for (const auto& [major, minor] : {std::pair{4, 3}, std::pair{3, 3}}) {
        glfwDefaultWindowHints();
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, major);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, minor);
        glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
        glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
        window = glfwCreateWindow(width, height, "ConvScope", nullptr, nullptr);
        if (window) {
            glsl = major == 4 ? "#version 430" : "#version 330";
            break;
        }
    }
    if (!window) {
        err << "convscope: " << tr("cannot open a window: {0}", g_glfw_error) << "\n";
        glfwTerminate();
        return 2;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(opt.frames > 0 ? 0 : 1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    // The layout belongs in the config dir, not wherever the app was started from. It is read and
    // written here (save_layout), not by ImGui, whose writer truncates the file first.
    std::string ini_path, layout_error;
    io.IniFilename = nullptr;
    if (opt.persist) {
        ini_path = (std::filesystem::path(App::config_dir()) / "imgui.ini").string();
        std::string e;
        if (const auto text = read_file(ini_path, e)) ImGui::LoadIniSettingsFromMemory(text->data(), text->size());
    }
    // HiDPI: a font and widgets scaled by the monitor's content scale.
    float scale_x = 1, scale_y = 1;
    glfwGetWindowContentScale(window, &scale_x, &scale_y);
    const float scale = std::clamp(std::max(scale_x, scale_y), 1.0f, 4.0f);
    ImGui::StyleColorsDark();
    ImGui::GetStyle().ScaleAllSizes(scale);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init(glsl);

    int status = 0;
    {
        App app;
        app.autosave_enabled = opt.persist;
        // The language: --lang, else the one chosen in View › Language last time, else the system's.
        std::optional<Language> lang = opt.language;
        if (!lang && opt.persist) lang = App::saved_language();
        app.set_language(lang.value_or(system_language()), false);
        // Guided tours a teacher added: the config dir's tours/ folder (not in tests), then --tour-dir.
        if (opt.persist) app.tour_folders.push_back((std::filesystem::path(App::config_dir()) / "tours").string());
        if (!opt.tour_dir.empty()) app.tour_folders.push_back(opt.tour_dir);
        if (!app.tour_folders.empty()) app.reload_tours();  // a file that does not parse becomes a warning
        // Every Chinese character the tours use goes into the font atlas, however rare: the tours the
        // app has read, not read a second time. The renderer uploads the atlas at the first frame.
        const FontReport fonts = load_fonts(scale, tour_chinese_texts(app.tours().tours));
        if (language() == Language::Chinese && !fonts.chinese) {
            // In English on purpose: without the font a Chinese message would be unreadable.
            app.warn("No Chinese font was found (Debian package fonts-wqy-microhei): Chinese text shows as '?'.");
        }
        if (opt.persist) app.load_recent();
        if (opt.persist && opt.restore) app.restore_autosave();
        if (!opt.preset.empty() && !app.load_preset(opt.preset)) status = 2;
        if (!opt.model.empty() && !app.open_model(opt.model)) status = 2;
        if (!opt.image.empty() && !app.open_image(opt.image)) status = 2;
        if (opt.backend == "gl") app.set_backend(BackendKind::Gl);
        if (!opt.select.empty()) {
            const auto& layers = app.doc.network().layers;
            const auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == opt.select; });
            if (it == layers.end()) {
                err << "convscope: " << tr("no layer named {0}", opt.select) << "\n";
                status = 2;
            } else {
                app.select(static_cast<int>(it - layers.begin()));
            }
        }
        std::optional<Script> script;
        if (!opt.script.empty()) {
            std::string e;
            script = Script::load(opt.script, e);
            if (!script) {
                err << "convscope: " << e << "\n";
                status = 2;
            }
        }
        ScriptHost host;
        host.screenshot = [&](const std::string& path, std::string& e) { return save_window_png(window, path, e); };
        bool script_running = script.has_value();

        int frame = 0;
        while (status == 0) {
            auto frame_start = std::chrono::steady_clock::now();
            glfwPollEvents();
            if (glfwWindowShouldClose(window)) {
                glfwSetWindowShouldClose(window, GLFW_FALSE);
                app.quit_requested = true;
            }
            // The frame before the screenshot waits for the maps of the current state.
            const bool last = opt.frames > 0 && frame == opt.frames - 1;
            if (last && !opt.screenshot.empty()) {
                app.wait_for_pass(120.0);
                frame_start = std::chrono::steady_clock::now();  // the wait is not the frame's
            }
            app.frame(glfwGetTime());

            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            ImGui::NewFrame();
            draw_all(app);
            ImGui::Render();
            int fw = 0, fh = 0;
            glfwGetFramebufferSize(window, &fw, &fh);
            glViewport(0, 0, fw, fh);
            glClearColor(0.09f, 0.09f, 0.10f, 1.0f);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            // The frame's CPU work and the driver's: glFinish, or llvmpipe's deferred drawing would
            // be counted in the next frame's poll instead.
            glFinish();
            app.record_frame_ms(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - frame_start).count());
            ++frame;
            host.frames_drawn = frame;

            // ImGui asks a few seconds after the layout changed; a failure is told once, not every time.
            if (!ini_path.empty() && io.WantSaveIniSettings) {
                io.WantSaveIniSettings = false;
                const auto e = save_layout(ini_path);
                if (e && *e != layout_error) app.warn(tr("could not save the window layout: {0}", *e));
                layout_error = e.value_or("");
            }
            if (script_running) {
                std::string e;
                script_running = script->advance(app, host, e);
                if (!e.empty()) {
                    err << "convscope: " << e << "\n";
                    status = 1;
                }
            }
            if (last && !opt.screenshot.empty()) {
                std::string e;
                if (!save_window_png(window, opt.screenshot, e)) {
                    err << "convscope: " << e << "\n";
                    status = 2;
                } else {
                    out << tr("wrote {0}", opt.screenshot) << "\n";
                }
            }
            glfwSwapBuffers(window);
            if (opt.frames > 0 && frame >= opt.frames && !script_running) break;
            if (opt.frames == 0 && script && !script_running) break;
            if (app.quit_requested && (!app.doc.dirty() || app.quit_confirmed)) break;
        }
        if (!opt.state_out.empty()) {
            std::string e;
            if (!write_file_atomic(opt.state_out, app.state_json() + "\n", e)) {
                err << "convscope: " << e << "\n";
                status = 2;
            }
        }
        // The window is closing: a file that cannot be written now can only be reported on stderr.
        if (opt.persist) {
            if (!app.doc.dirty() || app.quit_confirmed)
                app.clear_autosave();
            else if (const auto e = app.autosave())
                err << "convscope: " << tr("could not autosave the session: {0}", *e) << "\n";
            if (const auto e = write_window_size(window))
                err << "convscope: " << tr("could not save the window size: {0}", *e) << "\n";
            if (const auto e = save_layout(ini_path))
                err << "convscope: " << tr("could not save the window layout: {0}", *e) << "\n";
        }
        release_view_resources();
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return status;
}

}  // namespace convscope::app
