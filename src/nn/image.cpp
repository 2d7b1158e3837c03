#include "nn/image.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "core/i18n.h"
#include "core/file_io.h"

namespace convscope::nn {

namespace {

// ---- Decoding -------------------------------------------------------------------------------------------

// Formats are told apart by their signature, so that a GIF, TIFF or WebP (stb reads some of them, but the
// product promises PNG, JPEG and BMP) gets a message naming what it is instead of a decoder's guess.
const char* detect_format(std::string_view b) {
    auto starts = [&](std::string_view sig) { return b.substr(0, sig.size()) == sig; };
    if (starts(std::string_view("\x89PNG\r\n\x1a\n", 8))) return "PNG";
    if (starts("\xFF\xD8\xFF")) return "JPEG";
    if (starts("BM")) return "BMP";
    return nullptr;
}

std::string guess_other_format(std::string_view b) {
    auto starts = [&](std::string_view sig) { return b.substr(0, sig.size()) == sig; };
    if (starts("GIF8")) return tr("it looks like a GIF image");
    if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4)))
        return tr("it looks like a TIFF image");
    if (starts("RIFF") && b.size() >= 12 && b.substr(8, 4) == "WEBP") return tr("it looks like a WebP image");
    if (b.size() >= 12 && b.substr(4, 4) == "ftyp") return tr("it looks like a HEIF/AVIF image");
    if (starts("\x93NUMPY")) return tr("it is a NumPy array file");
    return "";
}

// stb's reasons are terse ("bad png sig", "outofdata"); they stay in the message for whoever debugs a
// file, after a sentence the user can act on.
std::string decoder_reason() {
    const char* r = stbi_failure_reason();
    return r && *r ? std::string(" (decoder: ") + r + ")" : std::string();
}

// Debian's stb_image (2022-09) trusts a JPEG's Huffman tables: a DHT table whose 16 code counts add up to
// more than 256 makes it write past the table's arrays, over the rest of the decoder's state, before it
// notices anything (later stb versions refuse such a table). So the tables are checked here first. The
// walk finds every DHT segment stb could read: segments are skipped by their length (their payload, an
// EXIF thumbnail say, may hold any bytes), anything else byte by byte (entropy-coded data has every 0xFF
// followed by 0 or a restart marker). Like stb, a table may run past its segment's length and the file's end.
bool jpeg_huffman_tables_sound(std::string_view b) {
    auto at = [&](size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(b[i])); };
    size_t i = 2;  // after SOI
    while (i + 1 < b.size()) {
        if (at(i) != 0xFF) {
            ++i;
            continue;
        }
        size_t m = i + 1;
        while (m < b.size() && at(m) == 0xFF) ++m;  // fill bytes
        if (m + 2 >= b.size()) break;
        const unsigned marker = at(m);
        if (marker == 0xD9) break;  // EOI: stb reads no further
        if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
            i = m + 1;  // stuffed byte, TEM, restart or SOI: no length follows
            continue;
        }
        const size_t length = at(m + 1) << 8 | at(m + 2);
        if (marker == 0xC4) {
            size_t p = m + 3;
            for (int64_t left = static_cast<int64_t>(length) - 2; left > 0 && p < b.size();) {
                size_t codes = 0;  // stb reads a byte past the end of the file as 0, and goes on
                for (size_t k = 1; k <= 16 && p + k < b.size(); ++k) codes += at(p + k);
                if (codes > 256) return false;
                p += 17 + codes;
                left -= static_cast<int64_t>(17 + codes);
            }
        }
        i = m + 1 + std::max<size_t>(length, 2);
    }
    return true;
}

// stb_image grows its buffer for a PNG's image data to each IDAT chunk's declared length before it
// reads the chunk, so a few bytes that claim a 2 GiB chunk cost a 2 GiB allocation. Every chunk up to
// IEND (after which stb reads nothing) must therefore fit in the file; stb fails on any that does not.
bool png_chunks_fit(std::string_view b) {
    auto be32 = [&](size_t i) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; ++k) v = v << 8 | static_cast<unsigned char>(b[i + k]);
        return v;
    };
    for (size_t i = 8; i + 8 <= b.size();) {
        if (b.substr(i + 4, 4) == "IEND") break;  // stb stops at the type, whatever the length says
        const uint64_t length = be32(i);
        if (length > b.size() - i - 8) return false;
        i += 12 + length;  // length, type, data, CRC
    }
    return true;
}

