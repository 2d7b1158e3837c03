// The safetensors reader, writer and weight loading: exact float conversions, a clear message for every
// way a header can be malformed, no crash on truncated or mutated files, and weights that survive a
// round trip under both naming schemes.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "support.h"

#include "core/shape_engine.h"
#include "nn/safetensors.h"
#include "nn/weights.h"

using namespace convscope;
using namespace convscope::nn;
using namespace convscope::test;

namespace {

std::string le64(uint64_t v) {
    std::string out;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return out;
}

// A file from its header text and data bytes, with the length field filled in.
std::string craft(const std::string& header, const std::string& data = {}) {
    return le64(header.size()) + header + data;
}

// Raw little-endian bytes of 16-bit values, as F16 or BF16 data.
std::string u16_bytes(std::initializer_list<uint16_t> values) {
    std::string out;
    for (uint16_t v : values) {
        out.push_back(static_cast<char>(v & 0xff));
        out.push_back(static_cast<char>(v >> 8));
    }
    return out;
}

std::string f32_bytes(std::initializer_list<float> values) {
    std::string out;
    for (float f : values) {
        const auto v = std::bit_cast<uint32_t>(f);
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    return out;
}

// Parses bytes held in a buffer of exactly their size, so that any read past the end is caught by the
// address sanitizer. Returns the error, or "" when the file is valid.
std::string parse_error(const std::string& bytes) {
    std::vector<std::byte> buf(bytes.size());
    if (!bytes.empty()) std::memcpy(buf.data(), bytes.data(), bytes.size());
    std::string error;
    const auto f = SafetensorsFile::parse(buf, error);
    return f ? "" : error;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool is_param_layer(const Layer& l) { return l.type == LayerType::Conv || l.type == LayerType::Fc; }

// Distinct, exactly representable values that depend on the layer and the position.
NetworkWeights numbered(const Network& net, const Analysis& a) {
    NetworkWeights w;
    w.layers.resize(net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        if (!is_param_layer(l)) continue;
        LayerWeights& lw = w.layers[i];
        lw.weight_shape = expected_weight_shape(net, a, i);
        REQUIRE(!lw.weight_shape.empty());
        int64_t n = 1;
        for (int64_t d : lw.weight_shape) n *= d;
        lw.weight.resize(static_cast<size_t>(n));
        for (size_t k = 0; k < lw.weight.size(); ++k)
            lw.weight[k] = static_cast<float>(static_cast<int>((i * 131 + k) % 4093) - 2046) / 64.0f;
        if (l.bias) {
            lw.bias.resize(static_cast<size_t>(l.out));
            for (size_t k = 0; k < lw.bias.size(); ++k) lw.bias[k] = static_cast<float>(i + k) * 0.5f - 3.0f;
        }
    }
    return w;
}

// The preset with few channels and features, so that files stay small; the layer sequence, and with it
// every tensor name, is unchanged.
Network slim(Network net) {
    for (auto& l : net.layers) {
        if (l.type == LayerType::Conv) l.out = 8;
        if (l.type == LayerType::Fc) {
            l.out = 16;
            l.in_features = 0;
        }
    }
    for (auto it = net.layers.rbegin(); it != net.layers.rend(); ++it)
        if (it->type == LayerType::Fc) {
            it->out = 10;
            break;
        }
    return net;
}

// A network small enough for byte-level tests: conv (2, 1, 3, 3) with bias, relu, flatten, fc (3, 8).
Network tiny() {
    Network net;
    net.name = "tiny";
    net.input = {1, 4, 4};
    Layer conv;
    conv.name = "conv1";
    conv.type = LayerType::Conv;
    conv.out = 2;
    conv.kernel = {3, 3};
    Layer relu;
    relu.name = "relu1";
    relu.type = LayerType::Relu;
    Layer flatten;
    flatten.name = "flatten";
    flatten.type = LayerType::Flatten;
    Layer fc;
    fc.name = "fc2";
    fc.type = LayerType::Fc;
    fc.out = 3;
    net.layers = {conv, relu, flatten, fc};
    return net;
}

// The header of a file whose tensors have the given names and shapes (F32), laid out back to back; the
// data size is returned through `data_bytes`.
std::string header_for(const std::vector<std::pair<std::string, std::vector<int64_t>>>& tensors, uint64_t& data_bytes) {
    std::string h = "{";
    data_bytes = 0;
    for (const auto& [name, shape] : tensors) {
        uint64_t n = 4;
        std::string dims;
        for (int64_t d : shape) {
            n *= static_cast<uint64_t>(d);
            if (!dims.empty()) dims += ",";
            dims += std::to_string(d);
        }
        if (h.size() > 1) h += ",";
        h += "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + dims + "],\"data_offsets\":[" +
             std::to_string(data_bytes) + "," + std::to_string(data_bytes + n) + "]}";
        data_bytes += n;
    }
    return h + "}";
}

// Writes a file with that header and a data buffer of zeros that takes no disk space (a sparse file),
// so that full-size AlexNet headers can be tested without writing 240 MB.
std::string sparse_file(const TempDir& dir, const std::string& name,
                        const std::vector<std::pair<std::string, std::vector<int64_t>>>& tensors) {
    uint64_t data_bytes = 0;
    const std::string header = header_for(tensors, data_bytes);
    const std::string path = dir.file(name, craft(header));
    std::filesystem::resize_file(path, 8 + header.size() + data_bytes);
    return path;
}

// Every tensor the network needs under `naming`, with the shapes it expects.
std::vector<std::pair<std::string, std::vector<int64_t>>> expected_tensors(const Network& net, const Analysis& a,
                                                                           SafetensorsNaming naming) {
    const auto prefixes = safetensors_prefixes(net, naming);
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        if (!is_param_layer(net.layers[i])) continue;
        out.push_back({prefixes[i] + ".weight", expected_weight_shape(net, a, i)});
        if (net.layers[i].bias) out.push_back({prefixes[i] + ".bias", {net.layers[i].out}});
    }
    return out;
}

const std::string kTinyValid =
    R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
    R"("b":{"dtype":"F16","shape":[1,3],"data_offsets":[8,14]},)"
    R"("c":{"dtype":"BF16","shape":[1],"data_offsets":[14,16]}})";

std::string tiny_valid_file() {
    return craft(kTinyValid, f32_bytes({1.5f, -2.0f}) + u16_bytes({0x3c00, 0xc100, 0x0001}) + u16_bytes({0x4049}));
}

}  // namespace

