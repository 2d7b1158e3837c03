// libFuzzer target for ONNX models: import_onnx_bytes on arbitrary bytes, as a serialised ModelProto.
// The image input's weights-as-inputs form (ONNX's own operator tests) is covered by offering a
// small W tensor, so that seeds of that form get past the input check into the operator mapping.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nn/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace convscope::nn;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)import_onnx_bytes(bytes);

    static const OnnxImportOptions with_w = [] {
        OnnxImportOptions o;
        o.allow_batch = true;
        o.allow_sequence_input = true;
        OnnxTensor w;
        w.name = "W";
        w.data_type = 1;  // FLOAT
        w.dims = {1, 1, 3, 3};
        w.values.assign(9, 1.0f);
        o.inputs.emplace("W", w);
        return o;
    }();
    (void)import_onnx_bytes(bytes, with_w);
    return 0;
}
