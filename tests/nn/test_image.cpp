// Images: decoding with clear errors (and no crash on any damaged file), the preprocessing that turns a
// photo into a network input, and the synthetic patterns. Expected values are worked out by hand in the
// comments, or were read from the asset files with an independent decoder (Pillow).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <stb/stb_image_write.h>

#include "nn/image.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;
using namespace convscope::test;

namespace {

const std::string kImages = std::string(CONVSCOPE_SOURCE_DIR) + "/assets/images/";

Tensor tensor_of(Shape3 s, std::vector<float> v) {
    Tensor t(s);
    REQUIRE(v.size() == t.size());
    std::copy(v.begin(), v.end(), t.data.begin());
    return t;
}

Image rgb_image(int w, int h, std::vector<uint8_t> px, int channels = 3) {
    Image img(w, h, channels);
    REQUIRE(px.size() == img.pixels.size());
    img.pixels = std::move(px);
    return img;
}

std::string stb_encode(int w, int h, int c, const std::vector<uint8_t>& px, char kind) {
    std::string out;
    auto sink = [](void* ctx, void* data, int size) {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<size_t>(size));
    };
    if (kind == 'p') stbi_write_png_to_func(sink, &out, w, h, c, px.data(), w * c);
    if (kind == 'j') stbi_write_jpg_to_func(sink, &out, w, h, c, px.data(), 90);
    if (kind == 'b') stbi_write_bmp_to_func(sink, &out, w, h, c, px.data());
    return out;
}

std::vector<uint8_t> noise(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) {
        seed = seed * 1664525u + 1013904223u;
        b = static_cast<uint8_t>(seed >> 24);
    }
    return v;
}

uint32_t crc32(std::string_view s) {
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : s) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

std::string be32(uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// A PNG that is only a signature and an IHDR chunk claiming w × h RGB pixels.
std::string png_header_only(uint32_t w, uint32_t h) {
    const std::string body = "IHDR" + be32(w) + be32(h) + std::string("\x08\x02\x00\x00\x00", 5);
    return std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + body + be32(crc32(body));
}

}  // namespace

