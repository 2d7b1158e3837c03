#include "cli/cli.h"

#include <algorithm>
#include <optional>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/explain.h"
#include "core/file_io.h"
#include "core/model_io.h"
#include "core/partition.h"
#include "core/presets.h"
#include "core/shape_engine.h"
#include "core/shape_table.h"

namespace convscope {

using cli::Args;
using cli::Flag;
using cli::UsageError;
using cli::model_flags;

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
    "  partition the layers split across devices, as AlexNet across two GPUs\n"
    "  presets   list the models that ship with ConvScope\n"
    "  forward   run a real forward pass on an image and show every layer's output\n"
    "  bench     time the forward pass, layer by layer\n"
    "  export-weights  write the generated weights as a safetensors file\n"
    "  gui       the desktop app: edit layers, step through them, see the feature maps\n"
    "\n"
    "Without a command ConvScope prints the AlexNet shape table.\n"
    "Run `convscope COMMAND --help` for a command's options.\n"
    "\n"
    "Every command takes --lang en|zh: the language of the derivation, the tables' headings and the\n"
    "messages (default: the system's locale, LANG / LC_ALL).\n"
    "\n"
    "Exit status: 0 every layer valid, 1 a layer is invalid (the table still prints),\n"
    "2 usage error, unreadable model file or unwritable output.\n";

const char* kTableHelp =
    "Usage: convscope table [--model FILE | --preset NAME | --onnx FILE] [--input H[xW]]\n"
    "                       [--format text|csv|md|json|latex] [-o FILE]\n"
    "\n"
    "Prints every layer's input and output shape, the worked formula\n"
    "N = (W − F + 2P)/S + 1, parameters, MACs, activations and receptive field.\n"
    "\n"
    "  --model FILE    a model file (JSON); see docs/model-format.md\n"
    "  --onnx FILE     a CNN saved as ONNX (Conv, Relu, LRN, MaxPool, AveragePool, Gemm, …)\n"
    "  --preset NAME   a shipped model (default alexnet-caffe); `convscope presets` lists them\n"
    "  --input H[xW]   replace the model's input height and width, e.g. 224 or 224x224\n"
    "  --format F      text (default), csv, md, json or latex\n"
    "  -o, --output FILE  write to FILE (atomically) instead of standard output\n";

const char* kExplainHelp =
    "Usage: convscope explain [--model FILE | --preset NAME | --onnx FILE] [--input H[xW]] [-o FILE]\n"
    "\n"
    "Derives every stage's shape in words: the formula with its numbers, what an\n"
    "inexact division drops, the nearest input sizes that tile exactly, floor versus\n"
    "ceil pooling downstream, and a paper's printed neuron counts against the computed ones.\n"
    "\n"
    "  --model FILE    a model file (JSON)\n"
    "  --onnx FILE     a CNN saved as ONNX\n"
    "  --preset NAME   a shipped model (default alexnet-paper)\n"
    "  --input H[xW]   replace the model's input height and width\n"
    "  -o, --output FILE  write to FILE (atomically) instead of standard output\n";

const char* kPartitionHelp =
    "Usage: convscope partition [--model FILE | --preset NAME | --onnx FILE] [--input H[xW]]\n"
    "                           [--devices K] [--batch B] [--format text|csv|md|json|latex] [-o FILE]\n"
    "\n"
    "Splits every layer across K devices as AlexNet was split across two GPUs: each device holds its\n"
    "share of the kernels (channels, fc units); a layer reads only its own device's channels when it\n"
    "works channel by channel or its groups are a multiple of K, else the devices exchange outputs\n"
    "first. Prints per layer and device the channels, parameters, MACs, activation memory and the\n"
    "bytes received, the totals, and a training-memory estimate against a 3 GB card.\n"
    "\n"
    "  --devices K     1 to 64 (default: the model's \"devices\", 2 for alexnet-paper)\n"
    "  --batch B       images per batch (default 128, as the paper trained)\n"
    "  --preset NAME   a shipped model (default alexnet-paper)\n"
    "  --format F      text (default), csv, md, json or latex\n"
    "  -o, --output FILE  write to FILE (atomically) instead of standard output\n";

const char* kPresetsHelp =
    "Usage: convscope presets\n"
    "\n"
    "Lists the models that ship with ConvScope, for --preset.\n";

int cmd_table(const Args& args, std::ostream& out, std::ostream& err) {
    TableFormat format = TableFormat::Text;
    if (const auto f = args.get("--format")) {
        const auto parsed = parse_table_format(*f);
        if (!parsed) throw UsageError{"--format: expected text, csv, md, json or latex, got \"" + *f + "\""};
        format = *parsed;
    }
    const auto net = load_model(args, "alexnet-caffe", err);
    if (!net) return kExitUsage;
    const Analysis a = analyze(*net);
    const int written = emit(args, format_table(*net, a, format), out, err);
    if (written != kExitOk) return written;
    return a.valid() ? kExitOk : kExitInvalidLayer;
}

int cmd_explain(const Args& args, std::ostream& out, std::ostream& err) {
    const auto net = load_model(args, "alexnet-paper", err);
    if (!net) return kExitUsage;
    const int written = emit(args, explain_network(*net), out, err);
    if (written != kExitOk) return written;
    return analyze(*net).valid() ? kExitOk : kExitInvalidLayer;
}

int cmd_partition(const Args& args, std::ostream& out, std::ostream& err) {
    TableFormat format = TableFormat::Text;
    if (const auto f = args.get("--format")) {
        const auto parsed = parse_table_format(*f);
        if (!parsed) throw UsageError{"--format: expected text, csv, md, json or latex, got \"" + *f + "\""};
        format = *parsed;
    }
    const auto net = load_model(args, "alexnet-paper", err);
    if (!net) return kExitUsage;
    const int devices = static_cast<int>(args.get_int("--devices", std::max(net->devices, 1), 1, 64));
    const int64_t batch = args.get_int("--batch", 128, 1, 1000000);
    const Analysis a = analyze(*net);
    const Partition p = partition_network(*net, a, devices, batch);
    if (!p.ok()) {
        err << "convscope: " << tr("{0}; `convscope table` shows the invalid layers", p.error) << "\n";
        return kExitInvalidLayer;
    }
    return emit(args, format_partition(*net, p, format), out, err);
}

int cmd_presets(std::ostream& out) {
    // Ids and titles are names: the same in every language.
    for (const auto& p : list_presets()) out << pad_right(p.id, 21) << " " << p.title << "\n";
    return kExitOk;
}

}  // namespace

