// Shared helpers of the editing panels (view_common.h): showable text, status colours, hover notes.
#include "app/view_common.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <string_view>

#include "core/text.h"

namespace convscope::app {

namespace {

// ASCII stand-ins for the characters the core's texts use beyond Latin-1.
const char* stand_in(char32_t cp) {
    switch (cp) {
        case U'\u2212': return "-";    // minus
        case U'\u2013': return "-";    // en dash
        case U'\u2014': return "-";    // em dash, the tables' "no value"
        case U'\u2192': return "->";
        case U'\u2190': return "<-";
        case U'\u2264': return "<=";
        case U'\u2265': return ">=";
        case U'\u2260': return "!=";
        case U'\u2248': return "~";
        case U'\u2026': return "...";
        case U'\u230A': return "floor(";
        case U'\u230B': return ")";
        case U'\u2308': return "ceil(";
        case U'\u2309': return ")";
        case U'\u03B1': return "alpha";
        case U'\u03B2': return "beta";
        case U'\u03A3': return "sum ";
        case U'\u2018':
        case U'\u2019': return "'";
        case U'\u201C':
        case U'\u201D': return "\"";
        case U'\u2022': return "*";
        default: return "?";
    }
}

// Punctuation that must not begin a line, and that must not end one.
bool no_break_before(char32_t cp) {
    return std::u32string_view(U"，。、；：！？）》」』】〕”’…·%)]},.;:!?").find(cp) != std::u32string_view::npos;
}
bool no_break_after(char32_t cp) {
    return std::u32string_view(U"（《「『【〔“‘([{").find(cp) != std::u32string_view::npos;
}

// One paragraph (no '\n') broken greedily into lines no wider than `width`.
void wrap_paragraph(std::string_view p, float width, std::string& out) {
    const ImFont* font = ImGui::GetFont();
    const float size = ImGui::GetFontSize();
    auto text_width = [&](size_t from, size_t to) {
        return font->CalcTextSizeA(size, FLT_MAX, 0.0f, p.data() + from, p.data() + to).x;
    };
    size_t line = 0;          // where the current line starts
    size_t last_break = 0;    // the latest place after `line` where a new line may start; 0: none yet
    float line_w = 0;         // text_width(line, i), summed a character at a time as ImGui sums it
    char32_t prev = 0;
    size_t i = 0;
    while (i < p.size()) {
        const size_t at = i;
        const char32_t cp = next_code_point(p, i);
        if (at > line && prev != 0) {
            const bool space_before = prev == U' ';
            const bool cjk_pair = (is_wide(prev) || is_wide(cp)) && cp != U' ';
            if ((space_before || cjk_pair) && !no_break_before(cp) && !no_break_after(prev)) last_break = at;
        }
        prev = cp;
        line_w += text_width(at, i);
        if (cp == U' ' || line_w <= width) continue;
        // The character at `at` overflows: break at the latest opportunity, or right here.
        const size_t cut = last_break > line ? last_break : (at > line ? at : i);
        size_t end = cut;
        while (end > line && p[end - 1] == ' ') --end;  // no trailing blanks
        out.append(p.substr(line, end - line));
        out += '\n';
        line = cut;
        while (line < p.size() && p[line] == ' ') ++line;
        last_break = 0;
        i = std::max(i, line);
        if (i == line) prev = 0;
        line_w = text_width(line, i);  // what the new line carries over
    }
    out.append(p.substr(line));
}

}  // namespace

std::string break_lines(std::string_view s, float width) {
    if (width <= 0) return std::string(s);
    std::string out;
    out.reserve(s.size() + s.size() / 16);
    size_t start = 0;
    while (true) {
        const size_t nl = s.find('\n', start);
        wrap_paragraph(s.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start), width, out);
        if (nl == std::string_view::npos) break;
        out += '\n';
        start = nl + 1;
    }
    return out;
}

std::string wrap_text(std::string_view s, float width) {
    return has_wide_chars(s) ? break_lines(s, width) : std::string(s);
}

std::string ui_text(std::string_view s) {
    const ImFont* font = ImGui::GetFont();
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const size_t start = i;
        const char32_t cp = next_code_point(s, i);
        if (cp < 0x80 || (font && cp <= 0xFFFF && font->FindGlyphNoFallback(static_cast<ImWchar>(cp)))) {
            out.append(s.substr(start, i - start));
        } else {
            out += stand_in(cp);
        }
    }
    return out;
}

void show_text(std::string_view s) {
    const std::string t = ui_text(s);
    ImGui::TextUnformatted(t.c_str(), t.c_str() + t.size());
}

void show_wrapped_at(float wrap_x, std::string_view s) {
    const float width = wrap_x > 0 ? wrap_x - ImGui::GetCursorPosX() : ImGui::GetContentRegionAvail().x;
    const std::string t = wrap_text(ui_text(s), width);
    ImGui::PushTextWrapPos(wrap_x);
    ImGui::TextUnformatted(t.c_str(), t.c_str() + t.size());
    ImGui::PopTextWrapPos();
}

void show_wrapped(std::string_view s) { show_wrapped_at(0.0f, s); }

void show_wrapped(const ImVec4& colour, std::string_view s) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    show_wrapped(s);
    ImGui::PopStyleColor();
}

ImVec4 status_text_colour(Severity s) {
    switch (s) {
        case Severity::Ok: return {0.45f, 0.85f, 0.50f, 1.0f};
        case Severity::Warning: return {1.0f, 0.78f, 0.30f, 1.0f};
        case Severity::Error: return {1.0f, 0.42f, 0.42f, 1.0f};
    }
    return {1, 1, 1, 1};
}

ImU32 status_cell_colour(Severity s) {
    switch (s) {
        case Severity::Ok: return 0;
        case Severity::Warning: return IM_COL32(170, 120, 20, 70);
        case Severity::Error: return IM_COL32(190, 40, 40, 80);
    }
    return 0;
}

ImVec4 dim_colour() { return ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]; }

void hover_note(std::string_view text) {
    if (!ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) return;
    ImGui::BeginTooltip();
    show_wrapped_at(ImGui::GetFontSize() * 30, text);  // in the tooltip's coordinates, from its left edge
    ImGui::EndTooltip();
}

std::string byte_text(int64_t bytes) {
    char buf[64];
    const double b = static_cast<double>(bytes);
    if (bytes < 1024)
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    else if (b < 1024.0 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024);
    else if (b < 1024.0 * 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024));
    else
        std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    return buf;
}

}  // namespace convscope::app
