// The script runner: a text file of steps that drives the App as a person at the window would, so that
// tests and the screenshots in the docs need nobody at the keyboard. Every line is checked when the
// file is read (an unknown step or a bad argument is an error "FILE:LINE: …" before anything runs);
// what can only be known while running (a layer name, a file) fails the script with the same prefix.
//
// One step per line. A word starting with # begins a comment; "double quotes" keep a path with spaces
// together. Stages are named by a layer's name, its index (0 = the first layer, as in --state-out's
// "selected") or `input`. Relative paths are relative to the directory the app was started in.
//
//   select NAME|INDEX|input       show this stage          next, prev, first, last   step along the strip
//   set FIELD VALUE…              edit the selected layer (one undo step each):
//       out N · features N · kernel H [W] · stride H [W] · dilation H [W] · pad P | H W | T L B R
//       groups N · ceil on|off · bias on|off · type TYPE · name NAME · lrn-size N · alpha X · beta X
//       k X · count-include-pad on|off · output-size H [W] · ratio X
//   input C H W | input HxW       the network's input size (HxW keeps the channels)
//   insert TYPE [before|after]    a default layer next to the selected one (after it unless told)
//   duplicate, delete, move up|down, undo, redo
//   preset NAME, open-model PATH, save-model PATH, load-weights PATH, open-image PATH, sample NAME,
//   labels PATH, export csv|md|json|latex|text PATH
//   seed N                        seeded weights with this seed (drops loaded ones)
//   normalize torchvision|caffe|none
//   backend cpu|gl, colormap gray|viridis|diverging, scale channel|layer, enlarge CHANNEL|off
//   language en|zh                the interface's language (not remembered, unlike View › Language)
//   show table|explorer|filters|help|messages|devices on|off
//   wait-pass [SECONDS]           wait for the forward pass of the current state (default 60 s)
//   frames N                      let N frames be drawn before the next step
//   screenshot PATH               wait for the pass, let two frames draw, save the window as PNG
//   state PATH                    the app's state as JSON (as --state-out writes it)
//   expect-shape STAGE C H W      fail unless the stage's output has this shape (or CxHxW)
//   expect-status STAGE ok|warning|error
//   expect-valid yes|no           fail unless the network is (or is not) free of errors
//   animation on|off              the window "Convolution, animated" of the selected stage
//   animation-step K|end          show window K (0 = the first; clamped to the last)
//   animation-play on|off         play from here (from the first window when at the last), or pause
//   animation-speed X             window positions per second while playing
//   expect-animation COUNT [N] [row|column]
//                                 fail unless COUNT output positions are produced so far along a row
//                                 (the width; or along a column), and N in all when given
//   tour start [NAME]             start a guided tour (default: the one for the current model)
//   tour next|prev|stop           step through it (each step selects its stage), or end it
//   tour open|close               show or hide the Tour window
//   expect-tour-step K [STAGE]    fail unless the tour is at step K (1 = the first), at STAGE and
//                                 with STAGE selected (an overview step selects the input)
//   quit                          stop here; the steps below are not run
#include "app/script.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>

#include "core/file_io.h"
#include "core/presets.h"
#include "core/shape_table.h"
#include "core/text.h"
#include "core/window_animation.h"