TEST_SUITE("safetensors") {

TEST_CASE("dtype names and sizes") {
    CHECK(parse_safetensors_dtype("F32") == SafetensorsDtype::F32);
    CHECK(parse_safetensors_dtype("BF16") == SafetensorsDtype::BF16);
    CHECK(parse_safetensors_dtype("BOOL") == SafetensorsDtype::Bool);
    CHECK_FALSE(parse_safetensors_dtype("f32"));
    CHECK_FALSE(parse_safetensors_dtype("F128"));
    for (auto d : {SafetensorsDtype::F16, SafetensorsDtype::I64, SafetensorsDtype::F8_E4M3, SafetensorsDtype::C64})
        CHECK(parse_safetensors_dtype(dtype_name(d)) == d);
    CHECK(dtype_size(SafetensorsDtype::F64) == 8);
    CHECK(dtype_size(SafetensorsDtype::BF16) == 2);
    CHECK(dtype_size(SafetensorsDtype::U8) == 1);
    CHECK(is_float_convertible(SafetensorsDtype::F16));
    CHECK_FALSE(is_float_convertible(SafetensorsDtype::I64));
    CHECK(tensor_shape_text({64, 3, 11, 11}) == "(64, 3, 11, 11)");
    CHECK(tensor_shape_text({}) == "()");
}

TEST_CASE("f16 converts exactly, subnormals, infinities and NaN included") {
    CHECK(f16_to_f32(0x3c00) == 1.0f);
    CHECK(f16_to_f32(0xc100) == -2.5f);
    CHECK(f16_to_f32(0x7bff) == 65504.0f);        // the largest half
    CHECK(f16_to_f32(0x0400) == std::ldexp(1.0f, -14));  // the smallest normal
    CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));  // the smallest subnormal
    CHECK(f16_to_f32(0x03ff) == 1023.0f * std::ldexp(1.0f, -24));  // the largest subnormal
    CHECK(f16_to_f32(0x8001) == -std::ldexp(1.0f, -24));
    CHECK(f16_to_f32(0x3555) == 0x1.554p-2f);  // 0.333251953125
    CHECK(f16_to_f32(0x0000) == 0.0f);
    CHECK_FALSE(std::signbit(f16_to_f32(0x0000)));
    CHECK(std::signbit(f16_to_f32(0x8000)));
    CHECK(f16_to_f32(0x7c00) == std::numeric_limits<float>::infinity());
    CHECK(f16_to_f32(0xfc00) == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(f16_to_f32(0x7e00)));
    CHECK(std::isnan(f16_to_f32(0x7c01)));  // a signalling NaN stays a NaN, not infinity
    CHECK(std::isnan(f16_to_f32(0xfe00)));
    // Every finite half equals (1024 + mantissa)·2^(exponent − 25), or mantissa·2⁻²⁴ when subnormal.
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = f16_to_f32(static_cast<uint16_t>(h));
        if (((h >> 10) & 0x1f) == 0x1f) continue;
        const int e = (h >> 10) & 0x1f;
        const float m = static_cast<float>(h & 0x3ff);
        const float want = e == 0 ? std::ldexp(m, -24) : std::ldexp(1024.0f + m, e - 25);
        if (f != ((h & 0x8000) ? -want : want)) {
            FAIL_CHECK("half " << h << " converts to " << f);
            break;
        }
    }
}

