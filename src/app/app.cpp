#include "app/app.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/embedded_file.h"
#include "core/presets.h"
#include "nn/weight_init.h"

namespace convscope {
extern const EmbeddedFile kSampleImages[];
extern const size_t kSampleImagesCount;
}  // namespace convscope

namespace convscope::app {

namespace {

const EmbeddedFile* find_sample(const std::string& name) {
    for (size_t i = 0; i < kSampleImagesCount; ++i)
        if (kSampleImages[i].name == name) return &kSampleImages[i];
    return nullptr;
}

}  // namespace

App::App() {
    auto r = ::convscope::load_preset("alexnet-caffe");
    if (r) doc.reset(*r.network, "");
    fit_weights();
    use_sample("chelsea");
    selected_ = 0;
    state_changed();
}

App::~App() = default;

nn::GridOptions ViewSettings::grid_options() const {
    nn::GridOptions o;
    o.colormap = colormap == Colormap::Gray        ? nn::Colormap::Gray
                 : colormap == Colormap::Diverging ? nn::Colormap::Diverging
                                                   : nn::Colormap::Viridis;
    o.scaling = scale == MapScale::PerLayer ? nn::Scaling::Shared : nn::Scaling::PerTile;
    return o;
}

// ---- the network --------------------------------------------------------------------------------

void App::edit(const std::string& what, const std::function<void(Network&)>& change, const std::string& merge_key) {
    const uint64_t before = doc.revision();
    doc.edit(what, change, merge_key);
    if (doc.revision() == before) return;
    fit_weights();
    fit_input();  // the input size or channels may have changed
    select(selected_);
}

bool App::undo() {
    if (!doc.undo()) return false;
    fit_weights();
    fit_input();
    select(selected_);
    return true;
}

bool App::redo() {
    if (!doc.redo()) return false;
    fit_weights();
    fit_input();
    select(selected_);
    return true;
}

void App::insert_layer(size_t at, LayerType type) {
    Layer l;
    l.type = type;
    switch (type) {
        case LayerType::Conv:
            l.out = 16;
            l.kernel = {3, 3};
            l.pad = {1, 1, 1, 1};
            break;
        case LayerType::MaxPool:
        case LayerType::AvgPool:
            l.kernel = {2, 2};
            l.stride = {2, 2};
            break;
        case LayerType::Fc: l.out = 10; break;
        case LayerType::AdaptiveAvgPool: l.output_size = {6, 6}; break;
        default: break;
    }
    std::string name;
    edit(tr("insert {0}", std::string(type_name(type))), [&](Network& n) {
        at = std::min(at, n.layers.size());
        n.layers.insert(n.layers.begin() + static_cast<std::ptrdiff_t>(at), l);
        assign_default_names(n);
    });
    select(static_cast<int>(at));
}

void App::duplicate_layer(size_t i) {
    if (i >= doc.network().layers.size()) return;
    edit(tr("duplicate {0}", doc.network().layers[i].name), [&](Network& n) {
        Layer copy = n.layers[i];
        copy.name.clear();
        n.layers.insert(n.layers.begin() + static_cast<std::ptrdiff_t>(i) + 1, copy);
        assign_default_names(n);
    });
    select(static_cast<int>(i) + 1);
}

void App::delete_layer(size_t i) {
    if (i >= doc.network().layers.size()) return;
    edit(tr("delete {0}", doc.network().layers[i].name),
         [&](Network& n) { n.layers.erase(n.layers.begin() + static_cast<std::ptrdiff_t>(i)); });
    select(std::min(selected_, static_cast<int>(doc.network().layers.size()) - 1));
}

void App::move_layer(size_t i, int delta) {
    const auto& layers = doc.network().layers;
    const int64_t j = static_cast<int64_t>(i) + delta;
    if (i >= layers.size() || j < 0 || j >= static_cast<int64_t>(layers.size())) return;
    edit(tr("move {0}", layers[i].name), [&](Network& n) { std::swap(n.layers[i], n.layers[static_cast<size_t>(j)]); });
    select(static_cast<int>(j));
}

void App::set_input_size(int64_t c, int64_t h, int64_t w) {
    const Shape3 s = doc.network().input;
    if (s.c == c && s.h == h && s.w == w) return;
    edit(tr("input {0}", shape_text(Shape3{c, h, w})), [&](Network& n) { n.input = {c, h, w}; }, "input size");
}

// ---- selection ----------------------------------------------------------------------------------

void App::select(int stage) {
    const int last = static_cast<int>(doc.network().layers.size()) - 1;
    selected_ = std::clamp(stage, -1, std::max(last, -1));
    view.enlarged_channel = -1;
}

void App::step(int delta) { select(selected_ + delta); }

// ---- weights ------------------------------------------------------------------------------------

void App::set_seed(uint64_t seed) {
    seed_ = seed;
    weights_path_.clear();
    weights_.reset();
    fit_weights();
}

std::string App::weights_description() const {
    if (!weights_) return tr("none");
    if (weights_loaded_from_file()) return weights_->origin;  // the file's name
    // Seeded: worded here rather than taken from the generator, so that it follows the language.
    return weights_->designed_first_conv
               ? tr("seeded He-normal (seed {0}), first convolution designed (Gabor edges, colour-opponent blobs)",
                    std::to_string(seed_))
               : tr("seeded He-normal (seed {0})", std::to_string(seed_));
}

void App::fit_weights() {
    const Network& net = doc.network();
    const Analysis& a = doc.analysis();
    // An edit can ask for absurd sizes (a huge input into a fully connected layer that takes whatever
    // arrives): refuse to allocate them rather than exhaust the machine's memory.
    if (auto e = check_memory(forward_memory(net, a), memory_limit)) {
        if (weights_ || !too_big_) error(tr("this network {0}: no forward pass until it is smaller", *e));
        too_big_ = true;
        weights_.reset();
        weights_path_.clear();
        state_changed();
        return;
    }
    too_big_ = false;
    if (weights_ && !weights_path_.empty()) {
        if (!nn::check_weights(net, a, *weights_)) return;  // the loaded weights still fit
        warn(tr("the weights from {0} no longer fit the network; using seeded weights instead", weights_path_));
        weights_path_.clear();
        weights_.reset();
    }
    nn::InitOptions o;
    o.seed = seed_;
    if (!weights_) {
        weights_ = std::make_shared<nn::NetworkWeights>(nn::make_seeded_weights(net, a, o));
    } else {
        // A pass may still be reading the old weights on the worker: change a copy.
        auto next = std::make_shared<nn::NetworkWeights>(*weights_);
        nn::update_seeded_weights(net, a, o, *next);
        weights_ = std::move(next);
    }
    state_changed();
}

// ---- input --------------------------------------------------------------------------------------

std::vector<std::string> App::sample_names() {
    std::vector<std::string> names;
    for (size_t i = 0; i < kSampleImagesCount; ++i) names.emplace_back(kSampleImages[i].name);
    return names;
}

bool App::use_sample(const std::string& name) {
    const EmbeddedFile* f = find_sample(name);
    if (!f) {
        error(tr("no sample image named {0}", name));
        return false;
    }
    auto r = nn::decode_image(f->text(), name);
    if (!r) {
        error(r.error);
        return false;
    }
    image_ = std::move(*r.image);
    input_name_ = "sample " + name;
    refresh_input();
    return true;
}

void App::fit_input() {
    if (input_ && input_->shape == doc.network().input) return;
    if (!input_ && image_.empty()) return;
    refresh_input();
}

void App::refresh_input() {
    const Shape3 target = doc.network().input;
    if (image_.empty() || target.c <= 0 || target.h <= 0 || target.w <= 0) {
        input_.reset();
        state_changed();
        return;
    }
    auto t = nn::preprocess(image_, target, preprocess);
    if (!t) {
        error(t.error);
        input_.reset();
    } else {
        input_ = std::make_shared<nn::Tensor>(std::move(*t.tensor));
    }
    state_changed();
}

// ---- passes -------------------------------------------------------------------------------------

void App::set_backend(BackendKind b) {
    if (b == backend) return;
    backend = b;
    state_changed();
}

void App::set_threads(int n) {
    if (n == threads) return;
    threads = n;
    state_changed();
}

void App::set_compare_both(bool on) {
    if (on == compare_both) return;
    compare_both = on;
    state_changed();
}

const PassOutcome* App::current_pass() const {
    return pass_ && pass_->revision == state_revision_ ? &*pass_ : nullptr;
}

void App::state_changed() {
    ++state_revision_;
    // Edits are timed, not the start-up: the first pass also pays for the worker's first allocations.
    if (!pass_) return;
    changed_at_ = std::chrono::steady_clock::now();
    timed_revision_ = state_revision_;
}

void App::record_frame_ms(double ms) {
    constexpr size_t kKeep = 1000;
    if (timing_.frame_ms.size() >= kKeep) timing_.frame_ms.erase(timing_.frame_ms.begin());
    timing_.frame_ms.push_back(ms);
}

void App::frame(double now_s) {
    now_ = now_s;
    if (playing) {
        if (now_ - last_step_ >= play_interval_s) {
            last_step_ = now_;
            if (selected_ >= static_cast<int>(doc.network().layers.size()) - 1)
                select(-1);  // round again
            else
                step(1);
        }
    } else {
        last_step_ = now_;
    }
    advance_animation(now_s);  // after the stage stepping, so a new stage starts its animation afresh
    if (autosave_enabled && doc.dirty() && doc.revision() != autosaved_revision_ &&
        now_ - last_autosave_ >= autosave_interval_s) {
        autosave();
        autosaved_revision_ = doc.revision();
        last_autosave_ = now_;
    }
    while (auto o = runner_.take()) {
        if (o->revision != state_revision_) continue;  // computed for a state that is gone
        if (o->error) error(tr("forward pass: {0}", *o->error));
        if (!o->note.empty() && (!pass_ || pass_->note != o->note)) warn(o->note);
        pass_ = std::move(*o);
        if (timed_revision_ == state_revision_ && !pass_->error) {
            timing_.change_to_maps_ms.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - changed_at_).count());
            timed_revision_ = 0;
        }
    }
    if (requested_revision_ != state_revision_) {
        requested_revision_ = state_revision_;
        if (!doc.analysis().valid() || !input_ || !weights_) return;  // nothing to run: maps hide
        PassRequest r;
        r.revision = state_revision_;
        r.net = doc.network();
        r.analysis = doc.analysis();
        r.weights = weights_;
        r.input = input_;
        r.backend = backend;
        r.threads = threads;
        r.compare_both = compare_both;
        runner_.request(std::move(r));
    }
}