struct StbFree {
    void operator()(unsigned char* p) const { stbi_image_free(p); }
};

}  // namespace

ImageResult decode_image(std::string_view bytes, const std::string& name) {
    auto fail = [&](const std::string& why) { return ImageResult{std::nullopt, name + ": " + why}; };
    if (bytes.empty()) return fail(tr("the file is empty"));
    const char* format = detect_format(bytes);
    if (!format) {
        const std::string hint = guess_other_format(bytes);
        return fail(hint.empty() ? tr("not a PNG, JPEG or BMP image") : tr("not a PNG, JPEG or BMP image ({0})", hint));
    }
    if (bytes.size() > static_cast<size_t>(INT_MAX)) return fail(tr("the file is too large to decode"));
    if (std::string_view(format) == "PNG" && !png_chunks_fit(bytes))
        return fail(tr("the PNG file is corrupt or truncated: a chunk is longer than the rest of the file"));
    if (std::string_view(format) == "JPEG" && !jpeg_huffman_tables_sound(bytes))
        return fail(tr("the JPEG file is corrupt: a Huffman table declares more than 256 codes"));
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const int len = static_cast<int>(bytes.size());

    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(p, len, &w, &h, &comp) || w <= 0 || h <= 0 || comp < 1 || comp > 4)
        return fail(tr("cannot read the {0} header: the file is corrupt, truncated or an unsupported variant{1}", format,
                       decoder_reason()));
    if (w > kMaxImageSide || h > kMaxImageSide || int64_t{w} * h > kMaxImagePixels)
        return fail(tr("the image is {0} × {1} pixels; ConvScope reads images up to {2} pixels a side and {3} "
                       "megapixels (scale it down first)",
                       w, h, kMaxImageSide, kMaxImagePixels >> 20));

    int w2 = 0, h2 = 0, file_comp = 0;
    std::unique_ptr<unsigned char, StbFree> data(stbi_load_from_memory(p, len, &w2, &h2, &file_comp, comp));
    if (!data)
        return fail(tr("cannot decode the {0} image data: the file is corrupt, truncated or an unsupported variant{1}",
                       format, decoder_reason()));
    if (w2 != w || h2 != h) return fail(tr("the {0} header and image data disagree on the size", format));

    // Gray + alpha → gray, RGBA → RGB, alpha composited over white with rounding.
    const int out_c = comp <= 2 ? 1 : 3;
    Image img(w, h, out_c);
    const size_t n = static_cast<size_t>(w) * h;
    const unsigned char* src = data.get();
    if (comp == out_c) {
        std::memcpy(img.pixels.data(), src, n * static_cast<size_t>(out_c));
    } else {
        for (size_t i = 0; i < n; ++i) {
            const unsigned a = src[i * comp + out_c];
            for (int c = 0; c < out_c; ++c)
                img.pixels[i * out_c + c] =
                    static_cast<uint8_t>((src[i * comp + c] * a + 255u * (255u - a) + 127u) / 255u);
        }
    }
    return {std::move(img), {}};
}

ImageResult load_image(const std::string& path) {
    std::string error;
    // 256 MiB is far beyond any photo within the pixel limit; a larger file is refused before reading.
    const auto bytes = read_file(path, error, size_t{256} << 20);
    if (!bytes) return {std::nullopt, error};
    return decode_image(*bytes, path);
}

// ---- Preprocessing --------------------------------------------------------------------------------------

std::string_view normalization_name(Normalization n) {
    switch (n) {
        case Normalization::Torchvision: return "torchvision";
        case Normalization::Caffe: return "caffe";
        case Normalization::None: return "none";
    }
    return "none";
}

std::optional<Normalization> parse_normalization(std::string_view s) {
    for (Normalization n : {Normalization::Torchvision, Normalization::Caffe, Normalization::None})
        if (s == normalization_name(n)) return n;
    return std::nullopt;
}

Tensor image_to_tensor(const Image& img) {
    Tensor t(Shape3{img.channels, img.height, img.width});  // (C, H, W)
    for (int c = 0; c < img.channels; ++c)
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < img.width; ++x) t.at(c, y, x) = img.at(x, y, c);
    return t;
}

namespace {
constexpr float kLuma[3] = {0.299f, 0.587f, 0.114f};  // ITU-R BT.601, R G B
}