TEST_SUITE("image") {

TEST_CASE("bilinear enlargement of a 2×2 image to 4×4 aligns pixel centres") {
    // Source [[0, 100], [200, 40]]. Output pixel o sits at source x = (o + 0.5)/2 − 0.5: −0.25 (clamped to
    // pixel 0), 0.25, 0.75, 1.25 (clamped to 1): weights 1 | 0.75, 0.25 | 0.25, 0.75 | 1.
    // Rows: [0, 25, 75, 100] and [200, 160, 80, 40]; the same weights down the columns.
    const Tensor in = tensor_of({1, 2, 2}, {0, 100, 200, 40});
    const Tensor out = resize(in, 4, 4);
    const float want[16] = {0, 25, 75, 100, 50, 58.75f, 76.25f, 85, 150, 126.25f, 78.75f, 55, 200, 160, 80, 40};
    REQUIRE(out.shape == Shape3{1, 4, 4});
    for (int i = 0; i < 16; ++i) CHECK(out.data[i] == doctest::Approx(want[i]).epsilon(1e-6));
}

TEST_CASE("shrinking averages every source pixel, so fine detail turns grey instead of aliasing") {
    // 4 → 2: output 0 at source x = 1.0 with a tent of half-width 2: pixels 0, 1, 2 at distances 0.5, 0.5,
    // 1.5 → weights 0.75, 0.75, 0.25 over 1.75 → (0·3 + 10·3 + 20·1)/7.
    const Tensor row = resize(tensor_of({1, 1, 4}, {0, 10, 20, 30}), 1, 2);
    CHECK(row.data[0] == doctest::Approx(50.0 / 7));
    CHECK(row.data[1] == doctest::Approx(160.0 / 7));

    // A one-pixel checkerboard shrunk 4× is uniform grey away from the border; point sampling would give
    // pure black or white.
    const Image cb = checkerboard_image(64, 64, 1);
    const Tensor small = resize(image_to_tensor(cb), 16, 16);
    for (int y = 1; y < 15; ++y)
        for (int x = 1; x < 15; ++x) CHECK(small.at(0, y, x) == doctest::Approx(127.5).epsilon(1e-4));

    // A constant image stays constant at any scale.
    Tensor flat(Shape3{2, 37, 53}, 42.0f);
    for (auto [h, w] : {std::pair{5, 7}, {100, 80}, {37, 1}, {1, 1}}) {
        const Tensor r = resize(flat, h, w);
        REQUIRE(r.shape == Shape3{2, h, w});
        for (float v : r.data) CHECK(v == doctest::Approx(42.0f));
    }
    // The same size is the identity.
    const Tensor id = resize(tensor_of({1, 2, 2}, {1, 2, 3, 4}), 2, 2);
    CHECK(id.data[3] == 4.0f);
}

TEST_CASE("centre crop keeps the middle, an odd margin leaves its extra pixel at the bottom and right") {
    Tensor t(Shape3{1, 4, 5});
    for (int i = 0; i < 20; ++i) t.data[i] = static_cast<float>(i);
    const Tensor c = center_crop(t, 2, 2);  // margins: rows 2 → top 1; columns 3 → left 1
    REQUIRE(c.shape == Shape3{1, 2, 2});
    CHECK(c.data[0] == 6.0f);
    CHECK(c.data[1] == 7.0f);
    CHECK(c.data[2] == 11.0f);
    CHECK(c.data[3] == 12.0f);
}

TEST_CASE("normalisation presets on a known pixel") {
    // RGB (255, 128, 0).
    const Image px = rgb_image(1, 1, {255, 128, 0});
    PreprocessOptions o;
    o.normalization = Normalization::Torchvision;
    auto r = preprocess(px, {3, 1, 1}, o);
    REQUIRE_MESSAGE(r, r.error);
    CHECK(r.tensor->data[0] == doctest::Approx((1.0 - 0.485) / 0.229));          // 2.24891
    CHECK(r.tensor->data[1] == doctest::Approx((128 / 255.0 - 0.456) / 0.224));  // 0.20518
    CHECK(r.tensor->data[2] == doctest::Approx((0.0 - 0.406) / 0.225));          // −1.80444

    // Caffe: channel 0 is blue, 0–255 scale minus the means B 104, G 117, R 123.
    o.normalization = Normalization::Caffe;
    r = preprocess(px, {3, 1, 1}, o);
    REQUIRE(r);
    CHECK(r.tensor->data[0] == doctest::Approx(0 - 104));
    CHECK(r.tensor->data[1] == doctest::Approx(128 - 117));
    CHECK(r.tensor->data[2] == doctest::Approx(255 - 123));

    o.normalization = Normalization::None;
    r = preprocess(px, {3, 1, 1}, o);
    REQUIRE(r);
    CHECK(r.tensor->data[0] == doctest::Approx(1.0));
    CHECK(r.tensor->data[1] == doctest::Approx(128 / 255.0));
    CHECK(r.tensor->data[2] == doctest::Approx(0.0));

    for (auto n : {Normalization::Torchvision, Normalization::Caffe, Normalization::None})
        CHECK(parse_normalization(normalization_name(n)) == n);
    CHECK_FALSE(parse_normalization("imagenet"));
}

TEST_CASE("caffe order: a pure red image lights channel 2, a pure blue one channel 0") {
    PreprocessOptions o;
    o.normalization = Normalization::Caffe;
    const auto red = preprocess(rgb_image(2, 2, std::vector<uint8_t>{255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0}),
                                {3, 2, 2}, o);
    REQUIRE(red);
    CHECK(red.tensor->at(0, 1, 1) == doctest::Approx(-104));
    CHECK(red.tensor->at(2, 1, 1) == doctest::Approx(132));
    const auto blue = preprocess(rgb_image(1, 1, {0, 0, 255}), {3, 1, 1}, o);
    REQUIRE(blue);
    CHECK(blue.tensor->data[0] == doctest::Approx(151));
    CHECK(blue.tensor->data[2] == doctest::Approx(-123));
}

TEST_CASE("grayscale: BT.601 luma for 1-channel networks, replication for 3-channel ones") {
    // R, G, B, white: 0.299·255, 0.587·255, 0.114·255, 255.
    const Image img = rgb_image(4, 1, {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255});
    PreprocessOptions o;
    o.normalization = Normalization::None;
    auto r = preprocess(img, {1, 1, 4}, o);
    REQUIRE_MESSAGE(r, r.error);
    CHECK(r.tensor->data[0] * 255 == doctest::Approx(76.245));
    CHECK(r.tensor->data[1] * 255 == doctest::Approx(149.685));
    CHECK(r.tensor->data[2] * 255 == doctest::Approx(29.07));
    CHECK(r.tensor->data[3] == doctest::Approx(1.0));

    // Caffe on one channel subtracts the luma of the mean: 0.299·123 + 0.587·117 + 0.114·104 = 117.312.
    o.normalization = Normalization::Caffe;
    r = preprocess(img, {1, 1, 4}, o);
    REQUIRE(r);
    CHECK(r.tensor->data[3] == doctest::Approx(255 - 117.312));

    // A gray image for a colour network: the same value in all three channels.
    const Image gray = rgb_image(2, 1, {10, 200}, 1);
    o.normalization = Normalization::None;
    r = preprocess(gray, {3, 1, 2}, o);
    REQUIRE(r);
    for (int c = 0; c < 3; ++c) {
        CHECK(r.tensor->at(c, 0, 0) == doctest::Approx(10 / 255.0));
        CHECK(r.tensor->at(c, 0, 1) == doctest::Approx(200 / 255.0));
    }
}

TEST_CASE("preprocess: the shorter side matches, then the centre is cropped") {
    // 4 × 2 (w × h) to 2 × 2: no resize (the shorter side is already 2), columns 1 and 2 kept.
    const Image img = rgb_image(4, 2, {0, 10, 20, 30, 40, 50, 60, 70}, 1);
    PreprocessOptions o;
    o.normalization = Normalization::None;
    auto r = preprocess(img, {1, 2, 2}, o);
    REQUIRE(r);
    CHECK(r.tensor->data[0] * 255 == doctest::Approx(10));
    CHECK(r.tensor->data[1] * 255 == doctest::Approx(20));
    CHECK(r.tensor->data[2] * 255 == doctest::Approx(50));
    CHECK(r.tensor->data[3] * 255 == doctest::Approx(60));

    // A non-square target wider than the image's aspect: the width decides the scale.
    r = preprocess(img, {1, 1, 8}, o);
    REQUIRE(r);
    CHECK(r.tensor->shape == Shape3{1, 1, 8});

    // torchvision's Resize(256) + CenterCrop(224) on a 451 × 300 photo.
    const auto cat = load_image(kImages + "chelsea.jpg");
    REQUIRE_MESSAGE(cat, cat.error);
    o.resize_shorter = 256;
    o.normalization = Normalization::Torchvision;
    r = preprocess(*cat.image, {3, 224, 224}, o);
    REQUIRE(r);
    CHECK(r.tensor->shape == Shape3{3, 224, 224});
    for (float v : r.tensor->data) {
        REQUIRE(v >= -2.2f);  // (0 − 0.485)/0.229 = −2.118 is the lowest possible value
        REQUIRE(v <= 2.7f);   // (1 − 0.406)/0.225 = 2.640 the highest
    }
    // A resize_shorter smaller than the crop falls back to covering it.
    o.resize_shorter = 100;
    r = preprocess(*cat.image, {3, 227, 227}, o);
    REQUIRE(r);
    CHECK(r.tensor->shape == Shape3{3, 227, 227});

    CHECK(contains(preprocess(img, {4, 2, 2}).error, "4 input channels"));
    CHECK_FALSE(preprocess(img, {3, 0, 2}));
    CHECK_FALSE(preprocess(Image{}, {3, 2, 2}));
}

TEST_CASE("the asset photos decode with the expected size and pixels") {
    // Reference pixels read with Pillow; JPEG decoders may differ by a level or two.
    struct Px {
        int x, y, r, g, b;
    };
    struct Case {
        const char* file;
        int w, h;
        std::vector<Px> px;
    };
    const Case cases[] = {
        {"chelsea.jpg", 451, 300, {{0, 0, 143, 120, 104}, {225, 150, 197, 155, 130}, {100, 200, 159, 114, 91},
                                   {450, 299, 163, 139, 129}, {300, 50, 164, 125, 94}}},
        {"coffee.jpg", 512, 341, {{0, 0, 21, 14, 8}, {256, 170, 246, 246, 248}, {100, 300, 31, 6, 2},
                                  {511, 340, 137, 57, 30}, {400, 60, 197, 117, 66}}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.file);
        const auto r = load_image(kImages + c.file);
        REQUIRE_MESSAGE(r, r.error);
        CHECK(r.image->width == c.w);
        CHECK(r.image->height == c.h);
        CHECK(r.image->channels == 3);
        for (const Px& p : c.px) {
            CAPTURE(p.x);
            CAPTURE(p.y);
            CHECK(std::abs(r.image->at(p.x, p.y, 0) - p.r) <= 3);
            CHECK(std::abs(r.image->at(p.x, p.y, 1) - p.g) <= 3);
            CHECK(std::abs(r.image->at(p.x, p.y, 2) - p.b) <= 3);
        }
    }
}

TEST_CASE("the asset patterns are exactly what the generators draw") {
    const std::pair<const char*, Image> cases[] = {
        {"vertical-edge.png", make_pattern(Pattern::VerticalEdge, 224, 224)},
        {"grating.png", grating_image(224, 224, 45.0, 16.0)},
        {"checkerboard.png", make_pattern(Pattern::Checkerboard, 224, 224)},
        {"color-wheel.png", make_pattern(Pattern::ColorWheel, 224, 224)},
        {"opponent-blobs.png", make_pattern(Pattern::OpponentBlobs, 224, 224)},
    };
    for (const auto& c : cases) {
        // Not a structured binding: clang 14 cannot capture one in CAPTURE's lambda.
        const char* file = c.first;
        const Image& img = c.second;
        CAPTURE(file);
        const auto r = load_image(kImages + file);
        REQUIRE_MESSAGE(r, r.error);
        CHECK(r.image->width == 224);
        CHECK(r.image->channels == 3);
        CHECK(r.image->pixels == img.pixels);
    }
}

TEST_CASE("PNG, JPEG and BMP round trips, alpha is composited over white") {
    const std::vector<uint8_t> px = noise(7 * 5 * 3, 1);
    for (char kind : {'p', 'b'}) {
        const auto r = decode_image(stb_encode(7, 5, 3, px, kind), "mem");
        REQUIRE_MESSAGE(r, r.error);
        CHECK(r.image->pixels == px);
    }
    const auto j = decode_image(stb_encode(7, 5, 3, px, 'j'), "mem");
    REQUIRE_MESSAGE(j, j.error);
    CHECK(j.image->width == 7);
    CHECK(j.image->height == 5);

    // RGBA: transparent red → white; half-covered blue: (0·128 + 255·127)/255 = 127, blue stays 255.
    const auto a = decode_image(stb_encode(2, 1, 4, {255, 0, 0, 0, 0, 0, 255, 128}, 'p'), "mem");
    REQUIRE(a);
    CHECK(a.image->channels == 3);
    CHECK(a.image->pixels == std::vector<uint8_t>{255, 255, 255, 127, 127, 255});
    // Gray + alpha → gray.
    const auto ga = decode_image(stb_encode(2, 1, 2, {0, 255, 100, 0}, 'p'), "mem");
    REQUIRE(ga);
    CHECK(ga.image->channels == 1);
    CHECK(ga.image->pixels == std::vector<uint8_t>{0, 255});

    TempDir dir;
    const std::string path = dir.file("x.png");
    std::string err;
    REQUIRE(save_png(path, rgb_image(2, 1, {1, 2, 3, 4, 5, 6}), err));
    const auto back = load_image(path);
    REQUIRE(back);
    CHECK(back.image->pixels == std::vector<uint8_t>{1, 2, 3, 4, 5, 6});
    CHECK(encode_png(Image{}).empty());
    CHECK_FALSE(save_png(path, Image{}, err));
}

TEST_CASE("unreadable files give an error naming the path") {
    TempDir dir;
    const std::string missing = dir.file("missing.png");
    auto r = load_image(missing);
    CHECK_FALSE(r);
    CHECK(contains(r.error, missing));
    CHECK(contains(r.error, "No such file"));

    r = load_image(dir.path.string());
    CHECK_FALSE(r);
    CHECK(contains(r.error, "directory"));

    const std::string empty = dir.file("empty.jpg");
    { std::ofstream(empty, std::ios::binary); }
    r = load_image(empty);
    CHECK(contains(r.error, empty + ": the file is empty"));

    r = load_image(dir.file("notes.png", "hello, this is text"));
    CHECK(contains(r.error, "not a PNG, JPEG or BMP image"));
    r = decode_image("GIF89a\x01\x00\x01\x00", "a.gif");
    CHECK(starts_with(r.error, "a.gif: "));
    CHECK(contains(r.error, "GIF"));
    r = decode_image(std::string("\x89PNG\r\n\x1a\n", 8) + "garbage", "bad.png");
    CHECK(contains(r.error, "bad.png: cannot read the PNG header"));
}

TEST_CASE("absurd sizes are refused before decoding") {
    auto r = decode_image(png_header_only(20000, 10), "huge.png");
    CHECK_FALSE(r);
    CHECK(contains(r.error, "20000 × 10"));
    r = decode_image(png_header_only(9000, 9000), "big.png");  // 81 megapixels
    CHECK(contains(r.error, "megapixels"));
    r = decode_image(png_header_only(4, 4), "tiny.png");  // a sane header with no pixel data
    CHECK_FALSE(r);
    CHECK(contains(r.error, "cannot decode the PNG image data"));
}

TEST_CASE("every truncation and single-byte corruption of small images is survived") {
    const std::vector<uint8_t> px = noise(9 * 6 * 3, 7);
    for (char kind : {'p', 'j', 'b'}) {
        const std::string full = stb_encode(9, 6, 3, px, kind);
        REQUIRE(!full.empty());
        for (size_t n = 0; n < full.size(); ++n) {
            const auto r = decode_image(std::string_view(full).substr(0, n), "cut");
            if (r) {  // a decoder may fill a cut-off JPEG's end with grey; the size must still hold
                CHECK(r.image->width == 9);
                CHECK(r.image->pixels.size() == 9u * 6 * 3);
            } else {
                CHECK(starts_with(r.error, "cut: "));
            }
        }
        for (size_t i = 0; i < full.size(); ++i) {
            std::string bad = full;
            bad[i] = static_cast<char>(bad[i] ^ 0x5A);
            const auto r = decode_image(bad, "bad");
            if (r)
                CHECK(r.image->pixels.size() ==
                      static_cast<size_t>(r.image->width) * r.image->height * r.image->channels);
        }
    }
}

TEST_CASE("a JPEG Huffman table of more than 256 codes is refused before stb decodes it") {
    // Found by fuzzing (tests/fuzz): stb_image writes past its Huffman arrays for such a table.
    // The second file's table is cut off by the end of the file, which stb reads as zeros.
    for (const char* name : {"jpeg-dht-overflow.jpg", "jpeg-dht-truncated.jpg"}) {
        const auto r = load_image(std::string(CONVSCOPE_SOURCE_DIR) + "/tests/fuzz/regressions/" + name);
        CHECK_FALSE(r);
        CHECK(contains(r.error, "Huffman table declares more than 256 codes"));
    }

    // The check skips segment payloads: an APP1 segment holding the bytes of a bad table is no table.
    const std::string good = stb_encode(9, 6, 3, noise(9 * 6 * 3, 3), 'j');
    REQUIRE(good.size() > 2);
    std::string app1 = "\xFF\xE1";
    const std::string payload = std::string("\xFF\xC4\x00\x13\x00", 5) + std::string(16, '\xFF');
    app1 += static_cast<char>(0);
    app1 += static_cast<char>(payload.size() + 2);
    const std::string with_app1 = good.substr(0, 2) + app1 + payload + good.substr(2);
    const auto ok = decode_image(with_app1, "app1.jpg");
    REQUIRE(ok);
    CHECK(ok.image->width == 9);
}

TEST_CASE("a PNG chunk longer than the file is refused before stb allocates for it") {
    // Found by fuzzing (tests/fuzz): an IDAT chunk claiming about 2 GiB made stb allocate that much.
    const auto r = load_image(std::string(CONVSCOPE_SOURCE_DIR) + "/tests/fuzz/regressions/png-idat-huge-length.png");
    CHECK_FALSE(r);
    CHECK(contains(r.error, "a chunk is longer than the rest of the file"));
}

TEST_CASE("edge patterns") {
    Image v = edge_image(4, 2, EdgeDirection::Vertical);
    CHECK(v.at(1, 1, 0) == 0);
    CHECK(v.at(2, 0, 0) == 255);
    CHECK(v.at(2, 0, 2) == 255);
    v = edge_image(5, 1, EdgeDirection::Vertical);  // the middle column lies on the step
    CHECK(v.at(2, 0, 1) == 128);
    const Image h = edge_image(3, 4, EdgeDirection::Horizontal);
    CHECK(h.at(2, 1, 0) == 0);
    CHECK(h.at(0, 2, 0) == 255);
    const Image d = edge_image(4, 4, EdgeDirection::Diagonal);
    CHECK(d.at(0, 0, 0) == 0);
    CHECK(d.at(3, 3, 0) == 255);
    CHECK(d.at(0, 3, 0) == 128);  // on the rising diagonal
    CHECK(d.at(3, 0, 0) == 128);
    CHECK(d.at(2, 0, 0) == 0);
    CHECK(d.at(3, 1, 0) == 255);
}

TEST_CASE("gratings, checkerboard, dot") {
    // Period 4 at 0°: pixel 3 of 8 sits at u = −0.5, cos(−π/4) → 127.5 + 90.156 = 217.66 → 218; pixel 4
    // (u = 0.5) the same; pixel 5 (u = 1.5) cos(3π/4) → 37.34 → 37.
    const Image g = grating_image(8, 2, 0.0, 4.0);
    CHECK(g.at(3, 0, 0) == 218);
    CHECK(g.at(4, 1, 0) == 218);
    CHECK(g.at(5, 0, 0) == 37);
    // 90° is the transpose of 0°.
    const Image a = grating_image(12, 12, 0.0, 5.0), b = grating_image(12, 12, 90.0, 5.0);
    for (int y = 0; y < 12; ++y)
        for (int x = 0; x < 12; ++x) REQUIRE(a.at(x, y, 0) == b.at(y, x, 0));

    const Image c = checkerboard_image(6, 6, 2);
    CHECK(c.at(0, 0, 0) == 0);
    CHECK(c.at(1, 1, 0) == 0);
    CHECK(c.at(2, 0, 0) == 255);
    CHECK(c.at(2, 2, 0) == 0);
    CHECK(c.at(5, 0, 0) == 0);
    CHECK(c.at(4, 2, 0) == 255);

    const Image dot = dot_image(5, 5, 0.0);
    int lit = 0;
    for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 5; ++x) lit += dot.at(x, y, 0) == 255;
    CHECK(lit == 1);
    CHECK(dot.at(2, 2, 0) == 255);
    const Image disc = dot_image(9, 9, 1.0);  // centre and its four neighbours
    int n = 0;
    for (uint8_t p : disc.pixels) n += p == 255;
    CHECK(n == 5 * 3);

    // Sizes are clamped rather than trusted.
    CHECK(checkerboard_image(0, -3, 0).pixels.size() == 3u);
}

