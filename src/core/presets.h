// The models shipped with ConvScope (assets/models/*.json, embedded at build time).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model_io.h"

namespace convscope {

struct PresetEntry {
    std::string id;     // "alexnet-caffe"
    std::string title;  // the model's own name, "AlexNet (Caffe)"
    std::string description;  // in the current language
};

std::vector<PresetEntry> list_presets();

// Loads a preset by id; an unknown id gets an error that lists the known ones.
LoadResult load_preset(std::string_view id);

// A shipped model's description in the current language, for display; any other text (a description
// the user wrote, an imported model's) comes back as it is. The network itself keeps the English
// text, so a saved model file does not depend on the language it was saved in.
std::string translated_description(const std::string& description);

}  // namespace convscope
