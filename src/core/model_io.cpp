#include "core/model_io.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <vector>

#include "core/file_io.h"
#include "core/i18n.h"

namespace convscope {

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// Thrown inside the parser only; parse_network_json turns it into LoadResult::error.
struct ModelError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw ModelError(tr("{0}: {1}", where, what)); }

// "a conv layer", "an fc layer", "an avgpool layer": the article follows the sound of the type name.
std::string a_layer(const std::string& type) {
    const bool vowel_sound = !type.empty() && (std::string("aeiou").find(type[0]) != std::string::npos ||
                                               type == "fc" || type == "lrn");
    return vowel_sound ? tr("an {0} layer", type) : tr("a {0} layer", type);
}

std::string brief(const json& v) {
    std::string s = v.dump();
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return s;
}

constexpr int64_t kMaxSpatial = 1 << 20;   // a million pixels a side is far beyond any real input
constexpr int64_t kMaxChannels = 1 << 24;  // likewise for channels and features

int64_t get_int(const json& v, const std::string& where, int64_t lo, int64_t hi) {
    if (v.is_boolean() || !v.is_number()) fail(where, tr("must be an integer, got {0}", brief(v)));
    if (!v.is_number_integer()) {
        const double d = v.get<double>();
        if (std::isfinite(d) && std::floor(d) == d) {
            // 3.0 is written by some tools for 3: accept it as the integer it is.
            if (d < static_cast<double>(lo)) fail(where, tr("must be ≥ {0}, got {1}", lo, brief(v)));
            if (d > static_cast<double>(hi)) fail(where, tr("must be ≤ {0}, got {1}", hi, brief(v)));
            return get_int(json(static_cast<int64_t>(d)), where, lo, hi);
        }
        fail(where, tr("must be an integer, got {0}", brief(v)));
    }
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi))
        fail(where, tr("must be ≤ {0}, got {1}", hi, brief(v)));
    const int64_t n = v.get<int64_t>();
    if (n < lo) fail(where, tr("must be ≥ {0}, got {1}", lo, n));
    if (n > hi) fail(where, tr("must be ≤ {0}, got {1}", hi, n));
    return n;
}

double get_number(const json& v, const std::string& where) {
    if (v.is_boolean() || !v.is_number()) fail(where, tr("must be a number, got {0}", brief(v)));
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(where, tr("must be finite"));
    return d;
}

bool get_bool(const json& v, const std::string& where) {
    if (!v.is_boolean()) fail(where, tr("must be true or false, got {0}", brief(v)));
    return v.get<bool>();
}

std::string get_string(const json& v, const std::string& where) {
    if (!v.is_string()) fail(where, tr("must be a string, got {0}", brief(v)));
    return v.get<std::string>();
}

// One int (both dimensions) or [h, w].
Hw get_hw(const json& v, const std::string& where, int64_t lo, int64_t hi) {
    if (v.is_array()) {
        if (v.size() != 2) fail(where, tr("must be an integer or [h, w], got {0}", brief(v)));
        return {static_cast<int>(get_int(v[0], where + "[0]", lo, hi)),
                static_cast<int>(get_int(v[1], where + "[1]", lo, hi))};
    }
    const int n = static_cast<int>(get_int(v, where, lo, hi));
    return {n, n};
}

// One int, [h, w], or [top, left, bottom, right].
Pad4 get_pad(const json& v, const std::string& where) {
    if (v.is_array()) {
        if (v.size() == 2) {
            const int h = static_cast<int>(get_int(v[0], where + "[0]", 0, kMaxSpatial));
            const int w = static_cast<int>(get_int(v[1], where + "[1]", 0, kMaxSpatial));
            return {h, w, h, w};
        }
        if (v.size() == 4) {
            int p[4];
            for (int i = 0; i < 4; ++i)
                p[i] = static_cast<int>(get_int(v[i], where + "[" + std::to_string(i) + "]", 0, kMaxSpatial));
            return {p[0], p[1], p[2], p[3]};
        }
        fail(where, tr("must be an integer, [h, w] or [top, left, bottom, right], got {0}", brief(v)));
    }
    const int n = static_cast<int>(get_int(v, where, 0, kMaxSpatial));
    return {n, n, n, n};
}

// The keys each layer type takes besides "name" and "type".
const std::map<LayerType, std::set<std::string>>& allowed_keys() {
    static const std::map<LayerType, std::set<std::string>> keys{
        {LayerType::Conv, {"out", "kernel", "stride", "pad", "dilation", "groups", "bias", "ceil"}},
        {LayerType::MaxPool, {"kernel", "stride", "pad", "dilation", "ceil"}},
        {LayerType::AvgPool, {"kernel", "stride", "pad", "ceil", "count_include_pad"}},
        {LayerType::AdaptiveAvgPool, {"output"}},
        {LayerType::Lrn, {"size", "alpha", "beta", "k", "alpha_over_size"}},
        {LayerType::Relu, {}},
        {LayerType::Dropout, {"ratio"}},
        {LayerType::Flatten, {}},
        {LayerType::Fc, {"out", "in", "bias"}},
        {LayerType::Softmax, {}},
    };
    return keys;
}