bool App::wait_for_pass(double timeout_s) {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        frame(now_);
        if (current_pass()) return true;
        if (!doc.analysis().valid() || !input_ || !weights_) return false;
        const double left =
            timeout_s - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (left <= 0) return false;
        runner_.wait_idle(std::min(left, 0.05));
    }
}

// ---- messages -----------------------------------------------------------------------------------

void App::info(const std::string& text) { messages_.push_back({Message::Level::Info, text, now_}); }
void App::warn(const std::string& text) { messages_.push_back({Message::Level::Warning, text, now_}); }
void App::error(const std::string& text) { messages_.push_back({Message::Level::Error, text, now_}); }

// ---- state for scripts and tests ----------------------------------------------------------------

std::string App::state_json() const {
    nlohmann::ordered_json j;
    const Network& net = doc.network();
    const Analysis& a = doc.analysis();
    j["model"] = net.name;
    j["input"] = {net.input.c, net.input.h, net.input.w};
    j["valid"] = a.valid();
    j["revision"] = doc.revision();
    j["dirty"] = doc.dirty();
    j["path"] = doc.path();
    j["can_undo"] = doc.can_undo();
    j["can_redo"] = doc.can_redo();
    j["selected"] = selected_;
    j["selected_name"] = selected_ >= 0 && selected_ < static_cast<int>(net.layers.size())
                             ? net.layers[static_cast<size_t>(selected_)].name
                             : "input";
    nlohmann::ordered_json stages = nlohmann::ordered_json::array();
    for (const auto& st : a.stages) {
        nlohmann::ordered_json s;
        s["name"] = st.name;
        s["type"] = std::string(type_name(st.type));
        s["output"] = st.output ? nlohmann::ordered_json{st.output->c, st.output->h, st.output->w}
                                : nlohmann::ordered_json(nullptr);
        s["status"] = st.status == Severity::Ok ? "ok" : st.status == Severity::Warning ? "warning" : "error";
        s["formula"] = st.formula;
        stages.push_back(std::move(s));
    }
    j["stages"] = std::move(stages);
    j["weights"] = weights_description();
    j["input_source"] = input_name_;
    j["backend"] = backend == BackendKind::Gl ? "gl" : "cpu";
    j["language"] = language_code(language());
    // The guided tour: where it is (1-based, as the window counts), or null when none runs.
    if (const TourStep* step = current_tour_step()) {
        j["tour"] = {{"id", tour.id},
                     {"step", tour_step_index() + 1},
                     {"steps", tour_steps().size()},
                     {"stage", step->stage}};
    } else {
        j["tour"] = nullptr;
    }
    if (const PassOutcome* p = current_pass()) {
        nlohmann::ordered_json pass;
        pass["device"] = p->device;
        pass["error"] = p->error ? nlohmann::ordered_json(*p->error) : nlohmann::ordered_json(nullptr);
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (size_t i = 0; i < p->result.outputs.size(); ++i) {
            const nn::Tensor& t = p->result.outputs[i];
            float lo = 0, hi = 0;
            double sum = 0;
            if (t.size() > 0) {
                lo = *std::min_element(t.data.begin(), t.data.end());
                hi = *std::max_element(t.data.begin(), t.data.end());
                for (float v : t.data) sum += v;
            }
            layers.push_back({{"shape", {t.shape.c, t.shape.h, t.shape.w}},
                              {"min", lo},
                              {"max", hi},
                              {"mean", t.size() ? sum / static_cast<double>(t.size()) : 0.0},
                              {"ms", i < p->result.ms.size() ? p->result.ms[i] : 0.0}});
        }
        pass["layers"] = std::move(layers);
        if (!p->compared_with.empty()) {
            pass["compared_with"] = p->compared_with;
            pass["max_abs_diff"] = p->max_abs_diff;
        }
        j["pass"] = std::move(pass);
    } else {
        j["pass"] = nullptr;
    }
    nlohmann::ordered_json msgs = nlohmann::ordered_json::array();
    for (const auto& m : messages_)
        msgs.push_back({{"level", m.level == Message::Level::Info      ? "info"
                                  : m.level == Message::Level::Warning ? "warning"
                                                                       : "error"},
                        {"text", m.text}});
    j["messages"] = std::move(msgs);
    auto summary = [](std::vector<double> v) {
        nlohmann::ordered_json t;
        t["count"] = v.size();
        if (v.empty()) return t;
        std::sort(v.begin(), v.end());
        t["median_ms"] = v[v.size() / 2];
        t["p95_ms"] = v[std::min(v.size() - 1, v.size() * 95 / 100)];
        t["max_ms"] = v.back();
        return t;
    };
    j["timing"] = {{"frames", summary(timing_.frame_ms)}, {"change_to_maps", summary(timing_.change_to_maps_ms)}};
    return j.dump(2);
}

}  // namespace convscope::app

// ---- devices: the network split over K devices ------------------------------------------------------

namespace convscope::app {

const Partition& App::partition() {
    devices = std::clamp(devices, 1, kMaxDevices);
    batch = std::clamp<int64_t>(batch, 1, kMaxBatch);
    if (partition_revision_ != doc.analysis_revision() || partition_devices_ != devices || partition_batch_ != batch) {
        partition_ = partition_network(doc.network(), doc.analysis(), devices, batch);
        partition_revision_ = doc.analysis_revision();
        partition_devices_ = devices;
        partition_batch_ = batch;
    }
    return partition_;
}

}  // namespace convscope::app
