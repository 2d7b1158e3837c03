// The animated sliding window's state: which position is shown, and the clock that moves it while
// playing. The geometry is read from the current analysis every time (kept only for the comparison
// that notices a change), so an edit of F, S, P, d or the input size shows at once.
#include <algorithm>
#include <cmath>

#include "app/app.h"

namespace convscope::app {

namespace {

// The window itself, not the size it slides over: a new input size keeps the position.
bool same_window(const WindowParams& a, const WindowParams& b) {
    return a.kernel == b.kernel && a.stride == b.stride && a.pad_begin == b.pad_begin &&
           a.pad_end == b.pad_end && a.dilation == b.dilation && a.rounding == b.rounding;
}

}  // namespace

std::optional<WindowResult> App::animation_axis(bool height) const {
    const Analysis& a = doc.analysis();
    if (selected_ < 0 || static_cast<size_t>(selected_) >= a.stages.size()) return std::nullopt;
    const Stage& st = a.stages[static_cast<size_t>(selected_)];
    if (!is_spatial_window(st.type)) return std::nullopt;
    return height ? st.dim_h : st.dim_w;
}

int64_t App::animation_steps() const {
    int64_t n = 0;
    for (const bool height : {false, true})
        if (const auto r = animation_axis(height); r && r->valid) n = std::max(n, r->out);
    return n;
}

void App::sync_animation() {
    WindowParams now[2];
    for (const bool height : {false, true})
        if (const auto r = animation_axis(height)) now[height ? 1 : 0] = r->p;
    const bool changed = animation_stage_ != selected_ || !same_window(now[0], animation_geometry_[0]) ||
                         !same_window(now[1], animation_geometry_[1]);
    if (changed) {
        // Another stage, or the same one with another F, S, P, d or rounding: from the first window.
        animation.step = 0;
        animation_carry_ = 0;
    }
    animation_stage_ = selected_;
    animation_geometry_[0] = now[0];
    animation_geometry_[1] = now[1];
    const int64_t n = animation_steps();
    animation.step = std::clamp<int64_t>(animation.step, 0, std::max<int64_t>(n - 1, 0));
    if (n == 0) animation.playing = false;  // nothing to slide
}

void App::set_animation_step(int64_t k) {
    sync_animation();
    animation.step = std::clamp<int64_t>(k, 0, std::max<int64_t>(animation_steps() - 1, 0));
    animation_carry_ = 0;
}

void App::play_animation(bool on) {
    sync_animation();
    const int64_t n = animation_steps();
    if (on && n > 0 && animation.step >= n - 1) animation.step = 0;  // at the end: play it again
    animation.playing = on && n > 0;
    animation_carry_ = 0;
    animation_clock_ = now_;
}

void App::advance_animation(double now_s) {
    sync_animation();
    // The time since the last frame, bounded: a long pause (a screenshot waiting for its pass, a
    // window that was hidden) continues the animation instead of jumping to its end.
    const double dt = animation_clock_ < 0 ? 0 : std::clamp(now_s - animation_clock_, 0.0, 0.5);
    animation_clock_ = now_s;
    if (!animation.playing) {
        animation_carry_ = 0;
        return;
    }
    const int64_t n = animation_steps();
    animation.speed = std::clamp(animation.speed, kMinAnimationSpeed, kMaxAnimationSpeed);
    animation_carry_ += dt * animation.speed;
    const double whole = std::floor(animation_carry_);
    animation_carry_ -= whole;
    int64_t next = animation.step + static_cast<int64_t>(whole);
    if (next > n - 1) {
        if (animation.loop) {
            // The last position stays for one step, then the first comes back.
            next = (next - n) % n;
        } else {
            next = n - 1;
            animation.playing = false;
        }
    }
    animation.step = next;
}

}  // namespace convscope::app
