// `convscope forward` and `convscope bench`.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/run_setup.h"
#include "core/file_io.h"
#include "core/shape_table.h"
#include "core/text.h"
#include "gl/gl_backend.h"
#include "nn/feature_grid.h"
#include "nn/image.h"
#include "nn/npy.h"
#include "nn/partitioned.h"
#include "nn/safetensors.h"
#include "nn/weight_init.h"

namespace convscope {

using cli::Args;
using cli::Flag;
using cli::UsageError;

namespace {

const char* kForwardHelp =
    "Usage: convscope forward [--preset NAME | --model FILE | --onnx FILE] [--input H[xW]]\n"
    "                         [--weights FILE.safetensors | --seed N]\n"
    "                         [--image FILE | --pattern NAME | --input-npy FILE.npy] [--normalize N]\n"
    "                         [--labels FILE] [--backend cpu|gl|reference] [--threads N]\n"
    "                         [--shader-dir DIR] [--devices K] [--dump DIR]\n"
    "\n"
    "Runs one real forward pass and prints every layer's shape, time and the range of its values.\n"
    "\n"
    "  --onnx FILE      a CNN saved as ONNX, run with its own weights unless --weights or --seed\n"
    "  --weights FILE   weights from a safetensors file (plain names such as conv1.weight, or\n"
    "                   torchvision's features.0.weight); default: generated from --seed (default 1),\n"
    "                   He-normal, with a designed (not learned) first layer for RGB input\n"
    "  --image FILE     a PNG, JPEG or BMP photo, resized (shorter side) and centre-cropped\n"
    "  --pattern NAME   a generated pattern: vertical-edge, horizontal-edge, diagonal-edge, grating\n"
    "                   (default), checkerboard, color-wheel, opponent-blobs, dot\n"
    "  --input-npy FILE a float32 (C, H, W) tensor fed as it is, without preprocessing\n"
    "  --normalize N    torchvision (default: RGB, ImageNet mean/std), caffe (BGR, 0–255 minus mean), none\n"
    "  --resize-shorter N  resize the photo's shorter side to N before the centre crop (torchvision's\n"
    "                   evaluation uses 256 for a 224 input); default: to the input size\n"
    "  --labels FILE    class names, one per line, to print the top-5 classes (found automatically as\n"
    "                   labels.txt or NAME.labels.txt beside the weights file)\n"
    "  --backend B      cpu (default: im2col + packed matrix product, threaded), gl (OpenGL 4.3 compute\n"
    "                   shaders on the GPU, no window needed; falls back to cpu with a note where it\n"
    "                   cannot run) or reference (naive loops)\n"
    "  --threads N      threads for the cpu backend (default: all cores)\n"
    "  --shader-dir DIR with gl: read the shaders (conv.comp, maxpool.comp, ...) from DIR instead of the\n"
    "                   built-in copies, to try an edited shader without rebuilding\n"
    "  --devices K      split every layer's channels across K devices (1 to 64), as AlexNet across two\n"
    "                   GPUs: each device computes its share with its own weights and buffers (cpu: on a\n"
    "                   thread of its own; gl: one after another), and the devices exchange outputs\n"
    "                   where `convscope partition` says; prints each layer's split and the values moved\n"
    "  --dump DIR       write each layer's output as NN_name.npy and NN_name.png, and summary.json\n"
    "  --memory-limit G refuse networks whose weights, outputs and working memory need more than G GiB\n"
    "                   (default 4), before allocating anything\n";

const char* kExportHelp =
    "Usage: convscope export-weights [--preset NAME | --model FILE | --onnx FILE] [--input H[xW]] [--seed N]\n"
    "                                [--naming plain|torchvision] -o FILE.safetensors\n"
    "\n"
    "Writes the generated weights that `forward` and `bench` use for --seed N (default 1) as a\n"
    "safetensors file, so other programs (PyTorch, OpenCV) can run the same network on the same weights.\n"
    "With --onnx it converts the ONNX file's own weights instead (unless --seed is given).\n"
    "Names are plain (conv1.weight, fc6.bias) or torchvision's (features.0.weight, classifier.1.bias).\n";

const char* kBenchHelp =
    "Usage: convscope bench [--preset NAME | --model FILE | --onnx FILE] [--input H[xW]]\n"
    "                       [--weights FILE | --seed N] [--image FILE | --pattern NAME | --input-npy FILE]\n"
    "                       [--backend cpu|gl|reference] [--threads N] [--shader-dir DIR]\n"
    "                       [--runs R] [--format text|json]\n"
    "\n"
    "Times the forward pass: two warm-up passes, then R timed passes (default 20); prints the median,\n"
    "minimum and maximum per layer and in total, and GFLOP/s for layers with MACs. The model, weights\n"
    "and input options are those of `convscope forward` (default input: the grating pattern).\n"
    "Timings need an otherwise idle machine: on a busy one each threaded layer waits for a free core.\n"
    "With --backend gl the layer times are GPU times from timer queries, and `wall` is the whole pass\n"
    "as the program waits for it (input upload, every dispatch, reading the last layer back).\n";

struct Stats {
    float min = 0, max = 0;
    double mean = 0;
};

Stats stats_of(const nn::Tensor& t) {
    Stats s;
    if (t.size() == 0) return s;
    s.min = *std::min_element(t.data.begin(), t.data.end());
    s.max = *std::max_element(t.data.begin(), t.data.end());
    s.mean = std::accumulate(t.data.begin(), t.data.end(), 0.0) / static_cast<double>(t.size());
    return s;
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// Column widths that fit every layer name and type (ONNX names such as classifier.0 are long).
int name_width(const Network& net) {
    size_t w = 10;
    for (const auto& l : net.layers) w = std::max(w, l.name.size());
    return static_cast<int>(std::min<size_t>(w, 60));
}
int type_width(const Network& net) {
    size_t w = 9;
    for (const auto& l : net.layers) w = std::max(w, type_name(l.type).size());
    return static_cast<int>(w);
}

std::string general(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// The labels file given, or one found beside the weights. Empty when there is none.
std::vector<std::string> read_labels(const Args& args, const std::string& weights_path, std::ostream& err,
                                     bool& failed) {
    namespace fs = std::filesystem;
    std::string path;
    if (const auto given = args.get("--labels")) {
        path = *given;
    } else if (!weights_path.empty()) {
        const fs::path w(weights_path);
        for (const fs::path& candidate : {w.parent_path() / (w.stem().string() + ".labels.txt"),
                                         w.parent_path() / "labels.txt"}) {
            std::error_code ec;
            if (fs::is_regular_file(candidate, ec)) {
                path = candidate.string();
                break;
            }
        }
    }
    if (path.empty()) return {};
    std::string error;
    const auto text = read_file(path, error, size_t{16} << 20);
    if (!text) {
        err << "convscope: " << error << "\n";
        failed = true;
        return {};
    }
    std::vector<std::string> labels;
    size_t start = 0;
    while (start < text->size()) {
        size_t end = text->find('\n', start);
        if (end == std::string::npos) end = text->size();
        std::string line = text->substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        labels.push_back(line);
        start = end + 1;
    }
    return labels;
}

// Up to five (index, probability) pairs from the last layer; softmax is applied if the network's
// last layer is not one already.
std::vector<std::pair<size_t, float>> top5(const nn::Tensor& last, bool is_softmax) {
    nn::Tensor probabilities = last;
    if (!is_softmax) nn::softmax(last, probabilities);
    const auto& p = probabilities.data;
    std::vector<size_t> idx(p.size());
    std::iota(idx.begin(), idx.end(), 0);
    const size_t k = std::min<size_t>(5, idx.size());
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
    std::vector<std::pair<size_t, float>> out;
    for (size_t i = 0; i < k; ++i) out.push_back({idx[i], p[idx[i]]});
    return out;
}

std::string dump_name(size_t index, const std::string& layer) {
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%02zu_", index + 1);
    std::string safe;
    for (char ch : layer) safe += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') ? ch : '_';
    return prefix + safe;
}

// Writes every layer's output (.npy and a .png grid of its channels) and summary.json into `dir`.
// `split` is the partitioned pass's record when the layers ran split across devices, else null.
bool dump(const std::string& dir, const cli::RunSetup& s, const nn::ForwardResult& r, const std::vector<Stats>& stats,
          const std::vector<std::pair<size_t, float>>& top, const std::vector<std::string>& labels,
          const nn::PartitionedPass* split, std::ostream& err) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        err << "convscope: cannot create " << dir << ": " << ec.message() << "\n";
        return false;
    }
    nlohmann::ordered_json summary;
    summary["model"] = s.net.name;
    summary["input"] = {s.net.input.c, s.net.input.h, s.net.input.w};
    summary["input_source"] = s.input_description;
    summary["weights"] = s.weights.origin;
    summary["designed_first_conv"] = s.weights.designed_first_conv;
    summary["backend"] = s.backend->name();
    summary["device"] = s.device;
    summary["threads"] = s.threads;
    summary["devices"] = split ? split->devices : 1;
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    std::string error;
    for (size_t i = 0; i < r.outputs.size(); ++i) {
        const std::string base = dump_name(i, s.net.layers[i].name);
        const std::string npy = (fs::path(dir) / (base + ".npy")).string();
        if (!nn::write_npy(npy, r.outputs[i], error)) {
            err << "convscope: " << error << "\n";
            return false;
        }
        const nn::FeatureGrid grid = nn::render_feature_grid(nn::vector_as_map(r.outputs[i]));
        std::string png;
        if (grid) {
            png = (fs::path(dir) / (base + ".png")).string();
            if (!nn::save_png(png, grid.image, error)) {
                err << "convscope: " << error << "\n";
                return false;
            }
        }
        const Stats& st = stats[i];
        const Shape3& sh = r.outputs[i].shape;
        layers.push_back({{"index", i + 1},
                          {"name", s.net.layers[i].name},
                          {"type", std::string(type_name(s.net.layers[i].type))},
                          {"shape", {sh.c, sh.h, sh.w}},
                          {"ms", r.ms[i]},
                          {"min", st.min},
                          {"mean", st.mean},
                          {"max", st.max},
                          {"npy", base + ".npy"},
                          {"png", png.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(base + ".png")}});
        if (split) {
            nlohmann::ordered_json shares = nlohmann::ordered_json::array();
            for (const nn::Tensor& t : split->shares[i]) shares.push_back(t.shape.c);
            layers.back()["device_channels"] = std::move(shares);
            layers.back()["gathered_values"] = split->gathered_values[i];
        }
    }
    summary["layers"] = std::move(layers);
    nlohmann::ordered_json t = nlohmann::ordered_json::array();
    for (const auto& [index, p] : top)
        t.push_back({{"class", index}, {"label", index < labels.size() ? labels[index] : ""}, {"probability", p}});
    summary["top5"] = std::move(t);
    if (!write_file_atomic((fs::path(dir) / "summary.json").string(), summary.dump(2) + "\n", error)) {
        err << "convscope: " << error << "\n";
        return false;
    }
    return true;
}

// The backend each device's share runs on: the kind the run set up (a GL backend on its context).
nn::BackendFactory device_backends(const cli::RunSetup& s, const Args& args) {
    if (s.backend->name() == "gl") {
        gl::GlContext* context = s.gl_context.get();
        const std::optional<std::string> dir = args.get("--shader-dir");
        return [context, dir] {
            gl::GlBackendOptions o;
            if (dir) o.shaders = gl::ShaderLibrary(*dir);
            return gl::make_gl_backend(*context, std::move(o));
        };
    }
    if (s.backend->name() == "reference") return [] { return nn::make_ref_backend(); };
    return [] { return nn::make_cpu_backend(); };
}

// "48+48": each device's channels of a layer.
std::string split_text(const std::vector<nn::Tensor>& shares) {
    std::string t;
    for (const nn::Tensor& share : shares) {
        if (!t.empty()) t += '+';
        t += std::to_string(share.shape.c);
    }
    return t;
}

}  // namespace

int cmd_forward(const std::vector<std::string>& args_in, std::ostream& out, std::ostream& err) {
    std::vector<Flag> flags = cli::run_flags();
    flags.push_back({"--labels", "a labels file", ""});
    flags.push_back({"--dump", "a directory", ""});
    flags.push_back({"--devices", "a number of devices", ""});
    const Args args(args_in, 1, flags);
    if (args.help()) return out << kForwardHelp, kExitOk;
    const bool split = args.has("--devices");
    const int devices = static_cast<int>(args.get_int("--devices", 1, 1, 64));
    int code = kExitOk;
    auto s = cli::prepare_run(args, err, code);
    if (!s) return code;
    bool labels_failed = false;
    const auto labels = read_labels(args, s->weights_path, err, labels_failed);
    if (labels_failed) return kExitUsage;
    nn::ForwardResult r;
    nn::PartitionedPass pass;
    if (split) {
        // A GL context belongs to one thread: its devices take turns.
        nn::PartitionedRunner runner(device_backends(*s, args), devices, s->backend->name() != "gl");
        auto e = runner.prepare(s->net, s->analysis, s->weights);
        if (!e) e = runner.forward(s->input, pass);
        if (e) {
            err << "convscope: " << *e << "\n";
            return kExitUsage;
        }
        r.outputs = pass.outputs;
        r.ms = pass.ms;
        r.total_ms = pass.total_ms;
    } else if (auto e = cli::run_pass(*s, r, err)) {
        err << "convscope: " << *e << "\n";
        return kExitUsage;
    }
    out << s->net.name << " — forward pass on " << s->device;
    if (split)
        out << ", split across " << devices << (devices == 1 ? " device" : " devices")
            << (s->backend->name() == "gl" ? " (one after another)" : " (a thread each)");
    out << "\n";
    if (!s->backend_note.empty()) out << "note:    " << s->backend_note << "\n";
    out << "input:   " << shape_text(s->input.shape) << ", " << s->input_description << "\n";
    out << "weights: " << s->weights.origin << "\n";
    if (s->weights.designed_first_conv)
        out << "         (the first layer's filters are designed, not learned)\n";
    out << "\n";
    char line[1024];  // a split over many devices makes a long row
    const int nw = name_width(s->net), tw = type_width(s->net);
    // With --devices: each layer's channels per device, and the values gathered from other devices
    // before it ran.
    std::vector<std::string> splits, moved;
    size_t sw = 0;
    int64_t moved_total = 0;
    if (split)
        for (size_t i = 0; i < r.outputs.size(); ++i) {
            splits.push_back(split_text(pass.shares[i]));
            moved.push_back(pass.gathered_values[i] > 0 ? group_digits(pass.gathered_values[i]) : "");
            sw = std::max({sw, splits.back().size(), size_t{8}});
            moved_total += pass.gathered_values[i];
        }
    auto split_columns = [&](const std::string& devs, const std::string& got) {
        std::string c;
        if (split) c.append(" ").append(pad_right(devs, sw)).append(" ").append(pad_left(got, 10));
        return c;
    };
    std::snprintf(line, sizeof line, "  %3s  %-*s %-*s %-13s%s %9s %11s %11s %11s\n", "#", nw, "layer", tw, "type",
                  "output", split_columns("devices", "gathered").c_str(), "ms", "min", "mean", "max");
    out << line;
    double total = 0;
    std::vector<Stats> stats;  // printed here and written by --dump: computed once
    for (size_t i = 0; i < r.outputs.size(); ++i) {
        const Stats& st = stats.emplace_back(stats_of(r.outputs[i]));
        total += r.ms[i];
        // The shape is padded by hand: "×" takes two bytes but one column, which printf cannot know.
        const std::string shape = pad_right(shape_text(r.outputs[i].shape), 13);
        const std::string columns = split ? split_columns(splits[i], moved[i]) : std::string();
        std::snprintf(line, sizeof line, "  %3zu  %-*s %-*s %s%s %9s %11s %11s %11s\n", i + 1, nw,
                      s->net.layers[i].name.c_str(), tw, std::string(type_name(s->net.layers[i].type)).c_str(),
                      shape.c_str(), columns.c_str(), fixed(r.ms[i], 3).c_str(), general(st.min).c_str(),
                      general(st.mean).c_str(), general(st.max).c_str());
        out << line;
    }
    out << "\ntotal: " << fixed(total, 2) << " ms\n";
    if (split)
        out << "values gathered from other devices: " << group_digits(moved_total) << " per image ("
            << group_digits(moved_total * 4) << " bytes)\n";
    std::vector<std::pair<size_t, float>> top;
    const Shape3 last = r.outputs.empty() ? Shape3{} : r.outputs.back().shape;
    if (last.h == 1 && last.w == 1 && last.c > 1) {
        top = top5(r.outputs.back(), s->net.layers.back().type == LayerType::Softmax);
        if (!labels.empty()) {
            out << "\ntop-5:\n";
            for (const auto& [index, p] : top)
                out << "  " << pad_left(fixed(100.0 * p, 1), 5) << "%  " << (index < labels.size() ? labels[index] : "?")
                    << " (" << index << ")\n";
        }
    }
    if (top.empty() && !labels.empty())
        out << "\n(no top-5: the last layer's output is " << shape_text(last) << ", not a vector of class scores)\n";
    if (const auto dir = args.get("--dump")) {
        if (!dump(*dir, *s, r, stats, top, labels, split ? &pass : nullptr, err)) return kExitUsage;
        out << "\nwrote " << r.outputs.size() << " layers to " << *dir << "\n";
    }
    return kExitOk;
}

int cmd_bench(const std::vector<std::string>& args_in, std::ostream& out, std::ostream& err) {
    std::vector<Flag> flags = cli::run_flags();
    flags.push_back({"--runs", "a number of timed passes", ""});
    flags.push_back({"--format", "text or json", ""});
    const Args args(args_in, 1, flags);
    if (args.help()) return out << kBenchHelp, kExitOk;
    const std::string format = args.get("--format").value_or("text");
    if (format != "text" && format != "json") throw UsageError{"--format: expected text or json, got \"" + format + "\""};
    const int runs = static_cast<int>(args.get_int("--runs", 20, 1, 100000));
    int code = kExitOk;
    auto s = cli::prepare_run(args, err, code);
    if (!s) return code;
    nn::ForwardResult r;
    s->backend->set_read_back_all(false);  // a GPU keeps the intermediate layers to itself
    std::vector<std::vector<double>> per_layer(s->net.layers.size());
    std::vector<double> totals, walls;
    for (int i = 0; i < runs + 2; ++i) {
        if (auto e = cli::run_pass(*s, r, err)) {
            err << "convscope: " << *e << "\n";
            return kExitUsage;
        }
        if (i < 2) continue;  // warm-up: first-touch page faults, caches, thread start-up
        double total = 0;
        for (size_t l = 0; l < r.ms.size(); ++l) {
            per_layer[l].push_back(r.ms[l]);
            total += r.ms[l];
        }
        totals.push_back(total);
        walls.push_back(r.total_ms);
    }
    auto summarise = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        const double median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
        return std::array<double, 3>{median, v.front(), v.back()};
    };
    const auto t = summarise(totals);
    const auto wall = summarise(walls);
    if (format == "json") {
        nlohmann::ordered_json j;
        j["model"] = s->net.name;
        j["backend"] = s->backend->name();
        j["device"] = s->device;
        if (!s->backend_note.empty()) j["note"] = s->backend_note;
        j["threads"] = s->threads;
        j["runs"] = runs;
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (size_t l = 0; l < per_layer.size(); ++l) {
            const auto m = summarise(per_layer[l]);
            layers.push_back({{"name", s->net.layers[l].name},
                              {"type", std::string(type_name(s->net.layers[l].type))},
                              {"macs", s->analysis.stages[l].macs},
                              {"median_ms", m[0]},
                              {"min_ms", m[1]},
                              {"max_ms", m[2]}});
        }
        j["layers"] = std::move(layers);
        j["total"] = {{"median_ms", t[0]}, {"min_ms", t[1]}, {"max_ms", t[2]}};
        j["wall"] = {{"median_ms", wall[0]}, {"min_ms", wall[1]}, {"max_ms", wall[2]}};
        out << j.dump(2) << "\n";
        return kExitOk;
    }
    out << s->net.name << " — " << runs << " passes on " << s->device << ", after 2 warm-up passes\n";
    if (!s->backend_note.empty()) out << "note: " << s->backend_note << "\n";
    out << "\n";
    char line[256];
    const int nw = name_width(s->net), tw = type_width(s->net);
    std::snprintf(line, sizeof line, "  %-*s %-*s %10s %10s %10s %9s\n", nw, "layer", tw, "type", "median ms", "min ms",
                  "max ms", "GFLOP/s");
    out << line;
    for (size_t l = 0; l < per_layer.size(); ++l) {
        const auto m = summarise(per_layer[l]);
        const int64_t macs = s->analysis.stages[l].macs;
        std::snprintf(line, sizeof line, "  %-*s %-*s %10s %10s %10s %9s\n", nw, s->net.layers[l].name.c_str(), tw,
                      std::string(type_name(s->net.layers[l].type)).c_str(), fixed(m[0], 3).c_str(),
                      fixed(m[1], 3).c_str(), fixed(m[2], 3).c_str(),
                      macs > 0 && m[0] > 0 ? fixed(2.0 * macs / (m[0] * 1e6), 1).c_str() : "");
        out << line;
    }
    std::snprintf(line, sizeof line, "  %-*s %-*s %10s %10s %10s %9s\n", nw, "total", tw, "", fixed(t[0], 3).c_str(),
                  fixed(t[1], 3).c_str(), fixed(t[2], 3).c_str(),
                  fixed(2.0 * s->analysis.totals.macs / (t[0] * 1e6), 1).c_str());
    out << line;
    std::snprintf(line, sizeof line, "  %-*s %-*s %10s %10s %10s\n", nw, "wall", tw, "", fixed(wall[0], 3).c_str(),
                  fixed(wall[1], 3).c_str(), fixed(wall[2], 3).c_str());
    out << line;
    return kExitOk;
}

