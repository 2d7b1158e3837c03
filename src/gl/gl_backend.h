// The GPU backend: the forward pass as OpenGL 4.3 compute shaders (shaders/*.comp, one per kernel,
// each named after its CPU twin in src/nn/kernels_cpu.cpp), on the context given — headless or the
// app's window.
//   - Weights are uploaded once and kept until the network or the weights change.
//   - Every layer writes its own buffer, reused from pass to pass, so a view can show any layer.
//   - Per-layer times come from GL_TIMESTAMP queries (GPU time, not the CPU's wait).
//   - Where a network needs more than the device allows (a buffer past GL_MAX_SHADER_STORAGE_BLOCK_SIZE
//     that cannot be split), unsupported() says so and the caller runs it on the CPU instead.
//   - Every allocation is checked: a buffer the driver refuses (GL_OUT_OF_MEMORY) fails the pass with
//     a message naming the buffer and its size ("fc6's weights: the GPU cannot allocate … bytes"),
//     and the next pass asks for it again. The caller then runs the pass on the CPU.
// All calls must come from the thread the context is current on.
#pragma once

#include <memory>

#include "gl/context.h"
#include "gl/shader_library.h"
#include "nn/backend.h"

namespace convscope::gl {

struct GlBackendOptions {
    ShaderLibrary shaders;  // built in, or a directory (--shader-dir)
    // Fill every activation buffer with NaN before each pass, so an output a shader forgot to write
    // shows up as NaN instead of last pass's value (the tests turn it on).
    bool poison = false;
    // Check glGetError after every dispatch and name the layer when one is raised.
#ifdef NDEBUG
    bool check_errors = false;
#else
    bool check_errors = true;
#endif
};

std::unique_ptr<nn::Backend> make_gl_backend(GlContext& context, GlBackendOptions options = {});

}  // namespace convscope::gl
