#include "gl/gl_backend.h"

#include <epoxy/gl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <utility>

#include "core/i18n.h"
#include "gl/program.h"

namespace convscope::gl {

namespace {

// Work-group width of the one-thread-per-value kernels (their local_size_x).
constexpr int64_t kGroup = 256;

const char* gl_error_name(GLenum e) {
    switch (e) {
        case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
        case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
        case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
        case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
        case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
        case GL_CONTEXT_LOST: return "GL_CONTEXT_LOST";  // a GPU reset: every call after it does nothing
        default: return "an unknown GL error";
    }
}

// "GL_OUT_OF_MEMORY (0x0505)"
std::string gl_error_text(GLenum e) {
    char code[16];
    std::snprintf(code, sizeof code, "0x%04x", e);
    std::string msg = gl_error_name(e);
    msg += " (";
    msg += code;
    msg += ")";
    return msg;
}

// The first pending GL error, or GL_NO_ERROR; the error queue is emptied either way.
GLenum take_first_gl_error() {
    const GLenum e = glGetError();
    if (e != GL_NO_ERROR)
        while (glGetError() != GL_NO_ERROR) {
        }
    return e;
}

// The first pending GL error as a message, or nothing (and the error queue emptied).
std::optional<std::string> take_gl_error(const std::string& where) {
    const GLenum e = take_first_gl_error();
    if (e == GL_NO_ERROR) return std::nullopt;
    std::string msg = where;
    msg += ": ";
    msg += gl_error_text(e);
    return msg;
}

// The message for a buffer the device would not give: what it was for, its size and the driver's word.
std::string no_room(const std::string& what, int64_t bytes, const std::string& reason) {
    return tr("{0}: the GPU cannot allocate {1} bytes ({2})", what, bytes, reason);
}

// A GL buffer object that knows its size; reallocated only when a larger one is needed.
class Buffer {
public:
    Buffer() = default;
    ~Buffer() {
        if (id_) glDeleteBuffers(1, &id_);
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    Buffer(Buffer&& o) noexcept : id_(std::exchange(o.id_, 0)), bytes_(std::exchange(o.bytes_, 0)) {}
    Buffer& operator=(Buffer&& o) noexcept {
        std::swap(id_, o.id_);
        std::swap(bytes_, o.bytes_);
        return *this;
    }

    GLuint id() const { return id_; }
    int64_t bytes() const { return bytes_; }
    // Makes room for `bytes` (contents undefined), keeping the old buffer when it is large enough.
    // When the driver cannot allocate them (GL_OUT_OF_MEMORY: the device is full, or the size is past
    // what it can address) returns the GL error and drops the buffer, so that the next pass asks again
    // instead of writing to a store that does not exist.
    std::optional<std::string> reserve(int64_t bytes) {
        if (id_ && bytes_ >= bytes) return std::nullopt;
        if (!id_) glGenBuffers(1, &id_);
        glBindBuffer(GL_SHADER_STORAGE_BUFFER, id_);
        const int64_t want = std::max<int64_t>(bytes, 4);
        glBufferData(GL_SHADER_STORAGE_BUFFER, want, nullptr, GL_DYNAMIC_COPY);
        GLint64 got = 0;
        glGetBufferParameteri64v(GL_SHADER_STORAGE_BUFFER, GL_BUFFER_SIZE, &got);
        const GLenum e = take_first_gl_error();
        if (e == GL_NO_ERROR && got >= want) {
            bytes_ = bytes;
            return std::nullopt;
        }
        glDeleteBuffers(1, &id_);
        id_ = 0;
        bytes_ = 0;
        if (e != GL_NO_ERROR) return gl_error_text(e);
        return tr("the driver gave {0} bytes", got);
    }
    std::optional<std::string> upload(const float* data, int64_t count) {
        if (auto e = reserve(count * 4)) return e;
        glBindBuffer(GL_SHADER_STORAGE_BUFFER, id_);
        glBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, count * 4, data);
        return std::nullopt;
    }

private:
    GLuint id_ = 0;
    int64_t bytes_ = 0;
};

// "#define NAME value" lines for a shader variant.
class Defines {
public:
    Defines& operator()(const char* name, int64_t v) {
        text_ += "#define ";
        text_ += name;
        text_ += ' ';
        text_ += std::to_string(v);
        text_ += '\n';
        return *this;
    }
    Defines& real(const char* name, double v) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.9g", v);
        std::string s = buf;
        if (s.find_first_of(".en") == std::string::npos) s += ".0";  // a float literal, not an int
        text_ += "#define ";
        text_ += name;
        text_ += ' ';
        text_ += s;
        text_ += '\n';
        return *this;
    }
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

// What one layer does on the GPU, decided once per network.
struct Step {
    enum class Kind { Dispatch, Alias, WrittenByPrevious } kind = Kind::Dispatch;
    std::string kernel;  // shader name
    std::string defines;
    const Program* program = nullptr;
    int64_t groups[3] = {1, 1, 1};
    bool relu_out = false;   // also writes the next layer's (ReLU) output
    bool has_params = false; // binds weight (1) and bias (2)
    bool has_bias = false;
    int64_t count = 0;       // values in the output
    int64_t fc_in = 0, fc_rows_per_slice = 0;  // fc: the weight buffer is bound a slice of rows at a time
    int buffer = -1;         // index into activation buffers this layer's output lives in
};

// Elementwise kernels index values as x + y·(groups in x)·256, so large tensors fit the dispatch limits.
void spread_groups(int64_t count, int64_t max_x, int64_t groups[3]) {
    int64_t total = (count + kGroup - 1) / kGroup;
    groups[0] = std::min(total, max_x);
    groups[1] = (total + groups[0] - 1) / groups[0];
    groups[2] = 1;
}

class GlBackend final : public nn::Backend {
public:
    GlBackend(GlContext& ctx, GlBackendOptions opt) : ctx_(ctx), opt_(std::move(opt)) {}

