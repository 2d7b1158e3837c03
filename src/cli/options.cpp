#include "cli/options.h"

#include <charconv>

#include "cli/cli.h"
#include "core/file_io.h"
#include "core/model_io.h"
#include "core/presets.h"
#include "nn/onnx_import.h"

namespace convscope::cli {

std::vector<Flag> model_flags() {
    return {{"--model", "a file name", ""},
            {"--preset", "a preset name (see `convscope presets`)", ""},
            {"--onnx", "an .onnx file", ""},
            {"--input", "a size such as 227 or 224x224", ""}};
}

Args::Args(const std::vector<std::string>& args, size_t first, const std::vector<Flag>& flags) {
    for (size_t i = first; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            help_ = true;
            continue;
        }
        const Flag* flag = nullptr;
        for (const auto& f : flags)
            if (a == f.name || (!f.alias.empty() && a == f.alias)) flag = &f;
        if (!flag) throw UsageError{"unknown option \"" + a + "\""};
        if (flag->value.empty()) {
            values_[flag->name] = "";
            continue;
        }
        if (i + 1 >= args.size()) throw UsageError{a + " needs " + flag->value};
        values_[flag->name] = args[++i];
    }
}

std::optional<std::string> Args::get(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

int64_t Args::get_int(const std::string& name, int64_t fallback, int64_t lo, int64_t hi) const {
    const auto v = get(name);
    if (!v) return fallback;
    int64_t n = 0;
    const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < lo || n > hi)
        throw UsageError{name + ": expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                         ", got \"" + *v + "\""};
    return n;
}

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

std::optional<Network> load_model(const Args& args, const char* default_preset, std::ostream& err) {
    auto source = load_model_source(args, default_preset, err);
    if (!source) return std::nullopt;
    return std::move(source->net);
}

std::optional<ModelSource> load_model_source(const Args& args, const char* default_preset, std::ostream& err) {
    if (args.has("--model") + args.has("--preset") + args.has("--onnx") > 1)
        throw UsageError{"give only one of --model, --preset and --onnx"};
    std::optional<std::pair<int64_t, int64_t>> size;
    if (const auto v = args.get("--input")) {
        size = parse_input_size(*v);
        if (!size) throw UsageError{"--input: expected H or HxW with positive integers, got \"" + *v + "\""};
    }
    ModelSource source;
    if (const auto onnx = args.get("--onnx")) {
        auto r = nn::import_onnx(*onnx);
        if (!r.ok()) {
            err << "convscope: " << r.error << "\n";
            return std::nullopt;
        }
        source.net = std::move(r.net);
        source.weights = std::move(r.weights);
    } else {
        const auto file = args.get("--model");
        LoadResult r = file ? load_network_file(*file) : load_preset(args.get("--preset").value_or(default_preset));
        if (!r) {
            err << "convscope: " << r.error << "\n";
            return std::nullopt;
        }
        source.net = std::move(*r.network);
    }
    if (size) {
        source.net.input.h = size->first;
        source.net.input.w = size->second;
    }
    return source;
}

int emit(const Args& args, const std::string& text, std::ostream& out, std::ostream& err) {
    const auto path = args.get("--output");
    if (!path) {
        out << text;
        return kExitOk;
    }
    std::string error;
    if (!write_file_atomic(*path, text, error)) {
        err << "convscope: " << error << "\n";
        return kExitUsage;
    }
    return kExitOk;
}

}  // namespace convscope::cli
