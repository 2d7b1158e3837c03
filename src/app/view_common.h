// Small pieces the editing panels share: core text made showable in the window's font, the status
// colours of stages, a hover note for the previous item, and byte counts in words.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/shape_engine.h"

namespace convscope::app {

// The core writes formulas with −, →, ≥, … . Characters the current font has no glyph for are
// replaced by ASCII stand-ins ("-", "->", ">=", "..."), so nothing shows as '?'; with a font that
// has them, the text comes back unchanged.
std::string ui_text(std::string_view s);

// `s` with line breaks put in so that no line is wider than `width` pixels in the current font.
// ImGui breaks lines only at spaces, and Chinese has few: here a line may also break between any
// two CJK characters, though not before closing punctuation (，。）…) nor after opening (（“).
// Text without CJK characters comes back unchanged, for ImGui to wrap as before.
std::string wrap_text(std::string_view s, float width);

// TextUnformatted / TextWrapped of ui_text(s), optionally coloured (no printf formatting, so a
// '%' in a name is harmless). The wrapped forms break Chinese text as wrap_text does.
void show_text(std::string_view s);
void show_wrapped(std::string_view s);
void show_wrapped(const ImVec4& colour, std::string_view s);

ImVec4 status_text_colour(Severity s);  // green, amber, red: readable on the dark theme
ImU32 status_cell_colour(Severity s);   // a translucent tint for table cells; 0 for ok
ImVec4 dim_colour();                    // secondary text

// A tooltip for the item just drawn, shown on hover.
void hover_note(std::string_view text);

// "604.4 KiB", "3.1 MiB": a byte count as a person reads it.
std::string byte_text(int64_t bytes);

}  // namespace convscope::app