    ~GlBackend() override {
        if (!queries_.empty()) glDeleteQueries(static_cast<GLsizei>(queries_.size()), queries_.data());
    }

    std::string name() const override { return "gl"; }

    void set_read_back_all(bool all) override { read_back_all_ = all; }

    std::optional<std::string> unsupported(const Network& net, const Analysis& a) const override {
        const GlInfo& info = ctx_.info();
        const int64_t limit = info.max_ssbo_bytes;
        constexpr int64_t kIndexMax = std::numeric_limits<int32_t>::max();  // shaders index with int
        auto too_big = [&](const std::string& layer, const std::string& what,
                           int64_t values) -> std::optional<std::string> {
            if (values * 4 > limit || values > kIndexMax)
                return tr("{0}: its {1} ({2} bytes) is larger than one shader storage block may be on this device ({3} "
                          "bytes)",
                          layer, what, values * 4, limit);
            return std::nullopt;
        };
        if (auto e = too_big("input", tr("tensor"), net.input.count())) return e;
        for (size_t i = 0; i < net.layers.size() && i < a.stages.size(); ++i) {
            const Stage& st = a.stages[i];
            const Layer& l = net.layers[i];
            if (!st.output || !st.input) continue;
            if (auto e = too_big(l.name, tr("output"), st.output->count())) return e;
            if (l.type == LayerType::Conv) {
                const int64_t k = st.input->c / l.groups * l.kernel.h * l.kernel.w;
                if (auto e = too_big(l.name, tr("weight tensor"), int64_t{l.out} * k)) return e;
            }
            if (l.type == LayerType::Fc) {
                // Sliced by rows, so only one row must fit (and the row offsets must line up).
                if (auto e = too_big(l.name, tr("weight row"), st.input->count())) return e;
            }
        }
        return std::nullopt;
    }

