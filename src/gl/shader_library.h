// The compute shaders' GLSL sources, one file per kernel (shaders/conv.comp, shaders/maxpool.comp, …):
// compiled into the binary at build time by CMake, or read from a directory instead (`--shader-dir`),
// so a student can edit a shader and rerun without rebuilding.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace convscope::gl {

class ShaderLibrary {
public:
    ShaderLibrary() = default;                  // the built-in sources
    explicit ShaderLibrary(std::string dir);   // NAME.comp files in `dir`, read when asked for

    // The source of kernel `name` ("conv" → conv.comp). On failure returns nothing and sets `error`
    // ("cannot open /dir/conv.comp: No such file or directory", "no built-in shader named \"conv\" …").
    std::optional<std::string> source(const std::string& name, std::string& error) const;
    // Where `name` comes from, for messages: "shaders/conv.comp (built in)" or "/dir/conv.comp".
    std::string origin(const std::string& name) const;
    // Empty for the built-in sources.
    const std::string& directory() const { return dir_; }

    // The names of the built-in shaders, sorted.
    static std::vector<std::string> builtin_names();

private:
    std::string dir_;
};

}  // namespace convscope::gl
