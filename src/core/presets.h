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
    std::string description;
};

std::vector<PresetEntry> list_presets();

// Loads a preset by id; an unknown id gets an error that lists the known ones.
LoadResult load_preset(std::string_view id);

}  // namespace convscope
