// Reading and writing whole files with clear errors. Writes are atomic: the data goes to a
// temporary file beside the target, is flushed to disk, then renamed over it, so a crash or a full
// disk never leaves a half-written file where a good one was.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace convscope {

// Reads a file; on failure returns nothing and sets `error` ("cannot open …: No such file or directory").
// Files larger than `max_bytes` are refused rather than read.
std::optional<std::string> read_file(const std::string& path, std::string& error,
                                     size_t max_bytes = size_t{64} << 20);

// Writes `data` to `path` atomically (temp file + fsync + rename). Returns false and sets `error`.
bool write_file_atomic(const std::string& path, std::string_view data, std::string& error);

}  // namespace convscope