TEST_CASE("bf16 is the top half of a float") {
    CHECK(bf16_to_f32(0x3f80) == 1.0f);
    CHECK(bf16_to_f32(0xc020) == -2.5f);
    CHECK(bf16_to_f32(0x4049) == 3.140625f);  // π truncated to 8 bits of mantissa
    CHECK(bf16_to_f32(0x0001) == std::ldexp(1.0f, -133));  // subnormal
    CHECK(bf16_to_f32(0x7f80) == std::numeric_limits<float>::infinity());
    CHECK(bf16_to_f32(0xff80) == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(bf16_to_f32(0x7fc0)));
    CHECK(std::signbit(bf16_to_f32(0x8000)));
}

TEST_CASE("reading a crafted file: names, dtypes, shapes, metadata and values") {
    std::string error;
    const std::string bytes = tiny_valid_file();
    std::vector<std::byte> buf(bytes.size());
    std::memcpy(buf.data(), bytes.data(), bytes.size());
    auto f = SafetensorsFile::parse(buf, error);
    REQUIRE_MESSAGE(f, error);
    REQUIRE(f->tensors().size() == 3);
    CHECK(f->tensors()[0].name == "a");
    CHECK(f->tensors()[1].dtype == SafetensorsDtype::F16);
    CHECK(f->tensors()[1].shape == std::vector<int64_t>{1, 3});
    CHECK(f->metadata().at("format") == "pt");
    CHECK(f->find("zz") == nullptr);

    // The data starts at an odd offset, so values must be read without alignment.
    CHECK((8 + kTinyValid.size()) % 2 == 1);
    std::vector<float> a(2), b(3), c(1);
    CHECK_FALSE(f->read_f32(*f->find("a"), a));
    CHECK_FALSE(f->read_f32(*f->find("b"), b));
    CHECK_FALSE(f->read_f32(*f->find("c"), c));
    CHECK(a == std::vector<float>{1.5f, -2.0f});
    CHECK(b == std::vector<float>{1.0f, -2.5f, std::ldexp(1.0f, -24)});
    CHECK(c == std::vector<float>{3.140625f});
    CHECK(f->read_f32(*f->find("a"), b) == "a: holds 2 values, but the buffer has room for 3");

    // F64 converts, overflow going to infinity; integer types are listed but not converted.
    std::string f64;
    for (double d : {0.1, -1e300, 2.5}) {
        const auto v = std::bit_cast<uint64_t>(d);
        for (int i = 0; i < 8; ++i) f64.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    const std::string mixed = craft(R"({"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},)"
                                    R"("i":{"dtype":"I64","shape":[1],"data_offsets":[24,32]}})",
                                    f64 + le64(7));
    buf.assign(mixed.size(), std::byte{0});
    std::memcpy(buf.data(), mixed.data(), mixed.size());
    f = SafetensorsFile::parse(buf, error);
    REQUIRE_MESSAGE(f, error);
    std::vector<float> d(3), i(1);
    CHECK_FALSE(f->read_f32(*f->find("d"), d));
    CHECK(d == std::vector<float>{0.1f, -std::numeric_limits<float>::infinity(), 2.5f});
    CHECK(f->find("i")->dtype == SafetensorsDtype::I64);
    CHECK(f->read_f32(*f->find("i"), i) == "i: dtype I64 is not a floating-point type");
    CHECK(f->bytes(*f->find("i")).size() == 8);
}

