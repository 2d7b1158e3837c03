// Images in and out of the forward pass: decoding PNG, JPEG and BMP files (stb_image) with clear errors,
// turning a photo into a network input (resize, centre crop, the usual normalisation presets), synthetic
// test patterns that make a filter's preference obvious, and PNG encoding for anything rendered.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/network.h"
#include "nn/tensor.h"

namespace convscope::nn {

// 8-bit pixels, interleaved and row-major: (H, W, channels). Decoded files have 1 (gray) or 3 (RGB)
// channels; rendered views (feature grids, filters) have 4 (RGBA).
struct Image {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<uint8_t> pixels;  // width · height · channels bytes

    Image() = default;
    Image(int w, int h, int c, uint8_t fill = 0)
        : width(w), height(h), channels(c), pixels(static_cast<size_t>(w) * h * c, fill) {}
    bool empty() const { return pixels.empty(); }
    uint8_t& at(int x, int y, int c) { return pixels[(static_cast<size_t>(y) * width + x) * channels + c]; }
    uint8_t at(int x, int y, int c) const { return pixels[(static_cast<size_t>(y) * width + x) * channels + c]; }
};

struct ImageResult {
    std::optional<Image> image;
    std::string error;  // set when image is empty; starts with the file's path or name
    explicit operator bool() const { return image.has_value(); }
};

// Larger images are refused before any pixel is decoded: a 16384 × 16384 photo is already 768 MiB
// of RGB, and a forged header could otherwise ask for gigabytes.
constexpr int kMaxImageSide = 16384;
constexpr int64_t kMaxImagePixels = int64_t{1} << 26;  // 64 Mi pixels, e.g. 8192 × 8192

// Reads a PNG, JPEG or BMP file. Gray (and gray + alpha) files give 1 channel, colour files 3; an alpha
// channel is composited over white, since a transparent pixel's colour is arbitrary. 16-bit PNGs are
// reduced to 8 bits. Never throws; every error names the path.
ImageResult load_image(const std::string& path);
// The same for bytes already in memory; `name` starts the error messages.
ImageResult decode_image(std::string_view bytes, const std::string& name);

// ---- Network input ---------------------------------------------------------------------------------

enum class Normalization {
    Torchvision,  // RGB, x/255, then (x − mean)/std with the ImageNet statistics
    Caffe,        // BGR, 0–255, minus the ImageNet per-channel mean
    None,         // RGB in [0, 1]
};
std::string_view normalization_name(Normalization n);  // "torchvision", "caffe", "none"
std::optional<Normalization> parse_normalization(std::string_view s);

struct PreprocessOptions {
    Normalization normalization = Normalization::Torchvision;
    // The shorter side is resized to this before the centre crop (torchvision's classic evaluation is
    // Resize(256) then CenterCrop(224)). 0, or a size too small to cover the crop, resizes just enough
    // for the image to cover the target.
    int resize_shorter = 0;
};

struct PreprocessResult {
    std::optional<Tensor> tensor;  // (C, H, W) as the target says
    std::string error;
    explicit operator bool() const { return tensor.has_value(); }
};

// The network input for `img`: colour conversion to the target's channel count (1: BT.601 luma;
// 3: a gray image is replicated), resize so the image covers the target, centre crop to target.h ×
// target.w, normalisation. The target needs 1 or 3 channels and positive sides.
PreprocessResult preprocess(const Image& img, Shape3 target, const PreprocessOptions& opt = {});

// The steps of preprocess, for callers (and tests) that need them one by one.
// Pixels as floats on the 0–255 scale, (C, H, W) with the image's channel count.
Tensor image_to_tensor(const Image& img);
// (3, H, W) → (1, H, W) with Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), no rounding.
Tensor rgb_to_gray(const Tensor& rgb);
// (1, H, W) → (3, H, W), the channel copied.
Tensor gray_to_rgb(const Tensor& gray);
// Resamples every channel to out_h × out_w with pixel centres aligned (PyTorch's align_corners=False):
// bilinear when enlarging; when shrinking the tent widens to 1/scale source pixels (antialiased, as Pillow),
// so fine detail averages to grey instead of aliasing.
Tensor resize(const Tensor& in, int out_h, int out_w);
// The centred h × w window; an odd margin leaves its extra pixel at the bottom or right.
// Sizes larger than the input's are clamped to it.
Tensor center_crop(const Tensor& in, int h, int w);
// Applies a preset in place to a 0–255 RGB (or gray) tensor; Caffe also reorders RGB to BGR.
void normalize(Tensor& t, Normalization n);

// The constants behind the presets, per channel in RGB order.
// torchvision: the mean and standard deviation of the ImageNet training set on the [0, 1] scale, as
// torchvision's pretrained classification models document them.
inline constexpr float kImagenetMean[3] = {0.485f, 0.456f, 0.406f};
inline constexpr float kImagenetStd[3] = {0.229f, 0.224f, 0.225f};
// caffe: the per-channel averages of Caffe's ILSVRC 2012 mean image (ilsvrc_2012_mean.npy: B 104.01,
// G 116.67, R 122.68), rounded to whole numbers as many Caffe deploy files (SSD's among them) write them.
// The BVLC AlexNet model subtracted the full mean image, which these approximate.
inline constexpr float kCaffeMeanRgb[3] = {123.0f, 117.0f, 104.0f};
// One-channel networks use the BT.601 luma of these (torchvision mean 0.459, std 0.2256; caffe 117.31).

// ---- Synthetic patterns ------------------------------------------------------------------------------
// All are RGB. Sides are clamped to 1 … kMaxImageSide. Pixel (x, y) is sampled at its centre; the
// image centre is (width/2, height/2) in those coordinates.

enum class EdgeDirection { Vertical, Horizontal, Diagonal };
// A step from black to white: vertical (dark left, bright right), horizontal (dark top, bright bottom),
// diagonal (the step is the 45° line through the centre rising to the right, dark above-left of it,
// bright below-right). Pixels whose centre lies exactly on the step are mid-grey so the pattern stays
// symmetric.
Image edge_image(int width, int height, EdgeDirection dir);
// A sinusoidal grating 127.5 + 127.5·cos(2π·u/period), u = x·cos θ + y·sin θ measured from the centre,
// y pointing down. θ = 0° varies along x (vertical stripes), 90° along y (horizontal stripes).
Image grating_image(int width, int height, double angle_deg, double period);
// Alternating black and white squares of `cell` pixels, black at the top-left.
Image checkerboard_image(int width, int height, int cell);
// Hue by angle around the centre (red to the right, yellow, green … counter-clockwise on screen) and
// saturation by radius, full value; outside the inscribed circle mid-grey.
Image color_wheel_image(int width, int height);
// Four Gaussian blobs on mid-grey, one per opponent colour: red (top-left), green (top-right), blue
// (bottom-left), yellow (bottom-right).
Image opponent_blobs_image(int width, int height);
// A white disc on black around the centre pixel; radius 0 is a single-pixel impulse.
Image dot_image(int width, int height, double radius);

enum class Pattern {
    VerticalEdge, HorizontalEdge, DiagonalEdge, Grating, Checkerboard, ColorWheel, OpponentBlobs, Dot
};
std::span<const Pattern> all_patterns();
std::string_view pattern_name(Pattern p);  // "vertical-edge", "grating", "color-wheel", …
std::optional<Pattern> parse_pattern(std::string_view s);
// A pattern with defaults scaled to the size: grating at 0° with a period of 1/8 of the shorter side,
// checkerboard cells of 1/8, a dot of radius 1/32 of the shorter side.
Image make_pattern(Pattern p, int width, int height);

// ---- PNG ----------------------------------------------------------------------------------------------

// PNG bytes for an image with 1–4 channels; empty if the image is empty or inconsistent.
std::string encode_png(const Image& img);
// Encodes and writes atomically. Returns false and sets `error` on failure.
bool save_png(const std::string& path, const Image& img, std::string& error);

}  // namespace convscope::nn