Tensor rgb_to_gray(const Tensor& rgb) {
    const int64_t hw = rgb.shape.h * rgb.shape.w;
    Tensor g(Shape3{1, rgb.shape.h, rgb.shape.w});  // (1, H, W)
    for (int64_t i = 0; i < hw; ++i)
        g.data[i] = kLuma[0] * rgb.data[i] + kLuma[1] * rgb.data[hw + i] + kLuma[2] * rgb.data[2 * hw + i];
    return g;
}

Tensor gray_to_rgb(const Tensor& gray) {
    const int64_t hw = gray.shape.h * gray.shape.w;
    Tensor t(Shape3{3, gray.shape.h, gray.shape.w});  // (3, H, W)
    for (int c = 0; c < 3; ++c) std::copy(gray.data.begin(), gray.data.begin() + hw, t.data.begin() + c * hw);
    return t;
}

namespace {

// One output sample's source taps along an axis.
struct Taps {
    std::vector<int> first;    // per output index: the first source index
    std::vector<int> count;    // per output index: how many taps
    std::vector<float> weight;  // per output index: `stride` weights, normalised to sum 1
    int stride = 0;
};

// The resampling filter. Pixel i covers [i, i + 1) and is sampled at its centre i + 0.5; output pixel o
// therefore sits at source position (o + 0.5)·in/out (the alignment of Pillow, OpenCV and PyTorch's
// align_corners=False). The filter is a triangle (tent) whose half-width is one source pixel when
// enlarging, which is exactly bilinear interpolation, and 1/scale source pixels when shrinking (Pillow's
// antialiased bilinear): every source pixel then contributes to the output pixels it lies under, so a
// 1000-pixel photo shrunk to 224 is averaged rather than aliased, as plain bilinear sampling of 2 of every
// 4.5 pixels would. Taps outside the image are dropped and the rest renormalised, which at the borders
// equals clamping the coordinate.
Taps make_taps(int in, int out) {
    const double scale = static_cast<double>(out) / in;
    const double support = std::max(1.0, 1.0 / scale);
    std::vector<std::vector<double>> all(static_cast<size_t>(out));
    Taps t;
    t.first.resize(static_cast<size_t>(out));
    t.count.resize(static_cast<size_t>(out));
    for (int o = 0; o < out; ++o) {
        const double centre = (o + 0.5) / scale;
        const int lo = std::max(0, static_cast<int>(std::floor(centre - support)));
        const int hi = std::min(in - 1, static_cast<int>(std::ceil(centre + support)));
        std::vector<double>& ws = all[static_cast<size_t>(o)];
        double sum = 0.0;
        int first = -1;
        for (int i = lo; i <= hi; ++i) {
            const double d = std::abs(i + 0.5 - centre) / support;
            const double v = d < 1.0 ? 1.0 - d : 0.0;
            if (v <= 0.0 && first < 0) continue;  // leading zero taps
            if (first < 0) first = i;
            ws.push_back(v);
            sum += v;
        }
        while (!ws.empty() && ws.back() <= 0.0) ws.pop_back();
        if (first < 0 || sum <= 0.0) {  // cannot happen for in, out ≥ 1; the nearest pixel as a safe fallback
            first = std::clamp(static_cast<int>(centre), 0, in - 1);
            ws.assign(1, 1.0);
            sum = 1.0;
        }
        for (double& v : ws) v /= sum;
        t.first[o] = first;
        t.count[o] = static_cast<int>(ws.size());
        t.stride = std::max(t.stride, t.count[o]);
    }
    t.weight.assign(static_cast<size_t>(out) * t.stride, 0.0f);
    for (int o = 0; o < out; ++o)
        for (int k = 0; k < t.count[o]; ++k)
            t.weight[static_cast<size_t>(o) * t.stride + k] = static_cast<float>(all[o][k]);
    return t;
}

}  // namespace

