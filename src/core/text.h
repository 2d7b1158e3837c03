// Small text helpers shared by the tables, the derivation and the command line: thousands separators,
// padding to a display width, and escaping for CSV, Markdown and LaTeX. UTF-8 aware: the symbols the
// formulas use (×, −, ·, →) take one terminal column, East Asian wide characters (Chinese, Japanese,
// Korean, fullwidth punctuation such as ，。：) take two, as terminals draw them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace convscope {

// 60965224 → "60,965,224"
std::string group_digits(int64_t n);

// printf's "%g": 0.0001, 0.75, 2 (six significant digits, no trailing zeros).
std::string short_number(double v);

// The code point that starts at byte `i` of UTF-8 text; moves `i` past it. A byte that does not start
// a valid sequence is taken as one character of its own (U+FFFD), so broken text still advances.
char32_t next_code_point(std::string_view s, size_t& i);

// Unicode East_Asian_Width W or F: CJK ideographs, kana, Hangul, fullwidth forms, CJK punctuation.
bool is_wide(char32_t c);

// Columns a UTF-8 string takes in a terminal: 2 for each wide character, 1 for any other.
size_t display_width(std::string_view s);
bool has_wide_chars(std::string_view s);

std::string pad_right(const std::string& s, size_t width);
std::string pad_left(const std::string& s, size_t width);

// One cell of a table in another format: a CSV field (quoted when it holds a comma, a quote or a line
// break), a Markdown cell (| escaped, line breaks as spaces), LaTeX text (specials escaped, the
// symbols the formulas use — −, ·, ×, →, α, β … — as commands).
std::string csv_field(const std::string& s);
std::string md_cell(const std::string& s);
std::string latex_text(const std::string& s);

}  // namespace convscope