    std::optional<std::string> forward(const Network& net, const Analysis& a, const nn::NetworkWeights& w,
                                       const nn::Tensor& input, nn::ForwardResult& r) override {
        const auto start = std::chrono::steady_clock::now();
        if (auto e = nn::check_analysis(net, a)) return e;
        if (auto e = nn::check_input(net, input)) return e;
        if (auto e = nn::check_weights(net, a, w)) return e;
        if (auto e = unsupported(net, a)) return e;
        ctx_.make_current();
        take_gl_error("before the pass");  // not ours: start clean

        if (!(net == planned_net_)) {
            if (auto e = plan(net, a)) {
                planned_net_ = Network{};
                return e;
            }
            planned_net_ = net;
            uploaded_ = {};  // the weight buffers follow the layers
        }
        const WeightsKey key = weights_key(w);
        if (!(key == uploaded_)) {
            if (auto e = upload_weights(net, w)) return e;
            if (auto e = take_gl_error(tr("uploading the weights"))) return e;
            uploaded_ = key;
        }
        if (auto e = input_.upload(input.ptr(), static_cast<int64_t>(input.size())))
            return no_room(tr("the input"), static_cast<int64_t>(input.size()) * 4, *e);
        if (opt_.poison) poison();
        if (auto e = take_gl_error(tr("uploading the input"))) return e;

        const bool timed = ctx_.info().timer_queries;
        if (timed) glQueryCounter(queries_[0], GL_TIMESTAMP);
        for (size_t i = 0; i < steps_.size(); ++i) {
            dispatch(i);
            if (timed) glQueryCounter(queries_[i + 1], GL_TIMESTAMP);
            if (opt_.check_errors)
                if (auto e = take_gl_error("layer " + net.layers[i].name + " (" + steps_[i].kernel + ")")) return e;
        }

        glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
        r.outputs.resize(net.layers.size());
        for (size_t i = 0; i < net.layers.size(); ++i) {
            nn::Tensor& out = r.outputs[i];
            out.resize(*a.stages[i].output);
            if (!read_back_all_ && i + 1 < net.layers.size()) continue;
            glBindBuffer(GL_SHADER_STORAGE_BUFFER, activations_[static_cast<size_t>(steps_[i].buffer)].id());
            glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, static_cast<GLsizeiptr>(out.size() * 4), out.ptr());
        }
        if (auto e = take_gl_error(tr("reading the results back"))) return e;

        r.ms.assign(net.layers.size(), 0.0);
        if (timed) {
            std::vector<GLuint64> t(queries_.size());
            for (size_t i = 0; i < t.size(); ++i) glGetQueryObjectui64v(queries_[i], GL_QUERY_RESULT, &t[i]);
            for (size_t i = 0; i < steps_.size(); ++i) r.ms[i] = static_cast<double>(t[i + 1] - t[i]) * 1e-6;
        }
        r.total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        return std::nullopt;
    }

private:
    // Which weights are on the device: the object, its revision, and a sample of every tensor's values,
    // so that weights loaded or regenerated into the same object are noticed without reading them all.
    struct WeightsKey {
        const nn::NetworkWeights* object = nullptr;
        uint64_t revision = 0;
        uint64_t sample = 0;
        friend bool operator==(const WeightsKey&, const WeightsKey&) = default;
    };

    static uint64_t mix(uint64_t h, uint64_t v) {
        h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
        return h;
    }

    static uint64_t sample_values(uint64_t h, const nn::FloatBuffer& b) {
        h = mix(h, b.size());
        if (b.empty()) return h;
        const size_t step = std::max<size_t>(1, b.size() / 61);
        for (size_t i = 0; i < b.size(); i += step) {
            uint32_t bits;
            std::memcpy(&bits, &b[i], 4);
            h = mix(h, bits);
        }
        uint32_t last;
        std::memcpy(&last, &b.back(), 4);
        return mix(h, last);
    }

    static WeightsKey weights_key(const nn::NetworkWeights& w) {
        uint64_t h = w.layers.size();
        for (const auto& lw : w.layers) h = sample_values(sample_values(h, lw.weight), lw.bias);
        return {&w, w.revision, h};
    }

