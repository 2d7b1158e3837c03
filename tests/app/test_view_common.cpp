// The editing panels' shared text helpers: Chinese text is broken into lines between characters
// (ImGui itself breaks only at spaces), never before closing punctuation, and text without CJK
// characters is left for ImGui to wrap.
#include <doctest/doctest.h>

#include <imgui.h>

#include "app/view_common.h"

using namespace convscope::app;

namespace {

// An ImGui frame with the built-in font (ProggyClean, 13 px): every character, a CJK one drawn as the
// fallback glyph included, is 7 px wide, so widths in the tests are counts of characters × 7.
struct Frame {
    Frame() {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.Fonts->AddFontDefault();
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        io.DisplaySize = ImVec2(800, 600);
        io.DeltaTime = 1.0f / 60;
        io.IniFilename = nullptr;
        ImGui::NewFrame();
        ImGui::Begin("text");
    }
    ~Frame() {
        ImGui::End();
        ImGui::EndFrame();
        ImGui::DestroyContext();
    }
};

}  // namespace

TEST_CASE("wrap_text breaks Chinese between characters, at the width given") {
    Frame f;
    REQUIRE(ImGui::CalcTextSize("一二").x == doctest::Approx(14.0f));
    CHECK(wrap_text("一二三四五六七八九十甲乙", 35) == "一二三四五\n六七八九十\n甲乙");
    CHECK(wrap_text("一二三四五六七八九十甲乙", 34) == "一二三四\n五六七八\n九十甲乙");
    // Paragraphs stay paragraphs, each wrapped on its own.
    CHECK(wrap_text("一二三四五六\n七八", 35) == "一二三四五\n六\n七八");
}

TEST_CASE("wrap_text keeps closing punctuation on the line it closes and drops blanks at a break") {
    Frame f;
    // "，" may not begin a line: the break moves one character back.
    CHECK(wrap_text("一二三四五，六七", 35) == "一二三四\n五，六七");
    // "（" may not end one: it goes to the next line with what it opens.
    CHECK(wrap_text("一二三四（五六", 35) == "一二三四\n（五六");
    // A space is a break too; the blank before the break is not kept.
    CHECK(wrap_text("步长 4 时窗口", 35) == "步长 4\n时窗口");
}

TEST_CASE("wrap_text leaves text without CJK characters to ImGui") {
    Frame f;
    const std::string english = "the window slides over the padded input";
    CHECK(wrap_text(english, 35) == english);
    CHECK(wrap_text("一二三", 0) == "一二三");  // no width: nothing to do
}
