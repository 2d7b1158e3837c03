#include "nn/npy.h"

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <map>

#include "core/i18n.h"
#include "core/file_io.h"

namespace convscope::nn {

namespace {

constexpr std::string_view kMagic("\x93NUMPY", 6);
// The format spec: the header is padded so that the data starts at a multiple of 64 bytes, which keeps a
// memory-mapped array aligned.
constexpr size_t kAlign = 64;
// numpy.save leaves room after the dict so that the first axis can grow in place up to 21 digits
// (numpy.lib.format.GROWTH_AXIS_MAX_DIGITS); matching it makes our files byte-identical to numpy's.
constexpr size_t kGrowthDigits = 21;
// No honest header comes near this; it bounds the work a hostile one can ask for.
constexpr size_t kMaxHeader = 65536;

std::string shape_str(const std::vector<int64_t>& s) {
    // Python's tuple repr, as the file would print it: (5,) for one dimension.
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    if (s.size() == 1) out += ",";
    return out + ")";
}

}  // namespace

std::string npy_bytes(const Tensor& t) {
    const std::string first = std::to_string(t.shape.c);
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                       shape_str({t.shape.c, t.shape.h, t.shape.w}) + ", }";
    dict.append(first.size() < kGrowthDigits ? kGrowthDigits - first.size() : 0, ' ');
    const size_t hlen = dict.size() + 1;  // + the closing newline
    const size_t pad = kAlign - (kMagic.size() + 4 + hlen) % kAlign;  // numpy pads 1…64 spaces, never 0
    dict.append(pad, ' ');
    dict += '\n';

    std::string out;
    out.reserve(kMagic.size() + 4 + dict.size() + t.size() * 4);
    out += kMagic;
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(dict.size() & 0xFF);
    out += static_cast<char>((dict.size() >> 8) & 0xFF);
    out += dict;
    const size_t start = out.size();
    out.resize(start + t.size() * 4);
    if constexpr (std::endian::native == std::endian::little) {
        if (t.size()) std::memcpy(out.data() + start, t.ptr(), t.size() * 4);
    } else {
        for (size_t i = 0; i < t.size(); ++i) {
            const uint32_t u = std::bit_cast<uint32_t>(t.data[i]);
            for (int b = 0; b < 4; ++b) out[start + i * 4 + b] = static_cast<char>((u >> (8 * b)) & 0xFF);
        }
    }
    return out;
}

bool write_npy(const std::string& path, const Tensor& t, std::string& error) {
    if (t.size() != static_cast<size_t>(std::max<int64_t>(t.shape.count(), 0))) {
        error = tr("cannot write {0}: the tensor's data does not match its shape {1}", path, shape_text(t.shape));
        return false;
    }
    return write_file_atomic(path, npy_bytes(t), error);
}

namespace {

// The header is a Python dict literal (numpy reads it with ast.literal_eval). This parser accepts the
// subset numpy writes and any reasonable hand-written variant: quoted keys, string values, True/False,
// tuples of non-negative integers (an old Python 2 'L' suffix allowed), spaces anywhere, a trailing comma.
struct Value {
    enum Kind { String, Bool, Tuple } kind = String;
    std::string text;
    bool flag = false;
    std::vector<int64_t> dims;
};

class HeaderParser {
public:
    explicit HeaderParser(std::string_view s) : s_(s) {}

    // Returns an error, or nothing with `out` filled.
    std::optional<std::string> parse(std::map<std::string, Value>& out) {
        ws();
        if (!eat('{')) return tr("the header is not a Python dict (it does not start with '{')");
        ws();
        while (!eat('}')) {
            std::string key;
            if (!string_lit(key)) return tr("the header dict has a key that is not a quoted string{0}", where());
            ws();
            if (!eat(':')) return tr("the header dict lacks a ':' after '{0}'{1}", key, where());
            ws();
            Value v;
            if (auto e = value(key, v)) return e;
            if (out.count(key)) return tr("the header dict repeats the key '{0}'", key);
            out.emplace(key, std::move(v));
            ws();
            if (eat(',')) {
                ws();
                continue;
            }
            if (peek() != '}') return tr("the header dict is malformed: expected ',' or '}}'{0}", where());
        }
        ws();
        if (i_ != s_.size()) return tr("the header has text after the dict's closing '}}'{0}", where());
        return std::nullopt;
    }

private:
    std::string_view s_;
    size_t i_ = 0;

    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    bool eat(char c) {
        if (peek() != c || i_ >= s_.size()) return false;
        ++i_;
        return true;
    }
    void ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    std::string where() const {
        std::string s = " ";
        s += tr("(at byte {0} of the header)", i_);
        return s;
    }

