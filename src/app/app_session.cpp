// Placeholder session handling until it is written.
#include <cstdlib>
#include <filesystem>

#include "app/app.h"

namespace convscope::app {

std::string App::config_dir() {
    namespace fs = std::filesystem;
    fs::path dir;
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
        dir = fs::path(x) / "convscope";
    else if (const char* h = std::getenv("HOME"); h && *h)
        dir = fs::path(h) / ".config" / "convscope";
    else
        dir = fs::temp_directory_path() / "convscope";
    std::error_code ec;
    fs::create_directories(dir, ec);
    return dir.string();
}
void App::autosave() {}
bool App::restore_autosave() { return false; }
void App::clear_autosave() {}
void App::add_recent(const std::string& path) { recent_files.insert(recent_files.begin(), path); }

}  // namespace convscope::app
