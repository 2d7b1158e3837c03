// The interface's languages in the app: the font atlas holds every character the translations use
// (no '?' boxes in Chinese), View › Language is remembered between runs, and a script switches it.
// What the switch does to the real window is tested in test_gui_window.cpp.
#include <doctest/doctest.h>

#include <imgui.h>
#include <imgui_internal.h>

#include <filesystem>
#include <set>

#include "app/fonts.h"
#include "app_support.h"
#include "core/file_io.h"
#include "core/tour.h"

using namespace convscope;
using namespace convscope::test;

namespace {

// Code points of a UTF-8 text.
std::vector<unsigned> code_points(const std::string& text) {
    std::vector<unsigned> out;
    const char* p = text.c_str();
    const char* end = p + text.size();
    while (p < end) {
        unsigned c = 0;
        const int n = ImTextCharFromUtf8(&c, p, end);
        if (n <= 0) break;
        out.push_back(c);
        p += n;
    }
    return out;
}

}  // namespace

TEST_CASE("the font atlas has a glyph for every character of every Chinese translation") {
    bool cjk_installed = false;
    for (const char* const* p = app::chinese_font_paths(); *p; ++p) cjk_installed |= std::filesystem::exists(*p);
    REQUIRE_MESSAGE(cjk_installed, "no CJK font: scripts/setup installs fonts-wqy-microhei");

    // The built-in tours' Chinese, as the window gathers it.
    const std::vector<std::string> tour_texts = tour_chinese_texts(load_tours().tours);
    REQUIRE(tour_texts.size() > 20);
    ImGui::CreateContext();
    const app::FontReport report = app::load_fonts(1.0f, tour_texts);
    CHECK(report.latin);
    CHECK(report.chinese);
    CHECK(report.chinese_glyphs > 2500);  // the common set and the catalogs' own characters
    MESSAGE("font atlas: " << report.chinese_glyphs << " Chinese glyphs, built in " << report.build_ms << " ms, "
                           << ImGui::GetIO().Fonts->TexWidth << "×" << ImGui::GetIO().Fonts->TexHeight);
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    std::set<unsigned> missing;
    size_t checked = 0;
    auto check_text = [&](const std::string& text) {
        for (unsigned c : code_points(text)) {
            if (c < 0x20 || c == '\n') continue;
            ++checked;
            if (!font->FindGlyphNoFallback(static_cast<ImWchar>(c))) missing.insert(c);
        }
    };
    for (const auto& [key, text] : catalog(Language::Chinese)) check_text(text);
    for (const std::string& text : tour_texts) check_text(text);
    for (unsigned c : missing) MESSAGE("no glyph for U+" << std::hex << c);
    CHECK(checked > 0);
    CHECK(missing.empty());
    // The atlas must fit the texture size every OpenGL 3.3 driver supports.
    CHECK(ImGui::GetIO().Fonts->TexWidth <= 8192);
    CHECK(ImGui::GetIO().Fonts->TexHeight <= 8192);
    ImGui::DestroyContext();
}

TEST_CASE("View › Language is remembered in settings.json, and only when the app keeps its files") {
    ScopedLanguage restore;
    ScratchConfig config;
    const std::string settings = (std::filesystem::path(app::App::config_dir()) / "settings.json").string();
    {
        app::App a;  // a test's App keeps no files
        a.set_language(Language::Chinese);
        CHECK(language() == Language::Chinese);
        CHECK_FALSE(std::filesystem::exists(settings));
        CHECK_FALSE(app::App::saved_language().has_value());
    }
    {
        app::App a;
        a.autosave_enabled = true;  // as the window has it
        a.set_language(Language::Chinese);
        CHECK(app::App::saved_language() == Language::Chinese);
        a.set_language(Language::English, false);  // --lang or a script: not remembered
        CHECK(app::App::saved_language() == Language::Chinese);
        a.set_language(Language::English);
        CHECK(app::App::saved_language() == Language::English);
        CHECK(state_of(a)["language"] == "en");
    }
    std::string e;
    REQUIRE(write_file_atomic(settings, "{\"language\": \"klingon\", \"other\": 1}", e));
    CHECK_FALSE(app::App::saved_language().has_value());
    REQUIRE(write_file_atomic(settings, "not json", e));
    CHECK_FALSE(app::App::saved_language().has_value());
    {
        // A broken file is replaced, and what else a sound one holds is kept.
        app::App a;
        a.autosave_enabled = true;
        a.set_language(Language::Chinese);
        CHECK(app::App::saved_language() == Language::Chinese);
        REQUIRE(write_file_atomic(settings, "{\"language\": \"en\", \"other\": 1}", e));
        a.set_language(Language::Chinese);
        const auto j = nlohmann::json::parse(read_file(settings, e).value_or("{}"));
        CHECK(j["other"] == 1);
        CHECK(j["language"] == "zh");
    }
}

TEST_CASE("a script switches the language, and state_json says which is on") {
    ScopedLanguage restore;
    app::App a;
    CHECK(run_script(a, "language zh\n").error.empty());
    CHECK(state_of(a)["language"] == "zh");
    CHECK(run_script(a, "language en\n").error.empty());
    CHECK(state_of(a)["language"] == "en");
    std::string error;
    CHECK_FALSE(app::Script::parse("language fr\n", "test.script", error));
    CHECK(contains(error, "expected en or zh"));
}