TEST_CASE("colour patterns") {
    const Image w = color_wheel_image(101, 101);
    // Right edge, middle row: hue 0 at saturation 0.99 → red.
    CHECK(w.at(100, 50, 0) == 255);
    CHECK(w.at(100, 50, 1) <= 5);
    CHECK(w.at(100, 50, 2) <= 5);
    // Top: hue 90° → (½, 1, 0) at saturation 0.99.
    CHECK(w.at(50, 0, 0) >= 125);
    CHECK(w.at(50, 0, 0) <= 132);
    CHECK(w.at(50, 0, 1) == 255);
    // Centre near white, corners mid-grey.
    CHECK(w.at(50, 50, 2) >= 250);
    CHECK(w.at(0, 0, 0) == 128);

    const Image o = opponent_blobs_image(80, 80);
    auto rgb = [&](int x, int y) { return std::array<int, 3>{o.at(x, y, 0), o.at(x, y, 1), o.at(x, y, 2)}; };
    CHECK(rgb(20, 20)[0] > 240);  // red
    CHECK(rgb(20, 20)[1] < 15);
    CHECK(rgb(60, 20)[1] > 240);  // green
    CHECK(rgb(60, 20)[0] < 15);
    CHECK(rgb(20, 60)[2] > 240);  // blue
    CHECK(rgb(60, 60)[0] > 240);  // yellow
    CHECK(rgb(60, 60)[1] > 240);
    CHECK(rgb(60, 60)[2] < 15);
    for (int v : rgb(40, 0)) CHECK(std::abs(v - 128) <= 1);  // between the blobs: the grey background

    for (Pattern p : all_patterns()) {
        CAPTURE(pattern_name(p));
        CHECK(parse_pattern(pattern_name(p)) == p);
        const Image img = make_pattern(p, 33, 17);
        CHECK(img.width == 33);
        CHECK(img.height == 17);
        CHECK(img.channels == 3);
    }
    CHECK_FALSE(parse_pattern("stripes"));
}

}  // TEST_SUITE
