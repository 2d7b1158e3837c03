// Small text helpers shared by the tables, the derivation and the command line: thousands separators
// and padding to a display width (UTF-8 aware; every character ConvScope prints — ×, −, ·, → — takes
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

}  // namespace convscope
