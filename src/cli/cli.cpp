#include "cli/cli.h"

#include <charconv>
#include <optional>

#include "core/explain.h"
#include "core/file_io.h"
#include "core/model_io.h"
#include "core/presets.h"
#include "core/shape_engine.h"
#include "core/shape_table.h"

namespace convscope {

namespace {

constexpr const char* kVersion = CONVSCOPE_VERSION;

const char* kMainHelp =
    "ConvScope: see how a convolutional network transforms shapes, layer by layer.\n"
    "\n"
    "Usage: convscope [COMMAND] [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  table     the shape table of a model (text, CSV, Markdown, JSON, LaTeX)\n"
    "  explain   the stage-by-stage derivation in words, with the 224-vs-227 story\n"
    "  presets   list the models that ship with ConvScope\n"
    "\n"
    "Without a command ConvScope prints the AlexNet shape table.\n"
    "Run `convscope COMMAND --help` for a command's options.\n"
    "\n"
    "Exit status: 0 every layer valid, 1 a layer is invalid (the table still prints),\n"
    "2 usage error, unreadable model file or unwritable output.\n";

const char* kTableHelp =
    "Usage: convscope table [--model FILE | --preset NAME] [--input H[xW]]\n"
    "                       [--format text|csv|md|json|latex] [-o FILE]\n"
    "\n"
    "Prints every layer's input and output shape, the worked formula\n"
    "N = (W − F + 2P)/S + 1, parameters, MACs, activations and receptive field.\n"
    "\n"
    "  --model FILE    a model file (JSON); see docs/model-format.md\n"
    "  --preset NAME   a shipped model (default alexnet-caffe); `convscope presets` lists them\n"
    "  --input H[xW]   replace the model's input height and width, e.g. 224 or 224x224\n"
    "  --format F      text (default), csv, md, json or latex\n"
    "  -o, --output FILE  write to FILE (atomically) instead of standard output\n";

const char* kExplainHelp =
    "Usage: convscope explain [--model FILE | --preset NAME] [--input H[xW]] [-o FILE]\n"
    "\n"
    "Derives every stage's shape in words: the formula with its numbers, what an\n"
    "inexact division drops, the nearest input sizes that tile exactly, floor versus\n"
    "ceil pooling downstream, and a paper's printed neuron counts against the computed ones.\n"
    "\n"
    "  --model FILE    a model file (JSON)\n"
    "  --preset NAME   a shipped model (default alexnet-paper)\n"
    "  --input H[xW]   replace the model's input height and width\n"
    "  -o, --output FILE  write to FILE (atomically) instead of standard output\n";

const char* kPresetsHelp =
    "Usage: convscope presets\n"
    "\n"
    "Lists the models that ship with ConvScope, for --preset.\n";

struct Options {
    std::optional<std::string> model_file, preset, output_file;
    std::optional<std::pair<int64_t, int64_t>> input;
    TableFormat format = TableFormat::Text;
    bool help = false;
};

struct UsageError {
    std::string message;
};

// "224", "224x224", "224×227"
std::optional<std::pair<int64_t, int64_t>> parse_input_size(const std::string& s) {
    auto number = [](std::string_view t) -> std::optional<int64_t> {
        int64_t v = 0;
        const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || p != t.data() + t.size() || v < 1 || v > (1 << 20)) return std::nullopt;
        return v;
    };
    size_t sep = s.find('x');
    size_t sep_len = 1;
    if (sep == std::string::npos) {
        sep = s.find("×");
        sep_len = std::string("×").size();
    }
    if (sep == std::string::npos) {
        const auto v = number(s);
        if (!v) return std::nullopt;
        return std::make_pair(*v, *v);
    }
    const auto h = number(std::string_view(s).substr(0, sep));
    const auto w = number(std::string_view(s).substr(sep + sep_len));
    if (!h || !w) return std::nullopt;
    return std::make_pair(*h, *w);
}

Options parse_options(const std::vector<std::string>& args, size_t first, bool takes_format, bool takes_model) {
    Options o;
    for (size_t i = first; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* what) -> std::string {
            if (i + 1 >= args.size()) throw UsageError{a + " needs " + what};
            return args[++i];
        };
        if (a == "-h" || a == "--help") {
            o.help = true;
        } else if (takes_model && a == "--model") {
            o.model_file = value("a file name");
        } else if (takes_model && a == "--preset") {
            o.preset = value("a preset name (see `convscope presets`)");
        } else if (takes_model && a == "--input") {
            const std::string v = value("a size such as 227 or 224x224");
            o.input = parse_input_size(v);
            if (!o.input) throw UsageError{"--input: expected H or HxW with positive integers, got \"" + v + "\""};
        } else if (takes_format && a == "--format") {
            const std::string v = value("one of text, csv, md, json, latex");
            const auto f = parse_table_format(v);
            if (!f) throw UsageError{"--format: expected text, csv, md, json or latex, got \"" + v + "\""};
            o.format = *f;
        } else if (takes_model && (a == "-o" || a == "--output")) {
            o.output_file = value("a file name");
        } else {
            throw UsageError{"unknown option \"" + a + "\""};
        }
    }
    if (o.model_file && o.preset) throw UsageError{"give either --model or --preset, not both"};
    return o;
}

