#include "app/runner.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <new>
#include <thread>

#include "core/i18n.h"
#include "gl/context.h"
#include "gl/gl_backend.h"
#include "nn/kernels.h"

namespace convscope::app {

struct Runner::Impl {
    std::mutex m;
    std::condition_variable wake, idle;
    std::optional<PassRequest> waiting;
    std::optional<PassOutcome> done;
    bool running = false, stop = false;
    std::optional<bool> gl_ok;
    std::string gl_why;
    std::thread worker;

    // Worker-thread only.
    std::unique_ptr<nn::Backend> cpu;
    std::unique_ptr<gl::GlContext> gl_context;
    std::unique_ptr<nn::Backend> gl;
    int cpu_threads = -1;      // threads the CPU backend uses
    int requested_threads = -1;  // what the last request asked for (0 = all cores)

    nn::Backend* gl_backend() {
        if (!gl_context && !gl_ok.has_value()) {
            std::string why;
            gl_context = gl::GlContext::create_headless(why);
            std::lock_guard lock(m);
            gl_ok = gl_context != nullptr;
            gl_why = why;
        }
        if (!gl_context) return nullptr;
        gl_context->make_current();
        if (!gl) gl = gl::make_gl_backend(*gl_context);
        return gl.get();
    }

    std::string cpu_device() const {
        return cpu_threads == 1 ? tr("cpu (1 thread)") : tr("cpu ({0} threads)", cpu_threads);
    }

    // Runs `r` on the backend it asks for (the CPU when the GPU cannot), and on the other one too when
    // asked to compare.
    PassOutcome run(const PassRequest& r) {
        PassOutcome o;
        o.revision = r.revision;
        if (!cpu) cpu = nn::make_cpu_backend();
        if (requested_threads != r.threads) {
            cpu_threads = nn::set_threads(r.threads);
            requested_threads = r.threads;
        }
        nn::Backend* first = cpu.get();
        std::string first_device = cpu_device();
        nn::Backend* second = nullptr;
        std::string second_device;
        nn::Backend* g = r.backend == BackendKind::Gl || r.compare_both ? gl_backend() : nullptr;
        std::string gl_note;
        if (g) {
            if (auto why = g->unsupported(r.net, r.analysis)) {
                gl_note = tr("the GPU backend cannot run this network ({0})", *why);
                g = nullptr;
            }
        } else if (r.backend == BackendKind::Gl || r.compare_both) {
            gl_note = tr("the GPU backend is unavailable ({0})", gl_why);
        }
        const std::string gl_device = gl_context ? "gl: " + gl_context->info().summary() : "";
        if (r.backend == BackendKind::Gl) {
            if (g) {
                first = g;
                first_device = gl_device;
                if (r.compare_both) second = cpu.get(), second_device = cpu_device();
            } else {
                o.note = tr("{0}; running on the CPU instead", gl_note);
                if (r.compare_both) o.compare_error = gl_note;  // nothing to compare the CPU with
            }
        } else if (r.compare_both) {
            if (g)
                second = g, second_device = gl_device;
            else
                o.compare_error = gl_note;
        }
        const auto t0 = std::chrono::steady_clock::now();
        o.error = first->forward(r.net, r.analysis, *r.weights, *r.input, o.result);
        if (o.error && first != cpu.get()) {
            // A GPU fault (a shader that does not compile, a lost context, memory it cannot get) must
            // not leave the student without maps: the CPU runs the pass and the note says why.
            o.note = tr("the GPU pass failed ({0}); running on the CPU instead", *o.error);
            first = cpu.get();
            first_device = cpu_device();
            if (second == cpu.get()) second = nullptr;
            o.error = first->forward(r.net, r.analysis, *r.weights, *r.input, o.result);
        }
        o.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        o.device = first_device;
        if (second && !o.error) {
            nn::ForwardResult other;
            o.compared_with = second_device;
            if (auto e = second->forward(r.net, r.analysis, *r.weights, *r.input, other)) {
                o.compare_error = *e;
            } else {
                for (size_t l = 0; l < other.outputs.size() && l < o.result.outputs.size(); ++l) {
                    const nn::Tensor& a = o.result.outputs[l];
                    const nn::Tensor& b = other.outputs[l];
                    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
                        const double d = std::abs(double(a.data[i]) - b.data[i]);
                        if (d > o.max_abs_diff || std::isnan(d)) {
                            o.max_abs_diff = std::isnan(d) ? INFINITY : d;
                            const int64_t hw = a.shape.h * a.shape.w;
                            const int64_t c = static_cast<int64_t>(i) / hw, y = (static_cast<int64_t>(i) % hw) / a.shape.w,
                                          x = static_cast<int64_t>(i) % a.shape.w;
                            o.max_diff_at = r.net.layers[l].name + " (c " + std::to_string(c) + ", y " +
                                            std::to_string(y) + ", x " + std::to_string(x) + ")";
                        }
                    }
                }
            }
        }
        return o;
    }

    // run(), with anything it throws (out of memory for a huge network, a driver's exception) turned
    // into the pass's error: the worker thread must outlive every pass.
    PassOutcome run_guarded(const PassRequest& r) {
        try {
            return run(r);
        } catch (const std::bad_alloc&) {
            PassOutcome o;
            o.revision = r.revision;
            o.error = tr("not enough memory for this network's pass");
            return o;
        } catch (const std::exception& e) {
            PassOutcome o;
            o.revision = r.revision;
            o.error = tr("the pass stopped: {0}", e.what());
            return o;
        } catch (...) {
            PassOutcome o;
            o.revision = r.revision;
            o.error = tr("the pass stopped on an unknown error");
            return o;
        }
    }

    void loop() {
        std::unique_lock lock(m);
        for (;;) {
            wake.wait(lock, [&] { return stop || waiting.has_value(); });
            if (stop) break;
            PassRequest r = std::move(*waiting);
            waiting.reset();
            running = true;
            lock.unlock();
            PassOutcome o = run_guarded(r);
            lock.lock();
            running = false;
            done = std::move(o);
            if (!waiting) idle.notify_all();
        }
        // GL objects must go while their context is current, on this thread.
        lock.unlock();
        if (gl_context) gl_context->make_current();
        gl.reset();
        gl_context.reset();
    }
};

Runner::Runner() : impl_(std::make_unique<Impl>()) {
    impl_->worker = std::thread([this] { impl_->loop(); });
}

Runner::~Runner() {
    {
        std::lock_guard lock(impl_->m);
        impl_->stop = true;
    }
    impl_->wake.notify_all();
    impl_->worker.join();
}

void Runner::request(PassRequest r) {
    {
        std::lock_guard lock(impl_->m);
        impl_->waiting = std::move(r);
    }
    impl_->wake.notify_all();
}

bool Runner::busy() const {
    std::lock_guard lock(impl_->m);
    return impl_->running || impl_->waiting.has_value();
}

std::optional<PassOutcome> Runner::take() {
    std::lock_guard lock(impl_->m);
    std::optional<PassOutcome> o = std::move(impl_->done);
    impl_->done.reset();
    return o;
}

bool Runner::wait_idle(double timeout_s) {
    std::unique_lock lock(impl_->m);
    return impl_->idle.wait_for(lock, std::chrono::duration<double>(timeout_s),
                                [&] { return !impl_->running && !impl_->waiting.has_value(); });
}

std::optional<bool> Runner::gl_available() const {
    std::lock_guard lock(impl_->m);
    return impl_->gl_ok;
}

std::string Runner::gl_unavailable_reason() const {
    std::lock_guard lock(impl_->m);
    return impl_->gl_why;
}

}  // namespace convscope::app