Tensor resize(const Tensor& in, int out_h, int out_w) {
    const int64_t C = in.shape.c, H = in.shape.h, W = in.shape.w;
    if (H == out_h && W == out_w) return in;
    if (out_h < 1 || out_w < 1 || H < 1 || W < 1) return Tensor(Shape3{C, std::max(out_h, 0), std::max(out_w, 0)});
    const Taps tx = make_taps(static_cast<int>(W), out_w);
    const Taps ty = make_taps(static_cast<int>(H), out_h);
    // Horizontal pass (C, H, W) → (C, H, out_w), then vertical (C, H, out_w) → (C, out_h, out_w).
    Tensor mid(Shape3{C, H, out_w});
    for (int64_t c = 0; c < C; ++c)
        for (int64_t y = 0; y < H; ++y) {
            const float* row = in.channel(c) + y * W;
            float* dst = mid.channel(c) + y * out_w;
            for (int o = 0; o < out_w; ++o) {
                const float* w = &tx.weight[static_cast<size_t>(o) * tx.stride];
                const float* s = row + tx.first[o];
                float acc = 0.0f;
                for (int k = 0; k < tx.count[o]; ++k) acc += w[k] * s[k];
                dst[o] = acc;
            }
        }
    Tensor out(Shape3{C, out_h, out_w});
    for (int64_t c = 0; c < C; ++c)
        for (int o = 0; o < out_h; ++o) {
            float* dst = out.channel(c) + static_cast<int64_t>(o) * out_w;
            const float* w = &ty.weight[static_cast<size_t>(o) * ty.stride];
            for (int k = 0; k < ty.count[o]; ++k) {
                const float* src = mid.channel(c) + static_cast<int64_t>(ty.first[o] + k) * out_w;
                for (int x = 0; x < out_w; ++x) dst[x] += w[k] * src[x];
            }
        }
    return out;
}

Tensor center_crop(const Tensor& in, int h, int w) {
    h = static_cast<int>(std::clamp<int64_t>(h, 0, in.shape.h));
    w = static_cast<int>(std::clamp<int64_t>(w, 0, in.shape.w));
    const int64_t top = (in.shape.h - h) / 2, left = (in.shape.w - w) / 2;
    Tensor out(Shape3{in.shape.c, h, w});  // (C, h, w)
    for (int64_t c = 0; c < in.shape.c; ++c)
        for (int y = 0; y < h; ++y) {
            const float* src = in.channel(c) + (top + y) * in.shape.w + left;
            std::copy(src, src + w, out.channel(c) + static_cast<int64_t>(y) * w);
        }
    return out;
}

void normalize(Tensor& t, Normalization n) {
    const int64_t hw = t.shape.h * t.shape.w;
    // One-channel networks see BT.601 luma, so their statistics are the luma of the RGB ones.
    auto luma = [](const float (&v)[3]) { return kLuma[0] * v[0] + kLuma[1] * v[1] + kLuma[2] * v[2]; };
    if (n == Normalization::None) {
        for (float& v : t.data) v /= 255.0f;
    } else if (n == Normalization::Torchvision) {
        for (int64_t c = 0; c < t.shape.c; ++c) {
            const float mean = t.shape.c == 3 ? kImagenetMean[c] : luma(kImagenetMean);
            const float std = t.shape.c == 3 ? kImagenetStd[c] : luma(kImagenetStd);
            for (float* p = t.channel(c); p != t.channel(c) + hw; ++p) *p = (*p / 255.0f - mean) / std;
        }
    } else {
        // Caffe models were trained on BGR images (OpenCV's order) with the mean subtracted on the 0–255 scale.
        if (t.shape.c == 3) std::swap_ranges(t.channel(0), t.channel(0) + hw, t.channel(2));
        for (int64_t c = 0; c < t.shape.c; ++c) {
            const float mean = t.shape.c == 3 ? kCaffeMeanRgb[2 - c] : luma(kCaffeMeanRgb);
            for (float* p = t.channel(c); p != t.channel(c) + hw; ++p) *p -= mean;
        }
    }
}

PreprocessResult preprocess(const Image& img, Shape3 target, const PreprocessOptions& opt) {
    if (target.c != 1 && target.c != 3)
        return {std::nullopt, tr("the network expects {0} input channels; images give 1 (gray) or 3 (colour)", target.c)};
    if (target.h < 1 || target.w < 1 || target.h > kMaxImageSide || target.w > kMaxImageSide)
        return {std::nullopt, tr("the network's input size {0} is not a usable image size", shape_text(target))};
    if (img.empty() || img.width < 1 || img.height < 1 || (img.channels != 1 && img.channels != 3) ||
        img.pixels.size() != static_cast<size_t>(img.width) * img.height * img.channels)
        return {std::nullopt, tr("the image is empty or not gray or RGB")};

    Tensor t = image_to_tensor(img);
    if (target.c == 1 && t.shape.c == 3) t = rgb_to_gray(t);
    if (target.c == 3 && t.shape.c == 1) t = gray_to_rgb(t);

    const int64_t H = img.height, W = img.width;
    int64_t nh = 0, nw = 0;
    if (opt.resize_shorter > 0) {
        // As torchvision's Resize(int): the shorter side becomes the size, the longer one keeps the aspect
        // ratio, truncated.
        const int64_t s = opt.resize_shorter;
        if (H <= W) {
            nh = s;
            nw = static_cast<int64_t>(static_cast<double>(s) * W / H);
        } else {
            nw = s;
            nh = static_cast<int64_t>(static_cast<double>(s) * H / W);
        }
    }
    if (nh < target.h || nw < target.w || nh > kMaxImageSide || nw > kMaxImageSide) {
        const double scale = std::max(static_cast<double>(target.h) / H, static_cast<double>(target.w) / W);
        nh = std::max<int64_t>(target.h, std::llround(H * scale));
        nw = std::max<int64_t>(target.w, std::llround(W * scale));
    }
    t = resize(t, static_cast<int>(nh), static_cast<int>(nw));
    t = center_crop(t, static_cast<int>(target.h), static_cast<int>(target.w));
    normalize(t, opt.normalization);
    return {std::move(t), {}};
}

