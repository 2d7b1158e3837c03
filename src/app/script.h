// Scripted input: a text file of steps that drives the real window without a human, for tests and for
// the screenshots in the docs. One step per line; blank lines and lines starting with # are skipped.
// The steps and their words are listed in script.cpp and in docs/user-guide.md.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/app.h"

namespace convscope::app {

struct ScriptHost {
    // Writes the window as it is now to a PNG file; false with `error` set when it cannot.
    std::function<bool(const std::string& path, std::string& error)> screenshot;
    int frames_drawn = 0;
};

class Script {
public:
    // Reads and checks every line; an unknown step or a bad argument is an error naming its line.
    static std::optional<Script> load(const std::string& path, std::string& error);
    static std::optional<Script> parse(const std::string& text, const std::string& name, std::string& error);

    // Runs the steps that can run now; a step that needs frames drawn first (a screenshot after an
    // edit, `frames N`) makes it return, to be called again next frame. Returns false once every step
    // has run. A step that fails sets `error` and stops the script.
    bool advance(App& app, ScriptHost& host, std::string& error);
    bool finished() const { return next_ >= steps_.size(); }

    struct Step {
        int line = 0;
        std::vector<std::string> words;
    };

private:
    // What running one step asks of advance(): go on, let frames draw before the next step, or come
    // back to this same step once they have (a screenshot waits for the maps' textures).
    enum class Then { Continue, DrawFrames, Again };
    Then run_step(const Step& step, App& app, ScriptHost& host, std::string& error);

    std::string name_;  // the file, for "FILE:LINE: …" messages
    std::vector<Step> steps_;
    size_t next_ = 0;
    int wait_until_frame_ = 0;
    bool screenshot_armed_ = false;  // the pass is done; the screenshot is taken once frames are drawn
};

}  // namespace convscope::app
