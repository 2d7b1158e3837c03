// Model files: JSON text ⇄ Network. Loading validates every key and value and reports the first
// problem with its place in the file ("layers[3].stride: must be ≥ 1, got 0"); it never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/network.h"

namespace convscope {

struct LoadResult {
    std::optional<Network> network;
    std::string error;  // set when network is empty
    explicit operator bool() const { return network.has_value(); }
};

// Parses a model from JSON text. Unnamed layers get default names (conv1, pool1, …).
LoadResult parse_network_json(std::string_view text);

// Reads and parses a model file; errors start with the file's path.
LoadResult load_network_file(const std::string& path);

// Serialises a model as pretty JSON that parse_network_json reads back to an equal Network.
std::string network_to_json(const Network& net);

// Saves a model atomically. Returns false and sets `error` on failure.
bool save_network_file(const Network& net, const std::string& path, std::string& error);

}  // namespace convscope