TEST_CASE("valid edge cases: empty header, padding, scalars, empty tensors") {
    CHECK(parse_error(craft("{}")) == "");
    CHECK(parse_error(craft("{}      ")) == "");
    CHECK(parse_error(craft(R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})", f32_bytes({1}))) == "");
    // Empty tensors take no bytes and may sit anywhere, even inside another tensor's range.
    CHECK(parse_error(craft(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("e":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]}})",
                            f32_bytes({1, 2}))) == "");
    // Unused bytes at the end of the data are tolerated.
    CHECK(parse_error(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", f32_bytes({1, 2}))) == "");
}

TEST_CASE("every malformed header gets its own message") {
    const std::string ok_entry = R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
    const std::string data8 = f32_bytes({1, 2});
    auto one = [&](const std::string& entry, const std::string& data = f32_bytes({1, 2})) {
        return parse_error(craft("{\"t\":" + entry + "}", data));
    };

    CHECK(parse_error("") == "the file is 0 bytes, too short for the 8-byte header length");
    CHECK(parse_error("1234567") == "the file is 7 bytes, too short for the 8-byte header length");
    CHECK(parse_error(le64(100'000'001) + "{}") == "the header length 100000001 is over the limit of 100 MB");
    CHECK(parse_error(le64(~uint64_t{0}) + "{}") ==
          "the header length 18446744073709551615 is over the limit of 100 MB");
    CHECK(parse_error(le64(3) + "{}") == "the header length 3 runs past the end of the file (2 bytes follow the "
                                         "length field)");
    CHECK(starts_with(parse_error(craft("")), "the header is not valid JSON: parse error at line 1, column 1"));
    CHECK(starts_with(parse_error(craft("{\"t\":")), "the header is not valid JSON: "));
    CHECK(starts_with(parse_error(craft("{} x")), "the header is not valid JSON: "));
    CHECK(starts_with(parse_error(craft("{\"\xff\":1}")), "the header is not valid JSON: "));  // not UTF-8
    CHECK(parse_error(craft("[]")) == "the header is not a JSON object");
    CHECK(parse_error(craft("\"t\"")) == "the header is not a JSON object");
    CHECK(parse_error(craft("{\"t\":" + ok_entry + ",\"t\":" + ok_entry + "}", data8)) ==
          "the header names \"t\" twice");

    CHECK(one("[]") == "t: expected an object with \"dtype\", \"shape\" and \"data_offsets\"");
    CHECK(one(R"({"shape":[2],"data_offsets":[0,8]})") == "t: the entry has no \"dtype\"");
    CHECK(one(R"({"dtype":32,"shape":[2],"data_offsets":[0,8]})") == "t: \"dtype\" must be a string");
    CHECK(one(R"({"dtype":"F128","shape":[2],"data_offsets":[0,8]})") == "t: unknown dtype \"F128\"");
    CHECK(one(R"({"dtype":"F32","data_offsets":[0,8]})") == "t: the entry has no \"shape\"");
    CHECK(one(R"({"dtype":"F32","shape":2,"data_offsets":[0,8]})") == "t: \"shape\" must be a list of integers");
    CHECK(one(R"({"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})") == "t: \"shape\" must be a list of integers");
    CHECK(one(R"({"dtype":"F32","shape":["2"],"data_offsets":[0,8]})") == "t: \"shape\" must be a list of integers");
    CHECK(one(R"({"dtype":"F32","shape":[2,-1],"data_offsets":[0,8]})") == "t: shape (2, -1) has a negative dimension");
    CHECK(one(R"({"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,8]})") ==
          "t: shape dimension 9223372036854775808 is too large");
    CHECK(one(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})") ==
          "t: shape (4294967296, 4294967296) is too large");
    CHECK(one(R"({"dtype":"F32","shape":[2]})") == "t: the entry has no \"data_offsets\"");
    for (const char* bad : {"[0]", "[0,8,8]", "[-1,8]", "[0,8.0]", "{\"a\":0}", "[\"0\",\"8\"]",
                            "[0,18446744073709551616]"})
        CHECK(one(std::string(R"({"dtype":"F32","shape":[2],"data_offsets":)") + bad + "}") ==
              "t: \"data_offsets\" must be two non-negative integers");
    CHECK(one(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})") == "t: data_offsets [8, 0] end before they begin");
    CHECK(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,12]})") ==
          "t: data_offsets [0, 12] run past the end of the data (8 bytes)");
    CHECK(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,4]})") ==
          "t: data_offsets [0, 4] hold 4 bytes, but shape (2) in F32 needs 8");
    CHECK(parse_error(craft(R"({"features.0.weight":{"dtype":"F32","shape":[64,3,11,11],"data_offsets":[0,100]}})",
                            std::string(100, '\0'))) ==
          "features.0.weight: data_offsets [0, 100] hold 100 bytes, but shape (64, 3, 11, 11) in F32 needs 92928");
    CHECK(parse_error(craft(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                            f32_bytes({1, 2, 3}))) == "b: data_offsets [4, 12] overlap those of a [0, 8]");
    CHECK(parse_error(craft(R"({"b":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},)"
                            R"("a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}})",
                            data8)) == "b: data_offsets [0, 8] overlap those of a [0, 8]");
    CHECK(parse_error(craft(R"({"__metadata__":[]})")) == "\"__metadata__\" must be an object of strings");
    CHECK(parse_error(craft(R"({"__metadata__":{"format":"pt","epoch":3}})")) ==
          "\"__metadata__\": the value of \"epoch\" is not a string");
}

