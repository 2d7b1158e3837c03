#include "core/tour.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "core/embedded_file.h"
#include "core/file_io.h"
#include "core/presets.h"
#include "core/text.h"

namespace convscope {

// assets/tour/*.json, compiled in; each entry is named after its file without ".json".
extern const EmbeddedFile kTourFiles[];
extern const size_t kTourFilesCount;

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const char* const kNotApplicable = "—";  // the stage has no such thing (a kernel of a ReLU)
const char* const kUnknown = "?";        // it would have one, but it cannot be computed

// ---- the placeholders ------------------------------------------------------------------------------

const std::vector<TourPlaceholder> kPlaceholders = {
    // The stage's own numbers ({NAME} for the step's stage, {NAME:STAGE} for another one).
    {"name", "the stage's name: conv1, or input"},
    {"type", "the layer's type: conv, maxpool, lrn, relu, dropout, fc, softmax, …"},
    {"in", "the shape the stage reads, C×H×W: 3×227×227"},
    {"out", "the shape it produces, C×H×W: 96×55×55"},
    {"in_size", "the height×width it reads: 227×227"},
    {"out_size", "the height×width it produces: 55×55"},
    {"in_channels", "the channels it reads: 3"},
    {"channels", "the channels (fc: units) it produces: 96"},
    {"formula", "the worked formula with this stage's numbers: (227 − 11 + 2·0)/4 + 1 = 55; for fc 256·6·6 = 9216 → 4096"},
    {"kernel", "the window's height×width: 11×11"},
    {"stride", "the stride: 4 (H×W when they differ)"},
    {"pad", "the padding on each side: 0 (H×W, or top left bottom right, when uneven)"},
    {"groups", "the convolution's channel groups: 2"},
    {"filter", "one filter's shape, input channels per group × kernel: 3×11×11"},
    {"params", "learned weights and biases: 34,944"},
    {"params_formula", "how they add up: 96·3·11·11 + 96 = 34,944"},
    {"params_share", "the stage's share of all parameters: 61.9%"},
    {"macs", "multiply-accumulates per image: 105,415,200"},
    {"activations", "values in the output: 290,400"},
    {"rf", "the receptive field of one output value, in input pixels: 11×11"},
    {"jump", "the distance in input pixels between neighbouring outputs: 4"},
    {"features", "the values an fc layer reads: 9,216"},
    {"ratio", "dropout's probability of dropping a unit: 0.5"},
    {"lrn_size", "LRN's window across channels: 5"},
    {"alpha", "LRN's α: 0.0001"},
    {"beta", "LRN's β: 0.75"},
    {"k", "LRN's additive constant k: 1"},
    {"exchange", "where the GPUs talk at this stage, from the split over the tour's devices, with the bytes"},
    // The whole network.
    {"model", "the model's name: AlexNet (Caffe)"},
    {"input", "the network's input shape: 3×227×227"},
    {"layers", "the number of layers: 23"},
    {"total_params", "parameters of the whole network: 60,965,224"},
    {"total_macs", "multiply-accumulates of the whole network per image: 724,406,816"},
    {"neurons", "output values of every conv and fc layer together: 659,272"},
    {"devices", "the devices of the split: 2"},
    {"batch", "the images per training step the byte counts are for: 128"},
    {"exchanges", "the stages where the devices exchange data: norm1, norm2, conv3, …"},
    {"traffic", "the bytes all devices receive in one training step: 37.4 MiB"},
    {"memory", "the training-memory estimate per device, and on one device, against a 3 GB card"},
};

bool is_placeholder(std::string_view name) {
    return std::any_of(kPlaceholders.begin(), kPlaceholders.end(),
                       [&](const TourPlaceholder& p) { return name == p.name; });
}

// One {…} found in a text: its name and the stage it names after ':' (empty: the step's own).
struct Use {
    std::string name, stage;
    bool qualified = false;  // written {NAME:STAGE}
};

// Walks `text`, handing each placeholder to `on_use` and each run of plain text to `on_text`. Returns
// an error for an unclosed or empty brace.
template <class OnText, class OnUse>
std::string walk(std::string_view text, OnText on_text, OnUse on_use) {
    std::string plain;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
            plain += c;
            ++i;
            continue;
        }
        if (c == '}') return "a \"}\" without its \"{\" (write \"}}\" for a brace)";
        if (c != '{') {
            plain += c;
            continue;
        }
        const size_t close = text.find_first_of("{}", i + 1);
        if (close == std::string_view::npos || text[close] != '}')
            return "a \"{\" that is not closed (write \"{{\" for a brace)";
        const std::string inner(text.substr(i + 1, close - i - 1));
        if (inner.empty()) return "an empty placeholder {}";
        on_text(plain);
        plain.clear();
        const size_t colon = inner.find(':');
        on_use(Use{inner.substr(0, colon), colon == std::string::npos ? std::string() : inner.substr(colon + 1),
                   colon != std::string::npos});
        i = close;
    }
    on_text(plain);
    return {};
}

