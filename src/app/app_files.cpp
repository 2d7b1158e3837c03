// The App's file operations: presets, model files (JSON and ONNX), weights (safetensors and ONNX),
// images, class labels, the shape table in every export format, and the selected stage's feature
// maps as a PNG. Each one either succeeds completely or posts an error that names the file and the
// reason, leaving the state as it was; writes are atomic.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "app/app.h"
#include "core/file_io.h"
#include "core/model_io.h"
#include "core/presets.h"
#include "nn/feature_grid.h"
#include "nn/onnx_import.h"
#include "nn/safetensors.h"

namespace convscope::app {

namespace fs = std::filesystem;

namespace {

bool has_suffix(const std::string& path, std::string_view suffix) {
    if (path.size() < suffix.size()) return false;
    for (size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(path[path.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
}

// One class name per line; a trailing newline (or several) ends the list rather than adding
// unnamed classes. Windows line ends are accepted.
std::vector<std::string> split_labels(const std::string& text) {
    std::vector<std::string> labels;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        labels.push_back(std::move(line));
        start = end + 1;
    }
    while (!labels.empty() && labels.back().empty()) labels.pop_back();
    return labels;
}

}  // namespace

// ---- models --------------------------------------------------------------------------------------

bool App::load_preset(const std::string& id) {
    auto r = ::convscope::load_preset(id);  // the member of the same name hides the core function
    if (!r) {
        error(r.error);
        return false;
    }
    doc.reset(std::move(*r.network), "");
    weights_path_.clear();
    weights_.reset();  // a new network gets fresh seeded weights, not a refit of the old ones
    fit_weights();
    fit_input();
    select(0);
    return true;
}

bool App::open_model(const std::string& path) {
    if (has_suffix(path, ".onnx")) {
        nn::OnnxImportResult r = nn::import_onnx(path);
        if (!r.ok()) {
            error(r.error);
            return false;
        }
        doc.reset(std::move(r.net), path);
        r.weights.origin = fs::path(path).filename().string();
        weights_ = std::make_shared<nn::NetworkWeights>(std::move(r.weights));
        weights_path_ = path;
        fit_weights();  // keeps the file's weights when they fit the analysed network, else warns and seeds
        state_changed();
        for (const auto& note : r.notes) info(tr("{0}: {1}", fs::path(path).filename().string(), note));
    } else {
        LoadResult r = load_network_file(path);
        if (!r) {
            error(r.error);
            return false;
        }
        doc.reset(std::move(*r.network), path);
        weights_path_.clear();
        weights_.reset();
        fit_weights();
    }
    fit_input();
    select(0);
    add_recent(path);
    info(tr("opened {0}", path));
    return true;
}

bool App::save_model(const std::string& path) {
    std::string e;
    if (!save_network_file(doc.network(), path, e)) {  // atomic: a temporary file renamed over the target
        error(e.empty() ? tr("cannot save {0}", path) : e);
        return false;
    }
    doc.mark_saved(path);
    add_recent(path);
    info(tr("saved {0}", path));
    return true;
}

// ---- weights -------------------------------------------------------------------------------------

bool App::load_weights(const std::string& path) {
    std::shared_ptr<nn::NetworkWeights> loaded;
    if (has_suffix(path, ".safetensors")) {
        nn::SafetensorsWeights w = nn::load_safetensors_weights(doc.network(), doc.analysis(), path);
        if (!w.ok()) {
            error(w.error);
            return false;
        }
        loaded = std::make_shared<nn::NetworkWeights>(std::move(w.weights));
    } else if (has_suffix(path, ".onnx")) {
        nn::OnnxImportResult r = nn::import_onnx(path);
        if (!r.ok()) {
            error(r.error);
            return false;
        }
        if (r.weights.layers.size() != doc.network().layers.size()) {
            error(tr("{0}: its network has {1} layers, this one {2} (File > Open model opens it with its own weights)",
                     path, r.net.layers.size(), doc.network().layers.size()));
            return false;
        }
        if (auto mismatch = nn::check_weights(doc.network(), doc.analysis(), r.weights)) {
            error(tr("{0}: its weights do not fit this network: {1}", path, *mismatch));
            return false;
        }
        r.weights.origin = fs::path(path).filename().string();
        loaded = std::make_shared<nn::NetworkWeights>(std::move(r.weights));
    } else {
        error(tr("cannot load weights from {0}: expected a .safetensors or .onnx file", path));
        return false;
    }
    // A new object: a pass on the worker may still be reading the old one.
    weights_ = std::move(loaded);
    weights_path_ = path;
    state_changed();
    add_recent(path);
    info(tr("loaded weights from {0}", path));
    // Class names often lie beside the weights, as the command line finds them.
    if (labels.empty()) {
        const fs::path w(path);
        std::error_code ec;
        for (const fs::path& candidate : {w.parent_path() / (w.stem().string() + ".labels.txt"),
                                          w.parent_path() / "labels.txt"}) {
            if (fs::is_regular_file(candidate, ec)) {
                load_labels(candidate.string());
                break;
            }
        }
    }
    return true;
}

// ---- input ---------------------------------------------------------------------------------------

bool App::open_image(const std::string& path) {
    nn::ImageResult r = nn::load_image(path);
    if (!r) {
        error(r.error);
        return false;
    }
    image_ = std::move(*r.image);
    input_name_ = path;
    refresh_input();
    add_recent(path);
    return true;
}

bool App::load_labels(const std::string& path) {
    std::string e;
    const auto text = read_file(path, e, size_t{16} << 20);
    if (!text) {
        error(e);
        return false;
    }
    std::vector<std::string> names = split_labels(*text);
    if (std::none_of(names.begin(), names.end(), [](const std::string& s) { return !s.empty(); })) {
        error(tr("{0}: no class names in it (expected one per line)", path));
        return false;
    }
    const auto out = doc.analysis().final_output();
    const size_t n = names.size();
    labels = std::move(names);
    add_recent(path);
    info(tr("loaded {0} class names from {1}", n, path));
    if (out && out->h == 1 && out->w == 1 && out->c != static_cast<int64_t>(n))
        warn(tr("{0} names {1} classes, but the network has {2} outputs", path, n, out->c));
    return true;
}

// ---- exports -------------------------------------------------------------------------------------

std::string App::table_text(TableFormat format) const {
    return format_table(doc.network(), doc.analysis(), format);
}

bool App::export_table(const std::string& path, TableFormat format) {
    std::string e;
    if (!write_file_atomic(path, table_text(format), e)) {
        error(e.empty() ? tr("cannot write {0}", path) : e);
        return false;
    }
    info(tr("wrote the shape table ({0}) to {1}", format_name(format), path));
    return true;
}

bool App::save_feature_grid_png(const std::string& path) {
    const PassOutcome* pass = current_pass();
    const int stage = selected_;
    const nn::Tensor* t = nullptr;
    if (stage < 0) {
        t = input_.get();
    } else if (pass && !pass->error && static_cast<size_t>(stage) < pass->result.outputs.size()) {
        t = &pass->result.outputs[static_cast<size_t>(stage)];
    }
    if (!t || t->size() == 0) {
        error(pass_running()              ? tr("cannot save {0}: no feature maps for this stage yet (the forward pass "
                                               "is still running)",
                                               path)
              : doc.analysis().valid() ? tr("cannot save {0}: no feature maps for this stage yet", path)
                                       : tr("cannot save {0}: no feature maps for this stage yet (the network has "
                                            "errors, so no pass runs)",
                                            path));
        return false;
    }
    const nn::GridOptions o = view.grid_options();
    nn::FeatureGrid grid = nn::render_feature_grid(nn::vector_as_map(*t), o);
    if (!grid) {
        error(tr("cannot save {0}: {1}", path, grid.error.empty() ? tr("nothing to draw") : grid.error));
        return false;
    }
    std::string e;
    if (!nn::save_png(path, grid.image, e)) {
        error(e.empty() ? tr("cannot write {0}", path) : e);
        return false;
    }
    if (stage < 0)
        info(grid.tiles == 1 ? tr("saved the input's maps (1 tile) to {0}", path)
                             : tr("saved the input's maps ({0} tiles) to {1}", grid.tiles, path));
    else
        info(grid.tiles == 1
                 ? tr("saved {0}'s maps (1 tile) to {1}", doc.network().layers[static_cast<size_t>(stage)].name, path)
                 : tr("saved {0}'s maps ({1} tiles) to {2}", doc.network().layers[static_cast<size_t>(stage)].name,
                      grid.tiles, path));
    return true;
}

}  // namespace convscope::app
