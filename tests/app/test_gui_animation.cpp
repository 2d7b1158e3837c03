// "Convolution, animated" in the real window, on a virtual X display (xvfb-run; skipped with a message
// where it is missing): a script opens it on conv1 and steps it, and the screenshots show the window
// (its taps, its output positions) and change when the input goes from 227 to 224, where floor leaves
// one cell that no window reaches, drawn red. Every run passes --no-persist.
#include <doctest/doctest.h>

#include "gui_support.h"

using namespace convscope;
using namespace convscope::test;

namespace {

// Inside where the animation window first opens (14 % from the left, 72 % of the width; 12 % from the
// top, 66 % of the height), a little away from its edges, where other panels show beside it.
Region inside_animation(const nn::Image& img) {
    return {img.width * 15 / 100, img.height * 20 / 100, img.width * 855 / 1000, img.height * 76 / 100};
}

// view_animation.cpp's colours: the window's taps, a cell no window reaches, the output just produced.
int taps(const nn::Image& img) { return count_colour(img, inside_animation(img), 255, 222, 80); }
int never_reached(const nn::Image& img) { return count_colour(img, inside_animation(img), 222, 62, 62); }
int output_now(const nn::Image& img) { return count_colour(img, inside_animation(img), 130, 240, 150); }

}  // namespace

TEST_SUITE("app_gui_animation") {

TEST_CASE("the animation on conv1 steps, draws its window, and shows the cell 224 leaves uncovered") {
    SKIP_WITHOUT_XVFB();
    TempDir dir;
    const std::string mid = dir.file("mid.png"), end227 = dir.file("end227.png"), end224 = dir.file("end224.png");
    const Run r = run_script_in_window(dir, "select conv1\nanimation on\nanimation-step 10\nexpect-animation 11 55\n"
                                            "screenshot " + mid + "\nanimation-step end\nexpect-animation 55 55\n"
                                            "screenshot " + end227 + "\ninput 224x224\nexpect-animation 54 54\n"
                                            "expect-animation 54 54 column\nscreenshot " + end224 + "\n");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const nn::Image a = load_png(mid), b = load_png(end227), c = load_png(end224);
    REQUIRE(a.width == 1280);
    REQUIRE(a.height == 800);
    // Not blank: the window's taps and the output position lit, along a row and along a column.
    CHECK(taps(a) > 200);
    CHECK(output_now(a) > 40);
    CHECK(taps(b) > 200);
    // The window moved between position 11 and position 55.
    const Region g = inside_animation(a);
    CHECK(differing_pixels(a, b, g) > 500);
    // At 227 every cell is reached: the red is the legend's swatch alone. At 224 the last cell is not,
    // in both strips and their close-ups.
    const int legend = never_reached(a);
    CHECK(legend > 0);
    CHECK(legend < 300);
    CHECK(never_reached(b) == legend);
    CHECK(never_reached(c) > legend + 400);
    CHECK(differing_pixels(b, c, g) > 500);
}

}  // TEST_SUITE
