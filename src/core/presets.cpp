#include "core/presets.h"

#include "core/embedded_file.h"

namespace convscope {

extern const EmbeddedFile kPresetFiles[];
extern const size_t kPresetFilesCount;

std::vector<PresetEntry> list_presets() {
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
}

LoadResult load_preset(std::string_view id) {
    for (size_t i = 0; i < kPresetFilesCount; ++i) {
        const auto& f = kPresetFiles[i];
        if (id != f.name) continue;
        LoadResult r = parse_network_json(f.text());
        if (!r) r.error = "preset " + std::string(id) + ": " + r.error;
        return r;
    }
    LoadResult r;
    r.error = "unknown preset \"" + std::string(id) + "\" (known:";
    for (size_t i = 0; i < kPresetFilesCount; ++i) r.error += std::string(i ? ", " : " ") + kPresetFiles[i].name;
    r.error += ")";
    return r;
}

}  // namespace convscope