std::vector<Use> uses_in(std::string_view text) {
    std::vector<Use> uses;
    walk(text, [](const std::string&) {}, [&](const Use& u) { uses.push_back(u); });
    return uses;
}

// ---- reading a tour file ---------------------------------------------------------------------------

struct Failure {
    std::string message;
};

[[noreturn]] void fail(const std::string& where, const std::string& message) { throw Failure{where + ": " + message}; }

std::string kind_of(const json& v) {
    if (v.is_object()) return "an object";
    if (v.is_array()) return "an array";
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "true or false";
    if (v.is_number()) return "a number";
    return "null";
}

void check_keys(const json& obj, const std::vector<std::string>& allowed, const std::string& where) {
    for (const auto& [key, value] : obj.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        std::string list;
        for (const auto& a : allowed) {
            if (!list.empty()) list += ", ";
            list += a;
        }
        fail(where, "unknown key \"" + key + "\" (expected " + list + ")");
    }
}

// A string, or an array of paragraphs joined by blank lines.
std::string paragraphs(const json& v, const std::string& where) {
    if (v.is_string()) return v.get<std::string>();
    if (!v.is_array()) fail(where, "must be a string or an array of paragraphs, got " + kind_of(v));
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) fail(where + "[" + std::to_string(i) + "]", "must be a string, got " + kind_of(v[i]));
        if (i) s += "\n\n";
        s += v[i].get<std::string>();
    }
    return s;
}

std::string known_placeholders() {
    std::string s;
    for (const TourPlaceholder& p : kPlaceholders) {
        if (!s.empty()) s += ", ";
        s += p.name;
    }
    return s;
}

void check_placeholders(const std::string& text, const std::string& where) {
    std::string bad;
    const std::string e = walk(text, [](const std::string&) {}, [&](const Use& u) {
        if (!bad.empty()) return;
        if (!is_placeholder(u.name)) {
            bad = "unknown placeholder {" + u.name;
            if (u.qualified) bad += ":" + u.stage;
            bad += "} (known: " + known_placeholders() + ")";
        } else if (u.qualified && u.stage.empty()) {
            bad = "{" + u.name + ":} names no stage after the colon";
        }
    });
    if (!e.empty()) fail(where, e);
    if (!bad.empty()) fail(where, bad);
}

TourText local_text(const json& v, const std::string& where, bool required_text = true) {
    TourText t;
    if (v.is_object()) {
        check_keys(v, {"en", "zh"}, where);
        if (!v.contains("en")) fail(where, "has no \"en\" text (the English is required; \"zh\" may follow)");
        t.en = paragraphs(v["en"], where + ".en");
        if (v.contains("zh")) t.zh = paragraphs(v["zh"], where + ".zh");
    } else {
        t.en = paragraphs(v, where);
    }
    if (required_text && t.en.empty()) fail(where + ".en", "is empty");
    check_placeholders(t.en, where + ".en");
    check_placeholders(t.zh, where + ".zh");
    return t;
}