TEST_CASE("open: system errors name the path, format errors too") {
    TempDir dir;
    std::string error;
    CHECK_FALSE(SafetensorsFile::open(dir.file("missing.safetensors"), error));
    CHECK(error == "cannot open " + dir.file("missing.safetensors") + ": No such file or directory");
    CHECK_FALSE(SafetensorsFile::open(dir.path.string(), error));
    CHECK(error == "cannot read " + dir.path.string() + ": it is a directory");
    const std::string empty = dir.file("empty.safetensors");
    std::ofstream(empty, std::ios::binary).flush();
    CHECK_FALSE(SafetensorsFile::open(empty, error));
    CHECK(error == empty + ": the file is 0 bytes, too short for the 8-byte header length");
    const std::string good = dir.file("good.safetensors", tiny_valid_file());
    auto f = SafetensorsFile::open(good, error);
    REQUIRE_MESSAGE(f, error);
    std::vector<float> b(3);
    CHECK_FALSE(f->read_f32(*f->find("b"), b));
    CHECK(b[1] == -2.5f);
    // Moving keeps the mapping; closing drops it and every tensor with it.
    SafetensorsFile g = std::move(*f);
    CHECK(g.tensors().size() == 3);
    const SafetensorsTensor a = *g.find("a");
    g.close();
    CHECK(g.tensors().empty());
    std::vector<float> two(2);
    CHECK(g.read_f32(a, two) == "a: the tensor does not belong to this file");
}

TEST_CASE("a file cut at any length is refused, never read past its end") {
    TempDir dir;
    const Network net = tiny();
    const Analysis a = analyze(net);
    REQUIRE(a.valid());
    const std::string path = dir.file("tiny.safetensors");
    REQUIRE_FALSE(save_safetensors_weights(net, numbered(net, a), path, SafetensorsNaming::Plain));
    const std::string whole = slurp(path);
    REQUIRE(load_safetensors_weights(net, a, path).ok());
    const std::string cut = dir.file("cut.safetensors");
    for (size_t len = 0; len < whole.size(); ++len) {
        std::ofstream(cut, std::ios::binary | std::ios::trunc).write(whole.data(), static_cast<std::streamsize>(len));
        const auto r = load_safetensors_weights(net, a, cut);
        if (r.ok() || !starts_with(r.error, cut + ": ")) {
            FAIL_CHECK("cut at " << len << " bytes: " << r.error);
            break;
        }
        if (!parse_error(whole.substr(0, len)).size()) {
            FAIL_CHECK("cut at " << len << " bytes parses");
            break;
        }
    }
}

TEST_CASE("random byte changes never crash the reader") {
    const std::string base = tiny_valid_file();
    std::mt19937 rng(20240611);
    int accepted = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string bytes = base;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) {
            // Aim most changes at the header, where a change alters meaning; some at the length field.
            const size_t at = rng() % 4 == 0 ? rng() % 8 : rng() % bytes.size();
            switch (rng() % 3) {
                case 0: bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8))); break;
                case 1: bytes[at] = static_cast<char>(rng() % 256); break;
                default: bytes[at] = "0123456789[]{}\",:-.e"[rng() % 20]; break;
            }
        }
        if (rng() % 8 == 0) bytes.resize(rng() % bytes.size());
        std::vector<std::byte> buf(bytes.size());
        if (!bytes.empty()) std::memcpy(buf.data(), bytes.data(), bytes.size());
        std::string error;
        const auto f = SafetensorsFile::parse(buf, error);
        if (!f) {
            CHECK_FALSE(error.empty());
            continue;
        }
        ++accepted;
        for (const auto& t : f->tensors()) {
            CHECK(f->bytes(t).size() == t.end - t.begin);
            if (!is_float_convertible(t.dtype)) continue;
            std::vector<float> out(static_cast<size_t>(t.count()));
            CHECK_FALSE(f->read_f32(t, out));
        }
    }
    CHECK(accepted > 0);  // some mutations (in the data, or harmless ones) leave a valid file
}

