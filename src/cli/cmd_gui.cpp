// `convscope gui`: the desktop app. The options choose what it opens on, and let tests and the docs
// run it without a person: a number of frames, a screenshot of the last one, a script of steps, and
// the app's state written as JSON at the end.
#include <cstdio>

#include "app/gui.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/options.h"

namespace convscope {

namespace {

const char* kGuiHelp =
    "Usage: convscope gui [--preset NAME | --model FILE] [--image FILE] [--select LAYER] [--backend cpu|gl]\n"
    "                     [--size WxH] [--frames N] [--screenshot FILE.png] [--script FILE]\n"
    "                     [--state-out FILE.json] [--no-restore] [--no-persist] [--tour-dir DIR]\n"
    "\n"
    "Opens the desktop app: edit layers and watch every shape, formula and feature map change.\n"
    "It opens on Caffe's AlexNet with a sample photo, unless told otherwise.\n"
    "\n"
    "  --preset NAME    start on a shipped model (`convscope presets` lists them)\n"
    "  --model FILE     start on a model file (JSON, or ONNX with its weights)\n"
    "  --image FILE     feed this photo instead of the sample one\n"
    "  --select LAYER   select this layer at start\n"
    "  --backend B      cpu (default) or gl for the feature maps\n"
    "  --size WxH       the window's size (default: as it was last closed, else 1600x1000)\n"
    "  --frames N       draw N frames, then quit (the last one waits for the feature maps)\n"
    "  --screenshot F   with --frames: save the last frame as a PNG file\n"
    "  --script FILE    run the steps in FILE (see docs/user-guide.md), then quit\n"
    "  --state-out F    write the app's state as JSON when it quits\n"
    "  --no-restore     do not bring back the autosaved session\n"
    "  --no-persist     neither read nor write the layout and the autosave (for tests)\n"
    "  --tour-dir DIR   read guided tours (*.json) from DIR too, besides the built-in ones and\n"
    "                   those in the config dir's tours/ folder\n"
    "  --lang en|zh     the interface's language (default: as chosen in View > Language, else the\n"
    "                   system's locale)\n";

}  // namespace

int cmd_gui(const std::vector<std::string>& args_in, std::ostream& out, std::ostream& err,
            std::optional<Language> language) {
    const std::vector<cli::Flag> flags = {{"--preset", "a preset name", ""},      {"--model", "a model file", ""},
                                          {"--image", "an image file", ""},       {"--select", "a layer name", ""},
                                          {"--backend", "cpu or gl", ""},         {"--size", "WxH", ""},
                                          {"--frames", "a number of frames", ""}, {"--screenshot", "a PNG file", ""},
                                          {"--script", "a script file", ""},      {"--state-out", "a JSON file", ""},
                                          {"--no-restore", "", ""},               {"--no-persist", "", ""},
                                          {"--tour-dir", "a folder", ""}};
    const cli::Args args(args_in, 1, flags);
    if (args.help()) return out << kGuiHelp, kExitOk;
    app::GuiOptions o;
    o.preset = args.get("--preset").value_or("");
    o.model = args.get("--model").value_or("");
    if (!o.preset.empty() && !o.model.empty()) throw cli::UsageError{"give either --preset or --model, not both"};
    o.image = args.get("--image").value_or("");
    o.select = args.get("--select").value_or("");
    o.backend = args.get("--backend").value_or("cpu");
    if (o.backend != "cpu" && o.backend != "gl")
        throw cli::UsageError{"--backend: expected cpu or gl, got \"" + o.backend + "\""};
    if (const auto size = args.get("--size")) {
        int w = 0, h = 0;
        char x = 0, extra = 0;
        if (std::sscanf(size->c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') || w < 200 ||
            h < 150 || w > 16384 || h > 16384)
            throw cli::UsageError{"--size: expected WxH between 200x150 and 16384x16384, got \"" + *size + "\""};
        o.width = w;
        o.height = h;
        o.size_given = true;
    }
    o.frames = static_cast<int>(args.get_int("--frames", 0, 1, 1000000));
    o.screenshot = args.get("--screenshot").value_or("");
    if (!o.screenshot.empty() && o.frames == 0) throw cli::UsageError{"--screenshot needs --frames N"};
    o.script = args.get("--script").value_or("");
    o.state_out = args.get("--state-out").value_or("");
    o.restore = !args.has("--no-restore");
    o.persist = !args.has("--no-persist");
    if (const auto dir = args.get("--tour-dir")) o.tour_dir = *dir;
    o.language = language;
    return app::run_gui(o, out, err);
}

}  // namespace convscope
