// What the tests of the real window share: running `convscope gui` on a fresh virtual X display
// (xvfb-run; a test is skipped with a message where it is missing), reading the screenshots it saves,
// and comparing and counting pixels.
#pragma once

#include <cstdlib>
#include <set>
#include <string>

#include "app_support.h"
#include "core/file_io.h"
#include "nn/image.h"

namespace convscope::test {

inline bool have_xvfb() { return std::system("command -v xvfb-run >/dev/null 2>&1") == 0; }

#define SKIP_WITHOUT_XVFB()                                                         \
    if (!convscope::test::have_xvfb()) {                                            \
        MESSAGE("skipped: xvfb-run is not installed (apt-get install xvfb xauth)"); \
        return;                                                                     \
    }

inline std::string slurp(const std::string& path) {
    std::string e;
    return read_file(path, e).value_or("");
}

// Whether xvfb-run's stderr says that it lost a race for a display number to a run beside it (with -a),
// so that the start is worth trying again.
inline bool xvfb_failed(const std::string& err) {
    return contains(err, "Xvfb failed to start") || contains(err, "xvfb-run: error");
}

// `convscope gui ARGS` on a fresh virtual display, with what it printed. xvfb-run -a can lose a race
// for a display number to a run beside it; such a start is tried again. Without `config_home` the run
// keeps no files (--no-persist); with it, its config dir is there instead of the user's.
inline Run run_gui(const std::string& args, const std::string& config_home = {}) {
    TempDir dir;
    const std::string out = dir.file("out.txt"), err = dir.file("err.txt");
    const std::string env = config_home.empty() ? "" : "XDG_CONFIG_HOME='" + config_home + "' ";
    const std::string cmd = env + "xvfb-run -a -s '-screen 0 1280x800x24' " + CONVSCOPE_BINARY + " gui " +
                            (config_home.empty() ? "--no-persist " : "") + args + " >" + out + " 2>" + err;
    Run r{-1, "", ""};
    for (int attempt = 0; attempt < 3; ++attempt) {
        const int status = std::system(cmd.c_str());
        r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
        if (!xvfb_failed(r.err)) break;
    }
    return r;
}

// Runs the steps in `text` in a 1280×800 window.
inline Run run_script_in_window(const TempDir& dir, const std::string& text, const std::string& extra = {}) {
    return run_gui("--size 1280x800 --script " + dir.file("steps.txt", text) + " " + extra);
}

inline nn::Image load_png(const std::string& path) {
    auto r = nn::load_image(path);
    REQUIRE_MESSAGE(r, r.error);
    return *r.image;
}

inline size_t distinct_colours(const nn::Image& img) {
    std::set<uint32_t> seen;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
            seen.insert(uint32_t(img.at(x, y, 0)) << 16 | uint32_t(img.at(x, y, 1)) << 8 | img.at(x, y, 2));
    return seen.size();
}

// A rectangle of pixels: columns [x0, x1), rows [y0, y1).
struct Region {
    int x0, y0, x1, y1;
};

// Pixels of the region that differ between two pictures of the same size.
inline int differing_pixels(const nn::Image& a, const nn::Image& b, const Region& g) {
    int n = 0;
    for (int y = g.y0; y < g.y1; ++y)
        for (int x = g.x0; x < g.x1; ++x)
            for (int c = 0; c < 3; ++c)
                if (a.at(x, y, c) != b.at(x, y, c)) {
                    ++n;
                    break;
                }
    return n;
}

// Pixels of the region within `tol` of the colour (r, g, b) in every channel.
inline int count_colour(const nn::Image& img, const Region& region, int r, int g, int b, int tol = 6) {
    int n = 0;
    for (int y = region.y0; y < region.y1; ++y)
        for (int x = region.x0; x < region.x1; ++x)
            if (std::abs(img.at(x, y, 0) - r) <= tol && std::abs(img.at(x, y, 1) - g) <= tol &&
                std::abs(img.at(x, y, 2) - b) <= tol)
                ++n;
    return n;
}

}  // namespace convscope::test