TEST_CASE("tensor names: plain layer names, or torchvision's Sequential indices") {
    const Network tv = preset("alexnet-torchvision");
    auto p = safetensors_prefixes(tv, SafetensorsNaming::Torchvision);
    auto at = [&](const Network& net, const std::vector<std::string>& prefixes, const char* layer) {
        for (size_t i = 0; i < net.layers.size(); ++i)
            if (net.layers[i].name == layer) return prefixes[i];
        return std::string("?");
    };
    CHECK(at(tv, p, "conv1") == "features.0");
    CHECK(at(tv, p, "conv2") == "features.3");
    CHECK(at(tv, p, "conv3") == "features.6");
    CHECK(at(tv, p, "conv4") == "features.8");
    CHECK(at(tv, p, "conv5") == "features.10");
    CHECK(at(tv, p, "fc6") == "classifier.1");
    CHECK(at(tv, p, "fc7") == "classifier.4");
    CHECK(at(tv, p, "fc8") == "classifier.6");
    CHECK(at(tv, p, "relu1") == "");
    CHECK(at(tv, safetensors_prefixes(tv, SafetensorsNaming::Plain), "fc6") == "fc6");

    // Without adaptive pool or flatten the classifier starts at the first fc (torchvision's VGG layout),
    // and LRN layers count among the features.
    const Network caffe = preset("alexnet-caffe");
    p = safetensors_prefixes(caffe, SafetensorsNaming::Torchvision);
    CHECK(at(caffe, p, "conv2") == "features.4");
    CHECK(at(caffe, p, "conv5") == "features.12");
    CHECK(at(caffe, p, "fc6") == "classifier.0");
    CHECK(at(caffe, p, "fc8") == "classifier.6");
    const Network vgg = preset("vgg16");
    p = safetensors_prefixes(vgg, SafetensorsNaming::Torchvision);
    CHECK(at(vgg, p, "conv1_2") == "features.2");
    CHECK(at(vgg, p, "conv5_3") == "features.28");
    CHECK(at(vgg, p, "fc7") == "classifier.3");
}

TEST_CASE("weights round-trip exactly under both namings") {
    TempDir dir;
    for (const char* id : {"alexnet-torchvision", "alexnet-caffe"}) {
        for (auto naming : {SafetensorsNaming::Plain, SafetensorsNaming::Torchvision}) {
            CAPTURE(id);
            CAPTURE(static_cast<int>(naming));
            const Network net = slim(preset(id));
            const Analysis a = analyze(net);
            REQUIRE(a.valid());
            const NetworkWeights w = numbered(net, a);
            const std::string path = dir.file(std::string(id) + ".safetensors");
            const auto saved = save_safetensors_weights(net, w, path, naming);
            REQUIRE_MESSAGE(!saved, *saved);

            const auto r = load_safetensors_weights(net, a, path);
            REQUIRE_MESSAGE(r.ok(), r.error);
            CHECK(r.naming == naming);
            CHECK(r.weights.origin == std::string(id) + ".safetensors");
            CHECK_FALSE(check_weights(net, a, r.weights));
            REQUIRE(r.weights.layers.size() == net.layers.size());
            for (size_t i = 0; i < net.layers.size(); ++i) {
                CHECK(r.weights.layers[i].weight_shape == w.layers[i].weight_shape);
                CHECK(r.weights.layers[i].weight == w.layers[i].weight);
                CHECK(r.weights.layers[i].bias == w.layers[i].bias);
            }

            // The data buffer is 8-byte aligned, keys follow the layer order, and PyTorch's marker is there.
            const std::string bytes = slurp(path);
            uint64_t n = 0;
            for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[static_cast<size_t>(i)]);
            CHECK((8 + n) % 8 == 0);
            const std::string header = bytes.substr(8, n);
            const std::string first = naming == SafetensorsNaming::Plain ? "\"conv1.weight\"" : "\"features.0.weight\"";
            const std::string last = naming == SafetensorsNaming::Plain ? "\"fc8.bias\"" : "\"classifier.6.bias\"";
            CHECK(header.find(first) < header.find(last));
            CHECK(contains(header, R"("__metadata__":{"format":"pt"})"));
            std::string error;
            const auto f = SafetensorsFile::open(path, error);
            REQUIRE_MESSAGE(f, error);
            CHECK(f->metadata().at("format") == "pt");
        }
    }
}

TEST_CASE("loading full-size AlexNet tensors from a sparse file") {
    TempDir dir;
    const Network net = preset("alexnet-torchvision");
    const Analysis a = analyze(net);
    auto tensors = expected_tensors(net, a, SafetensorsNaming::Torchvision);
    const auto r = load_safetensors_weights(net, a, sparse_file(dir, "alexnet.safetensors", tensors));
    REQUIRE_MESSAGE(r.ok(), r.error);
    CHECK(r.naming == SafetensorsNaming::Torchvision);
    CHECK(r.weights.layers[0].weight_shape == std::vector<int64_t>{64, 3, 11, 11});  // (out, in/groups, kh, kw)
    CHECK(r.weights.layers[16].weight.size() == size_t{4096} * 9216);                 // fc6: (out, in)
    CHECK_FALSE(check_weights(net, a, r.weights));

    // fc6 as it would be for a 5×5 map (the paper's 224 input without the adaptive pool).
    for (auto& [name, shape] : tensors)
        if (name == "classifier.1.weight") shape = {4096, 6400};
    const std::string bad = sparse_file(dir, "bad.safetensors", tensors);
    CHECK(load_safetensors_weights(net, a, bad).error ==
          bad + ": classifier.1.weight (fc6): expected shape (4096, 9216), got (4096, 6400)");

    // The same under plain names.
    tensors = expected_tensors(net, a, SafetensorsNaming::Plain);
    for (auto& [name, shape] : tensors)
        if (name == "fc6.weight") shape = {4096, 6400};
    const std::string plain = sparse_file(dir, "plain.safetensors", tensors);
    CHECK(load_safetensors_weights(net, a, plain).error ==
          plain + ": fc6.weight: expected shape (4096, 9216), got (4096, 6400)");
}