namespace convscope::app {

namespace {

using Words = std::vector<std::string>;

constexpr int64_t kMaxSpatial = 1 << 20;   // as model files allow
constexpr int64_t kMaxChannels = 1 << 24;
constexpr double kScreenshotPassTimeout = 120;  // a big model on a slow CPU

// ---- words and numbers --------------------------------------------------------------------------

// A line's words: split at blanks, "quoted" words may hold blanks, a word starting with # ends the line.
std::optional<Words> split_words(const std::string& line, std::string& error) {
    Words words;
    size_t i = 0;
    while (i < line.size()) {
        if (std::isspace(static_cast<unsigned char>(line[i]))) {
            ++i;
            continue;
        }
        if (line[i] == '#') break;
        std::string word;
        if (line[i] == '"') {
            const size_t end = line.find('"', i + 1);
            if (end == std::string::npos) {
                error = "a quote is not closed";
                return std::nullopt;
            }
            word = line.substr(i + 1, end - i - 1);
            i = end + 1;
        } else {
            while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) word += line[i++];
        }
        words.push_back(std::move(word));
    }
    return words;
}

std::optional<int64_t> to_int(const std::string& s) {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<double> to_number(const std::string& s) {
    try {
        size_t used = 0;
        const double v = std::stod(s, &used);
        if (used != s.size() || !std::isfinite(v)) return std::nullopt;
        return v;
    } catch (...) {
        return std::nullopt;
    }
}

std::optional<bool> to_switch(const std::string& s) {
    if (s == "on" || s == "yes" || s == "true") return true;
    if (s == "off" || s == "no" || s == "false") return false;
    return std::nullopt;
}

// "96x55x55", "55×55": the numbers of a shape written as one word.
std::vector<int64_t> to_dims(const std::string& word) {
    std::string s;  // the word with every × as x
    for (size_t i = 0; i < word.size(); ++i) {
        if (word.compare(i, 2, "×") == 0) {
            s += 'x';
            ++i;
        } else {
            s += word[i];
        }
    }
    std::vector<int64_t> dims;
    size_t start = 0;
    for (;;) {
        const size_t x = s.find_first_of("xX", start);
        const auto v = to_int(s.substr(start, x == std::string::npos ? std::string::npos : x - start));
        if (!v) return {};
        dims.push_back(*v);
        if (x == std::string::npos) return dims;
        start = x + 1;
    }
}

// The integers of `words` (each a number) or of one word like 96x55x55.
std::vector<int64_t> to_ints(const Words& words) {
    if (words.size() == 1 && words[0].find_first_of("xX\xC3") != std::string::npos) return to_dims(words[0]);
    std::vector<int64_t> v;
    for (const auto& w : words) {
        const auto n = to_int(w);
        if (!n) return {};
        v.push_back(*n);
    }
    return v;
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : sep) + i;
    return s;
}

// ---- checks made when the script is read --------------------------------------------------------
// Each returns an empty string when the words are fine, else what is wrong.

std::string check_ints(const Words& words, int64_t lo, int64_t hi, const char* what) {
    for (const auto& w : words) {
        const auto v = to_int(w);
        if (!v) return std::string(what) + " must be whole numbers, got \"" + w + "\"";
        if (*v < lo || *v > hi)
            return std::string(what) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                   ", got " + w;
    }
    return {};
}

// "a, b or c"
std::string alternatives(const std::vector<std::string>& choices) {
    std::string s;
    for (size_t i = 0; i < choices.size(); ++i)
        s += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    return s;
}

std::string check_choice(const std::string& word, const std::vector<std::string>& choices) {
    if (std::find(choices.begin(), choices.end(), word) != choices.end()) return {};
    return "expected " + alternatives(choices) + ", got \"" + word + "\"";
}

std::string check_switch(const std::string& word) {
    return to_switch(word) ? "" : "expected on or off, got \"" + word + "\"";
}

std::string check_type(const std::string& word) {
    return parse_type_name(word) ? ""
                                 : "unknown layer type \"" + word +
                                       "\" (conv, maxpool, avgpool, adaptive_avgpool, lrn, relu, dropout, "
                                       "flatten, fc, softmax)";
}

// A number in [lo, hi], or [lo, hi) when `hi_open`.
std::string check_number(const std::string& word, const char* what, double lo, double hi, bool hi_open = false) {
    const auto v = to_number(word);
    if (!v) return std::string(what) + " must be a number, got \"" + word + "\"";
    if (*v < lo || *v > hi || (hi_open && *v >= hi))
        return std::string(what) + " must be in [" + short_number(lo) + ", " + short_number(hi) +
               (hi_open ? ")" : "]") + ", got " + word;
    return {};
}

// ---- fields of `set` ----------------------------------------------------------------------------

const std::vector<LayerType> kWindows = {LayerType::Conv, LayerType::MaxPool, LayerType::AvgPool};

struct Field {
    const char* name;
    const char* usage;
    size_t min_values, max_values;
    std::vector<LayerType> types;  // the layers that have the field; empty: every layer
    std::string (*check)(const Words& values);
    void (*apply)(Layer& l, const Words& values);
    std::string (*text)(const Layer& l);  // the value, for the undo step's name
};

int int_of(const std::string& w) { return static_cast<int>(*to_int(w)); }
Hw hw_of(const Words& v) { return {int_of(v[0]), int_of(v.size() > 1 ? v[1] : v[0])}; }
std::string hw_text(const Hw& hw) { return compact_dims_text(hw.h, hw.w); }

std::string pad_text(const Pad4& p) {
    if (p.uniform()) return std::to_string(p.top);
    if (p.symmetric()) return dims_text(p.top, p.left);
    return std::to_string(p.top) + " " + std::to_string(p.left) + " " + std::to_string(p.bottom) + " " +
           std::to_string(p.right);
}

Pad4 pad_of(const Words& v) {
    if (v.size() == 1) return {int_of(v[0]), int_of(v[0]), int_of(v[0]), int_of(v[0])};
    if (v.size() == 2) return {int_of(v[0]), int_of(v[1]), int_of(v[0]), int_of(v[1])};
    return {int_of(v[0]), int_of(v[1]), int_of(v[2]), int_of(v[3])};
}

std::string on_off(bool b) { return b ? "on" : "off"; }

// A layer given another type keeps its name and numbers; one that now needs an output count gets one.
void change_type(Layer& l, LayerType t) {
    l.type = t;
    if ((t == LayerType::Conv || t == LayerType::Fc) && l.out < 1) l.out = t == LayerType::Conv ? 16 : 10;
}

const std::vector<Field>& fields() {
    static const std::vector<Field> all = {
        {"out", "out N", 1, 1, {LayerType::Conv, LayerType::Fc},
         [](const Words& v) { return check_ints(v, 1, kMaxChannels, "out"); },
         [](Layer& l, const Words& v) { l.out = int_of(v[0]); },
         [](const Layer& l) { return std::to_string(l.out); }},
        {"features", "features N", 1, 1, {LayerType::Fc},
         [](const Words& v) { return check_ints(v, 1, kMaxChannels, "features"); },
         [](Layer& l, const Words& v) { l.out = int_of(v[0]); },
         [](const Layer& l) { return std::to_string(l.out); }},
        {"kernel", "kernel H [W]", 1, 2, kWindows,
         [](const Words& v) { return check_ints(v, 1, kMaxSpatial, "kernel sizes"); },
         [](Layer& l, const Words& v) { l.kernel = hw_of(v); }, [](const Layer& l) { return hw_text(l.kernel); }},
        {"stride", "stride H [W]", 1, 2, kWindows,
         [](const Words& v) { return check_ints(v, 1, kMaxSpatial, "strides"); },
         [](Layer& l, const Words& v) { l.stride = hw_of(v); }, [](const Layer& l) { return hw_text(l.stride); }},
        {"dilation", "dilation H [W]", 1, 2, {LayerType::Conv, LayerType::MaxPool},
         [](const Words& v) { return check_ints(v, 1, kMaxSpatial, "dilations"); },
         [](Layer& l, const Words& v) { l.dilation = hw_of(v); },
         [](const Layer& l) { return hw_text(l.dilation); }},
        {"pad", "pad P | pad H W | pad T L B R", 1, 4, kWindows,
         [](const Words& v) {
             if (v.size() == 3) return std::string("pad takes 1, 2 or 4 numbers (P, H W or T L B R), got 3");
             return check_ints(v, 0, kMaxSpatial, "paddings");
         },
         [](Layer& l, const Words& v) { l.pad = pad_of(v); }, [](const Layer& l) { return pad_text(l.pad); }},
        {"groups", "groups N", 1, 1, {LayerType::Conv},
         [](const Words& v) { return check_ints(v, 1, kMaxChannels, "groups"); },
         [](Layer& l, const Words& v) { l.groups = int_of(v[0]); },
         [](const Layer& l) { return std::to_string(l.groups); }},
        {"ceil", "ceil on|off", 1, 1, kWindows, [](const Words& v) { return check_switch(v[0]); },
         [](Layer& l, const Words& v) { l.ceil = *to_switch(v[0]); }, [](const Layer& l) { return on_off(l.ceil); }},
        {"bias", "bias on|off", 1, 1, {LayerType::Conv, LayerType::Fc},
         [](const Words& v) { return check_switch(v[0]); },
         [](Layer& l, const Words& v) { l.bias = *to_switch(v[0]); }, [](const Layer& l) { return on_off(l.bias); }},
        {"type", "type TYPE", 1, 1, {}, [](const Words& v) { return check_type(v[0]); },
         [](Layer& l, const Words& v) { change_type(l, *parse_type_name(v[0])); },
         [](const Layer& l) { return std::string(type_name(l.type)); }},
        {"name", "name NAME", 1, 1, {},
         [](const Words& v) { return v[0].empty() ? std::string("a layer needs a name") : std::string(); },
         [](Layer& l, const Words& v) { l.name = v[0]; }, [](const Layer& l) { return l.name; }},
        {"lrn-size", "lrn-size N", 1, 1, {LayerType::Lrn},
         [](const Words& v) { return check_ints(v, 1, kMaxChannels, "lrn-size"); },
         [](Layer& l, const Words& v) { l.lrn_size = int_of(v[0]); },
         [](const Layer& l) { return std::to_string(l.lrn_size); }},
        {"alpha", "alpha X", 1, 1, {LayerType::Lrn},
         [](const Words& v) { return check_number(v[0], "alpha", 0, 1e30); },
         [](Layer& l, const Words& v) { l.alpha = *to_number(v[0]); },
         [](const Layer& l) { return short_number(l.alpha); }},
        {"beta", "beta X", 1, 1, {LayerType::Lrn},
         [](const Words& v) { return check_number(v[0], "beta", -1e30, 1e30); },
         [](Layer& l, const Words& v) { l.beta = *to_number(v[0]); },
         [](const Layer& l) { return short_number(l.beta); }},
        {"k", "k X", 1, 1, {LayerType::Lrn}, [](const Words& v) { return check_number(v[0], "k", -1e30, 1e30); },
         [](Layer& l, const Words& v) { l.k = *to_number(v[0]); }, [](const Layer& l) { return short_number(l.k); }},
        {"count-include-pad", "count-include-pad on|off", 1, 1, {LayerType::AvgPool},
         [](const Words& v) { return check_switch(v[0]); },
         [](Layer& l, const Words& v) { l.count_include_pad = *to_switch(v[0]); },
         [](const Layer& l) { return on_off(l.count_include_pad); }},
        {"output-size", "output-size H [W]", 1, 2, {LayerType::AdaptiveAvgPool},
         [](const Words& v) { return check_ints(v, 1, kMaxSpatial, "output sizes"); },
         [](Layer& l, const Words& v) { l.output_size = hw_of(v); },
         [](const Layer& l) { return hw_text(l.output_size); }},
        {"ratio", "ratio X", 1, 1, {LayerType::Dropout},
         [](const Words& v) { return check_number(v[0], "ratio", 0, 1, true); },
         [](Layer& l, const Words& v) { l.ratio = *to_number(v[0]); },
         [](const Layer& l) { return short_number(l.ratio); }},
    };
    return all;
}

const Field* find_field(const std::string& name) {
    for (const auto& f : fields())
        if (name == f.name) return &f;
    return nullptr;
}

std::string field_names() {
    std::vector<std::string> names;
    for (const auto& f : fields()) names.emplace_back(f.name);
    return join(names);
}

std::string check_set(const Words& args) {
    const Field* f = find_field(args[0]);
    if (!f) return "unknown field \"" + args[0] + "\" (" + field_names() + ")";
    const Words values(args.begin() + 1, args.end());
    if (values.size() < f->min_values || values.size() > f->max_values) return std::string("usage: set ") + f->usage;
    return f->check(values);
}

// ---- running: what the steps share -------------------------------------------------------------

struct Ctx {
    const Words& args;  // the words after the step's name
    App& app;
    std::string& error;  // the step's own message; the caller adds the place and the step

