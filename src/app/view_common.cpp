// Shared helpers of the editing panels (view_common.h): showable text, status colours, hover notes.
#include "app/view_common.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <string_view>

namespace convscope::app {

namespace {

// Decodes one UTF-8 character at s[i]; advances i. Malformed bytes come back as themselves.
char32_t next_codepoint(std::string_view s, size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
    if (i + extra >= s.size()) extra = 0;  // cut short: the byte stands alone
    char32_t cp = extra == 0 ? b : (b & (0x3F >> extra));
    for (size_t k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += 1 + extra;
    return cp;
}

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

bool is_cjk(char32_t cp) {
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFFEF);
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
    char32_t prev = 0;
    size_t i = 0;
    while (i < p.size()) {
        const size_t at = i;
        const char32_t cp = next_codepoint(p, i);
        if (at > line && prev != 0) {
            const bool space_before = prev == U' ';
            const bool cjk_pair = (is_cjk(prev) || is_cjk(cp)) && cp != U' ';
            if ((space_before || cjk_pair) && !no_break_before(cp) && !no_break_after(prev)) last_break = at;
        }
        prev = cp;
        if (cp == U' ' || text_width(line, i) <= width) continue;
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
    }
    out.append(p.substr(line));
}

}  // namespace

std::string wrap_text(std::string_view s, float width) {
    bool cjk = false;
    for (size_t i = 0; i < s.size() && !cjk;) cjk = is_cjk(next_codepoint(s, i));
    if (!cjk || width <= 0) return std::string(s);
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

std::string ui_text(std::string_view s) {
    const ImFont* font = ImGui::GetFont();
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const size_t start = i;
        const char32_t cp = next_codepoint(s, i);
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

void show_wrapped(std::string_view s) {
    const std::string t = wrap_text(ui_text(s), ImGui::GetContentRegionAvail().x);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(t.c_str(), t.c_str() + t.size());
    ImGui::PopTextWrapPos();
}

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
    const float wrap_x = ImGui::GetFontSize() * 30;  // in the tooltip's coordinates, from its left edge
    ImGui::PushTextWrapPos(wrap_x);
    show_text(wrap_text(ui_text(text), wrap_x - ImGui::GetCursorPosX()));
    ImGui::PopTextWrapPos();
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
