// The session between runs: where the app keeps its files (the config dir), the autosave of unsaved
// work (session.json: the network, the selection, where the weights and the input came from, how the
// input is normalised, the backend and the view) and the list of recently used files (recent.json).
// Both files are written atomically, and a broken one is reported and ignored, never fatal: losing a
// layout or a recent-files list must not cost the user the app.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "core/file_io.h"
#include "core/model_io.h"

namespace convscope::app {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr const char* kSessionFormat = "convscope-session";
constexpr int kSessionVersion = 1;
constexpr size_t kMaxRecent = 10;
constexpr const char* kSamplePrefix = "sample ";

std::string session_path() { return (fs::path(App::config_dir()) / "session.json").string(); }
std::string recent_path() { return (fs::path(App::config_dir()) / "recent.json").string(); }
std::string settings_path() { return (fs::path(App::config_dir()) / "settings.json").string(); }

// A path as it will still mean the same file when the app is started from elsewhere.
std::string absolute_path(const std::string& path) {
    std::error_code ec;
    const fs::path p = fs::absolute(path, ec);
    return ec ? path : p.lexically_normal().string();
}

// ---- view settings as words ---------------------------------------------------------------------

const char* colormap_word(Colormap c) {
    return c == Colormap::Gray ? "gray" : c == Colormap::Diverging ? "diverging" : "viridis";
}

Colormap colormap_of(const std::string& s) {
    return s == "gray" ? Colormap::Gray : s == "diverging" ? Colormap::Diverging : Colormap::Viridis;
}

json view_json(const ViewSettings& v) {
    return {{"colormap", colormap_word(v.colormap)},
            {"scale", v.scale == MapScale::PerLayer ? "layer" : "channel"},
            {"zoom", v.zoom},
            {"show_filters", v.show_filters},
            {"show_table", v.show_table},
            {"show_explorer", v.show_explorer},
            {"show_messages", v.show_messages}};
}

// Reads what is there; a missing key keeps the current value, a value of the wrong type throws.
void read_view(const json& j, ViewSettings& v) {
    if (!j.is_object()) throw std::runtime_error(tr("\"view\" must be an object"));
    if (j.contains("colormap")) v.colormap = colormap_of(j["colormap"].get<std::string>());
    if (j.contains("scale"))
        v.scale = j["scale"].get<std::string>() == "layer" ? MapScale::PerLayer : MapScale::PerChannel;
    if (j.contains("zoom")) v.zoom = std::clamp(j["zoom"].get<float>(), 0.05f, 64.0f);
    if (j.contains("show_filters")) v.show_filters = j["show_filters"].get<bool>();
    if (j.contains("show_table")) v.show_table = j["show_table"].get<bool>();
    if (j.contains("show_explorer")) v.show_explorer = j["show_explorer"].get<bool>();
    if (j.contains("show_messages")) v.show_messages = j["show_messages"].get<bool>();
}

// ---- the session file, read whole before anything is applied ------------------------------------

struct Session {
    Network net;
    std::string path;  // the model file the network came from, if any
    bool dirty = true;
    int selected = 0;
    uint64_t seed = 1;
    std::string weights_file;
    std::string sample, image;  // one of them
    nn::PreprocessOptions preprocess;
    BackendKind backend = BackendKind::Cpu;
    int threads = 0;
    bool compare_both = false;
    ViewSettings view;
};

template <class T>
T get_or(const json& j, const char* key, T fallback) {
    return j.contains(key) && !j[key].is_null() ? j[key].get<T>() : fallback;
}

// The session in `text`, or nothing with `error` set. Never throws.
std::optional<Session> parse_session(const std::string& text, const ViewSettings& view, std::string& error) {
    try {
        const json j = json::parse(text);
        if (!j.is_object() || get_or<std::string>(j, "format", "") != kSessionFormat)
            throw std::runtime_error(tr("not a ConvScope session file"));
        if (get_or<int>(j, "version", 0) > kSessionVersion)
            throw std::runtime_error(tr("written by a newer version of ConvScope"));
        if (!j.contains("network")) throw std::runtime_error(tr("it holds no network"));
        auto loaded = parse_network_json(j["network"].dump());
        if (!loaded) throw std::runtime_error(tr("network: {0}", loaded.error));
        Session s;
        s.net = std::move(*loaded.network);
        s.path = get_or<std::string>(j, "path", "");
        s.dirty = get_or<bool>(j, "dirty", true);
        s.selected = get_or<int>(j, "selected", 0);
        s.seed = get_or<uint64_t>(j, "seed", 1);
        s.weights_file = get_or<std::string>(j, "weights_file", "");
        if (j.contains("input")) {
            s.sample = get_or<std::string>(j["input"], "sample", "");
            s.image = get_or<std::string>(j["input"], "image", "");
        }
        if (const auto n = nn::parse_normalization(get_or<std::string>(j, "normalization", "torchvision")))
            s.preprocess.normalization = *n;
        s.preprocess.resize_shorter = std::clamp(get_or<int>(j, "resize_shorter", 0), 0, 1 << 20);
        s.backend = get_or<std::string>(j, "backend", "cpu") == "gl" ? BackendKind::Gl : BackendKind::Cpu;
        s.threads = std::max(0, get_or<int>(j, "threads", 0));
        s.compare_both = get_or<bool>(j, "compare_both", false);
        s.view = view;
        if (j.contains("view")) read_view(j["view"], s.view);
        return s;
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
}

// ---- recent files -------------------------------------------------------------------------------

// The list in recent.json: strings only, no repeats, at most kMaxRecent. A missing file is an empty
// list; a broken one too, with `error` set.
std::vector<std::string> read_recent(std::string& error) {
    const std::string path = recent_path();
    std::error_code ec;
    if (!fs::exists(path, ec)) return {};
    std::vector<std::string> list;
    const auto text = read_file(path, error);
    if (!text) return {};
    try {
        const json j = json::parse(*text);
        if (!j.is_object() || !j.contains("recent") || !j["recent"].is_array())
            throw std::runtime_error(tr("expected an object with a \"recent\" list of paths"));
        for (const auto& item : j["recent"])
            if (item.is_string() && std::find(list.begin(), list.end(), item.get<std::string>()) == list.end() &&
                list.size() < kMaxRecent)
                list.push_back(item.get<std::string>());
    } catch (const std::exception& e) {
        error = tr("{0}: not a list of recent files ({1})", path, e.what());
        return {};
    }
    return list;
}

bool write_recent(const std::vector<std::string>& list, std::string& error) {
    const json j = {{"recent", list}};
    return write_file_atomic(recent_path(), j.dump(2) + "\n", error);
}

// `front` first, then those of `more` not already there, at most kMaxRecent.
std::vector<std::string> merged(std::vector<std::string> front, const std::vector<std::string>& more) {
    for (const auto& p : more)
        if (front.size() < kMaxRecent && std::find(front.begin(), front.end(), p) == front.end()) front.push_back(p);
    if (front.size() > kMaxRecent) front.resize(kMaxRecent);
    return front;
}

}  // namespace

std::string App::config_dir() {
    fs::path dir;
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
        dir = fs::path(x) / "convscope";
    else if (const char* h = std::getenv("HOME"); h && *h)
        dir = fs::path(h) / ".config" / "convscope";
    else
        dir = fs::temp_directory_path() / "convscope";
    std::error_code ec;
    fs::create_directories(dir, ec);  // a failure shows when a file cannot be written there
    return dir.string();
}

std::optional<std::string> App::autosave() {
    json j;
    j["format"] = kSessionFormat;
    j["version"] = kSessionVersion;
    j["network"] = json::parse(network_to_json(doc.network()));
    j["path"] = doc.path();
    j["dirty"] = doc.dirty();
    j["selected"] = selected_;
    j["seed"] = seed_;
    j["weights_file"] = weights_path_.empty() ? json(nullptr) : json(absolute_path(weights_path_));
    if (input_name_.rfind(kSamplePrefix, 0) == 0)
        j["input"] = {{"sample", input_name_.substr(std::string(kSamplePrefix).size())}};
    else if (!input_name_.empty())
        j["input"] = {{"image", absolute_path(input_name_)}};
    j["normalization"] = std::string(nn::normalization_name(preprocess.normalization));
    j["resize_shorter"] = preprocess.resize_shorter;
    j["backend"] = backend == BackendKind::Gl ? "gl" : "cpu";
    j["threads"] = threads;
    j["compare_both"] = compare_both;
    j["view"] = view_json(view);

    // A periodic autosave that keeps failing (a read-only home) says so once, not every few seconds.
    static std::string last_error;
    std::string e;
    std::string text;
    try {
        text = j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    } catch (const std::exception& x) {
        e = x.what();
    }
    if (e.empty() && write_file_atomic(session_path(), text, e)) {
        last_error.clear();
        return std::nullopt;
    }
    if (e != last_error) {
        last_error = e;
        warn(tr("could not autosave the session: {0}", e));
    }
    return e;
}

void App::load_recent() {
    std::string e;
    recent_files = merged(recent_files, read_recent(e));
    if (!e.empty()) warn(e);
}

bool App::restore_autosave() {
    const std::string path = session_path();
    std::error_code ec;
    if (!fs::exists(path, ec)) return false;
    std::string e;
    const auto text = read_file(path, e);
    std::optional<Session> s;
    if (text) s = parse_session(*text, view, e);
    if (!s) {
        warn(tr("could not restore the session saved in {0}: {1}; starting afresh", path, e));
        return false;
    }

    doc.reset(std::move(s->net), s->path);
    if (s->dirty) doc.mark_dirty();
    seed_ = s->seed;
    weights_path_.clear();
    weights_.reset();
    fit_weights();
    preprocess = s->preprocess;
    // The app's own calls post their errors (a moved photo, a deleted weights file); the rest of the
    // session still comes back.
    if (!s->image.empty())
        open_image(s->image);
    else if (!s->sample.empty())
        use_sample(s->sample);
    refresh_input();  // the restored normalisation, whatever the image
    if (!s->weights_file.empty()) load_weights(s->weights_file);
    set_backend(s->backend);
    set_threads(s->threads);
    set_compare_both(s->compare_both);
    view = s->view;
    select(s->selected);
    info(s->dirty ? tr("restored your unsaved session from {0}", path) : tr("restored your last session from {0}", path));
    return true;
}

void App::clear_autosave() {
    std::error_code ec;
    fs::remove(session_path(), ec);
}

void App::add_recent(const std::string& path) {
    const std::string p = absolute_path(path);
    std::vector<std::string> list{p};
    list = merged(std::move(list), recent_files);
    // Only a window that keeps its files writes them (never a test or a --no-persist run). What is on
    // disk joins in, so that a list never loaded this run is extended, not replaced.
    if (autosave_enabled) {
        std::string e;
        list = merged(std::move(list), read_recent(e));
        if (!write_recent(list, e)) warn(tr("could not save the list of recent files: {0}", e));
    }
    recent_files = std::move(list);
}

// ---- language -----------------------------------------------------------------------------------

void App::set_language(Language lang, bool remember) {
    convscope::set_language(lang);
    // The analysis holds text (formulas, diagnostics) in the old language, and so does what is derived
    // from it (the device split, a tour's facts), which follows doc.analysis_revision().
    doc.reanalyze();
    if (!remember || !autosave_enabled) return;
    // settings.json may one day hold more: keep what else is there.
    std::string e;
    json j = json::object();
    if (auto text = read_file(settings_path(), e)) {
        json old = json::parse(*text, nullptr, false);
        if (old.is_object()) j = std::move(old);
    }
    j["language"] = language_code(lang);
    e.clear();
    if (!write_file_atomic(settings_path(), j.dump(2) + "\n", e)) warn(tr("could not save the language setting: {0}", e));
}

std::optional<Language> App::saved_language() {
    std::string e;
    const auto text = read_file(settings_path(), e);
    if (!text) return std::nullopt;
    const json j = json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("language") || !j["language"].is_string()) return std::nullopt;
    return parse_language(j["language"].get<std::string>());
}

}  // namespace convscope::app