// "line 3, column 14" of a byte offset, for JSON syntax errors.
std::string position_text(std::string_view text, size_t byte) {
    byte = std::min(byte, text.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i + 1 < byte; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

Tour parse_or_throw(std::string_view text, const std::string& id, const std::string& where) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 3, column 5: …".
        const size_t colon = what.find(": ");
        fail(where, position_text(text, e.byte) + ": not valid JSON (" +
                        (colon == std::string::npos ? what : what.substr(colon + 2)) + ")");
    }
    if (!j.is_object()) fail(where, "must be a JSON object with \"title\", \"presets\" and \"steps\", got " + kind_of(j));
    check_keys(j, {"title", "description", "presets", "devices", "batch", "steps"}, where);
    Tour t;
    t.id = id;
    t.origin = where;
    if (!j.contains("title")) fail(where, "has no \"title\"");
    t.title = local_text(j["title"], where + ": title");
    if (j.contains("description")) t.description = local_text(j["description"], where + ": description", false);
    if (!j.contains("presets") || !j["presets"].is_array())
        fail(where, "needs \"presets\": an array of the preset names the tour was written for");
    for (size_t i = 0; i < j["presets"].size(); ++i) {
        const json& p = j["presets"][i];
        if (!p.is_string() || p.get<std::string>().empty())
            fail(where + ": presets[" + std::to_string(i) + "]", "must be a preset name, got " + kind_of(p));
        t.presets.push_back(p.get<std::string>());
    }
    if (j.contains("devices")) {
        const json& d = j["devices"];
        if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > 64)
            fail(where + ": devices", "must be a whole number from 1 to 64");
        t.devices = d.get<int>();
    }
    if (j.contains("batch")) {
        const json& b = j["batch"];
        if (!b.is_number_integer() || b.get<int64_t>() < 1 || b.get<int64_t>() > 1000000)
            fail(where + ": batch", "must be a whole number from 1 to 1,000,000");
        t.batch = b.get<int64_t>();
    }
    if (!j.contains("steps") || !j["steps"].is_array() || j["steps"].empty())
        fail(where, "needs \"steps\": a non-empty array of steps");
    for (size_t i = 0; i < j["steps"].size(); ++i) {
        const json& s = j["steps"][i];
        std::string at = where + ": step " + std::to_string(i + 1);
        if (!s.is_object()) fail(at, "must be an object with \"stage\", \"title\" and \"text\", got " + kind_of(s));
        if (!s.contains("stage") || !s["stage"].is_string() || s["stage"].get<std::string>().empty())
            fail(at, "needs \"stage\": a layer's name, \"input\" or \"overview\"");
        TourStep step;
        step.stage = s["stage"].get<std::string>();
        at += " (" + step.stage + ")";
        check_keys(s, {"stage", "title", "text", "optional"}, at);
        if (!s.contains("title")) fail(at, "has no \"title\"");
        if (!s.contains("text")) fail(at, "has no \"text\"");
        step.title = local_text(s["title"], at + ": title");
        step.text = local_text(s["text"], at + ": text");
        if (s.contains("optional")) {
            if (!s["optional"].is_boolean()) fail(at + ": optional", "must be true or false");
            step.optional = s["optional"].get<bool>();
        }
        t.steps.push_back(std::move(step));
    }
    return t;
}

// ---- filling the placeholders ----------------------------------------------------------------------

std::string one_decimal(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}

// "512 B", "84.5 KiB", "10.6 MiB", "1.9 GiB": a byte count as a person reads it.
std::string bytes_text(int64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    const double b = static_cast<double>(bytes);
    if (bytes < (int64_t{1} << 20)) return one_decimal(b / 1024) + " KiB";
    if (bytes < (int64_t{1} << 30)) return one_decimal(b / (1 << 20)) + " MiB";
    return one_decimal(b / (1 << 30)) + " GiB";
}

std::string pad_text(const Pad4& p) {
    if (p.uniform()) return std::to_string(p.top);
    if (p.symmetric()) return dims_text(p.top, p.left);
    return std::to_string(p.top) + " " + std::to_string(p.left) + " " + std::to_string(p.bottom) + " " +
           std::to_string(p.right);
}

// The devices' shares joined by " + ": "48 + 48".
std::string shares_text(const PartitionStage& ps) {
    std::string s;
    for (size_t d = 0; d < ps.devices.size(); ++d) {
        if (d) s += " + ";
        s += std::to_string(ps.devices[d].out.count());
    }
    return s;
}

