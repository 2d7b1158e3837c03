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

// `s` with line breaks put in so that no line is wider than `width` pixels in the current font,
// each paragraph ('\n') on its own. ImGui breaks lines only at spaces, and Chinese has few: here a
// line may also break next to any wide (CJK) character (core/text.h's is_wide), though not before
// closing punctuation (，。）…) nor after opening (（“); a word wider than the line is cut where it
// overflows. Blanks at a break are dropped. A width of 0 or less leaves the text as it is.
std::string break_lines(std::string_view s, float width);

// break_lines for text with wide (CJK) characters; text without them comes back unchanged, for ImGui to
// wrap as before.
std::string wrap_text(std::string_view s, float width);

// TextUnformatted / TextWrapped of ui_text(s), optionally coloured (no printf formatting, so a
// '%' in a name is harmless). The wrapped forms break Chinese text as wrap_text does; show_wrapped_at
// wraps at `wrap_x` in the window's coordinates (ImGui::PushTextWrapPos; 0: the content region's
// right edge, as show_wrapped does).
void show_text(std::string_view s);
void show_wrapped(std::string_view s);
void show_wrapped(const ImVec4& colour, std::string_view s);
void show_wrapped_at(float wrap_x, std::string_view s);

ImVec4 status_text_colour(Severity s);  // green, amber, red: readable on the dark theme
ImU32 status_cell_colour(Severity s);   // a translucent tint for table cells; 0 for ok
ImVec4 dim_colour();                    // secondary text

// A tooltip for the item just drawn, shown on hover.
void hover_note(std::string_view text);

// "604.4 KiB", "3.1 MiB": a byte count as a person reads it.
std::string byte_text(int64_t bytes);

}  // namespace convscope::app
