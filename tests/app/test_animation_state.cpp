// The animated window's state in the App, without a window: the position follows the clock while
// playing, starts again when the stage or its window changes, is clamped when a new input size leaves
// fewer positions, and the script steps set and check it.
#include <doctest/doctest.h>

#include "app_support.h"

using namespace convscope;
using namespace convscope::test;
using convscope::app::App;

namespace {

void set_stride(App& a, size_t layer, int s) {
    a.edit("stride", [&](Network& n) { n.layers[layer].stride = {s, s}; });
}

}  // namespace

TEST_SUITE("app_animation") {

TEST_CASE("conv1 of Caffe's AlexNet animates 55 positions along a row and along a column") {
    App a;
    CHECK_FALSE(a.animation.open);
    CHECK(a.animation.step == 0);
    const auto row = a.animation_axis(false), column = a.animation_axis(true);
    REQUIRE(row);
    REQUIRE(column);
    CHECK(row->out == 55);
    CHECK(column->out == 55);
    CHECK(row->p.kernel == 11);
    CHECK(row->p.stride == 4);
    CHECK(a.animation_steps() == 55);
    a.set_animation_step(100);
    CHECK(a.animation.step == 54);
    a.set_animation_step(-3);
    CHECK(a.animation.step == 0);
}

TEST_CASE("playing moves one position per 1/speed seconds of the clock and stops at the last") {
    App a;
    a.frame(10.0);
    a.animation.speed = 4;
    a.play_animation(true);
    CHECK(a.animation.playing);
    a.frame(10.25);
    CHECK(a.animation.step == 1);
    a.frame(10.5);
    CHECK(a.animation.step == 2);
    a.frame(10.625);  // half a position: not yet
    CHECK(a.animation.step == 2);
    a.frame(10.75);
    CHECK(a.animation.step == 3);
    // A long pause counts as at most half a second: two positions, not forty.
    a.frame(20.75);
    CHECK(a.animation.step == 5);
    // Paused, the clock changes nothing.
    a.play_animation(false);
    a.frame(21.0);
    CHECK(a.animation.step == 5);
    // At the end it stops on the last position.
    a.set_animation_step(53);
    a.play_animation(true);
    a.frame(21.5);
    CHECK(a.animation.step == 54);
    CHECK_FALSE(a.animation.playing);
    // Play at the last position starts from the first.
    a.play_animation(true);
    CHECK(a.animation.step == 0);
    CHECK(a.animation.playing);
}

TEST_CASE("with loop on, the last position is followed by the first") {
    App a;
    a.frame(1.0);
    a.animation.speed = 4;
    a.animation.loop = true;
    a.set_animation_step(53);
    a.play_animation(true);
    a.frame(1.25);
    CHECK(a.animation.step == 54);
    a.frame(1.5);
    CHECK(a.animation.step == 0);
    CHECK(a.animation.playing);
}

TEST_CASE("a new stride or another stage starts again from the first window") {
    App a;
    a.frame(0);
    a.set_animation_step(20);
    set_stride(a, 0, 2);  // (227 − 11)/2 + 1 = 109
    a.frame(0.01);
    CHECK(a.animation.step == 0);
    CHECK(a.animation_steps() == 109);
    a.set_animation_step(100);
    CHECK(a.animation.step == 100);
    // Undo is a change of the window too.
    a.undo();
    a.frame(0.02);
    CHECK(a.animation.step == 0);
    CHECK(a.animation_steps() == 55);
    // pool1 (3, stride 2, ceil) on 55: 27 positions, from the first.
    a.set_animation_step(30);
    a.select(static_cast<int>(layer_index(a.doc.network(), "pool1")));
    a.frame(0.03);
    CHECK(a.animation.step == 0);
    CHECK(a.animation_steps() == 27);
}

TEST_CASE("a stage without a window has nothing to animate and stops playing") {
    App a;
    a.frame(0);
    a.set_animation_step(7);
    a.play_animation(true);
    a.select(static_cast<int>(layer_index(a.doc.network(), "relu1")));
    a.frame(0.1);
    CHECK_FALSE(a.animation_axis(false));
    CHECK(a.animation_steps() == 0);
    CHECK(a.animation.step == 0);
    CHECK_FALSE(a.animation.playing);
    a.play_animation(true);
    CHECK_FALSE(a.animation.playing);
    a.select(-1);  // the input
    a.frame(0.2);
    CHECK(a.animation_steps() == 0);
}

TEST_CASE("a smaller input keeps the position, clamped to the new last one: 55 at 227, 54 at 224") {
    App a;
    a.frame(0);
    a.set_animation_step(54);  // the last window at 227: 216 … 226
    a.set_input_size(3, 224, 224);
    a.frame(0.01);
    CHECK(a.animation_steps() == 54);
    CHECK(a.animation.step == 53);  // the last window at 224: 212 … 222
    a.set_animation_step(40);
    a.set_input_size(3, 227, 227);
    a.frame(0.02);
    CHECK(a.animation.step == 40);  // still there: the window did not change
}

TEST_CASE("the script steps open, set, play and check the animation") {
    App a;
    const auto r = run_script(a,
                              "select conv1\nanimation on\nanimation-step 10\nexpect-animation 11 55\n"
                              "expect-animation 11 55 column\nanimation-step end\nexpect-animation 55\n"
                              "input 224x224\nexpect-animation 54 54\nset stride 2\nexpect-animation 1 107\n"
                              "animation-speed 60\nanimation-play on\nframes 30\nexpect-shape input 3 224 224\n");
    CHECK_MESSAGE(r.error.empty(), r.error);
    CHECK(a.animation.open);
    // 30 frames of 1/60 s at 60 positions per second: about 30 positions further on.
    CHECK(a.animation.playing);
    CHECK(a.animation.step >= 25);
    CHECK(a.animation.step <= 32);
    // A wrong count fails the script, naming what there is.
    App b;
    const auto wrong = run_script(b, "select conv1\nanimation-step 3\nexpect-animation 5\n");
    CHECK(contains(wrong.error, "expected 5 positions along a row, but there are 4 of 55"));
    const auto none = run_script(b, "select relu1\nexpect-animation 1\n");
    CHECK(contains(none.error, "has no window to animate"));
    std::string e;
    CHECK_FALSE(app::Script::parse("expect-animation 1 2 3 row\n", "t", e));
    CHECK_FALSE(app::Script::parse("animation-speed 1000\n", "t", e));
    CHECK(contains(e, "the speed must be in [0.25, 120]"));
}

}  // TEST_SUITE