// Where the devices talk at layer `index`, in words.
std::string exchange_text(const TourFacts& f, int index, Language lang) {
    const Partition& p = f.partition;
    if (!p.ok()) return kUnknown;
    if (p.devices == 1) return tr_in(lang, "none (one device holds the whole network, so nothing is exchanged)");
    if (index < 0) return tr_in(lang, "none (every GPU has its own copy of the input images)");
    if (static_cast<size_t>(index) >= p.stages.size()) return kUnknown;
    const PartitionStage& ps = p.stages[static_cast<size_t>(index)];
    const Layer& l = f.net.layers[static_cast<size_t>(index)];
    const Stage& st = f.analysis.stages[static_cast<size_t>(index)];
    int64_t most = 0, most_channels = 0;
    for (const DeviceShare& d : ps.devices) most = std::max(most, d.receive_bytes);
    const int64_t plane_bytes = st.input ? st.input->h * st.input->w * 4 * p.batch : 0;
    if (plane_bytes > 0) most_channels = most / plane_bytes;
    const std::string per_image = bytes_text(most / p.batch), per_batch = bytes_text(most);
    switch (ps.exchange) {
        case Exchange::None:
            if (index == 0)
                return tr_in(lang, "none (every GPU has the whole input image and computes its own share of the {0} output channels, {1})",
                             std::to_string(st.output ? st.output->c : 0), shares_text(ps));
            if (l.type == LayerType::Conv && l.groups > 1)
                return tr_in(lang, "none (its {0} groups line up with the {1} GPUs, so each GPU reads only the channels it already holds; output channels {2})",
                             l.groups, p.devices, shares_text(ps));
            if (l.type == LayerType::Conv || l.type == LayerType::Fc || l.type == LayerType::Softmax)
                return tr_in(lang, "none (each GPU already holds everything it reads)");
            return tr_in(lang, "none (it works channel by channel, so each GPU keeps working on the channels it holds)");
        case Exchange::AllGather:
            if (l.type == LayerType::Conv && l.groups > 1)
                return tr_in(lang, "an all-gather (its {0} groups do not line up with the {1} GPUs, so before it runs each GPU receives the channels it lacks: up to {2} per image, {3} for a batch of {4})",
                             l.groups, p.devices, per_image, per_batch, p.batch);
            return tr_in(lang, "an all-gather (before it runs, each GPU receives what the other GPUs computed, up to {0} per image and {1} for a batch of {2}, so that every GPU reads the whole {3} input)",
                         per_image, per_batch, p.batch, st.input ? shape_text(*st.input) : std::string(kUnknown));
        case Exchange::Halo:
            return tr_in(lang, "a halo exchange (its window of {0} channels reaches across the border between the GPUs' channels, so each GPU receives up to {1} neighbouring channels from the GPU next to it: {2} per image, {3} for a batch of {4})",
                         l.lrn_size, most_channels, per_image, per_batch, p.batch);
    }
    return kUnknown;
}

std::string exchanges_text(const TourFacts& f, Language lang) {
    const Partition& p = f.partition;
    if (!p.ok()) return kUnknown;
    std::string s;
    for (const PartitionStage& ps : p.stages)
        if (ps.exchange != Exchange::None) {
            if (!s.empty()) s += ", ";
            s += ps.name;
        }
    return s.empty() ? tr_in(lang, "none") : s;
}

std::string memory_text(const TourFacts& f, Language lang) {
    const Partition& p = f.partition;
    if (!p.ok() || p.training.empty()) return kUnknown;
    int64_t most = 0;
    for (const TrainingMemory& m : p.training) most = std::max(most, m.total());
    const auto fits = [&](int64_t bytes) {
        return bytes <= Partition::kCardBytes ? tr_in(lang, "fits a 3 GB card") : tr_in(lang, "is more than a 3 GB card holds");
    };
    if (p.devices == 1)
        return tr_in(lang, "about {0} for a batch of {1} on one device, which {2}", bytes_text(most), p.batch, fits(most));
    return tr_in(lang, "about {0} per GPU for a batch of {1} split over {2} GPUs, which {3}; on a single GPU about {4}, which {5}",
                 bytes_text(most), p.batch, p.devices, fits(most), bytes_text(p.single.total()), fits(p.single.total()));
}

// The worked formula: the sliding window's arithmetic per dimension, or the shape engine's own line.
std::string formula_text(const Stage& st) {
    if (st.dim_h && st.dim_w) {
        const std::string h = window_formula(*st.dim_h), w = window_formula(*st.dim_w);
        return h == w ? h : "H: " + h + "; W: " + w;
    }
    return st.formula.empty() ? kNotApplicable : st.formula;
}