std::string key_list(const std::set<std::string>& keys) {
    std::string s = "name, type";
    for (const auto& k : keys) s += ", " + k;
    return s;
}

Layer parse_layer(const json& j, const std::string& where) {
    if (!j.is_object()) fail(where, tr("must be an object, got {0}", brief(j)));
    const char* types = "conv, maxpool, avgpool, adaptive_avgpool, lrn, relu, dropout, flatten, fc, softmax";
    if (!j.contains("type")) fail(where, tr("has no \"type\" ({0})", types));
    const std::string type_text = get_string(j["type"], where + ".type");
    const auto type = parse_type_name(type_text);
    if (!type) fail(where + ".type", tr("unknown layer type \"{0}\" ({1})", type_text, types));
    Layer l;
    l.type = *type;
    const auto& allowed = allowed_keys().at(l.type);
    for (const auto& [key, value] : j.items()) {
        if (key == "type") continue;
        if (key != "name" && !allowed.count(key))
            fail(where + "." + key, tr("unknown key for {0} (it takes {1})", a_layer(type_text), key_list(allowed)));
    }
    auto at = [&](const char* key) { return where + "." + key; };
    if (j.contains("name")) l.name = get_string(j["name"], at("name"));

    switch (l.type) {
        case LayerType::Conv:
        case LayerType::Fc:
            if (!j.contains("out"))
                fail(where, l.type == LayerType::Conv ? tr("{0} needs \"out\" (output channels)", a_layer(type_text))
                                                      : tr("{0} needs \"out\" (output features)", a_layer(type_text)));
            l.out = static_cast<int>(get_int(j["out"], at("out"), 1, kMaxChannels));
            if (j.contains("bias")) l.bias = get_bool(j["bias"], at("bias"));
            break;
        default:
            break;
    }
    if (is_spatial_window(l.type)) {
        if (!j.contains("kernel")) fail(where, tr("{0} needs \"kernel\"", a_layer(type_text)));
        l.kernel = get_hw(j["kernel"], at("kernel"), 1, kMaxSpatial);
        if (j.contains("stride")) l.stride = get_hw(j["stride"], at("stride"), 1, kMaxSpatial);
        if (j.contains("pad")) l.pad = get_pad(j["pad"], at("pad"));
        if (j.contains("dilation")) l.dilation = get_hw(j["dilation"], at("dilation"), 1, kMaxSpatial);
        if (j.contains("ceil")) l.ceil = get_bool(j["ceil"], at("ceil"));
    }
    if (l.type == LayerType::MaxPool || l.type == LayerType::AvgPool) {
        // Pools default to a stride equal to the kernel (non-overlapping), as in PyTorch.
        if (!j.contains("stride")) l.stride = l.kernel;
    }
    if (l.type == LayerType::Conv && j.contains("groups"))
        l.groups = static_cast<int>(get_int(j["groups"], at("groups"), 1, kMaxChannels));
    if (l.type == LayerType::AvgPool && j.contains("count_include_pad"))
        l.count_include_pad = get_bool(j["count_include_pad"], at("count_include_pad"));
    if (l.type == LayerType::AdaptiveAvgPool) {
        if (!j.contains("output")) fail(where, tr("an adaptive_avgpool layer needs \"output\" ([h, w])"));
        l.output_size = get_hw(j["output"], at("output"), 1, kMaxSpatial);
    }
    if (l.type == LayerType::Lrn) {
        if (j.contains("size")) l.lrn_size = static_cast<int>(get_int(j["size"], at("size"), 1, kMaxChannels));
        if (j.contains("alpha")) {
            l.alpha = get_number(j["alpha"], at("alpha"));
            if (l.alpha < 0) fail(at("alpha"), tr("must be ≥ {0}, got {1}", 0, brief(j["alpha"])));
        }
        if (j.contains("beta")) l.beta = get_number(j["beta"], at("beta"));
        if (j.contains("k")) l.k = get_number(j["k"], at("k"));
        if (j.contains("alpha_over_size")) l.alpha_over_size = get_bool(j["alpha_over_size"], at("alpha_over_size"));
    }
    if (l.type == LayerType::Dropout && j.contains("ratio")) {
        l.ratio = get_number(j["ratio"], at("ratio"));
        if (!(l.ratio >= 0 && l.ratio < 1)) fail(at("ratio"), tr("must be in [0, 1), got {0}", brief(j["ratio"])));
    }
    if (l.type == LayerType::Fc && j.contains("in"))
        l.in_features = get_int(j["in"], at("in"), 1, int64_t{1} << 40);
    return l;
}

