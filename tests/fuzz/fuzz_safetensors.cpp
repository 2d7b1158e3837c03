// libFuzzer target for safetensors weight files: header validation on arbitrary bytes, then the
// float conversion of every tensor the header accepts (the part that reads the data buffer).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nn/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace convscope::nn;
    std::string error;
    auto file = SafetensorsFile::parse(std::span(reinterpret_cast<const std::byte*>(data), size), error);
    if (!file) return 0;
    std::vector<float> out;
    for (const SafetensorsTensor& t : file->tensors()) {
        (void)file->bytes(t);
        // The header's shape can claim far more elements than the bytes hold; read_f32 must refuse
        // that itself, so only allocate what a valid tensor of this input could have.
        int64_t n = t.count();
        if (n < 0 || static_cast<uint64_t>(n) > size) continue;
        out.assign(static_cast<size_t>(n), 0.0f);
        (void)file->read_f32(t, out);
    }
    return 0;
}
