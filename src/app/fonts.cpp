#include "app/fonts.h"

#include <imgui.h>
#include <imgui_freetype.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "core/i18n.h"

namespace convscope::app {

namespace {

constexpr const char* kLatinFont = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
constexpr const char* kChineseFonts[] = {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                                         "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", nullptr};

// Latin-1, Greek, punctuation, arrows, mathematical operators, technical symbols, geometric shapes.
const ImWchar kLatinRanges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190, 0x21FF, 0x2200,
                                0x22FF, 0x2300, 0x23FF, 0x25A0, 0x25FF, 0};

}  // namespace

const char* const* chinese_font_paths() { return kChineseFonts; }

FontReport load_fonts(float scale, const std::vector<std::string>& extra_texts) {
    const auto start = std::chrono::steady_clock::now();
    FontReport report;
    ImGuiIO& io = ImGui::GetIO();
    // FreeType hints small CJK glyphs far better than stb_truetype, and reads .ttc collections.
    io.Fonts->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
    const float size = std::round(14.0f * scale);
    if (std::filesystem::exists(kLatinFont) && io.Fonts->AddFontFromFileTTF(kLatinFont, size, nullptr, kLatinRanges)) {
        report.latin = true;
    } else {
        ImFontConfig fallback;
        fallback.SizePixels = std::round(13.0f * scale);
        io.Fonts->AddFontDefault(&fallback);
    }
    const char* cjk = nullptr;
    for (const char* const* p = kChineseFonts; *p; ++p) {
        if (std::filesystem::exists(*p)) {
            cjk = *p;
            break;
        }
    }
    if (cjk) {
        // The 2,500 common ideographs (what a student types into a file name) plus every character
        // the translations use, so a rare one in a tour or a message still shows. The ranges must
        // outlive the atlas build: they are kept in a static vector.
        static ImVector<ImWchar> ranges;
        ranges.clear();
        ImFontGlyphRangesBuilder builder;
        builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
        for (const auto& [key, text] : catalog(Language::Chinese)) builder.AddText(text.c_str());
        for (const std::string& text : extra_texts) builder.AddText(text.c_str());
        builder.BuildRanges(&ranges);
        int glyphs = 0;
        for (int i = 0; i + 1 < ranges.Size; i += 2) glyphs += ranges[i + 1] - ranges[i] + 1;
        report.chinese_glyphs = glyphs;
        ImFontConfig merge;
        merge.MergeMode = true;
        merge.PixelSnapH = true;
        merge.OversampleH = 1;  // FreeType ignores oversampling; say so for the stb path too
        if (io.Fonts->AddFontFromFileTTF(cjk, size, &merge, ranges.Data)) report.chinese = true;
    }
    io.Fonts->Build();
    report.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace convscope::app
