// The window's fonts: DejaVu Sans Mono for Latin text and the formulas' symbols (−, ×, ·, →, ≤, ⌊ ⌋,
// Greek), merged with WenQuanYi Micro Hei for Chinese, rasterised by FreeType. Both come from Debian
// packages (fonts-dejavu-core, fonts-wqy-microhei); without them ImGui's built-in font is used and
// what it lacks shows as '?'.
#pragma once

#include <string>
#include <vector>

namespace convscope::app {

struct FontReport {
    bool latin = false;    // DejaVu Sans Mono was found
    bool chinese = false;  // the CJK font was found and merged
    int chinese_glyphs = 0;  // ideographs and punctuation asked for
    double build_ms = 0;   // building the atlas
};

// Adds the fonts to ImGui's atlas at `scale` (the monitor's content scale) and builds it. Needs an
// ImGui context; the renderer uploads the atlas later. `extra_texts`: Chinese text beyond the
// translation catalogs (the tours) whose characters must be in the atlas.
FontReport load_fonts(float scale, const std::vector<std::string>& extra_texts = {});

// Where the CJK font is looked for, in order.
const char* const* chinese_font_paths();

}  // namespace convscope::app