Network parse_network(const json& root) {
    if (!root.is_object()) fail("model", tr("must be a JSON object with \"input\" and \"layers\", got {0}", brief(root)));
    static const std::set<std::string> top_keys{"name",    "description", "source",         "input",
                                                "devices", "layers",      "printed_neurons"};
    for (const auto& [key, value] : root.items())
        if (!top_keys.count(key))
            fail(key, tr("unknown key (a model takes {0})",
                         "name, description, source, input, devices, layers, printed_neurons"));
    Network net;
    net.name = root.contains("name") ? get_string(root["name"], "name") : "untitled";
    if (root.contains("description")) net.description = get_string(root["description"], "description");
    if (root.contains("source")) net.source = get_string(root["source"], "source");
    if (!root.contains("input")) fail("input", tr("missing: give the input shape as [C, H, W], e.g. [3, 227, 227]"));
    const json& in = root["input"];
    if (!in.is_array() || in.size() != 3) fail("input", tr("must be [C, H, W], got {0}", brief(in)));
    net.input.c = get_int(in[0], "input[0]", 1, kMaxChannels);
    net.input.h = get_int(in[1], "input[1]", 1, kMaxSpatial);
    net.input.w = get_int(in[2], "input[2]", 1, kMaxSpatial);
    if (root.contains("devices")) net.devices = static_cast<int>(get_int(root["devices"], "devices", 1, 64));
    if (!root.contains("layers")) fail("layers", tr("missing: a model needs a list of layers"));
    const json& layers = root["layers"];
    if (!layers.is_array()) fail("layers", tr("must be a list, got {0}", brief(layers)));
    std::map<std::string, size_t> names;
    for (size_t i = 0; i < layers.size(); ++i) {
        const std::string where = "layers[" + std::to_string(i) + "]";
        Layer l = parse_layer(layers[i], where);
        if (!l.name.empty()) {
            const auto [it, fresh] = names.emplace(l.name, i);
            if (!fresh)
                fail(where + ".name", tr("\"{0}\" is already the name of layers[{1}]", l.name, it->second));
        }
        net.layers.push_back(std::move(l));
    }
    if (root.contains("printed_neurons")) {
        const json& p = root["printed_neurons"];
        if (!p.is_array()) fail("printed_neurons", tr("must be a list of integers, got {0}", brief(p)));
        for (size_t i = 0; i < p.size(); ++i)
            net.printed_neurons.push_back(
                get_int(p[i], "printed_neurons[" + std::to_string(i) + "]", 0, int64_t{1} << 40));
    }
    assign_default_names(net);
    return net;
}

// The parser quotes the bytes it choked on; invalid UTF-8 among them must not reach the terminal raw.
std::string printable(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && i + len <= s.size();
        for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (ok && c >= 0x20 && c != 0x7F) {
            out.append(s, i, len);
            i += len;
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", c);
            out += hex;
            ++i;
        }
    }
    return out;
}

// Line and column (1-based) of a byte offset, for parse errors a person can find in an editor.
std::string place_of(std::string_view text, size_t byte) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return tr("line {0}, column {1}", line, col);
}

// {"a": 1, "b": [2, 3]}: compact JSON that still has a space after each separator.
std::string inline_json(const ojson& v) {
    if (v.is_object()) {
        std::string s = "{";
        bool first = true;
        for (const auto& [key, value] : v.items()) {
            s += (first ? "" : ", ") + ojson(key).dump() + ": " + inline_json(value);
            first = false;
        }
        return s + "}";
    }
    if (v.is_array()) {
        std::string s = "[";
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + inline_json(v[i]);
        return s + "]";
    }
    return v.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

ojson hw_json(Hw v) { return v.square() ? ojson(v.h) : ojson::array({v.h, v.w}); }

ojson pad_json(const Pad4& p) {
    if (p.uniform()) return p.top;
    if (p.symmetric()) return ojson::array({p.top, p.left});
    return ojson::array({p.top, p.left, p.bottom, p.right});
}

}  // namespace

