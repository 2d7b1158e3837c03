#include "gl/context.h"

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <vector>

#include "core/i18n.h"

namespace convscope::gl {

struct GlContext::Egl {
    EGLDisplay display = EGL_NO_DISPLAY;
    EGLContext context = EGL_NO_CONTEXT;
};

namespace {

const char* egl_error_name(EGLint e) {
    switch (e) {
        case EGL_SUCCESS: return "EGL_SUCCESS";
        case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
        case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
        case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
        case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
        case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
        case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
        case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
        case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
        case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
        case EGL_BAD_NATIVE_PIXMAP: return "EGL_BAD_NATIVE_PIXMAP";
        case EGL_BAD_NATIVE_WINDOW: return "EGL_BAD_NATIVE_WINDOW";
        case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
        case EGL_BAD_SURFACE: return "EGL_BAD_SURFACE";
        case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
        case EGL_BAD_DEVICE_EXT: return "EGL_BAD_DEVICE_EXT";
        default: {
            static thread_local char buf[32];
            std::snprintf(buf, sizeof buf, "EGL error 0x%04x", static_cast<unsigned>(e));
            return buf;
        }
    }
}

// "eglInitialize failed (EGL_NOT_INITIALIZED)": read right after the failing call, before anything
// else can overwrite the thread's EGL error.
std::string egl_failure(const char* call) { return std::string(call) + " failed (" + egl_error_name(eglGetError()) + ")"; }

bool has_word(const char* list, const char* word) {
    if (!list) return false;
    const std::string s = std::string(" ") + list + " ";
    return s.find(std::string(" ") + word + " ") != std::string::npos;
}

// eglGetPlatformDisplayEXT hands out one EGLDisplay per device or platform for the whole process, and
// eglTerminate ends it for every context on it. Two headless contexts alive at once (a test and the
// command line, say) would pull the display from under each other, so displays are counted here and
// terminated when the last context on them goes.
std::mutex g_display_mutex;
std::map<EGLDisplay, int> g_display_refs;

bool acquire_display(EGLDisplay dpy, std::string& why) {
    std::lock_guard lock(g_display_mutex);
    int& refs = g_display_refs[dpy];
    if (refs == 0) {
        EGLint major = 0, minor = 0;
        if (!eglInitialize(dpy, &major, &minor)) {
            why = egl_failure("eglInitialize");
            g_display_refs.erase(dpy);
            return false;
        }
    }
    ++refs;
    return true;
}

void release_display(EGLDisplay dpy) {
    std::lock_guard lock(g_display_mutex);
    auto it = g_display_refs.find(dpy);
    if (it == g_display_refs.end()) return;
    if (--it->second == 0) {
        eglTerminate(dpy);
        g_display_refs.erase(it);
    }
}

// The driver's answers about the context current on this thread. Fails without one, or without
// desktop OpenGL 4.3 (compute shaders and shader storage buffers).
bool query_info(GlInfo& info, std::string& why) {
    const auto str = [](GLenum name) {
        const auto* s = reinterpret_cast<const char*>(glGetString(name));
        return s ? std::string(s) : std::string();
    };
    info.version = str(GL_VERSION);
    if (info.version.empty()) {
        why = tr("no OpenGL context is current (glGetString(GL_VERSION) gave nothing)");
        return false;
    }
    info.vendor = str(GL_VENDOR);
    info.renderer = str(GL_RENDERER);
    if (!epoxy_is_desktop_gl()) {
        why = tr("the context is OpenGL ES ({0}), compute shaders here need desktop OpenGL 4.3", info.version);
        return false;
    }
    const int v = epoxy_gl_version();
    info.major = v / 10;
    info.minor = v % 10;
    if (v < 43) {
        why = tr("OpenGL {0} ({1}) is older than 4.3, which compute shaders need", info.version, info.renderer);
        return false;
    }
    info.glsl_version = str(GL_SHADING_LANGUAGE_VERSION);

    GLint64 v64 = 0;
    glGetInteger64v(GL_MAX_SHADER_STORAGE_BLOCK_SIZE, &v64);
    info.max_ssbo_bytes = v64;
    v64 = 1;
    glGetInteger64v(GL_SHADER_STORAGE_BUFFER_OFFSET_ALIGNMENT, &v64);
    info.ssbo_offset_alignment = std::max<int64_t>(v64, 1);
    v64 = 0;
    glGetInteger64v(GL_MAX_COMPUTE_SHARED_MEMORY_SIZE, &v64);
    info.max_shared_bytes = v64;
    GLint vi = 0;
    glGetIntegerv(GL_MAX_COMPUTE_WORK_GROUP_INVOCATIONS, &vi);
    info.max_invocations = vi;
    for (GLuint i = 0; i < 3; ++i) {
        v64 = 0;
        glGetInteger64i_v(GL_MAX_COMPUTE_WORK_GROUP_COUNT, i, &v64);
        info.max_groups[i] = v64;
    }
    // Timestamp queries are core since 3.3, but a driver may still give the counter zero bits, which
    // the specification allows and which means the timings would be meaningless.
    if (v >= 33 || epoxy_has_gl_extension("GL_ARB_timer_query")) {
        GLint bits = 0;
        glGetQueryiv(GL_TIMESTAMP, GL_QUERY_COUNTER_BITS, &bits);
        info.timer_queries = bits > 0;
    }
    // Leave no error from the queries above for the caller's first glGetError to trip over.
    while (glGetError() != GL_NO_ERROR) {
    }
    return true;
}

// A 4.3 core context on an initialised display, current on this thread with no surface.
// On failure everything made here is undone and `why` says which step failed.
EGLContext make_context(EGLDisplay dpy, std::string& why) {
    if (!eglBindAPI(EGL_OPENGL_API)) {
        why = egl_failure("eglBindAPI(EGL_OPENGL_API)");
        return EGL_NO_CONTEXT;
    }
    const char* exts = eglQueryString(dpy, EGL_EXTENSIONS);
    EGLConfig config = EGL_NO_CONFIG_KHR;
    if (!has_word(exts, "EGL_KHR_no_config_context") && !has_word(exts, "EGL_MESA_configless_context")) {
        // No surface will ever be drawn to, so any surface type will do (0 matches every config).
        const EGLint attribs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, 0, EGL_NONE};
        EGLint count = 0;
        if (!eglChooseConfig(dpy, attribs, &config, 1, &count)) {
            why = egl_failure("eglChooseConfig");
            return EGL_NO_CONTEXT;
        }
        if (count == 0) {
            why = "eglChooseConfig found no config that renders desktop OpenGL";
            return EGL_NO_CONTEXT;
        }
    }
    const EGLint ctx_attribs[] = {EGL_CONTEXT_MAJOR_VERSION,
                                  4,
                                  EGL_CONTEXT_MINOR_VERSION,
                                  3,
                                  EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                  EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                  EGL_NONE};
    EGLContext ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, ctx_attribs);
    if (ctx == EGL_NO_CONTEXT) {
        why = egl_failure("eglCreateContext(OpenGL 4.3 core)");
        return EGL_NO_CONTEXT;
    }
    if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
        why = egl_failure("eglMakeCurrent(no surface)");
        eglDestroyContext(dpy, ctx);
        return EGL_NO_CONTEXT;
    }
    return ctx;
}

