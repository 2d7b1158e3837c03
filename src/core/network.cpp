#include "core/network.h"

#include <array>
#include <map>
#include <set>

namespace convscope {

namespace {
struct TypeInfo {
    LayerType type;
    std::string_view name;
    std::string_view prefix;
};
constexpr std::array<TypeInfo, 10> kTypes{{
    {LayerType::Conv, "conv", "conv"},
    {LayerType::MaxPool, "maxpool", "pool"},
    {LayerType::AvgPool, "avgpool", "pool"},
    {LayerType::AdaptiveAvgPool, "adaptive_avgpool", "avgpool"},
    {LayerType::Lrn, "lrn", "norm"},
    {LayerType::Relu, "relu", "relu"},
    {LayerType::Dropout, "dropout", "drop"},
    {LayerType::Flatten, "flatten", "flatten"},
    {LayerType::Fc, "fc", "fc"},
    {LayerType::Softmax, "softmax", "prob"},
}};
}  // namespace

std::string shape_text(const Shape3& s) { return std::to_string(s.c) + "×" + dims_text(s.h, s.w); }

std::string dims_text(int64_t h, int64_t w) { return std::to_string(h) + "×" + std::to_string(w); }

std::string compact_dims_text(int64_t h, int64_t w) { return h == w ? std::to_string(h) : dims_text(h, w); }

std::string_view type_name(LayerType t) {
    for (const auto& i : kTypes)
        if (i.type == t) return i.name;
    return "?";
}

std::optional<LayerType> parse_type_name(std::string_view s) {
    for (const auto& i : kTypes)
        if (i.name == s) return i.type;
    return std::nullopt;
}

std::string_view default_name_prefix(LayerType t) {
    for (const auto& i : kTypes)
        if (i.type == t) return i.prefix;
    return "layer";
}

bool is_spatial_window(LayerType t) {
    return t == LayerType::Conv || t == LayerType::MaxPool || t == LayerType::AvgPool;
}

void assign_default_names(Network& net) {
    // Weight layers (conv, fc) share one counter so fc6 follows conv5, as in AlexNet and VGG.
    int weight_layers = 0;
    std::map<std::string, int> counters;
    std::set<std::string> taken;
    for (const auto& layer : net.layers)
        if (!layer.name.empty()) taken.insert(layer.name);
    for (auto& layer : net.layers) {
        const bool weight = layer.type == LayerType::Conv || layer.type == LayerType::Fc;
        const bool elementwise = layer.type == LayerType::Relu || layer.type == LayerType::Dropout;
        if (weight) ++weight_layers;
        if (!layer.name.empty()) continue;
        const std::string prefix(default_name_prefix(layer.type));
        int number = 0;
        if (weight)
            number = weight_layers;
        else if (elementwise)
            number = weight_layers;  // relu3 follows conv3, drop6 follows fc6
        else if (layer.type == LayerType::Lrn || layer.type == LayerType::MaxPool ||
                 layer.type == LayerType::AvgPool)
            number = weight_layers;  // norm1 and pool1 belong to conv1's stage
        else
            number = ++counters[prefix];
        std::string name = prefix + std::to_string(number);
        // Two relus between the same weight layers would collide: suffix the later ones.
        for (int k = 2; taken.count(name); ++k) name = prefix + std::to_string(number) + "_" + std::to_string(k);
        layer.name = name;
        taken.insert(name);
    }
}

}  // namespace convscope