LoadResult parse_network_json(std::string_view text) {
    LoadResult r;
    json root;
    // A key given twice would silently take the last value: find it while parsing, one key set per object.
    std::vector<std::set<std::string>> open_objects;
    std::string duplicate;
    const json::parser_callback_t track_keys = [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) open_objects.emplace_back();
        if (event == json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
        if (event == json::parse_event_t::key && !open_objects.empty() && duplicate.empty() &&
            !open_objects.back().insert(parsed.get<std::string>()).second)
            duplicate = parsed.get<std::string>();
        return true;
    };
    try {
        root = json::parse(text.begin(), text.end(), track_keys);
    } catch (const json::parse_error& e) {
        // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line …"; keep the
        // part a person needs.
        std::string what = e.what();
        const auto pos = what.find(": ");
        const auto detail = pos == std::string::npos ? what : what.substr(pos + 2);
        r.error = tr("not valid JSON ({0}): {1}", place_of(text, e.byte > 0 ? e.byte - 1 : 0), printable(detail));
        return r;
    } catch (const std::exception& e) {
        // Other parser failures (a number too large for a double, say) carry no position.
        std::string what = e.what();
        const auto pos = what.find("] ");
        r.error = tr("not valid JSON: {0}", printable(what.rfind("[json.exception.", 0) == 0 && pos != std::string::npos
                                                          ? what.substr(pos + 2)
                                                          : what));
        return r;
    }
    if (!duplicate.empty()) {
        r.error = tr("not valid JSON: the key \"{0}\" appears twice in one object", printable(duplicate));
        return r;
    }
    try {
        r.network = parse_network(root);
    } catch (const ModelError& e) {
        r.error = e.what();
    } catch (const std::exception& e) {
        r.error = tr("cannot read the model: {0}", e.what());
    }
    return r;
}

LoadResult load_network_file(const std::string& path) {
    LoadResult r;
    std::string error;
    const auto text = read_file(path, error);
    if (!text) {
        r.error = error;
        return r;
    }
    r = parse_network_json(*text);
    if (!r) r.error = tr("{0}: {1}", path, r.error);
    return r;
}

std::string network_to_json(const Network& net) {
    ojson root;
    root["name"] = net.name;
    if (!net.description.empty()) root["description"] = net.description;
    if (!net.source.empty()) root["source"] = net.source;
    root["input"] = ojson::array({net.input.c, net.input.h, net.input.w});
    if (net.devices != 1) root["devices"] = net.devices;
    ojson layers = ojson::array();
    for (const Layer& l : net.layers) {
        ojson j;
        j["name"] = l.name;
        j["type"] = std::string(type_name(l.type));
        switch (l.type) {
            case LayerType::Conv:
                j["out"] = l.out;
                j["kernel"] = hw_json(l.kernel);
                j["stride"] = hw_json(l.stride);
                j["pad"] = pad_json(l.pad);
                if (!(l.dilation == Hw{1, 1})) j["dilation"] = hw_json(l.dilation);
                if (l.groups != 1) j["groups"] = l.groups;
                if (!l.bias) j["bias"] = false;
                if (l.ceil) j["ceil"] = true;
                break;
            case LayerType::MaxPool:
            case LayerType::AvgPool:
                j["kernel"] = hw_json(l.kernel);
                j["stride"] = hw_json(l.stride);
                if (!(l.pad == Pad4{})) j["pad"] = pad_json(l.pad);
                if (l.type == LayerType::MaxPool && !(l.dilation == Hw{1, 1})) j["dilation"] = hw_json(l.dilation);
                j["ceil"] = l.ceil;
                if (l.type == LayerType::AvgPool && !l.count_include_pad) j["count_include_pad"] = false;
                break;
            case LayerType::AdaptiveAvgPool:
                j["output"] = ojson::array({l.output_size.h, l.output_size.w});
                break;
            case LayerType::Lrn:
                j["size"] = l.lrn_size;
                j["alpha"] = l.alpha;
                j["beta"] = l.beta;
                j["k"] = l.k;
                if (!l.alpha_over_size) j["alpha_over_size"] = false;
                break;
            case LayerType::Dropout:
                j["ratio"] = l.ratio;
                break;
            case LayerType::Fc:
                j["out"] = l.out;
                if (l.in_features > 0) j["in"] = l.in_features;
                if (!l.bias) j["bias"] = false;
                break;
            case LayerType::Relu:
            case LayerType::Flatten:
            case LayerType::Softmax:
                break;
        }
        layers.push_back(std::move(j));
    }
    root["layers"] = std::move(layers);
    if (!net.printed_neurons.empty()) root["printed_neurons"] = net.printed_neurons;
    // One key a line at the top and one layer a line below it: easy to read and to edit by hand.
    std::string out = "{\n";
    bool first = true;
    for (const auto& [key, value] : root.items()) {
        out += first ? "" : ",\n";
        first = false;
        out += "  " + ojson(key).dump() + ": ";
        if (key == "layers") {
            out += "[\n";
            for (size_t i = 0; i < value.size(); ++i)
                out += "    " + inline_json(value[i]) + (i + 1 < value.size() ? ",\n" : "\n");
            out += "  ]";
        } else {
            out += inline_json(value);
        }
    }
    return out + "\n}\n";
}

bool save_network_file(const Network& net, const std::string& path, std::string& error) {
    return write_file_atomic(path, network_to_json(net), error);
}

}  // namespace convscope