// ---- Synthetic patterns --------------------------------------------------------------------------------

namespace {

int clamp_side(int s) { return std::clamp(s, 1, kMaxImageSide); }

uint8_t to_byte(double v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

void put_gray(Image& img, int x, int y, uint8_t v) {
    for (int c = 0; c < 3; ++c) img.at(x, y, c) = v;
}

// Offsets of pixel (x, y)'s centre from the image centre.
double dx_of(int x, int w) { return x + 0.5 - w / 2.0; }
double dy_of(int y, int h) { return y + 0.5 - h / 2.0; }

}  // namespace

Image edge_image(int width, int height, EdgeDirection dir) {
    const int w = clamp_side(width), h = clamp_side(height);
    Image img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double dx = dx_of(x, w), dy = dy_of(y, h);
            const double s = dir == EdgeDirection::Vertical ? dx : dir == EdgeDirection::Horizontal ? dy : dx + dy;
            put_gray(img, x, y, s > 0 ? 255 : s < 0 ? 0 : 128);
        }
    return img;
}

Image grating_image(int width, int height, double angle_deg, double period) {
    const int w = clamp_side(width), h = clamp_side(height);
    const double p = std::isfinite(period) ? std::max(period, 2.0) : 2.0;  // below 2 pixels a grating aliases
    const double a = (std::isfinite(angle_deg) ? angle_deg : 0.0) * std::numbers::pi / 180.0;
    const double ca = std::cos(a), sa = std::sin(a);
    Image img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double u = dx_of(x, w) * ca + dy_of(y, h) * sa;
            put_gray(img, x, y, to_byte(127.5 + 127.5 * std::cos(2.0 * std::numbers::pi * u / p)));
        }
    return img;
}

Image checkerboard_image(int width, int height, int cell) {
    const int w = clamp_side(width), h = clamp_side(height), n = std::max(cell, 1);
    Image img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) put_gray(img, x, y, ((x / n + y / n) % 2) ? 255 : 0);
    return img;
}

Image color_wheel_image(int width, int height) {
    const int w = clamp_side(width), h = clamp_side(height);
    const double radius = std::min(w, h) / 2.0;
    Image img(w, h, 3, 128);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double dx = dx_of(x, w), dy = dy_of(y, h);
            const double r = std::hypot(dx, dy) / radius;
            if (r > 1.0) continue;
            // HSV with value 1: hue from the angle (screen y points down, so −dy is up), saturation r.
            double hue = std::atan2(-dy, dx) * 180.0 / std::numbers::pi;
            if (hue < 0) hue += 360.0;
            const double hp = hue / 60.0;
            const double xx = 1.0 - std::abs(std::fmod(hp, 2.0) - 1.0);
            std::array<double, 3> rgb{};
            switch (static_cast<int>(hp) % 6) {
                case 0: rgb = {1, xx, 0}; break;
                case 1: rgb = {xx, 1, 0}; break;
                case 2: rgb = {0, 1, xx}; break;
                case 3: rgb = {0, xx, 1}; break;
                case 4: rgb = {xx, 0, 1}; break;
                default: rgb = {1, 0, xx}; break;
            }
            for (int c = 0; c < 3; ++c) img.at(x, y, c) = to_byte(255.0 * (1.0 - r + r * rgb[c]));
        }
    return img;
}

