#include "core/window_arithmetic.h"

#include <string>

#include "core/i18n.h"

namespace convscope {

namespace {
// Floor division that rounds towards −∞ for negative numerators too.
int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// "1 column", "3 columns and rows": a count with its unit, in the current language.
std::string count_of(int64_t n, WindowUnit u) {
    switch (u) {
        case WindowUnit::Column: return n == 1 ? tr("{0} column", n) : tr("{0} columns", n);
        case WindowUnit::Row: return n == 1 ? tr("{0} row", n) : tr("{0} rows", n);
        case WindowUnit::Both: break;
    }
    return n == 1 ? tr("{0} column and row", n) : tr("{0} columns and rows", n);
}

// "1 padded column", "2 padded columns and rows".
std::string padded_count_of(int64_t n, WindowUnit u) {
    switch (u) {
        case WindowUnit::Column: return n == 1 ? tr("{0} padded column", n) : tr("{0} padded columns", n);
        case WindowUnit::Row: return n == 1 ? tr("{0} padded row", n) : tr("{0} padded rows", n);
        case WindowUnit::Both: break;
    }
    return n == 1 ? tr("{0} padded column and row", n) : tr("{0} padded columns and rows", n);
}
}  // namespace

WindowResult compute_window(const WindowParams& p) {
    WindowResult r;
    r.p = p;
    if (p.in < 1 || p.kernel < 1 || p.stride < 1 || p.dilation < 1 || p.pad_begin < 0 || p.pad_end < 0)
        return r;
    r.eff_kernel = p.dilation * (p.kernel - 1) + 1;
    r.padded = p.in + p.pad_begin + p.pad_end;
    r.span = r.padded - r.eff_kernel;
    if (r.span < 0) return r;  // the window does not fit even once
    r.remainder = r.span % p.stride;
    r.exact = r.remainder == 0;
    if (p.rounding == Rounding::Floor) {
        r.out = r.span / p.stride + 1;
        const int64_t reached = (r.out - 1) * p.stride + r.eff_kernel;
        const int64_t uncovered = r.padded - reached;
        r.uncovered_pad = uncovered < p.pad_end ? uncovered : p.pad_end;
        r.uncovered_input = uncovered - r.uncovered_pad;
    } else {
        r.out = ceil_div(r.span, p.stride) + 1;
        // As in PyTorch and Caffe: the last window must start inside the input or its begin padding.
        const int64_t starts_allowed = ceil_div(p.in + p.pad_begin, p.stride);
        if (r.out > starts_allowed) {
            r.out = starts_allowed;
            r.dropped_last = true;
        }
        const int64_t reached = (r.out - 1) * p.stride + r.eff_kernel;
        r.overhang = reached > r.padded ? reached - r.padded : 0;
        if (reached < r.padded) {
            const int64_t uncovered = r.padded - reached;
            r.uncovered_pad = uncovered < p.pad_end ? uncovered : p.pad_end;
            r.uncovered_input = uncovered - r.uncovered_pad;
        }
    }
    r.valid = r.out >= 1;
    return r;
}

int64_t count_window_positions(const WindowParams& p) {
    if (p.in < 1 || p.kernel < 1 || p.stride < 1 || p.dilation < 1 || p.pad_begin < 0 || p.pad_end < 0)
        return 0;
    const int64_t eff = p.dilation * (p.kernel - 1) + 1;
    const int64_t padded = p.in + p.pad_begin + p.pad_end;
    if (eff > padded) return 0;
    int64_t n = 0;
    if (p.rounding == Rounding::Floor) {
        // Every start position whose window lies wholly inside the padded input.
        for (int64_t start = 0; start + eff <= padded; start += p.stride) ++n;
    } else {
        // Keep adding windows until the end is covered, but never start one in the end padding.
        for (int64_t start = 0; start < p.in + p.pad_begin; start += p.stride) {
            ++n;
            if (start + eff >= padded) break;
        }
    }
    return n;
}

std::string exact_quotient_text(int64_t span, int64_t stride) {
    // span/stride + 1 = (span + stride)/stride, with two decimals; an ellipsis marks a value that does
    // not end there. Sign and magnitude apart, so that −6/4 + 1 reads −0.5.
    const int64_t num = span + stride;
    const bool negative = num < 0;
    const int64_t mag = negative ? -num : num;
    int64_t rem = mag % stride;
    std::string s = negative ? "-" : "";
    s += std::to_string(mag / stride);
    if (rem == 0) return s;
    s += ".";
    for (int digit = 0; digit < 2 && rem != 0; ++digit) {
        rem *= 10;
        s += static_cast<char>('0' + rem / stride);
        rem %= stride;
    }
    if (rem != 0) s += "…";
    return s;
}

std::string window_formula(const WindowResult& r) {
    const auto& p = r.p;
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "(" + std::to_string(…).
    std::string s = "(";
    s += std::to_string(p.in);
    s += " − ";
    s += std::to_string(p.dilation * (p.kernel - 1) + 1);
    s += " + ";
    if (p.pad_begin == p.pad_end)
        s += tr("2·{0}", p.pad_begin);  // "2×0" in Chinese, as its textbooks write a product of numbers
    else
        s += std::to_string(p.pad_begin) + " + " + std::to_string(p.pad_end);
    s += ")/" + std::to_string(p.stride) + " + 1 = ";
    const int64_t span = p.in + p.pad_begin + p.pad_end - (p.dilation * (p.kernel - 1) + 1);
    if (p.stride < 1) return s + tr("undefined (stride must be ≥ 1)");
    if (span < 0) {
        std::string value = exact_quotient_text(span, p.stride);
        if (!value.empty() && value[0] == '-') value = "−" + value.substr(1);
        return s + tr("{0}: the window does not fit", value);
    }
    if (r.exact) {
        s += std::to_string(r.out);
    } else {
        s += exact_quotient_text(span, p.stride) + " → " + std::to_string(r.out);
        s += p.rounding == Rounding::Floor ? tr(" (floor)") : tr(" (ceil)");
    }
    return s;
}

std::string rounding_consequence(const WindowResult& r, WindowUnit u) {
    if (!r.valid) return {};
    std::string s;
    auto append = [&s](const std::string& part) { s = s.empty() ? part : tr("{0}; {1}", s, part); };
    // English: "is" for one column or row, "are" for more or for "column and row".
    auto singular = [u](int64_t n) { return n == 1 && u != WindowUnit::Both; };
    if (r.p.rounding == Rounding::Floor || r.dropped_last) {
        if (r.uncovered_input > 0) {
            const std::string what = count_of(r.uncovered_input, u);
            append(singular(r.uncovered_input) ? tr("the last {0} is never covered", what)
                                               : tr("the last {0} are never covered", what));
        }
        if (r.uncovered_pad > 0) {
            const std::string what = padded_count_of(r.uncovered_pad, u);
            append(singular(r.uncovered_pad) ? tr("the last {0} is never used", what)
                                             : tr("the last {0} are never used", what));
        }
    }
    if (r.overhang > 0)
        append(r.p.pad_end > 0 ? tr("the last window hangs {0} past the padded input", count_of(r.overhang, u))
                               : tr("the last window hangs {0} past the input", count_of(r.overhang, u)));
    if (r.dropped_last) append(tr("a last window that would start in the padding is dropped"));
    return s;
}

}  // namespace convscope