    bool fail(std::string message) {
        error = std::move(message);
        return false;
    }
    const Network& net() const { return app.doc.network(); }
};

// "input", a layer's name or its index → the stage (−1: the input).
std::optional<int> find_stage(const Network& net, const std::string& word) {
    if (word == "input") return -1;
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (net.layers[i].name == word) return static_cast<int>(i);
    if (const auto i = to_int(word); i && *i >= 0 && *i < static_cast<int64_t>(net.layers.size()))
        return static_cast<int>(*i);
    return std::nullopt;
}

std::optional<int> stage_or_fail(Ctx& c, const std::string& word) {
    const auto s = find_stage(c.net(), word);
    if (!s) {
        std::vector<std::string> names;
        for (const auto& l : c.net().layers) names.push_back(l.name);
        c.fail("no layer named \"" + word + "\" (" + (names.empty() ? "the network has none" : join(names)) + ")");
    }
    return s;
}

// The selected layer's index, or nothing (with the error set) while the input is selected.
std::optional<size_t> selected_layer(Ctx& c) {
    const int s = c.app.selected();
    if (s < 0 || s >= static_cast<int>(c.net().layers.size())) {
        c.fail("no layer is selected (the input is): select one first");
        return std::nullopt;
    }
    return static_cast<size_t>(s);
}

// For the App's file operations: their own message when one fails.
bool app_call(Ctx& c, const std::function<bool()>& call) {
    const size_t before = c.app.messages().size();
    if (call()) return true;
    const auto& m = c.app.messages();
    for (size_t i = m.size(); i > before; --i)
        if (m[i - 1].level == Message::Level::Error) return c.fail(m[i - 1].text);
    return c.fail("failed (no reason given)");
}

// Why no forward pass can run for the current state, or "" when one can.
std::string why_no_pass(const App& app) {
    const Analysis& a = app.doc.analysis();
    if (!a.input_error.empty()) return "the input shape is invalid: " + a.input_error;
    for (const auto& s : a.stages) {
        if (s.status != Severity::Error || s.blocked) continue;
        const auto m = std::find_if(s.messages.begin(), s.messages.end(),
                                    [](const Diagnostic& d) { return d.severity == Severity::Error; });
        return "the network has errors (" + s.name + (m == s.messages.end() ? "" : ": " + m->message) + ")";
    }
    if (!app.input_tensor()) return "there is no input image";
    if (!app.weights()) return "there are no weights";
    return {};
}

bool wait_pass(Ctx& c, double timeout_s) {
    if (c.app.wait_for_pass(timeout_s)) return true;
    const std::string why = why_no_pass(c.app);
    if (!why.empty()) return c.fail("no forward pass can run: " + why);
    return c.fail("the forward pass did not finish within " + short_number(timeout_s) + " s");
}

// ---- running: the steps -------------------------------------------------------------------------

bool run_select(Ctx& c) {
    const auto s = stage_or_fail(c, c.args[0]);
    if (!s) return false;
    c.app.select(*s);
    return true;
}

// "a conv", "an avgpool".
std::string a_type(LayerType t) {
    const std::string name(type_name(t));
    return (name[0] == 'a' ? "an " : "a ") + name;
}

bool taken_by_another(const Network& net, const std::string& name, size_t self) {
    for (size_t j = 0; j < net.layers.size(); ++j)
        if (j != self && net.layers[j].name == name) return true;
    return false;
}

bool run_set(Ctx& c) {
    const auto i = selected_layer(c);
    if (!i) return false;
    const Field& f = *find_field(c.args[0]);
    const Layer& now = c.net().layers[*i];
    if (!f.types.empty() && std::find(f.types.begin(), f.types.end(), now.type) == f.types.end())
        return c.fail(now.name + " is " + a_type(now.type) + " layer: it has no " + f.name);
    Layer next = now;
    f.apply(next, Words(c.args.begin() + 1, c.args.end()));
    if (f.name == std::string("name") && taken_by_another(c.net(), next.name, *i))
        return c.fail("another layer is already called " + next.name);
    const std::string what = now.name + ": " + f.name + " " + f.text(now) + " → " + f.text(next);
    const size_t at = *i;
    c.app.edit(what, [&](Network& n) { n.layers[at] = next; });
    return true;
}

bool run_input(Ctx& c) {
    const auto v = to_ints(c.args);
    const Shape3 now = c.net().input;
    c.app.doc.end_merge();  // the window merges a drag of the size; each step is a step of its own
    if (v.size() == 2) c.app.set_input_size(now.c, v[0], v[1]);
    else c.app.set_input_size(v[0], v[1], v[2]);
    return true;
}

bool run_insert(Ctx& c) {
    const auto type = *parse_type_name(c.args[0]);
    const bool before = c.args.size() > 1 && c.args[1] == "before";
    const int s = c.app.selected();
    const size_t at = s < 0 ? 0 : static_cast<size_t>(before ? s : s + 1);
    c.app.insert_layer(at, type);
    return true;
}

bool run_duplicate(Ctx& c) {
    const auto i = selected_layer(c);
    if (i) c.app.duplicate_layer(*i);
    return i.has_value();
}

bool run_delete(Ctx& c) {
    const auto i = selected_layer(c);
    if (i) c.app.delete_layer(*i);
    return i.has_value();
}

bool run_move(Ctx& c) {
    const auto i = selected_layer(c);
    if (!i) return false;
    const bool up = c.args[0] == "up";
    if (up ? *i == 0 : *i + 1 >= c.net().layers.size())
        return c.fail(c.net().layers[*i].name + " is already " + (up ? "first" : "last"));
    c.app.move_layer(*i, up ? -1 : 1);
    return true;
}

bool run_undo(Ctx& c) { return c.app.undo() || c.fail("there is nothing to undo"); }
bool run_redo(Ctx& c) { return c.app.redo() || c.fail("there is nothing to redo"); }

bool run_preset(Ctx& c) { return app_call(c, [&] { return c.app.load_preset(c.args[0]); }); }
bool run_open_model(Ctx& c) { return app_call(c, [&] { return c.app.open_model(c.args[0]); }); }
bool run_save_model(Ctx& c) { return app_call(c, [&] { return c.app.save_model(c.args[0]); }); }
bool run_load_weights(Ctx& c) { return app_call(c, [&] { return c.app.load_weights(c.args[0]); }); }
bool run_open_image(Ctx& c) { return app_call(c, [&] { return c.app.open_image(c.args[0]); }); }
bool run_sample(Ctx& c) { return app_call(c, [&] { return c.app.use_sample(c.args[0]); }); }
bool run_labels(Ctx& c) { return app_call(c, [&] { return c.app.load_labels(c.args[0]); }); }

bool run_export(Ctx& c) {
    const TableFormat f = *parse_table_format(c.args[0]);
    return app_call(c, [&] { return c.app.export_table(c.args[1], f); });
}

bool run_seed(Ctx& c) {
    c.app.set_seed(static_cast<uint64_t>(*to_int(c.args[0])));
    return true;
}

bool run_normalize(Ctx& c) {
    c.app.preprocess.normalization = *nn::parse_normalization(c.args[0]);
    c.app.refresh_input();
    return true;
}

bool run_backend(Ctx& c) {
    c.app.set_backend(c.args[0] == "gl" ? BackendKind::Gl : BackendKind::Cpu);
    return true;
}

bool run_language(Ctx& c) {
    c.app.set_language(*parse_language(c.args[0]), false);
    return true;
}

bool run_colormap(Ctx& c) {
    const std::string& m = c.args[0];
    c.app.view.colormap = m == "gray" ? Colormap::Gray : m == "diverging" ? Colormap::Diverging : Colormap::Viridis;
    return true;
}

bool run_scale(Ctx& c) {
    c.app.view.scale = c.args[0] == "layer" ? MapScale::PerLayer : MapScale::PerChannel;
    return true;
}

bool run_enlarge(Ctx& c) {
    if (c.args[0] == "off") {
        c.app.view.enlarged_channel = -1;
        return true;
    }
    const int ch = int_of(c.args[0]);
    const int s = c.app.selected();
    const Analysis& a = c.app.doc.analysis();
    const std::optional<Shape3> shape =
        s < 0 ? std::optional<Shape3>(c.net().input)
              : (static_cast<size_t>(s) < a.stages.size() ? a.stages[static_cast<size_t>(s)].output : std::nullopt);
    if (!shape) return c.fail("the selected stage has no shape");
    if (ch >= shape->c) return c.fail("the selected stage has " + std::to_string(shape->c) + " channels (0 to " +
                                      std::to_string(shape->c - 1) + "), not " + c.args[0]);
    c.app.view.enlarged_channel = ch;
    return true;
}

bool run_show(Ctx& c) {
    const bool on = *to_switch(c.args[1]);
    const std::string& p = c.args[0];
    ViewSettings& v = c.app.view;
    bool* panel = p == "table"      ? &v.show_table
                  : p == "explorer" ? &v.show_explorer
                  : p == "filters"  ? &v.show_filters
                  : p == "help"     ? &v.show_help
                  : p == "devices"  ? &c.app.show_devices
                                    : &v.show_messages;
    *panel = on;
    return true;
}

bool run_wait_pass(Ctx& c) { return wait_pass(c, c.args.empty() ? 60.0 : *to_number(c.args[0])); }

bool run_state(Ctx& c) {
    std::string e;
    return write_file_atomic(c.args[0], c.app.state_json() + "\n", e) || c.fail(e);
}

bool run_expect_shape(Ctx& c) {
    const auto s = stage_or_fail(c, c.args[0]);
    if (!s) return false;
    const auto v = to_ints(Words(c.args.begin() + 1, c.args.end()));
    const Shape3 want{v[0], v[1], v[2]};
    const Analysis& a = c.app.doc.analysis();
    std::optional<Shape3> got;
    std::string why;
    if (*s < 0) {
        got = c.net().input;
    } else if (static_cast<size_t>(*s) < a.stages.size()) {
        const Stage& st = a.stages[static_cast<size_t>(*s)];
        got = st.output;
        if (!got && !st.messages.empty()) why = " (" + st.messages[0].message + ")";
    }
    if (got && *got == want) return true;
    return c.fail("expected " + c.args[0] + " to be " + shape_text(want) + ", but it is " +
                  (got ? shape_text(*got) : "without a shape" + why));
}

bool run_expect_status(Ctx& c) {
    const auto s = stage_or_fail(c, c.args[0]);
    if (!s) return false;
    const Analysis& a = c.app.doc.analysis();
    std::string got = a.input_error.empty() ? "ok" : "error";
    if (*s >= 0 && static_cast<size_t>(*s) < a.stages.size())
        got = std::string(severity_name(a.stages[static_cast<size_t>(*s)].status));
    if (got == c.args[1]) return true;
    return c.fail("expected " + c.args[0] + " to be " + c.args[1] + ", but it is " + got);
}

bool run_expect_valid(Ctx& c) {
    const bool want = *to_switch(c.args[0]);
    const bool got = c.app.doc.analysis().valid();
    if (want == got) return true;
    const std::string why = why_no_pass(c.app);
    return c.fail(want ? "expected a valid network, but " + (why.empty() ? std::string("it is not") : why)
                       : std::string("expected the network to have errors, but it has none"));
}

// ---- running: the animated window --------------------------------------------------------------

bool run_animation_step(Ctx& c) {
    c.app.animation.playing = false;
    c.app.set_animation_step(c.args[0] == "end" ? c.app.animation_steps() - 1 : *to_int(c.args[0]));
    return true;
}

bool run_expect_animation(Ctx& c) {
    const bool column = c.args.back() == "column";
    const bool axis_given = c.args.back() == "row" || column;
    const auto r = c.app.animation_axis(column);
    if (!r || !r->valid) return c.fail("the selected stage has no window to animate");
    c.app.sync_animation();  // an edit just before this step has not been drawn yet
    const WindowAnimationFrame f = window_animation_frame(*r, c.app.animation.step);
    const int64_t want = *to_int(c.args[0]);
    const bool total_given = c.args.size() > (axis_given ? 2u : 1u);
    const int64_t total = total_given ? *to_int(c.args[1]) : f.count;
    if (f.produced == want && f.count == total) return true;
    std::string e = "expected " + std::to_string(want);
    if (total_given) e += " of " + std::to_string(total);
    e += std::string(" positions along a ") + (column ? "column" : "row") + ", but there are ";
    e += std::to_string(f.produced) + " of " + std::to_string(f.count);
    return c.fail(e);
}

std::string check_expect_animation(const Words& a) {
    Words numbers = a;
    if (numbers.back() == "row" || numbers.back() == "column") numbers.pop_back();
    if (numbers.empty() || numbers.size() > 2) return "expected COUNT [N] [row|column]";
    return check_ints(numbers, 1, int64_t{1} << 40, "counts");
}

// ---- running: the guided tour -------------------------------------------------------------------

bool run_tour(Ctx& c) {
    const std::string& what = c.args[0];
    App& app = c.app;
    if (what == "start") return app_call(c, [&] { return app.start_tour(c.args.size() > 1 ? c.args[1] : ""); });
    if (what == "open" || what == "close") {
        app.show_tour = what == "open";
        return true;
    }
    if (!app.current_tour_step()) return c.fail("no tour is running: start one first (tour start [NAME])");
    if (what == "next") app.tour_next();
    if (what == "prev") app.tour_prev();
    if (what == "stop") app.stop_tour();
    return true;
}

bool run_expect_tour_step(Ctx& c) {
    const TourStep* step = c.app.current_tour_step();
    if (!step) return c.fail("no tour is running");
    const size_t k = c.app.tour_step_index() + 1, n = c.app.tour_steps().size();
    const int sel = c.app.selected();
    const auto& layers = c.net().layers;
    const std::string shown = sel >= 0 && static_cast<size_t>(sel) < layers.size() ? layers[static_cast<size_t>(sel)].name
                                                                                   : std::string("input");
    // With a STAGE, the panels must show it too: the step selected its stage ("overview": the input).
    const std::optional<int> want = tour_step_stage(*step, c.net());
    const bool step_ok = std::to_string(k) == c.args[0];
    const bool stage_ok = c.args.size() < 2 || (c.args[1] == step->stage && want && *want == sel);
    if (step_ok && stage_ok) return true;
    return c.fail("expected tour step " + c.args[0] + (c.args.size() > 1 ? " at " + c.args[1] : std::string()) +
                  ", but it is step " + std::to_string(k) + " of " + std::to_string(n) + " at " + step->stage +
                  " (selected: " + shown + ")");
}

// ---- the table of steps -------------------------------------------------------------------------

using Check = std::string (*)(const Words& args);
using Run = bool (*)(Ctx&);

struct StepSpec {
    const char* name;
    const char* usage;
    size_t min_args, max_args;
    Check check;  // nullptr: any words will do
    Run run;      // nullptr: the runner itself handles it (steps that wait for frames)
};

std::string check_stage_shape(const Words& a) {
    const auto v = to_ints(Words(a.begin() + 1, a.end()));
    if (v.size() != 3) return "expected the shape as C H W or CxHxW";
    return check_ints({std::to_string(v[0]), std::to_string(v[1]), std::to_string(v[2])}, 0, int64_t{1} << 40,
                      "shape sides");
}

std::string check_input(const Words& a) {
    const auto v = to_ints(a);
    if (v.size() != 2 && v.size() != 3) return "expected C H W, HxW or CxHxW";
    if (v.size() == 3 && (v[0] < 1 || v[0] > kMaxChannels))
        return "channels must be between 1 and " + std::to_string(kMaxChannels);
    for (size_t i = v.size() - 2; i < v.size(); ++i)
        if (v[i] < 1 || v[i] > kMaxSpatial)
            return "height and width must be between 1 and " + std::to_string(kMaxSpatial);
    return {};
}

std::string check_preset(const Words& a) {
    std::vector<std::string> ids;
    for (const auto& p : list_presets()) ids.push_back(p.id);
    return std::find(ids.begin(), ids.end(), a[0]) != ids.end() ? ""
                                                                : "unknown preset \"" + a[0] + "\" (" + join(ids) + ")";
}

std::string check_sample(const Words& a) {
    const auto names = App::sample_names();
    return std::find(names.begin(), names.end(), a[0]) != names.end()
               ? ""
               : "unknown sample image \"" + a[0] + "\" (" + join(names) + ")";
}

const std::vector<StepSpec>& step_specs() {
    static const std::vector<StepSpec> all = {
        {"select", "select NAME|INDEX|input", 1, 1, nullptr, run_select},
        {"next", "next", 0, 0, nullptr, [](Ctx& c) { return c.app.step(1), true; }},
        {"prev", "prev", 0, 0, nullptr, [](Ctx& c) { return c.app.step(-1), true; }},
        {"first", "first", 0, 0, nullptr, [](Ctx& c) { return c.app.select_first(), true; }},
        {"last", "last", 0, 0, nullptr, [](Ctx& c) { return c.app.select_last(), true; }},
        {"set", "set FIELD VALUE…", 2, 5, check_set, run_set},
        {"input", "input C H W | input HxW", 1, 3, check_input, run_input},
        {"insert", "insert TYPE [before|after]", 1, 2,
         [](const Words& a) {
             std::string e = check_type(a[0]);
             return e.empty() && a.size() > 1 ? check_choice(a[1], {"before", "after"}) : e;
         },
         run_insert},
        {"duplicate", "duplicate", 0, 0, nullptr, run_duplicate},
        {"delete", "delete", 0, 0, nullptr, run_delete},
        {"move", "move up|down", 1, 1, [](const Words& a) { return check_choice(a[0], {"up", "down"}); }, run_move},
        {"undo", "undo", 0, 0, nullptr, run_undo},
        {"redo", "redo", 0, 0, nullptr, run_redo},
        {"preset", "preset NAME", 1, 1, check_preset, run_preset},
        {"open-model", "open-model PATH", 1, 1, nullptr, run_open_model},
        {"save-model", "save-model PATH", 1, 1, nullptr, run_save_model},
        {"load-weights", "load-weights PATH", 1, 1, nullptr, run_load_weights},
        {"open-image", "open-image PATH", 1, 1, nullptr, run_open_image},
        {"sample", "sample NAME", 1, 1, check_sample, run_sample},
        {"labels", "labels PATH", 1, 1, nullptr, run_labels},
        {"export", "export csv|md|json|latex|text PATH", 2, 2,
         [](const Words& a) { return check_choice(a[0], {"csv", "md", "json", "latex", "text"}); }, run_export},
        {"seed", "seed N", 1, 1, [](const Words& a) { return check_ints(a, 0, int64_t{1} << 62, "seed"); }, run_seed},
        {"normalize", "normalize torchvision|caffe|none", 1, 1,
         [](const Words& a) { return check_choice(a[0], {"torchvision", "caffe", "none"}); }, run_normalize},
        {"backend", "backend cpu|gl", 1, 1, [](const Words& a) { return check_choice(a[0], {"cpu", "gl"}); },
         run_backend},
        {"language", "language en|zh", 1, 1, [](const Words& a) { return check_choice(a[0], {"en", "zh"}); },
         run_language},
        {"colormap", "colormap gray|viridis|diverging", 1, 1,
         [](const Words& a) { return check_choice(a[0], {"gray", "viridis", "diverging"}); }, run_colormap},
        {"scale", "scale channel|layer", 1, 1, [](const Words& a) { return check_choice(a[0], {"channel", "layer"}); },
         run_scale},
        {"enlarge", "enlarge CHANNEL|off", 1, 1,
         [](const Words& a) { return a[0] == "off" ? std::string() : check_ints(a, 0, kMaxChannels, "channel"); },
         run_enlarge},
        {"show", "show table|explorer|filters|help|messages|devices on|off", 2, 2,
         [](const Words& a) {
             std::string e = check_choice(a[0], {"table", "explorer", "filters", "help", "messages", "devices"});
             return e.empty() ? check_switch(a[1]) : e;
         },
         run_show},
        {"wait-pass", "wait-pass [SECONDS]", 0, 1,
         [](const Words& a) { return a.empty() ? std::string() : check_number(a[0], "the timeout", 0.001, 86400); },
         run_wait_pass},
        {"frames", "frames N", 1, 1, [](const Words& a) { return check_ints(a, 1, 1000000, "frames"); }, nullptr},
        {"screenshot", "screenshot PATH", 1, 1, nullptr, nullptr},
        {"state", "state PATH", 1, 1, nullptr, run_state},
        {"expect-shape", "expect-shape STAGE C H W", 2, 4, check_stage_shape, run_expect_shape},
        {"expect-status", "expect-status STAGE ok|warning|error", 2, 2,
         [](const Words& a) { return check_choice(a[1], {"ok", "warning", "error"}); }, run_expect_status},
        {"expect-valid", "expect-valid yes|no", 1, 1, [](const Words& a) { return check_choice(a[0], {"yes", "no"}); },
         run_expect_valid},
        {"animation", "animation on|off", 1, 1, [](const Words& a) { return check_switch(a[0]); },
         [](Ctx& c) { return c.app.animation.open = *to_switch(c.args[0]), true; }},
        {"animation-step", "animation-step K|end", 1, 1,
         [](const Words& a) { return a[0] == "end" ? std::string() : check_ints(a, 0, int64_t{1} << 40, "step"); },
         run_animation_step},
        {"animation-play", "animation-play on|off", 1, 1, [](const Words& a) { return check_switch(a[0]); },
         [](Ctx& c) { return c.app.play_animation(*to_switch(c.args[0])), true; }},
        {"animation-speed", "animation-speed X", 1, 1,
         [](const Words& a) {
             return check_number(a[0], "the speed", App::kMinAnimationSpeed, App::kMaxAnimationSpeed);
         },
         [](Ctx& c) { return c.app.animation.speed = *to_number(c.args[0]), true; }},
        {"expect-animation", "expect-animation COUNT [N] [row|column]", 1, 3, check_expect_animation,
         run_expect_animation},
        {"tour", "tour start [NAME] | tour next|prev|stop|open|close", 1, 2,
         [](const Words& a) {
             std::string e = check_choice(a[0], {"start", "next", "prev", "stop", "open", "close"});
             if (e.empty() && a.size() > 1 && a[0] != "start") e = a[0] + " takes no name";
             return e;
         },
         run_tour},
        {"expect-tour-step", "expect-tour-step K [STAGE]", 1, 2,
         [](const Words& a) { return check_ints({a[0]}, 1, 100000, "the step"); }, run_expect_tour_step},
        {"quit", "quit", 0, 0, nullptr, nullptr},
    };
    return all;
}

const StepSpec* find_spec(const std::string& name) {
    for (const auto& s : step_specs())
        if (name == s.name) return &s;
    return nullptr;
}

// What is wrong with one line's words, or "".
std::string check_step(const Words& words) {
    const StepSpec* spec = find_spec(words[0]);
    if (!spec) {
        std::vector<std::string> names;
        for (const auto& s : step_specs()) names.emplace_back(s.name);
        return "unknown step \"" + words[0] + "\" (" + join(names) + ")";
    }
    const Words args(words.begin() + 1, words.end());
    if (args.size() < spec->min_args || args.size() > spec->max_args)
        return words[0] + ": usage: " + spec->usage;
    if (!spec->check) return {};
    const std::string e = spec->check(args);
    return e.empty() ? e : words[0] + ": " + e;
}

}  // namespace