Image opponent_blobs_image(int width, int height) {
    const int w = clamp_side(width), h = clamp_side(height);
    const double sigma = std::max(std::min(w, h) / 10.0, 0.5);
    struct Blob {
        double cx, cy;
        std::array<double, 3> rgb;
    };
    const Blob blobs[4] = {{w * 0.25, h * 0.25, {255, 0, 0}},
                           {w * 0.75, h * 0.25, {0, 255, 0}},
                           {w * 0.25, h * 0.75, {0, 0, 255}},
                           {w * 0.75, h * 0.75, {255, 255, 0}}};
    Image img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            std::array<double, 3> v{128, 128, 128};
            for (const Blob& b : blobs) {
                const double ddx = x + 0.5 - b.cx, ddy = y + 0.5 - b.cy;
                const double g = std::exp(-(ddx * ddx + ddy * ddy) / (2 * sigma * sigma));
                for (int c = 0; c < 3; ++c) v[c] += g * (b.rgb[c] - 128.0);
            }
            for (int c = 0; c < 3; ++c) img.at(x, y, c) = to_byte(v[c]);
        }
    return img;
}

Image dot_image(int width, int height, double radius) {
    const int w = clamp_side(width), h = clamp_side(height);
    const double r = std::isfinite(radius) ? std::max(radius, 0.0) : 0.0;
    // The disc is centred on pixel (w/2, h/2) rather than on the image's geometric centre so that radius 0
    // is exactly one pixel, an impulse whose response is the filter itself.
    const int cx = w / 2, cy = h / 2;
    Image img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double d2 = double(x - cx) * (x - cx) + double(y - cy) * (y - cy);
            if (d2 <= r * r + 1e-9) put_gray(img, x, y, 255);
        }
    return img;
}

std::span<const Pattern> all_patterns() {
    static constexpr Pattern kAll[] = {Pattern::VerticalEdge, Pattern::HorizontalEdge, Pattern::DiagonalEdge,
                                       Pattern::Grating,      Pattern::Checkerboard,   Pattern::ColorWheel,
                                       Pattern::OpponentBlobs, Pattern::Dot};
    return kAll;
}

std::string_view pattern_name(Pattern p) {
    switch (p) {
        case Pattern::VerticalEdge: return "vertical-edge";
        case Pattern::HorizontalEdge: return "horizontal-edge";
        case Pattern::DiagonalEdge: return "diagonal-edge";
        case Pattern::Grating: return "grating";
        case Pattern::Checkerboard: return "checkerboard";
        case Pattern::ColorWheel: return "color-wheel";
        case Pattern::OpponentBlobs: return "opponent-blobs";
        case Pattern::Dot: return "dot";
    }
    return "dot";
}

std::optional<Pattern> parse_pattern(std::string_view s) {
    for (Pattern p : all_patterns())
        if (s == pattern_name(p)) return p;
    return std::nullopt;
}

Image make_pattern(Pattern p, int width, int height) {
    const int shorter = std::min(clamp_side(width), clamp_side(height));
    switch (p) {
        case Pattern::VerticalEdge: return edge_image(width, height, EdgeDirection::Vertical);
        case Pattern::HorizontalEdge: return edge_image(width, height, EdgeDirection::Horizontal);
        case Pattern::DiagonalEdge: return edge_image(width, height, EdgeDirection::Diagonal);
        case Pattern::Grating: return grating_image(width, height, 0.0, std::max(2.0, shorter / 8.0));
        case Pattern::Checkerboard: return checkerboard_image(width, height, std::max(1, shorter / 8));
        case Pattern::ColorWheel: return color_wheel_image(width, height);
        case Pattern::OpponentBlobs: return opponent_blobs_image(width, height);
        case Pattern::Dot: return dot_image(width, height, shorter / 32.0);
    }
    return dot_image(width, height, 0.0);
}

// ---- PNG ------------------------------------------------------------------------------------------------

std::string encode_png(const Image& img) {
    if (img.width < 1 || img.height < 1 || img.channels < 1 || img.channels > 4 ||
        img.pixels.size() != static_cast<size_t>(img.width) * img.height * img.channels)
        return {};
    std::string out;
    auto sink = [](void* ctx, void* data, int size) {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<size_t>(size));
    };
    if (!stbi_write_png_to_func(sink, &out, img.width, img.height, img.channels, img.pixels.data(),
                                img.width * img.channels))
        return {};
    return out;
}

bool save_png(const std::string& path, const Image& img, std::string& error) {
    const std::string png = encode_png(img);
    if (png.empty()) {
        error = tr("cannot encode {0} as PNG: the image is empty or inconsistent", path);
        return false;
    }
    return write_file_atomic(path, png, error);
}

}  // namespace convscope::nn