int cmd_export_weights(const std::vector<std::string>& args_in, std::ostream& out, std::ostream& err) {
    std::vector<Flag> flags = cli::model_flags();
    flags.insert(flags.end(), {{"--seed", "an integer seed", ""},
                               {"--naming", "plain or torchvision", ""},
                               {"--output", "a file name", "-o"}});
    const Args args(args_in, 1, flags);
    if (args.help()) return out << kExportHelp, kExitOk;
    const auto path = args.get("--output");
    if (!path) throw UsageError{"export-weights needs -o FILE.safetensors"};
    const std::string naming = args.get("--naming").value_or("plain");
    if (naming != "plain" && naming != "torchvision")
        throw UsageError{"--naming: expected plain or torchvision, got \"" + naming + "\""};
    auto source = cli::load_model_source(args, "alexnet-caffe", err);
    if (!source) return kExitUsage;
    const Network* net = &source->net;
    const Analysis a = analyze(*net);
    if (!a.valid()) {
        err << "convscope: the network has invalid layers; `convscope table` shows them\n";
        return kExitInvalidLayer;
    }
    if (auto e = check_memory(forward_memory(*net, a), kDefaultMemoryLimit)) {
        err << "convscope: the network is too large to generate weights for: it " << *e << "\n";
        return kExitUsage;
    }
    nn::NetworkWeights w;
    if (source->weights && !args.has("--seed")) {
        w = std::move(*source->weights);  // an ONNX file's own weights, converted
    } else {
        nn::InitOptions o;
        o.seed = static_cast<uint64_t>(args.get_int("--seed", 1, 0, INT64_MAX));
        w = nn::make_seeded_weights(*net, a, o);
    }
    if (auto e = nn::save_safetensors_weights(
            *net, w, *path, naming == "plain" ? nn::SafetensorsNaming::Plain : nn::SafetensorsNaming::Torchvision)) {
        err << "convscope: " << *e << "\n";
        return kExitUsage;
    }
    out << "wrote " << w.origin << " for " << net->name << " to " << *path << "\n";
    return kExitOk;
}

}  // namespace convscope
