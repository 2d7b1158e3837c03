// A file compiled into the binary at build time (model presets now, shaders later).
#pragma once

#include <cstddef>
#include <string_view>

namespace convscope {

struct EmbeddedFile {
    const char* name;  // file name without directory and last extension
    const char* data;  // contents, followed by a terminating zero
    size_t size;       // bytes, not counting the terminating zero
    std::string_view text() const { return {data, size}; }
};

}  // namespace convscope