TEST_CASE("missing, extra and misshapen tensors are named") {
    TempDir dir;
    const Network net = tiny();
    const Analysis a = analyze(net);
    REQUIRE(a.valid());
    const NetworkWeights w = numbered(net, a);
    const std::vector<float> zeros(256, 0.0f);
    auto write = [&](const std::string& name, const std::vector<SafetensorsOutput>& tensors) {
        const std::string path = dir.file(name);
        const auto e = write_safetensors(path, tensors);
        REQUIRE_MESSAGE(!e, *e);
        return path;
    };
    const SafetensorsOutput conv_w{"conv1.weight", {2, 1, 3, 3}, w.layers[0].weight.data()};
    const SafetensorsOutput conv_b{"conv1.bias", {2}, w.layers[0].bias.data()};
    const SafetensorsOutput fc_w{"fc2.weight", {3, 8}, w.layers[3].weight.data()};
    const SafetensorsOutput fc_b{"fc2.bias", {3}, w.layers[3].bias.data()};

    std::string p = write("ok.safetensors", {conv_w, conv_b, fc_w, fc_b});
    auto r = load_safetensors_weights(net, a, p);
    REQUIRE_MESSAGE(r.ok(), r.error);
    CHECK(r.weights.layers[3].weight == w.layers[3].weight);
    CHECK(r.weights.layers[1].weight.empty());  // relu: no parameters

    p = write("missing.safetensors", {conv_w, conv_b, fc_b});
    CHECK(load_safetensors_weights(net, a, p).error == p + ": fc2.weight: missing from the file");
    p = write("nobias.safetensors", {conv_w, conv_b, fc_w});
    CHECK(load_safetensors_weights(net, a, p).error == p + ": fc2.bias: missing from the file (the layer has a bias)");
    p = write("extra.safetensors", {conv_w, conv_b, fc_w, fc_b, {"fc3.weight", {2}, zeros.data()}});
    CHECK(load_safetensors_weights(net, a, p).error == p + ": fc3.weight: no layer of the network uses this tensor");
    p = write("extras.safetensors",
              {conv_w, conv_b, fc_w, fc_b, {"a", {1}, zeros.data()}, {"b", {1}, zeros.data()},
               {"c", {1}, zeros.data()}});
    CHECK(load_safetensors_weights(net, a, p).error ==
          p + ": a: no layer of the network uses this tensor (nor 2 others)");
    p = write("shape.safetensors", {conv_w, conv_b, {"fc2.weight", {3, 7}, zeros.data()}, fc_b});
    CHECK(load_safetensors_weights(net, a, p).error == p + ": fc2.weight: expected shape (3, 8), got (3, 7)");
    p = write("bshape.safetensors", {conv_w, {"conv1.bias", {1, 2}, zeros.data()}, fc_w, fc_b});
    CHECK(load_safetensors_weights(net, a, p).error == p + ": conv1.bias: expected shape (2), got (1, 2)");
    p = write("other.safetensors", {{"x.weight", {1}, zeros.data()}, {"y", {1}, zeros.data()}});
    CHECK(load_safetensors_weights(net, a, p).error ==
          p + ": no tensor belongs to a layer of this network: expected names like conv1.weight or "
              "features.0.weight, the file holds x.weight, y");
    p = write("none.safetensors", {});
    CHECK(load_safetensors_weights(net, a, p).error == p + ": the file holds no tensors");

    // A layer without bias must not get one from the file.
    Network nobias = net;
    nobias.layers[0].bias = false;
    p = write("bias.safetensors", {conv_w, conv_b, fc_w, fc_b});
    CHECK(load_safetensors_weights(nobias, analyze(nobias), p).error ==
          p + ": conv1.bias: the layer has no bias, but the file holds one");
    p = write("nb.safetensors", {conv_w, fc_w, fc_b});
    r = load_safetensors_weights(nobias, analyze(nobias), p);
    REQUIRE_MESSAGE(r.ok(), r.error);
    CHECK(r.weights.layers[0].bias.empty());

    // Torchvision names carry the layer's own name in messages.
    p = write("tv.safetensors", {{"features.0.weight", {2, 1, 3, 3}, zeros.data()},
                                 {"features.0.bias", {2}, zeros.data()},
                                 {"classifier.0.weight", {3, 8}, zeros.data()}});
    CHECK(load_safetensors_weights(net, a, p).error ==
          p + ": classifier.0.bias (fc2): missing from the file (the layer has a bias)");

    // A layer after one the network cannot compute has no shape to check against.
    Network broken = net;
    broken.layers[0].kernel = {9, 9};
    p = write("broken.safetensors", {{"conv1.weight", {2, 1, 9, 9}, zeros.data()}, conv_b, fc_w, fc_b});
    CHECK(load_safetensors_weights(broken, analyze(broken), p).error ==
          p + ": fc2: the network gives this layer no valid input shape, so its weights cannot be checked");

    CHECK(starts_with(load_safetensors_weights(net, a, dir.file("absent.safetensors")).error, "cannot open "));
}