    const Program* program(const std::string& kernel, const std::string& defines, std::string& error) {
        const std::string key = kernel + '\n' + defines;
        if (auto it = programs_.find(key); it != programs_.end()) return &it->second;
        auto source = opt_.shaders.source(kernel, error);
        if (!source) return nullptr;
        auto p = Program::compile(opt_.shaders.origin(kernel), *source, defines, error);
        if (!p) return nullptr;
        return &programs_.emplace(key, std::move(*p)).first->second;
    }

    // Layer i's output buffer, or why the device cannot hold it.
    std::optional<std::string> allocate_output(size_t i, const std::string& layer, int64_t values) {
        if (auto e = activations_[i].reserve(values * 4)) return no_room(tr("{0}'s output", layer), values * 4, *e);
        return std::nullopt;
    }

    // Decides every layer's kernel, shader variant, dispatch size and output buffer.
    std::optional<std::string> plan(const Network& net, const Analysis& a) {
        const GlInfo& info = ctx_.info();
        const size_t n = net.layers.size();
        steps_.assign(n, Step{});
        activations_.clear();
        activations_.resize(n);  // at most one per layer; aliases leave some unused
        for (size_t i = 0; i < n; ++i) {
            const Layer& l = net.layers[i];
            const Shape3 in = *a.stages[i].input, out = *a.stages[i].output;
            Step& s = steps_[i];
            s.buffer = static_cast<int>(i);
            s.count = out.count();
            if (s.kind == Step::Kind::WrittenByPrevious) {
                if (auto e = allocate_output(i, l.name, out.count())) return e;
                continue;
            }
            const bool next_relu = i + 1 < n && net.layers[i + 1].type == LayerType::Relu;
            Defines d;
            switch (l.type) {
                case LayerType::Conv: {
                    const int64_t mg = out.c / l.groups, positions = out.h * out.w;
                    // Small layers get smaller tiles, so that more work groups keep the device busy.
                    const int64_t big = ((positions + 63) / 64) * ((mg + 63) / 64) * l.groups;
                    const int64_t tm = big >= 64 || mg > 32 ? 64 : 32, tn = big >= 64 ? 64 : 32;
                    s.kernel = "conv";
                    d("C_IN", in.c)("H", in.h)("W", in.w)("HO", out.h)("WO", out.w)("KH", l.kernel.h)(
                        "KW", l.kernel.w)("SH", l.stride.h)("SW", l.stride.w)("DH", l.dilation.h)("DW", l.dilation.w)(
                        "PT", l.pad.top)("PL", l.pad.left)("CG", in.c / l.groups)("MG", mg)("GROUPS", l.groups)(
                        "HAS_BIAS", l.bias)("RELU_OUT", next_relu)("TM", tm)("TN", tn)("TK", 16);
                    s.groups[0] = (positions + tn - 1) / tn;
                    s.groups[1] = (mg + tm - 1) / tm;
                    s.groups[2] = l.groups;
                    s.has_params = true;
                    s.has_bias = l.bias;
                    s.relu_out = next_relu;
                    break;
                }
                case LayerType::Fc: {
                    const int64_t k = in.count();
                    const bool vec4 = k % 4 == 0;
                    s.kernel = "fc";
                    d("IN", k)("OUT", out.c)("HAS_BIAS", l.bias)("RELU_OUT", next_relu)("VEC4", vec4);
                    // Slices of whole rows that fit one binding; every slice after the first must start
                    // on an offset the device allows.
                    const int64_t row_bytes = k * 4;
                    int64_t rows = std::max<int64_t>(1, info.max_ssbo_bytes / row_bytes);
                    rows = std::min<int64_t>({rows, out.c, info.max_groups[0]});
                    if (rows < out.c) {
                        const int64_t align = std::max<int64_t>(1, info.ssbo_offset_alignment);
                        while (rows > 1 && (rows * row_bytes) % align != 0) --rows;
                        if ((rows * row_bytes) % align != 0)
                            return tr("{0}: its weight rows cannot be bound a slice at a time on this device", l.name);
                    }
                    s.fc_in = k;
                    s.fc_rows_per_slice = rows;
                    s.has_params = true;
                    s.has_bias = l.bias;
                    s.relu_out = next_relu;
                    break;
                }
                case LayerType::MaxPool:
                    s.kernel = "maxpool";
                    d("C", in.c)("H", in.h)("W", in.w)("HO", out.h)("WO", out.w)("KH", l.kernel.h)("KW", l.kernel.w)(
                        "SH", l.stride.h)("SW", l.stride.w)("DH", l.dilation.h)("DW", l.dilation.w)("PT", l.pad.top)(
                        "PL", l.pad.left)("RELU_OUT", next_relu);
                    s.relu_out = next_relu;
                    spread_groups(out.count(), info.max_groups[0], s.groups);
                    break;
                case LayerType::AvgPool:
                    s.kernel = "avgpool";
                    d("C", in.c)("H", in.h)("W", in.w)("HO", out.h)("WO", out.w)("KH", l.kernel.h)("KW", l.kernel.w)(
                        "SH", l.stride.h)("SW", l.stride.w)("PT", l.pad.top)("PL", l.pad.left)("PB", l.pad.bottom)(
                        "PR", l.pad.right)("COUNT_INCLUDE_PAD", l.count_include_pad);
                    spread_groups(out.count(), info.max_groups[0], s.groups);
                    break;
                case LayerType::AdaptiveAvgPool:
                    s.kernel = "adaptive_avgpool";
                    d("C", in.c)("H", in.h)("W", in.w)("HO", out.h)("WO", out.w);
                    spread_groups(out.count(), info.max_groups[0], s.groups);
                    break;
                case LayerType::Lrn: {
                    const int64_t before = (l.lrn_size - 1) / 2;
                    d("C", in.c)("H", in.h)("W", in.w)("BEFORE", before)("AFTER", l.lrn_size - 1 - before)
                        .real("LRN_K", l.k)
                        .real("A", l.alpha_over_size ? l.alpha / l.lrn_size : l.alpha)
                        .real("BETA", l.beta)("RELU_OUT", next_relu);
                    s.kernel = "lrn";
                    s.relu_out = next_relu;
                    spread_groups(out.count(), info.max_groups[0], s.groups);
                    break;
                }
                case LayerType::Relu:
                    s.kernel = "relu";
                    d("COUNT", out.count());
                    spread_groups(out.count(), info.max_groups[0], s.groups);
                    break;
                case LayerType::Softmax:
                    s.kernel = "softmax";
                    d("COUNT", out.count());
                    break;
                case LayerType::Dropout:  // identity at inference: the same buffer, read again
                case LayerType::Flatten:  // the same values, read as one vector
                    s.kind = Step::Kind::Alias;
                    s.buffer = i == 0 ? -1 : steps_[i - 1].buffer;
                    break;
            }
            if (s.kind == Step::Kind::Alias) {
                if (s.buffer < 0) {  // a first layer that only passes the input on: copy it
                    s.kind = Step::Kind::Dispatch;
                    s.kernel = "copy";
                    s.buffer = static_cast<int>(i);
                    if (auto e = allocate_output(i, l.name, out.count())) return e;
                }
                continue;
            }
            if (s.relu_out) steps_[i + 1].kind = Step::Kind::WrittenByPrevious;
            if (auto e = allocate_output(i, l.name, out.count())) return e;
            if (s.kernel == "copy") continue;
            s.defines = d.text();
            std::string error;
            s.program = program(s.kernel, s.defines, error);
            if (!s.program) return error;
        }
        weights_.clear();
        weights_.resize(n);
        biases_.clear();
        biases_.resize(n);
        if (!queries_.empty()) glDeleteQueries(static_cast<GLsizei>(queries_.size()), queries_.data());
        queries_.assign(n + 1, 0);
        glGenQueries(static_cast<GLsizei>(queries_.size()), queries_.data());
        if (auto e = take_gl_error(tr("allocating the activation buffers"))) return e;
        return std::nullopt;
    }

