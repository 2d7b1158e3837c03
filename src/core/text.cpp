#include "core/text.h"

#include <utility>
#include <vector>

namespace convscope {

std::string group_digits(int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

size_t display_width(std::string_view s) {
    size_t n = 0;
    for (unsigned char ch : s)
        if ((ch & 0xC0) != 0x80) ++n;  // count every byte that starts a character
    return n;
}

std::string pad_right(const std::string& s, size_t width) {
    const size_t w = display_width(s);
    return w >= width ? s : s + std::string(width - w, ' ');
}

std::string pad_left(const std::string& s, size_t width) {
    const size_t w = display_width(s);
    return w >= width ? s : std::string(width - w, ' ') + s;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) {
        if (ch == '"') q += '"';
        q += ch;
    }
    return q + "\"";
}

std::string md_cell(const std::string& s) {
    std::string o;
    for (char ch : s) {
        if (ch == '|') o += "\\|";
        else if (ch == '\n') o += ' ';
        else o += ch;
    }
    return o;
}

std::string latex_text(const std::string& s) {
    static const std::vector<std::pair<std::string, std::string>> map{
        {"\\", "\\textbackslash{}"}, {"{", "\\{"}, {"}", "\\}"}, {"$", "\\$"}, {"&", "\\&"}, {"#", "\\#"},
        {"%", "\\%"}, {"_", "\\_"}, {"^", "\\textasciicircum{}"}, {"~", "\\textasciitilde{}"},
        {"−", "\\textminus{}"}, {"·", "\\textperiodcentered{}"}, {"→", "\\textrightarrow{}"},
        {"×", "\\texttimes{}"}, {"…", "\\dots{}"}, {"≥", "$\\geq$"}, {"≤", "$\\leq$"}, {"—", "---"},
        {"α", "$\\alpha$"}, {"β", "$\\beta$"}};
    std::string out;
    for (size_t i = 0; i < s.size();) {
        bool hit = false;
        for (const auto& [from, to] : map) {
            if (s.compare(i, from.size(), from) == 0) {
                out += to;
                i += from.size();
                hit = true;
                break;
            }
        }
        if (!hit) out += s[i++];
    }
    return out;
}

}  // namespace convscope
