// The GL tests' shared pieces: a headless context that must exist (the CI machines have Mesa's
// llvmpipe, so a missing context is a failure, not a skip), and a typed shader storage buffer.
#pragma once

#include <epoxy/gl.h>

#include <memory>
#include <string>
#include <vector>

#include "gl/context.h"
#include "support.h"

namespace convscope::test {

inline std::unique_ptr<gl::GlContext> headless_context() {
    std::string why;
    auto ctx = gl::GlContext::create_headless(why);
    REQUIRE_MESSAGE(ctx, "no headless OpenGL 4.3 context: " << why);
    return ctx;
}

// A shader storage buffer holding a vector of T, for uploading inputs and reading results back.
template <class T>
class Ssbo {
public:
    explicit Ssbo(const std::vector<T>& values) : count_(values.size()) {
        glGenBuffers(1, &id_);
        glBindBuffer(GL_SHADER_STORAGE_BUFFER, id_);
        glBufferData(GL_SHADER_STORAGE_BUFFER, static_cast<GLsizeiptr>(count_ * sizeof(T)), values.data(),
                     GL_DYNAMIC_COPY);
    }
    ~Ssbo() { glDeleteBuffers(1, &id_); }
    Ssbo(const Ssbo&) = delete;
    Ssbo& operator=(const Ssbo&) = delete;

    GLuint id() const { return id_; }
    void bind(GLuint binding) const { glBindBufferBase(GL_SHADER_STORAGE_BUFFER, binding, id_); }
    // Waits for the shaders' writes, then copies the buffer back.
    std::vector<T> read() const {
        glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
        std::vector<T> v(count_);
        glBindBuffer(GL_SHADER_STORAGE_BUFFER, id_);
        glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, static_cast<GLsizeiptr>(count_ * sizeof(T)), v.data());
        return v;
    }

private:
    GLuint id_ = 0;
    size_t count_ = 0;
};

}  // namespace convscope::test