    std::optional<std::string> upload_weights(const Network& net, const nn::NetworkWeights& w) {
        for (size_t i = 0; i < net.layers.size(); ++i) {
            if (!steps_[i].has_params) continue;
            const auto& lw = w.layers[i];
            const auto n = static_cast<int64_t>(lw.weight.size()), nb = static_cast<int64_t>(lw.bias.size());
            if (auto e = weights_[i].upload(lw.weight.data(), n)) return no_room(tr("{0}'s weights", net.layers[i].name), n * 4, *e);
            if (nb > 0)
                if (auto e = biases_[i].upload(lw.bias.data(), nb)) return no_room(tr("{0}'s bias", net.layers[i].name), nb * 4, *e);
        }
        return std::nullopt;
    }

    void poison() {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        for (auto& b : activations_) {
            if (!b.id()) continue;
            glBindBuffer(GL_SHADER_STORAGE_BUFFER, b.id());
            glClearBufferData(GL_SHADER_STORAGE_BUFFER, GL_R32F, GL_RED, GL_FLOAT, &nan);
        }
    }

    GLuint input_buffer_of(size_t i) const {
        if (i == 0) return input_.id();
        const int b = steps_[i - 1].buffer;
        return b < 0 ? input_.id() : activations_[static_cast<size_t>(b)].id();
    }