    bool string_lit(std::string& out) {
        const char q = peek();
        if (q != '\'' && q != '"') return false;
        const size_t start = ++i_;
        while (i_ < s_.size() && s_[i_] != q) {
            if (s_[i_] == '\\' || s_[i_] == '\n') return false;  // escapes never occur in a valid header
            ++i_;
        }
        if (i_ >= s_.size()) return false;
        out.assign(s_.substr(start, i_ - start));
        ++i_;
        return true;
    }

    bool word(std::string_view w) {
        if (s_.substr(i_, w.size()) != w) return false;
        i_ += w.size();
        return true;
    }

    std::optional<std::string> value(const std::string& key, Value& v) {
        const char c = peek();
        if (c == '\'' || c == '"') {
            v.kind = Value::String;
            if (!string_lit(v.text)) return tr("the value of '{0}' is an unterminated string{1}", key, where());
            return std::nullopt;
        }
        if (word("True") || word("False")) {
            v.kind = Value::Bool;
            v.flag = s_[i_ - 4] == 'T';
            return std::nullopt;
        }
        if (c == '(') {
            ++i_;
            v.kind = Value::Tuple;
            ws();
            bool comma = false;
            while (!eat(')')) {
                if (peek() == '-') return tr("the value of '{0}' has a negative dimension{1}", key, where());
                if (peek() < '0' || peek() > '9')
                    return tr("the value of '{0}' is not a tuple of integers{1}", key, where());
                int64_t n = 0;
                while (peek() >= '0' && peek() <= '9') {
                    if (n > (INT64_MAX - 9) / 10) return tr("the value of '{0}' has an absurdly large dimension", key);
                    n = n * 10 + (peek() - '0');
                    ++i_;
                }
                eat('L');
                v.dims.push_back(n);
                ws();
                comma = eat(',');
                ws();
                if (!comma && peek() != ')')
                    return tr("the value of '{0}' is malformed: expected ',' or ')'{1}", key, where());
            }
            // (5) is the integer 5 in Python, not a tuple; numpy itself refuses it.
            if (v.dims.size() == 1 && !comma) return tr("the value of '{0}' is (n) where a tuple (n,) is needed", key);
            return std::nullopt;
        }
        if (c == '[' || c == '{')
            return tr("the value of '{0}' is a list or dict (a structured dtype?); ConvScope reads plain float32 arrays", key);
        return tr("the value of '{0}' is not a string, True/False or a tuple{1}", key, where());
    }
};

std::string dtype_words(const std::string& d) {
    static const std::map<std::string, std::string> names = {
        {"<f2", "float16"},  {"<f4", "float32"},  {"<f8", "float64"},  {">f4", "big-endian float32"},
        {">f8", "big-endian float64"}, {"|b1", "bool"}, {"|u1", "uint8"}, {"|i1", "int8"},
        {"<i2", "int16"},    {"<u2", "uint16"},   {"<i4", "int32"},    {"<u4", "uint32"},
        {"<i8", "int64"},    {"<u8", "uint64"},   {"<c8", "complex64"}, {"<c16", "complex128"},
        {"|O", "Python objects"}};
    const auto it = names.find(d);
    if (it != names.end()) return it->second + " ('" + d + "')";
    if (d.size() >= 2 && (d[1] == 'U' || d[1] == 'S')) return "strings ('" + d + "')";
    return "'" + d + "'";
}

uint32_t le32(const unsigned char* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

}  // namespace

NpyResult parse_npy(std::string_view bytes, const std::string& name) {
    NpyResult r;
    auto fail = [&](const std::string& why) {
        r.tensor.reset();
        r.error = name + ": " + why;
        return r;
    };
    const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
    if (bytes.size() < kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic)
        return fail(tr("not a NumPy .npy file (it does not start with \\x93NUMPY)"));
    if (bytes.size() < 10) return fail(tr("the file ends inside the .npy preamble"));
    const int major = u[6], minor = u[7];
    size_t hlen = 0, hstart = 0;
    if (major == 1 && minor == 0) {
        hlen = size_t{u[8]} | size_t{u[9]} << 8;
        hstart = 10;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (bytes.size() < 12) return fail(tr("the file ends inside the .npy preamble"));
        hlen = le32(u + 8);
        hstart = 12;
    } else {
        return fail(tr("unsupported .npy format version {0}.{1} (ConvScope reads 1.0, 2.0 and 3.0)", major, minor));
    }
    if (hlen > kMaxHeader)
        return fail(tr("the .npy header claims {0} bytes; that is not a real header", hlen));
    if (bytes.size() - hstart < hlen)
        return fail(tr("the file is truncated inside the header ({0} bytes announced, {1} present)", hlen,
                       bytes.size() - hstart));

    std::map<std::string, Value> dict;
    if (auto e = HeaderParser(bytes.substr(hstart, hlen)).parse(dict)) return fail(tr("invalid .npy header: {0}", *e));
    for (const char* k : {"descr", "fortran_order", "shape"})
        if (!dict.count(k)) return fail(tr("invalid .npy header: the key '{0}' is missing", k));
    if (dict.size() != 3) {
        for (const auto& [k, v] : dict)
            if (k != "descr" && k != "fortran_order" && k != "shape")
                return fail(tr("invalid .npy header: unexpected key '{0}'", k));
    }
    const Value& descr = dict["descr"];
    const Value& fortran = dict["fortran_order"];
    const Value& shape = dict["shape"];
    if (descr.kind != Value::String) return fail(tr("invalid .npy header: 'descr' must be a string such as '<f4'"));
    if (fortran.kind != Value::Bool) return fail(tr("invalid .npy header: 'fortran_order' must be True or False"));
    if (shape.kind != Value::Tuple) return fail(tr("invalid .npy header: 'shape' must be a tuple"));
    r.file_shape = shape.dims;

    size_t item = 0;
    if (descr.text == "<f4") item = 4;
    else if (descr.text == "<f8") item = 8;
    else
        return fail(tr("the array holds {0}; ConvScope reads float32 ('<f4') or float64 ('<f8') arrays (save it with "
                       "arr.astype(numpy.float32))",
                       dtype_words(descr.text)));
    if (fortran.flag)
        return fail(tr("the array is stored in Fortran (column-major) order; save it with numpy.ascontiguousarray(arr) first"));

    const auto& d = shape.dims;
    const std::string sh = shape_str(d);
    if (d.empty()) return fail(tr("the array is a scalar (shape ()); ConvScope needs 1 to 3 dimensions"));
    if (d.size() > 4 || (d.size() == 4 && d[0] != 1))
        return fail(d.size() == 4 ? tr("the array has shape {0}; ConvScope reads (N,), (H, W), (C, H, W) or a batch of one "
                                        "(1, C, H, W) (save one image: arr[0])",
                                        sh)
                                   : tr("the array has shape {0}; ConvScope reads (N,), (H, W), (C, H, W) or a batch of one "
                                        "(1, C, H, W)",
                                        sh));

    // The product is checked against the bytes present before it can overflow: every factor is ≥ 1 here.
    const size_t data_len = bytes.size() - hstart - hlen;
    uint64_t count = 1;
    for (int64_t n : d) {
        if (n == 0) return fail(tr("the array is empty (shape {0})", sh));
        if (static_cast<uint64_t>(n) > (UINT64_MAX / item) / count) {
            count = 0;
            break;
        }
        count *= static_cast<uint64_t>(n);
    }
    if (count == 0 || count * item > data_len)
        return fail(count ? tr("the file is truncated or the shape is wrong: shape {0} of {1} needs {2} bytes of data, the "
                               "file has {3}",
                               sh, dtype_words(descr.text), count * item, data_len)
                             : tr("the file is truncated or the shape is wrong: shape {0} of {1} needs more bytes of data, "
                               "the file has {2}",
                               sh, dtype_words(descr.text), data_len));
    if (count * item < data_len)
        return fail(tr("the shape does not match the file size: shape {0} needs {1} bytes of data, the file has {2} ({3} "
                       "extra)",
                       sh, count * item, data_len, data_len - count * item));

    Shape3 s3;
    if (d.size() == 1) s3 = {d[0], 1, 1};
    else if (d.size() == 2) s3 = {1, d[0], d[1]};
    else if (d.size() == 3) s3 = {d[0], d[1], d[2]};
    else s3 = {d[1], d[2], d[3]};
    Tensor t(s3);
    const unsigned char* src = u + hstart + hlen;
    if (item == 4) {
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(t.ptr(), src, count * 4);
        } else {
            for (size_t i = 0; i < count; ++i) t.data[i] = std::bit_cast<float>(le32(src + i * 4));
        }
    } else {
        for (size_t i = 0; i < count; ++i) {
            const uint64_t bits = uint64_t{le32(src + i * 8)} | uint64_t{le32(src + i * 8 + 4)} << 32;
            const double v = std::bit_cast<double>(bits);
            // A finite double beyond float's range has no float value (the conversion would be undefined).
            if (std::isfinite(v) && std::abs(v) > FLT_MAX) t.data[i] = v > 0 ? INFINITY : -INFINITY;
            else t.data[i] = static_cast<float>(v);
        }
    }
    r.tensor = std::move(t);
    r.error.clear();
    return r;
}

NpyResult read_npy(const std::string& path) {
    std::string error;
    const auto bytes = read_file(path, error, size_t{1} << 30);
    if (!bytes) {
        NpyResult r;
        r.error = error;
        return r;
    }
    return parse_npy(*bytes, path);
}

}  // namespace convscope::nn