int64_t neurons(const Analysis& a) {
    int64_t n = 0;
    for (const Stage& s : a.stages)
        if ((s.type == LayerType::Conv || s.type == LayerType::Fc) && s.output) n += s.output->count();
    return n;
}

// The value of one placeholder for stage `index` (−1: the input).
std::string value_of(const std::string& name, int index, const TourFacts& f, Language lang) {
    const Network& net = f.net;
    const Analysis& a = f.analysis;
    // The whole network.
    if (name == "model") return net.name;
    if (name == "input") return shape_text(net.input);
    if (name == "layers") return std::to_string(net.layers.size());
    if (name == "total_params") return a.valid() ? group_digits(a.totals.params) : kUnknown;
    if (name == "total_macs") return a.valid() ? group_digits(a.totals.macs) : kUnknown;
    if (name == "neurons") return a.valid() ? group_digits(neurons(a)) : kUnknown;
    if (name == "devices") return std::to_string(f.partition.devices);
    if (name == "batch") return std::to_string(f.partition.batch);
    if (name == "exchanges") return exchanges_text(f, lang);
    if (name == "traffic") return f.partition.ok() ? bytes_text(f.partition.overall.receive_bytes) : kUnknown;
    if (name == "memory") return memory_text(f, lang);
    if (name == "exchange") return exchange_text(f, index, lang);

    if (index < 0) {  // the input: a shape, and nothing a layer has
        if (name == "name") return "input";
        if (name == "in" || name == "out") return shape_text(net.input);
        if (name == "in_size" || name == "out_size") return dims_text(net.input.h, net.input.w);
        if (name == "in_channels" || name == "channels") return std::to_string(net.input.c);
        if (name == "rf") return "1×1";
        if (name == "jump") return "1";
        if (name == "params" || name == "macs") return "0";
        if (name == "activations") return group_digits(net.input.count());
        return kNotApplicable;
    }
    const Layer& l = net.layers[static_cast<size_t>(index)];
    const Stage& st = a.stages[static_cast<size_t>(index)];
    const bool window = is_spatial_window(l.type);
    const bool weights = l.type == LayerType::Conv || l.type == LayerType::Fc;
    if (name == "name") return l.name;
    if (name == "type") return std::string(type_name(l.type));
    if (name == "in") return st.input ? shape_text(*st.input) : kUnknown;
    if (name == "out") return st.output ? shape_text(*st.output) : kUnknown;
    if (name == "in_size") return st.input ? dims_text(st.input->h, st.input->w) : kUnknown;
    if (name == "out_size") return st.output ? dims_text(st.output->h, st.output->w) : kUnknown;
    if (name == "in_channels") return st.input ? std::to_string(st.input->c) : kUnknown;
    if (name == "channels") return st.output ? std::to_string(st.output->c) : kUnknown;
    if (name == "formula") return st.input ? formula_text(st) : kUnknown;
    if (name == "kernel") return window ? dims_text(l.kernel.h, l.kernel.w) : kNotApplicable;
    if (name == "stride") return window ? compact_dims_text(l.stride.h, l.stride.w) : kNotApplicable;
    if (name == "pad") return window ? pad_text(l.pad) : kNotApplicable;
    if (name == "groups") return l.type == LayerType::Conv ? std::to_string(l.groups) : kNotApplicable;
    if (name == "filter") {
        if (l.type != LayerType::Conv) return kNotApplicable;
        if (!st.input || l.groups < 1) return kUnknown;
        return std::to_string(st.input->c / l.groups) + "×" + dims_text(l.kernel.h, l.kernel.w);
    }
    const bool computed = st.output.has_value() && st.status != Severity::Error;
    if (name == "params") return computed ? group_digits(st.params) : kUnknown;
    if (name == "params_formula") {
        if (!weights) return "0";
        if (!computed) return kUnknown;
        std::string s = std::to_string(l.out) + "·";
        if (l.type == LayerType::Conv)
            s += std::to_string(st.input->c / l.groups) + "·" + std::to_string(l.kernel.h) + "·" + std::to_string(l.kernel.w);
        else
            s += std::to_string(st.input->count());
        if (l.bias) s += " + " + std::to_string(l.out);
        return s + " = " + group_digits(st.params);
    }
    if (name == "params_share") {
        if (!computed || !a.valid() || a.totals.params <= 0) return kUnknown;
        return one_decimal(100.0 * static_cast<double>(st.params) / static_cast<double>(a.totals.params)) + "%";
    }
    if (name == "macs") return computed ? group_digits(st.macs) : kUnknown;
    if (name == "activations") return computed ? group_digits(st.activations) : kUnknown;
    if (name == "rf") return computed ? dims_text(st.rf.size_h, st.rf.size_w) : kUnknown;
    if (name == "jump") return computed ? compact_dims_text(st.rf.jump_h, st.rf.jump_w) : kUnknown;
    if (name == "features") {
        if (l.type != LayerType::Fc) return kNotApplicable;
        return st.input ? group_digits(st.input->count()) : kUnknown;
    }
    if (name == "ratio") return l.type == LayerType::Dropout ? short_number(l.ratio) : kNotApplicable;
    if (l.type != LayerType::Lrn) return kNotApplicable;  // the rest are LRN's
    if (name == "lrn_size") return std::to_string(l.lrn_size);
    if (name == "alpha") return short_number(l.alpha);
    if (name == "beta") return short_number(l.beta);
    if (name == "k") return short_number(l.k);
    return kUnknown;
}

