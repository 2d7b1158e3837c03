// Small text helpers shared by the tables, the derivation and the command line: thousands separators,
// padding to a display width, and escaping for CSV, Markdown and LaTeX (UTF-8 aware; every character ConvScope prints — ×, −, ·, → — takes
// one column).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace convscope {

// 60965224 → "60,965,224"
std::string group_digits(int64_t n);

// Columns a UTF-8 string takes in a terminal.
size_t display_width(std::string_view s);

std::string pad_right(const std::string& s, size_t width);
std::string pad_left(const std::string& s, size_t width);

// One cell of a table in another format: a CSV field (quoted when it holds a comma, a quote or a line
// break), a Markdown cell (| escaped, line breaks as spaces), LaTeX text (specials escaped, the
// symbols the formulas use — −, ·, ×, →, α, β … — as commands).
std::string csv_field(const std::string& s);
std::string md_cell(const std::string& s);
std::string latex_text(const std::string& s);

}  // namespace convscope
