#include "core/presets.h"

#include "core/embedded_file.h"
#include "core/i18n.h"

namespace convscope {

extern const EmbeddedFile kPresetFiles[];
extern const size_t kPresetFilesCount;

namespace {

// Every shipped model's id, name and English description. The files are compiled in and never change,
// so they are parsed once, not on each call: the Presets menu and the Tour window ask every frame.
const std::vector<PresetEntry>& shipped_presets() {
    static const std::vector<PresetEntry> all = [] {
        std::vector<PresetEntry> out;
        for (size_t i = 0; i < kPresetFilesCount; ++i) {
            const auto& f = kPresetFiles[i];
            PresetEntry e;
            e.id = f.name;
            if (auto r = parse_network_json(f.text())) {
                e.title = r.network->name;
                e.description = r.network->description;
            }
            out.push_back(std::move(e));
        }
        return out;
    }();
    return all;
}

}  // namespace

std::vector<PresetEntry> list_presets() {
    std::vector<PresetEntry> out = shipped_presets();
    for (PresetEntry& e : out) e.description = translated_description(e.description);
    return out;
}

LoadResult load_preset(std::string_view id) {
    for (size_t i = 0; i < kPresetFilesCount; ++i) {
        const auto& f = kPresetFiles[i];
        if (id != f.name) continue;
        LoadResult r = parse_network_json(f.text());
        if (!r) r.error = tr("preset {0}: {1}", id, r.error);
        return r;
    }
    std::string known;
    for (size_t i = 0; i < kPresetFilesCount; ++i) {
        if (i) known += ", ";
        known += kPresetFiles[i].name;
    }
    LoadResult r;
    r.error = tr("unknown preset \"{0}\" (known: {1})", id, known);
    return r;
}

std::string translated_description(const std::string& description) {
    // The shipped descriptions once more, word for word as in assets/models/*.json, so that the catalogs
    // can translate them (tests/core/test_i18n_core.cpp checks that every shipped one is here). Asked
    // for in English, trc gives the text itself: it only marks each one as a key for the catalogs.
    static const char* const kShipped[] = {
        trc(Language::English,
            "AlexNet as the BVLC Caffe model deploys it: a 227×227 input that tiles exactly, LRN with alpha divided "
            "by the window size, pooling that rounds up, and the paper's two-GPU channel groups in conv2, conv4 and "
            "conv5."),
        trc(Language::English,
            "AlexNet as the 2012 paper describes it: a 224×224 input, LRN with k = 2 and alpha used as is, "
            "overlapping 3×3 pooling with stride 2, and every layer's kernels split over two GPUs. With 224 the "
            "first convolution does not divide exactly: (224 − 11)/4 + 1 = 54.25."),
        trc(Language::English,
            "The AlexNet that PyTorch's torchvision ships: a 224×224 input with padding 2 in conv1, "
            "64-192-384-256-256 channels, no LRN, no channel groups, floor pooling, and an adaptive average pool "
            "that makes the classifier see 6×6 whatever the input size."),
        trc(Language::English,
            "LeCun et al.'s digit recogniser on a 32×32 grey image: two convolution and subsampling stages and "
            "three fully connected layers. The original used scaled tanh and a sparse C3 connection table; here "
            "every activation is a ReLU and C3 sees all six maps."),
        trc(Language::English,
            "Simonyan and Zisserman's configuration D: thirteen 3×3 convolutions with padding 1, so only the five "
            "2×2 pools shrink the map (224 → 7), then three fully connected layers."),
        trc(Language::English,
            "Zeiler and Fergus's refinement of AlexNet: a 7×7 stride-2 first layer instead of 11×11 stride 4, "
            "stride 2 in conv2, and no split over two GPUs. Pooling rounds up, so 110 → 55 and 26 → 13."),
    };
    const auto& translations = catalog(language());  // empty for English
    for (const char* shipped : kShipped) {
        if (description != shipped) continue;
        const auto it = translations.find(description);
        return it == translations.end() ? description : it->second;
    }
    return description;
}

}  // namespace convscope