// Undoes make_context: the context is released from this thread if it is the current one there.
void destroy_context(EGLDisplay dpy, EGLContext ctx) {
    if (eglGetCurrentContext() == ctx) eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(dpy, ctx);
}

// One EGL device as people know it: its DRM node, or "software" for Mesa's llvmpipe device.
std::string describe_device(EGLDeviceEXT dev, bool& software) {
    software = false;
    if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_device_query")) return "";
    const char* exts = eglQueryDeviceStringEXT(dev, EGL_EXTENSIONS);
    if (has_word(exts, "EGL_MESA_device_software")) {
        software = true;
        return "software";
    }
    if (has_word(exts, "EGL_EXT_device_drm")) {
        if (const char* node = eglQueryDeviceStringEXT(dev, EGL_DRM_DEVICE_FILE_EXT)) return node;
    }
    return "";
}

}  // namespace

std::string GlInfo::summary() const {
    std::string s = renderer.empty() ? vendor : renderer;
    if (s.empty()) s = "unknown renderer";
    s += ", OpenGL " + version;
    if (!platform.empty()) s += ", " + platform;
    return s;
}

std::unique_ptr<GlContext> GlContext::create_headless(std::string& why) {
    std::vector<std::string> failures;

    // Everything after the display is the same on every platform.
    auto attempt = [&](EGLDisplay dpy, const std::string& label, const char* platform) -> std::unique_ptr<GlContext> {
        std::string reason;
        if (dpy == EGL_NO_DISPLAY) {
            failures.push_back(label + ": " + egl_failure("eglGetPlatformDisplayEXT"));
            return nullptr;
        }
        if (!acquire_display(dpy, reason)) {
            failures.push_back(label + ": " + reason);
            return nullptr;
        }
        EGLContext ctx = make_context(dpy, reason);
        if (ctx == EGL_NO_CONTEXT) {
            failures.push_back(label + ": " + reason);
            release_display(dpy);
            return nullptr;
        }
        std::unique_ptr<GlContext> out(new GlContext());
        out->egl_ = std::make_unique<Egl>();
        out->egl_->display = dpy;
        out->egl_->context = ctx;
        if (!query_info(out->info_, reason)) {
            failures.push_back(label + ": " + reason);
            return nullptr;  // the destructor releases the context and the display
        }
        out->info_.platform = platform;
        return out;
    };

    if (!epoxy_has_egl()) {
        why = "no EGL library could be loaded (libEGL.so.1)";
        return nullptr;
    }
    const bool platform_base = epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_platform_base");

    // A GPU's own driver first. Software devices go last: Mesa's surfaceless platform below gives the
    // same llvmpipe, but a real device listed after a software one must not be shadowed by it.
    if (!platform_base || !epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_platform_device")) {
        failures.push_back("EGL device: the EGL library lacks EGL_EXT_platform_device");
    } else if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_device_enumeration") &&
               !epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_device_base")) {
        failures.push_back("EGL device: the EGL library lacks EGL_EXT_device_enumeration");
    } else {
        EGLDeviceEXT devices[16];
        EGLint count = 0;
        if (!eglQueryDevicesEXT(16, devices, &count)) {
            failures.push_back("EGL device: " + egl_failure("eglQueryDevicesEXT"));
        } else if (count == 0) {
            failures.push_back("EGL device: no devices");
        } else {
            struct Candidate {
                EGLDeviceEXT dev;
                std::string label;
                bool software;
            };
            std::vector<Candidate> candidates;
            for (EGLint i = 0; i < count; ++i) {
                bool software = false;
                const std::string name = describe_device(devices[i], software);
                candidates.push_back({devices[i],
                                      "EGL device " + std::to_string(i) + (name.empty() ? "" : " (" + name + ")"),
                                      software});
            }
            std::stable_partition(candidates.begin(), candidates.end(),
                                  [](const Candidate& c) { return !c.software; });
            for (const auto& c : candidates) {
                EGLDisplay dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, c.dev, nullptr);
                if (auto ctx = attempt(dpy, c.label, "EGL device")) return ctx;
            }
        }
    }

    // Mesa without a GPU, or with one the device platform could not use: no window system needed.
    if (!platform_base || !epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_MESA_platform_surfaceless")) {
        failures.push_back("EGL surfaceless: the EGL library lacks EGL_MESA_platform_surfaceless");
    } else {
        EGLDisplay dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        if (auto ctx = attempt(dpy, "EGL surfaceless", "EGL surfaceless (Mesa)")) return ctx;
    }

    why = tr("no OpenGL 4.3 context could be made without a window:");
    for (const auto& f : failures) why += "\n  " + f;
    return nullptr;
}

std::unique_ptr<GlContext> GlContext::adopt_current(std::string& why) {
    std::unique_ptr<GlContext> out(new GlContext());
    if (!query_info(out->info_, why)) return nullptr;
    out->info_.platform = "window";
    return out;
}

GlContext::~GlContext() {
    if (!egl_) return;
    if (egl_->context != EGL_NO_CONTEXT) destroy_context(egl_->display, egl_->context);
    release_display(egl_->display);
}

void GlContext::make_current() {
    if (!egl_) return;
    if (eglGetCurrentContext() == egl_->context) return;
    // The bound API is per thread; a thread that never made a context has EGL_OPENGL_ES_API bound.
    eglBindAPI(EGL_OPENGL_API);
    eglMakeCurrent(egl_->display, EGL_NO_SURFACE, EGL_NO_SURFACE, egl_->context);
}

}  // namespace convscope::gl
