// libFuzzer target for model files: parse_network_json on arbitrary text, then, for a model it
// accepts, the shape analysis and a write/read round trip, since a loaded model goes straight into both.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/model_io.h"
#include "core/shape_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    convscope::LoadResult r = convscope::parse_network_json(text);
    if (!r) return 0;
    (void)convscope::analyze(*r.network);
    // What the writer produces the parser must read back: a model that does not survive its own
    // round trip would be lost on the next save.
    if (!convscope::parse_network_json(convscope::network_to_json(*r.network))) std::abort();
    return 0;
}