TEST_CASE("half-precision and integer tensors in a weight file") {
    TempDir dir;
    const Network net = tiny();
    const Analysis a = analyze(net);
    // conv1 in F16 (all 1.0, bias −2.5), fc2 in BF16 (all 3.140625, bias 1.0).
    std::string data;
    for (int i = 0; i < 18; ++i) data += u16_bytes({0x3c00});
    data += u16_bytes({0xc100, 0xc100});
    for (int i = 0; i < 24; ++i) data += u16_bytes({0x4049});
    data += u16_bytes({0x3f80, 0x3f80, 0x3f80});
    const std::string header = R"({"conv1.weight":{"dtype":"F16","shape":[2,1,3,3],"data_offsets":[0,36]},)"
                               R"("conv1.bias":{"dtype":"F16","shape":[2],"data_offsets":[36,40]},)"
                               R"("fc2.weight":{"dtype":"BF16","shape":[3,8],"data_offsets":[40,88]},)"
                               R"("fc2.bias":{"dtype":"BF16","shape":[3],"data_offsets":[88,94]}})";
    std::string p = dir.file("half.safetensors", craft(header, data));
    const auto r = load_safetensors_weights(net, a, p);
    REQUIRE_MESSAGE(r.ok(), r.error);
    CHECK(same_values(r.weights.layers[0].weight, std::vector<float>(18, 1.0f)));
    CHECK(same_values(r.weights.layers[0].bias, std::vector<float>(2, -2.5f)));
    CHECK(same_values(r.weights.layers[3].weight, std::vector<float>(24, 3.140625f)));
    CHECK(same_values(r.weights.layers[3].bias, std::vector<float>(3, 1.0f)));

    std::string h2 = header;
    h2.replace(h2.find("BF16"), 4, "I16");
    p = dir.file("int.safetensors", craft(h2, data));
    CHECK(load_safetensors_weights(net, a, p).error == p + ": fc2.weight: dtype I16 is not a floating-point type");
}

TEST_CASE("writer and saver refuse what they cannot write") {
    TempDir dir;
    const float v[2] = {1, 2};
    const std::string p = dir.file("w.safetensors");
    CHECK(write_safetensors(p, {{"a", {1}, v}, {"a", {1}, v}}) == "two tensors are named a");
    CHECK(write_safetensors(p, {{"__metadata__", {1}, v}}) == "the tensor name __metadata__ is reserved");
    CHECK(write_safetensors(p, {{"a", {-1}, v}}) == "a: shape (-1) has a negative dimension");
    CHECK(write_safetensors(p, {{"a", {2}, nullptr}}) == "a: no data");
    CHECK(starts_with(*write_safetensors(dir.file("no/such/dir.safetensors"), {{"a", {1}, v}}), "cannot write "));
    CHECK_FALSE(std::filesystem::exists(p));

    const Network net = tiny();
    const Analysis a = analyze(net);
    NetworkWeights w = numbered(net, a);
    w.layers.pop_back();
    CHECK(save_safetensors_weights(net, w, p, SafetensorsNaming::Plain) ==
          "the weights are for 3 layers, the network has 4");
    w = numbered(net, a);
    w.layers[3].weight.pop_back();
    CHECK(save_safetensors_weights(net, w, p, SafetensorsNaming::Plain) ==
          "fc2.weight: shape (3, 8) does not fit its 23 values");
    w = numbered(net, a);
    w.layers[0].bias.clear();
    CHECK(save_safetensors_weights(net, w, p, SafetensorsNaming::Plain) ==
          "conv1.bias: the layer has a bias, but none was given");
    w = numbered(net, a);
    w.layers[3] = {};
    CHECK(save_safetensors_weights(net, w, p, SafetensorsNaming::Plain) == "fc2: no weights to save");
    CHECK_FALSE(std::filesystem::exists(p));
}

}  // TEST_SUITE
