#include "core/text.h"

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

}  // namespace convscope
