// An OpenGL 4.3 core context for the compute shaders, and what it can do.
//   headless: EGL with no window — the EGL device platform first (a real GPU's driver), then Mesa's
//             surfaceless platform (llvmpipe on machines without a GPU); for the command line, tests
//             and benchmarks.
//   adopted:  the context a window has already made current on this thread (the app's GLFW window).
// libepoxy resolves GL functions in both cases. A driver without OpenGL 4.3 (compute shaders) gives no
// context and a reason instead, so the caller can say so and keep working on the CPU.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace convscope::gl {

struct GlInfo {
    std::string platform;  // "EGL device", "EGL surfaceless (Mesa)" or "window"
    std::string vendor, renderer, version, glsl_version;  // as the driver reports them
    int major = 0, minor = 0;
    int64_t max_ssbo_bytes = 0;          // GL_MAX_SHADER_STORAGE_BLOCK_SIZE
    int64_t ssbo_offset_alignment = 1;   // GL_SHADER_STORAGE_BUFFER_OFFSET_ALIGNMENT
    int64_t max_shared_bytes = 0;        // GL_MAX_COMPUTE_SHARED_MEMORY_SIZE
    int max_invocations = 0;             // GL_MAX_COMPUTE_WORK_GROUP_INVOCATIONS
    int64_t max_groups[3] = {0, 0, 0};   // GL_MAX_COMPUTE_WORK_GROUP_COUNT
    bool timer_queries = false;          // GL_TIMESTAMP queries work (core since 3.3)
    // One line for people: "NVIDIA H100 …, OpenGL 4.6.0 NVIDIA 580…, EGL device".
    std::string summary() const;
};

class GlContext {
public:
    // A context with no window. Returns nullptr and sets `why` (every platform tried, and why each
    // failed) when none with OpenGL 4.3 core can be made.
    static std::unique_ptr<GlContext> create_headless(std::string& why);
    // The context current on this thread, made by someone else (the window). It is not destroyed
    // with this object. Returns nullptr and sets `why` when there is none or it lacks OpenGL 4.3.
    static std::unique_ptr<GlContext> adopt_current(std::string& why);

    ~GlContext();
    GlContext(const GlContext&) = delete;
    GlContext& operator=(const GlContext&) = delete;

    // Makes the context current on the calling thread (a no-op for an adopted one).
    void make_current();
    const GlInfo& info() const { return info_; }

    struct Egl;  // the EGL display and context of a headless one (context.cpp)

private:
    GlContext() = default;
    GlInfo info_;
    std::unique_ptr<Egl> egl_;
};

}  // namespace convscope::gl