std::optional<int> find_stage(const std::string& stage, const Network& net) {
    if (stage == "input" || stage == "overview") return -1;
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (net.layers[i].name == stage) return static_cast<int>(i);
    return std::nullopt;
}

const char* kBuiltIn = "built-in";

}  // namespace

const std::vector<TourPlaceholder>& tour_placeholders() { return kPlaceholders; }

TourParse parse_tour(std::string_view json_text, const std::string& id, const std::string& where) {
    TourParse r;
    try {
        r.tour = parse_or_throw(json_text, id, where);
    } catch (const Failure& f) {
        r.error = f.message;
    }
    return r;
}

TourList load_tours(const std::vector<std::string>& folders) {
    TourList list;
    auto add = [&](TourParse p) {
        if (!p) {
            list.problems.push_back(p.error);
            return;
        }
        auto same = std::find_if(list.tours.begin(), list.tours.end(), [&](const Tour& t) { return t.id == p.tour->id; });
        if (same != list.tours.end())
            *same = std::move(*p.tour);
        else
            list.tours.push_back(std::move(*p.tour));
    };
    for (size_t i = 0; i < kTourFilesCount; ++i) {
        TourParse p = parse_tour(kTourFiles[i].text(), kTourFiles[i].name, std::string("assets/tour/") + kTourFiles[i].name + ".json");
        if (p) p.tour->origin = kBuiltIn;
        add(std::move(p));
    }
    for (const std::string& folder : folders) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) continue;
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(folder, ec))
            if (entry.path().extension() == ".json" && entry.is_regular_file(ec)) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const fs::path& file : files) {
            std::string error;
            const auto text = read_file(file.string(), error, size_t{4} << 20);
            if (!text) {
                list.problems.push_back(error);
                continue;
            }
            add(parse_tour(*text, file.stem().string(), file.string()));
        }
    }
    return list;
}

const Tour* tour_for_preset(const std::vector<Tour>& tours, std::string_view preset_id) {
    for (const Tour& t : tours)
        if (std::find(t.presets.begin(), t.presets.end(), preset_id) != t.presets.end()) return &t;
    return nullptr;
}

const Tour* tour_for_network(const std::vector<Tour>& tours, const Network& net) {
    const std::vector<PresetEntry> presets = list_presets();
    for (const Tour& t : tours)
        for (const std::string& id : t.presets) {
            const auto p = std::find_if(presets.begin(), presets.end(), [&](const PresetEntry& e) { return e.id == id; });
            if (p != presets.end() && p->title == net.name) return &t;
        }
    // By stage names: the tour that fits best, if it fits at least half (LeNet's relu1 and prob alone do
    // not make it AlexNet).
    const Tour* best = nullptr;
    double best_fit = 0;
    for (const Tour& t : tours) {
        const double fit = tour_fit(t, net);
        if (fit >= 0.5 && fit > best_fit) best = &t, best_fit = fit;
    }
    return best;
}