std::optional<Network> load_model(const Options& o, const char* default_preset, std::ostream& err) {
    LoadResult r = o.model_file ? load_network_file(*o.model_file) : load_preset(o.preset.value_or(default_preset));
    if (!r) {
        err << "convscope: " << r.error << "\n";
        return std::nullopt;
    }
    Network net = std::move(*r.network);
    if (o.input) {
        net.input.h = o.input->first;
        net.input.w = o.input->second;
    }
    return net;
}

int emit(const Options& o, const std::string& text, std::ostream& out, std::ostream& err) {
    if (!o.output_file) {
        out << text;
        return kExitOk;
    }
    std::string error;
    if (!write_file_atomic(*o.output_file, text, error)) {
        err << "convscope: " << error << "\n";
        return kExitUsage;
    }
    return kExitOk;
}

int cmd_table(const Options& o, std::ostream& out, std::ostream& err) {
    const auto net = load_model(o, "alexnet-caffe", err);
    if (!net) return kExitUsage;
    const Analysis a = analyze(*net);
    const int written = emit(o, format_table(*net, a, o.format), out, err);
    if (written != kExitOk) return written;
    return a.valid() ? kExitOk : kExitInvalidLayer;
}

int cmd_explain(const Options& o, std::ostream& out, std::ostream& err) {
    const auto net = load_model(o, "alexnet-paper", err);
    if (!net) return kExitUsage;
    const int written = emit(o, explain_network(*net), out, err);
    if (written != kExitOk) return written;
    return analyze(*net).valid() ? kExitOk : kExitInvalidLayer;
}

int cmd_presets(std::ostream& out) {
    for (const auto& p : list_presets()) {
        out << p.id << std::string(p.id.size() < 22 ? 22 - p.id.size() : 1, ' ') << p.title << "\n";
    }
    return kExitOk;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        if (args.empty()) {
            Options o;
            const int code = cmd_table(o, out, err);
            out << "\nMore: `convscope explain` derives these shapes in words; `convscope --help` lists the commands.\n";
            return code;
        }
        const std::string& cmd = args[0];
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            out << kMainHelp;
            return kExitOk;
        }
        if (cmd == "--version") {
            out << "convscope " << kVersion << "\n";
            return kExitOk;
        }
        if (cmd == "table") {
            const Options o = parse_options(args, 1, true, true);
            if (o.help) return out << kTableHelp, kExitOk;
            return cmd_table(o, out, err);
        }
        if (cmd == "explain") {
            const Options o = parse_options(args, 1, false, true);
            if (o.help) return out << kExplainHelp, kExitOk;
            return cmd_explain(o, out, err);
        }
        if (cmd == "presets") {
            const Options o = parse_options(args, 1, false, false);
            if (o.help) return out << kPresetsHelp, kExitOk;
            return cmd_presets(out);
        }
        throw UsageError{"unknown command \"" + cmd + "\" (table, explain, presets; see --help)"};
    } catch (const UsageError& e) {
        err << "convscope: " << e.message << "\n";
        return kExitUsage;
    }
}

}  // namespace convscope