namespace {

// Takes `--lang X` (or `--lang=X`) out of the arguments, wherever it is: every command has it.
std::optional<Language> take_language(std::vector<std::string>& args) {
    std::optional<Language> lang;
    for (size_t i = 0; i < args.size();) {
        std::string value;
        size_t taken = 0;
        if (args[i] == "--lang") {
            if (i + 1 >= args.size()) throw UsageError{"--lang needs a value: en or zh"};
            value = args[i + 1];
            taken = 2;
        } else if (args[i].rfind("--lang=", 0) == 0) {
            value = args[i].substr(7);
            taken = 1;
        } else {
            ++i;
            continue;
        }
        lang = parse_language(value);
        if (!lang) throw UsageError{"--lang: expected en or zh, got \"" + value + "\""};
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i + taken));
    }
    return lang;
}

}  // namespace

int run_cli(const std::vector<std::string>& args_in, std::ostream& out, std::ostream& err) {
    try {
        std::vector<std::string> args = args_in;
        const std::optional<Language> lang = take_language(args);
        set_language(lang.value_or(system_language()));
        if (args.empty()) {
            const int code = cmd_table(Args(args, 0, {}), out, err);
            out << "\n"
                << tr("More: `convscope explain` derives these shapes in words; `convscope --help` lists the commands.")
                << "\n";
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
        const Flag output{"--output", "a file name", "-o"};
        auto with = [](std::vector<Flag> flags, std::initializer_list<Flag> more) {
            flags.insert(flags.end(), more);
            return flags;
        };
        if (cmd == "table") {
            const Args a(args, 1, with(model_flags(), {output, {"--format", "one of text, csv, md, json, latex", ""}}));
            if (a.help()) return out << kTableHelp, kExitOk;
            return cmd_table(a, out, err);
        }
        if (cmd == "explain") {
            const Args a(args, 1, with(model_flags(), {output}));
            if (a.help()) return out << kExplainHelp, kExitOk;
            return cmd_explain(a, out, err);
        }
        if (cmd == "partition") {
            const Args a(args, 1,
                         with(model_flags(), {output,
                                              {"--format", "one of text, csv, md, json, latex", ""},
                                              {"--devices", "a number of devices", ""},
                                              {"--batch", "a batch size", ""}}));
            if (a.help()) return out << kPartitionHelp, kExitOk;
            return cmd_partition(a, out, err);
        }
        if (cmd == "presets") {
            const Args a(args, 1, {});
            if (a.help()) return out << kPresetsHelp, kExitOk;
            return cmd_presets(out);
        }
        if (cmd == "forward") return cmd_forward(args, out, err);
        if (cmd == "bench") return cmd_bench(args, out, err);
        if (cmd == "export-weights") return cmd_export_weights(args, out, err);
        if (cmd == "gui") return cmd_gui(args, out, err, lang);
        throw UsageError{"unknown command \"" + cmd + "\" (table, explain, partition, presets, forward, bench, export-weights, gui; see --help)"};
    } catch (const cli::UsageError& e) {
        err << "convscope: " << e.message << "\n";
        return kExitUsage;
    }
}

}  // namespace convscope
