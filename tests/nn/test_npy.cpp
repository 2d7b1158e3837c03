// NumPy .npy files: the bytes written must be exactly numpy.save's (so any NumPy reads them, and a diff
// against a file from Python is empty), and reading must refuse every malformed file with a reason
// instead of crashing or inventing data.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "nn/npy.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;
using namespace convscope::test;

namespace {

// A .npy file around `dict`, padded like numpy (data at a multiple of 64), with `data` after it.
std::string npy_file(const std::string& dict, const std::string& data, int major = 1, int minor = 0) {
    std::string h = dict;
    const size_t pre = major == 1 ? 10 : 12;
    while ((pre + h.size() + 1) % 64) h += ' ';
    h += '\n';
    std::string out("\x93NUMPY", 6);
    out += static_cast<char>(major);
    out += static_cast<char>(minor);
    const size_t n = h.size();
    out += static_cast<char>(n & 0xFF);
    out += static_cast<char>((n >> 8) & 0xFF);
    if (major != 1) out += std::string(2, '\0');
    return out + h + data;
}

std::string floats(std::initializer_list<float> v) {
    std::string s(v.size() * 4, '\0');
    std::memcpy(s.data(), std::data(v), s.size());
    return s;
}

std::string error_of(const std::string& bytes) {
    const auto r = parse_npy(bytes, "t.npy");
    CHECK_FALSE(r);
    CHECK(starts_with(r.error, "t.npy: "));
    return r.error;
}

}  // namespace

TEST_SUITE("npy") {

TEST_CASE("the bytes are numpy.save's, header included") {
    Tensor t(Shape3{2, 3, 4});
    for (size_t i = 0; i < t.size(); ++i) t.data[i] = static_cast<float>(i) * 0.5f - 3.0f;
    const std::string b = npy_bytes(t);
    // numpy 1.24: np.save(f, np.zeros((2, 3, 4), np.float32)) writes this 128-byte header: the dict,
    // 21 − len("2") spaces of room for the first axis to grow, padding to 127, a newline.
    const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }";
    const std::string want =
        std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict + std::string(127 - 10 - dict.size(), ' ') + "\n";
    REQUIRE(b.size() == 128 + 24 * 4);
    CHECK(b.substr(0, 128) == want);
    float v[24];
    std::memcpy(v, b.data() + 128, sizeof v);
    CHECK(v[0] == -3.0f);
    CHECK(v[23] == 8.5f);

    // AlexNet conv1's output: the same 128-byte header as numpy writes for it.
    const std::string b2 = npy_bytes(Tensor(Shape3{64, 55, 55}));
    CHECK(b2.substr(10, 65) == "{'descr': '<f4', 'fortran_order': False, 'shape': (64, 55, 55), }");
    CHECK(b2.substr(0, 10) == std::string("\x93NUMPY\x01\x00\x76\x00", 10));
    CHECK(b2[127] == '\n');
    // The data starts at a multiple of 64 whatever the shape.
    for (int64_t c : {1, 9, 99, 12345, 1234567}) {
        const std::string s = npy_bytes(Tensor(Shape3{c, 1, 1}));
        const size_t hlen = static_cast<unsigned char>(s[8]) | static_cast<unsigned char>(s[9]) << 8;
        CHECK((10 + hlen) % 64 == 0);
        CHECK(s.size() == 10 + hlen + 4 * static_cast<size_t>(c));
    }
}

TEST_CASE("write and read back, special values included") {
    TempDir dir;
    Tensor t(Shape3{3, 2, 5});
    for (size_t i = 0; i < t.size(); ++i) t.data[i] = std::sin(static_cast<float>(i)) * 1e3f;
    t.data[1] = std::numeric_limits<float>::quiet_NaN();
    t.data[2] = std::numeric_limits<float>::infinity();
    t.data[3] = -0.0f;
    t.data[4] = std::numeric_limits<float>::denorm_min();
    const std::string path = dir.file("a.npy");
    std::string err;
    REQUIRE_MESSAGE(write_npy(path, t, err), err);
    const auto r = read_npy(path);
    REQUIRE_MESSAGE(r, r.error);
    CHECK(r.tensor->shape == t.shape);
    CHECK(r.file_shape == std::vector<int64_t>{3, 2, 5});
    CHECK(std::memcmp(r.tensor->ptr(), t.ptr(), t.size() * 4) == 0);

    CHECK_FALSE(write_npy(dir.file("no/such/dir.npy"), t, err));
    CHECK(contains(err, "no/such/dir.npy"));
    CHECK(contains(read_npy(dir.file("missing.npy")).error, "missing.npy"));
}