double tour_fit(const Tour& tour, const Network& net) {
    size_t found = 0, required = 0;
    for (const TourStep& s : tour.steps) {
        if (s.optional || s.stage == "input" || s.stage == "overview") continue;
        ++required;
        if (find_stage(s.stage, net)) ++found;
    }
    return required ? static_cast<double>(found) / static_cast<double>(required) : 0.0;
}

std::optional<int> tour_step_stage(const TourStep& step, const Network& net) { return find_stage(step.stage, net); }

std::vector<size_t> tour_steps_for(const Tour& tour, const Network& net) {
    std::vector<size_t> steps;
    for (size_t i = 0; i < tour.steps.size(); ++i)
        if (find_stage(tour.steps[i].stage, net)) steps.push_back(i);
    return steps;
}

std::vector<std::string> check_tour(const Tour& tour, const Network& net) {
    std::vector<std::string> problems;
    std::string names;
    for (const Layer& l : net.layers) {
        if (!names.empty()) names += ", ";
        names += l.name;
    }
    for (size_t i = 0; i < tour.steps.size(); ++i) {
        const TourStep& s = tour.steps[i];
        const std::string at = "tour " + tour.id + ": step " + std::to_string(i + 1) + " (" + s.stage + ")";
        if (!find_stage(s.stage, net)) {
            if (!s.optional)
                problems.push_back(at + ": " + net.name + " has no stage \"" + s.stage + "\" (it has input, " + names + ")");
            continue;
        }
        for (const std::string* text : {&s.title.en, &s.title.zh, &s.text.en, &s.text.zh})
            for (const Use& u : uses_in(*text))
                if (!u.stage.empty() && !find_stage(u.stage, net))
                    problems.push_back(at + ": {" + u.name + ":" + u.stage + "} names a stage " + net.name +
                                       " does not have");
    }
    // The same missing stage named in both languages is one problem.
    problems.erase(std::unique(problems.begin(), problems.end()), problems.end());
    return problems;
}

TourFacts make_tour_facts(const Network& net, const Analysis& analysis, const Tour& tour) {
    TourFacts f;
    f.net = net;
    f.analysis = analysis;
    const int devices = tour.devices > 0 ? tour.devices : std::max(1, net.devices);
    f.partition = partition_network(net, analysis, devices, tour.batch);
    return f;
}

std::string render_tour_text(std::string_view text, const TourStep& step, const TourFacts& facts, Language lang) {
    const std::optional<int> own = find_stage(step.stage, facts.net);
    std::string out;
    const std::string e = walk(
        text, [&](const std::string& plain) { out += plain; },
        [&](const Use& u) {
            const std::optional<int> stage = u.stage.empty() ? own : find_stage(u.stage, facts.net);
            if (!stage || !is_placeholder(u.name) || (*stage >= 0 && static_cast<size_t>(*stage) >= facts.analysis.stages.size()))
                out += kUnknown;
            else
                out += value_of(u.name, *stage, facts, lang);
        });
    if (!e.empty()) return std::string(text);  // parse_tour refuses such texts; shown as written
    return out;
}

std::string render_step_title(const TourStep& step, const TourFacts& facts, Language lang) {
    return render_tour_text(step.title.in(lang), step, facts, lang);
}

std::string render_step_text(const TourStep& step, const TourFacts& facts, Language lang) {
    return render_tour_text(step.text.in(lang), step, facts, lang);
}

std::vector<size_t> steps_missing_chinese(const Tour& tour) {
    std::vector<size_t> missing;
    for (size_t i = 0; i < tour.steps.size(); ++i)
        if (tour.steps[i].title.zh.empty() || tour.steps[i].text.zh.empty()) missing.push_back(i);
    return missing;
}

std::vector<std::string> tour_chinese_texts(const std::vector<Tour>& tours) {
    std::vector<std::string> texts;
    for (const Tour& t : tours) {
        texts.push_back(t.title.zh);
        texts.push_back(t.description.zh);
        for (const TourStep& step : t.steps) {
            texts.push_back(step.title.zh);
            texts.push_back(step.text.zh);
        }
    }
    return texts;
}

}  // namespace convscope
