// One compiled and linked compute-shader program. The kernel's source starts with its `#version` line;
// the backend adds `#define`s after it (sizes, strides, flags), so each layer gets a program
// specialised to its shape, and a `#line` directive keeps the driver's line numbers those of the file.
#pragma once

#include <optional>
#include <string>

namespace convscope::gl {

class Program {
public:
    Program() = default;
    ~Program();
    Program(Program&& o) noexcept;
    Program& operator=(Program&& o) noexcept;
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    unsigned id() const { return id_; }
    // Work-group size the shader declares (glGetProgramiv GL_COMPUTE_WORK_GROUP_SIZE).
    int local_size[3] = {1, 1, 1};

    // Compiles `source` with `defines` (lines such as "#define K 11\n") inserted after its first line.
    // On failure returns nothing and sets `error` to "<origin>: compile failed:\n<driver log>" (or
    // "link failed"), with the defines listed so the failing variant can be reproduced.
    static std::optional<Program> compile(const std::string& origin, const std::string& source,
                                          const std::string& defines, std::string& error);

private:
    explicit Program(unsigned id) : id_(id) {}
    unsigned id_ = 0;
};

}  // namespace convscope::gl