TEST_CASE("one, two and four dimensions, float64 and Python 2 headers") {
    auto r = parse_npy(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", floats({1, 2, 3})), "v");
    REQUIRE_MESSAGE(r, r.error);
    CHECK(r.tensor->shape == Shape3{3, 1, 1});
    CHECK(r.tensor->data[2] == 3.0f);

    r = parse_npy(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", floats({1, 2, 3, 4})), "m");
    REQUIRE(r);
    CHECK(r.tensor->shape == Shape3{1, 2, 2});

    // A batch of one, as PyTorch activations come.
    r = parse_npy(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 1), }", floats({5, 6})), "b");
    REQUIRE(r);
    CHECK(r.tensor->shape == Shape3{1, 2, 1});
    CHECK(r.file_shape == std::vector<int64_t>{1, 1, 2, 1});

    // float64, converted; beyond float's range becomes infinity.
    std::string d(24, '\0');
    const double dv[3] = {0.1, -2.5, 1e300};
    std::memcpy(d.data(), dv, 24);
    r = parse_npy(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", d), "d");
    REQUIRE(r);
    CHECK(r.tensor->data[0] == 0.1f);
    CHECK(r.tensor->data[1] == -2.5f);
    CHECK(std::isinf(r.tensor->data[2]));

    // Key order, double quotes, no trailing comma, Python 2 longs and format version 2.0 are all valid.
    r = parse_npy(npy_file("{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": \"<f4\"}", floats({7, 8}), 2),
                  "v2");
    REQUIRE_MESSAGE(r, r.error);
    CHECK(r.tensor->data[1] == 8.0f);
}

TEST_CASE("hostile or foreign files are refused with a reason") {
    const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    const std::string two = floats({1, 2});
    REQUIRE(parse_npy(npy_file(ok_dict, two), "t.npy"));

    CHECK(contains(error_of(""), "not a NumPy .npy file"));
    CHECK(contains(error_of("PK\x03\x04 a zip"), "not a NumPy .npy file"));
    CHECK(contains(error_of(std::string("\x93NUMPY\x01", 7)), "preamble"));
    CHECK(contains(error_of(npy_file(ok_dict, two, 4)), "unsupported .npy format version 4.0"));
    CHECK(contains(error_of(npy_file(ok_dict, two, 1, 1)), "version 1.1"));

    auto with = [&](const std::string& dict, const std::string& data = std::string(8, '\0')) {
        return error_of(npy_file(dict, data));
    };
    CHECK(contains(with("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }"), "int64 ('<i8')"));
    CHECK(contains(with("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }"), "big-endian float32"));
    CHECK(contains(with("{'descr': '|u1', 'fortran_order': False, 'shape': (8,), }"), "astype(numpy.float32)"));
    CHECK(contains(with("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"), "structured"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }"), "Fortran"));
    CHECK(contains(with("[1, 2]"), "not a Python dict"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)"), "expected ',' or '}'"));
    CHECK(contains(with("{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }"), "invalid .npy header"));
    CHECK(contains(with("{'descr': '<f4', 'shape': (2,), }"), "'fortran_order' is missing"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}"), "invalid .npy header"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 'y'}"), "unexpected key 'x'"));
    CHECK(contains(with("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}"), "repeats"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }"), "invalid .npy header"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': 2, }"), "invalid .npy header"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }"), "(n,)"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }"), "negative"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }"), "not a tuple of integers"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"), "scalar"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", ""), "empty"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 1, 1), }"), "arr[0]"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 2), }"), "(N,)"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"), "absurdly"));
    // (2⁶², 2⁶²): the element count overflows 64 bits.
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (4611686018427387904, 4611686018427387904), }"),
                   "truncated or the shape is wrong"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"),
                   "needs 12 bytes of data, the file has 8"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"), "4 extra"));
    CHECK(contains(with("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk"), "after the dict"));

    // A header length beyond the file, or beyond any sane header.
    std::string f = npy_file(ok_dict, two);
    f[8] = '\xFF';
    f[9] = '\x7F';
    CHECK(contains(error_of(f), "truncated inside the header"));
    std::string v2 = npy_file(ok_dict, two, 2);
    v2[11] = '\x40';
    CHECK(contains(error_of(v2), "not a real header"));
}

TEST_CASE("every truncation and single-byte corruption of a valid file is survived") {
    Tensor t(Shape3{2, 3, 3}, 1.5f);
    const std::string full = npy_bytes(t);
    REQUIRE(parse_npy(full, "f"));
    for (size_t n = 0; n < full.size(); ++n) CHECK_FALSE(parse_npy(std::string_view(full).substr(0, n), "f"));
    for (size_t i = 0; i < 128; ++i)
        for (unsigned char x : {0x01, 0x20, 0x80, 0xFF}) {
            std::string bad = full;
            bad[i] = static_cast<char>(bad[i] ^ x);
            const auto r = parse_npy(bad, "f");
            if (r) CHECK(r.tensor->size() == static_cast<size_t>(r.tensor->shape.count()));
        }
}

}  // TEST_SUITE