// ---- Script -------------------------------------------------------------------------------------

std::optional<Script> Script::load(const std::string& path, std::string& error) {
    const auto text = read_file(path, error);
    if (!text) return std::nullopt;
    return parse(*text, path, error);
}

std::optional<Script> Script::parse(const std::string& text, const std::string& name, std::string& error) {
    Script s;
    s.name_ = name;
    int line_no = 0;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        ++line_no;
        start = end + 1;
        std::string e;
        auto words = split_words(line, e);
        if (words && !words->empty()) e = check_step(*words);
        if (!e.empty()) {
            error = name + ":" + std::to_string(line_no) + ": " + e;
            return std::nullopt;
        }
        if (!words->empty()) s.steps_.push_back({line_no, std::move(*words)});
    }
    return s;
}

bool Script::advance(App& app, ScriptHost& host, std::string& error) {
    while (next_ < steps_.size()) {
        if (host.frames_drawn < wait_until_frame_) return true;
        const Step& step = steps_[next_];
        std::string e;
        const Then then = run_step(step, app, host, e);
        if (!e.empty()) {
            error = name_ + ":" + std::to_string(step.line) + ": " + step.words[0] + ": " + e;
            next_ = steps_.size();
            return false;
        }
        if (then == Then::Again) return true;
        ++next_;
        if (then == Then::DrawFrames) return true;
    }
    return false;
}

Script::Then Script::run_step(const Step& step, App& app, ScriptHost& host, std::string& error) {
    const std::string& name = step.words[0];
    const Words args(step.words.begin() + 1, step.words.end());
    Ctx c{args, app, error};
    if (name == "frames") {
        wait_until_frame_ = host.frames_drawn + int_of(args[0]);
        return Then::DrawFrames;
    }
    if (name == "quit") {
        next_ = steps_.size() - 1;  // advance() steps past the last one
        return Then::Continue;
    }
    if (name == "screenshot") {
        // First the maps of the current state, then two frames so that their textures are drawn.
        if (!screenshot_armed_) {
            if (why_no_pass(app).empty() && !wait_pass(c, kScreenshotPassTimeout)) return Then::Continue;
            screenshot_armed_ = true;
            wait_until_frame_ = host.frames_drawn + 2;
            return Then::Again;
        }
        screenshot_armed_ = false;
        if (!host.screenshot)
            c.fail("this run has no window to take a screenshot of");
        else if (!host.screenshot(args[0], error) && error.empty())
            c.fail("could not write " + args[0]);
        return Then::Continue;
    }
    find_spec(name)->run(c);
    return Then::Continue;
}

}  // namespace convscope::app
