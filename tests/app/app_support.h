// What the app's tests share: the app's state as parsed JSON, running a script against an App without
// a window, and pointing the config dir at a scratch directory.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/script.h"
#include "support.h"

namespace convscope::test {

inline nlohmann::json state_of(const app::App& a) { return nlohmann::json::parse(a.state_json()); }

// The result of running a script in-process: its error ("" when every step passed) and how many frames
// the fake window drew meanwhile.
struct ScriptRun {
    std::string error;
    int frames = 0;
};

// Runs `text` against `app` as the window would: one advance per frame, frames drawn in between.
// `host.screenshot` is whatever the test gives; by default it writes a tiny file.
inline ScriptRun run_script(app::App& app, const std::string& text, app::ScriptHost host = {}) {
    std::string error;
    auto script = app::Script::parse(text, "test.script", error);
    REQUIRE_MESSAGE(script, error);
    ScriptRun r;
    while (script->advance(app, host, r.error)) {
        ++host.frames_drawn;
        app.frame(app.now() + 1.0 / 60);
        REQUIRE(host.frames_drawn < 100000);
    }
    r.frames = host.frames_drawn;
    return r;
}

// $XDG_CONFIG_HOME pointed at a scratch directory for one test, and put back afterwards.
struct ScratchConfig {
    TempDir dir;
    std::optional<std::string> old;
    ScratchConfig() {
        if (const char* v = std::getenv("XDG_CONFIG_HOME")) old = v;
        ::setenv("XDG_CONFIG_HOME", dir.path.string().c_str(), 1);
    }
    ~ScratchConfig() {
        if (old)
            ::setenv("XDG_CONFIG_HOME", old->c_str(), 1);
        else
            ::unsetenv("XDG_CONFIG_HOME");
    }
    std::string file(const std::string& name) const { return (dir.path / "convscope" / name).string(); }
    ScratchConfig(const ScratchConfig&) = delete;
    ScratchConfig& operator=(const ScratchConfig&) = delete;
};

}  // namespace convscope::test
