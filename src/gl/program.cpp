#include "gl/program.h"

#include <epoxy/gl.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace convscope::gl {

namespace {

// The source with `defines` after the #version line, then a #line directive so the driver numbers the
// lines that follow as they are numbered in the file. #version may only be preceded by comments and
// blank lines, so the defines go right after it rather than blindly after the first line.
std::string with_defines(const std::string& source, const std::string& defines) {
    if (defines.empty()) return source;
    std::string block = defines;
    if (block.back() != '\n') block += '\n';

    size_t pos = 0;
    int line = 1;
    while (pos < source.size()) {
        const size_t end = source.find('\n', pos);
        const size_t first = source.find_first_not_of(" \t", pos);
        const bool is_version = first != std::string::npos && (end == std::string::npos || first < end) &&
                                source.compare(first, 8, "#version") == 0;
        if (is_version) {
            if (end == std::string::npos) return source + "\n" + block;
            return source.substr(0, end + 1) + block + "#line " + std::to_string(line + 1) + "\n" +
                   source.substr(end + 1);
        }
        if (end == std::string::npos) break;
        pos = end + 1;
        ++line;
    }
    // No #version line: the driver will refuse the source anyway, with its own message.
    return block + "#line 1\n" + source;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s.empty() ? "(the driver gave no log)" : s;
}

std::string defines_note(const std::string& defines) {
    if (defines.empty()) return "\ndefines: none";
    std::string out = "\ndefines:";
    size_t pos = 0;
    while (pos < defines.size()) {
        size_t end = defines.find('\n', pos);
        if (end == std::string::npos) end = defines.size();
        if (end > pos) out += "\n  " + defines.substr(pos, end - pos);
        pos = end + 1;
    }
    return out;
}

std::string shader_log(GLuint shader) {
    GLint len = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &len);
    std::string log(static_cast<size_t>(std::max(len, 0)), '\0');
    if (len > 0) glGetShaderInfoLog(shader, len, nullptr, log.data());
    return trimmed(std::move(log));
}

std::string program_log(GLuint program) {
    GLint len = 0;
    glGetProgramiv(program, GL_INFO_LOG_LENGTH, &len);
    std::string log(static_cast<size_t>(std::max(len, 0)), '\0');
    if (len > 0) glGetProgramInfoLog(program, len, nullptr, log.data());
    return trimmed(std::move(log));
}

}  // namespace

Program::~Program() {
    if (id_ != 0) glDeleteProgram(id_);
}

Program::Program(Program&& o) noexcept : id_(std::exchange(o.id_, 0u)) {
    std::copy(std::begin(o.local_size), std::end(o.local_size), local_size);
}

Program& Program::operator=(Program&& o) noexcept {
    if (this != &o) {
        if (id_ != 0) glDeleteProgram(id_);
        id_ = std::exchange(o.id_, 0u);
        std::copy(std::begin(o.local_size), std::end(o.local_size), local_size);
    }
    return *this;
}

std::optional<Program> Program::compile(const std::string& origin, const std::string& source,
                                        const std::string& defines, std::string& error) {
    const GLuint shader = glCreateShader(GL_COMPUTE_SHADER);
    if (shader == 0) {
        error = origin + ": cannot create a compute shader (no OpenGL 4.3 context current on this thread?)";
        return std::nullopt;
    }
    const std::string text = with_defines(source, defines);
    const char* ptr = text.c_str();
    const GLint len = static_cast<GLint>(text.size());
    glShaderSource(shader, 1, &ptr, &len);
    glCompileShader(shader);
    GLint ok = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (ok != GL_TRUE) {
        error = origin + ": compile failed:\n" + shader_log(shader) + defines_note(defines);
        glDeleteShader(shader);
        return std::nullopt;
    }

    Program program(glCreateProgram());
    glAttachShader(program.id_, shader);
    glLinkProgram(program.id_);
    // The program keeps what it needs; the shader object is flagged for deletion with it.
    glDetachShader(program.id_, shader);
    glDeleteShader(shader);
    glGetProgramiv(program.id_, GL_LINK_STATUS, &ok);
    if (ok != GL_TRUE) {
        error = origin + ": link failed:\n" + program_log(program.id_) + defines_note(defines);
        return std::nullopt;
    }
    glGetProgramiv(program.id_, GL_COMPUTE_WORK_GROUP_SIZE, program.local_size);
    return program;
}

}  // namespace convscope::gl