    void dispatch(size_t i) {
        const Step& s = steps_[i];
        if (s.kind != Step::Kind::Dispatch) return;
        const GLuint in = input_buffer_of(i);
        const GLuint out = activations_[static_cast<size_t>(s.buffer)].id();
        if (s.kernel == "copy") {
            glBindBuffer(GL_COPY_READ_BUFFER, in);
            glBindBuffer(GL_COPY_WRITE_BUFFER, out);
            glCopyBufferSubData(GL_COPY_READ_BUFFER, GL_COPY_WRITE_BUFFER, 0, 0, s.count * 4);
            glMemoryBarrier(GL_SHADER_STORAGE_BARRIER_BIT);
            return;
        }
        glUseProgram(s.program->id());
        glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, in);
        glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 3, out);
        if (s.relu_out) glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 4, activations_[i + 1].id());
        if (s.has_bias) glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 2, biases_[i].id());
        if (s.kernel == "fc") {
            const int64_t rows_total = s.count;
            const GLint row0_loc = glGetUniformLocation(s.program->id(), "u_row0");
            for (int64_t row0 = 0; row0 < rows_total; row0 += s.fc_rows_per_slice) {
                const int64_t rows = std::min(s.fc_rows_per_slice, rows_total - row0);
                glBindBufferRange(GL_SHADER_STORAGE_BUFFER, 1, weights_[i].id(), row0 * s.fc_in * 4,
                                  rows * s.fc_in * 4);
                glUniform1i(row0_loc, static_cast<GLint>(row0));
                glDispatchCompute(static_cast<GLuint>(rows), 1, 1);
            }
        } else {
            if (s.has_params) glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 1, weights_[i].id());
            glDispatchCompute(static_cast<GLuint>(s.groups[0]), static_cast<GLuint>(s.groups[1]),
                              static_cast<GLuint>(s.groups[2]));
        }
        glMemoryBarrier(GL_SHADER_STORAGE_BARRIER_BIT);
    }

    GlContext& ctx_;
    GlBackendOptions opt_;
    bool read_back_all_ = true;
    Network planned_net_;
    WeightsKey uploaded_;
    std::vector<Step> steps_;
    std::map<std::string, Program> programs_;  // compiled variants, by kernel and defines
    Buffer input_;
    std::vector<Buffer> activations_, weights_, biases_;
    std::vector<GLuint> queries_;
};

}  // namespace

std::unique_ptr<nn::Backend> make_gl_backend(GlContext& context, GlBackendOptions options) {
    return std::make_unique<GlBackend>(context, std::move(options));
}

}  // namespace convscope::gl
