#include "gl/shader_library.h"

#include <algorithm>
#include <filesystem>

#include "core/embedded_file.h"
#include "core/file_io.h"

namespace convscope {

// shaders/*.comp, embedded by CMake (cmake/embed_files.cmake).
extern const EmbeddedFile kShaderFiles[];
extern const size_t kShaderFilesCount;

}  // namespace convscope

namespace convscope::gl {

namespace {

std::string file_in(const std::string& dir, const std::string& name) {
    return (std::filesystem::path(dir) / (name + ".comp")).string();
}

}  // namespace

ShaderLibrary::ShaderLibrary(std::string dir) : dir_(std::move(dir)) {}

std::optional<std::string> ShaderLibrary::source(const std::string& name, std::string& error) const {
    if (!dir_.empty()) {
        // Read on every request, not cached: an edited shader takes effect on the next run of the kernel.
        return read_file(file_in(dir_, name), error);
    }
    for (size_t i = 0; i < kShaderFilesCount; ++i)
        if (name == kShaderFiles[i].name) return std::string(kShaderFiles[i].text());
    error = "no built-in shader named \"" + name + "\" (built in:";
    const auto names = builtin_names();
    if (names.empty()) error += " none";
    for (size_t i = 0; i < names.size(); ++i) error += (i ? ", " : " ") + names[i];
    error += ")";
    return std::nullopt;
}

std::string ShaderLibrary::origin(const std::string& name) const {
    if (!dir_.empty()) return file_in(dir_, name);
    return "shaders/" + name + ".comp (built in)";
}

std::vector<std::string> ShaderLibrary::builtin_names() {
    std::vector<std::string> names;
    names.reserve(kShaderFilesCount);
    for (size_t i = 0; i < kShaderFilesCount; ++i) names.emplace_back(kShaderFiles[i].name);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace convscope::gl
