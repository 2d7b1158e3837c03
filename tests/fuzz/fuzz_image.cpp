// libFuzzer target for image files: decode_image (PNG, JPEG, BMP through stb_image) on arbitrary bytes,
// then, for an image it accepts, the preprocessing that turns it into a small network input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nn/image.h"

// The decoder itself, compiled here with the fuzzer's instrumentation. ConvScope links Debian's libstb,
// which is built without it: libFuzzer would see none of the decoder's branches and AddressSanitizer
// none of its reads. The definitions in this executable take the place of the shared library's.
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace convscope::nn;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    ImageResult r = decode_image(bytes, "fuzz");
    if (!r) return 0;
    const Image& img = *r.image;
    // The decoder's promise: exactly width · height · channels bytes, 1 or 3 channels.
    if (img.channels != 1 && img.channels != 3) __builtin_trap();
    if (img.pixels.size() != static_cast<size_t>(img.width) * img.height * img.channels) __builtin_trap();
    // Only small images go on to preprocess: a large valid image is slow, not a bug.
    if (static_cast<int64_t>(img.width) * img.height <= 256 * 256) (void)preprocess(img, {3, 8, 8});
    return 0;
}
