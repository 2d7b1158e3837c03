#include "nn/safetensors.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cfloat>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <set>
#include <tuple>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/i18n.h"
#include "core/file_io.h"

namespace convscope::nn {

namespace {

struct DtypeInfo {
    SafetensorsDtype dtype;
    std::string_view name;
    size_t size;
};

constexpr std::array<DtypeInfo, 17> kDtypes{{
    {SafetensorsDtype::Bool, "BOOL", 1},       {SafetensorsDtype::U8, "U8", 1},
    {SafetensorsDtype::I8, "I8", 1},           {SafetensorsDtype::F8_E5M2, "F8_E5M2", 1},
    {SafetensorsDtype::F8_E4M3, "F8_E4M3", 1}, {SafetensorsDtype::F8_E8M0, "F8_E8M0", 1},
    {SafetensorsDtype::I16, "I16", 2},         {SafetensorsDtype::U16, "U16", 2},
    {SafetensorsDtype::F16, "F16", 2},         {SafetensorsDtype::BF16, "BF16", 2},
    {SafetensorsDtype::I32, "I32", 4},         {SafetensorsDtype::U32, "U32", 4},
    {SafetensorsDtype::F32, "F32", 4},         {SafetensorsDtype::F64, "F64", 8},
    {SafetensorsDtype::I64, "I64", 8},         {SafetensorsDtype::U64, "U64", 8},
    {SafetensorsDtype::C64, "C64", 8},
}};

const DtypeInfo& info(SafetensorsDtype d) {
    for (const auto& i : kDtypes)
        if (i.dtype == d) return i;
    return kDtypes[12];  // unreachable: every enumerator is in the table
}

uint64_t read_u64_le(const std::byte* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
}

void append_u64_le(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string offsets_text(uint64_t begin, uint64_t end) {
    std::string out = "[";  // appended piece by piece: GCC 12 warns falsely about "[" + std::string
    out += std::to_string(begin);
    out += ", ";
    out += std::to_string(end);
    return out + "]";
}

// nlohmann prefixes its messages with "[json.exception.parse_error.101] "; the user needs only the rest.
std::string strip_json_prefix(const std::string& what) {
    if (!what.empty() && what[0] == '[') {
        const auto close = what.find("] ");
        if (close != std::string::npos) return what.substr(close + 2);
    }
    return what;
}

// The product of the dimensions times the element size, or nothing on overflow.
std::optional<uint64_t> byte_size(const std::vector<int64_t>& shape, size_t elem) {
    uint64_t n = elem;
    for (int64_t d : shape)
        if (__builtin_mul_overflow(n, static_cast<uint64_t>(d), &n)) return std::nullopt;
    return n;
}

bool has_parameters(const Layer& l) { return l.type == LayerType::Conv || l.type == LayerType::Fc; }

}  // namespace

std::string_view dtype_name(SafetensorsDtype d) { return info(d).name; }
size_t dtype_size(SafetensorsDtype d) { return info(d).size; }

std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view s) {
    for (const auto& i : kDtypes)
        if (i.name == s) return i.dtype;
    return std::nullopt;
}

bool is_float_convertible(SafetensorsDtype d) {
    return d == SafetensorsDtype::F32 || d == SafetensorsDtype::F16 || d == SafetensorsDtype::BF16 ||
           d == SafetensorsDtype::F64;
}

float f16_to_f32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
        // Zero or subnormal: mant·2⁻²⁴, which float32 represents exactly.
        const float v = static_cast<float>(mant) * 0x1p-24f;
        return sign ? -v : v;
    }
    // Infinity and NaN keep their payload; normal numbers rebias the exponent from 15 to 127.
    const uint32_t bits = exp == 0x1f ? sign | 0x7f800000u | (mant << 13) : sign | ((exp + 112) << 23) | (mant << 13);
    return std::bit_cast<float>(bits);
}

float bf16_to_f32(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

std::string tensor_shape_text(const std::vector<int64_t>& shape) {
    std::string out = "(";
    for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + ")";
}

int64_t SafetensorsTensor::count() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

// ---- reading ----

std::optional<SafetensorsFile> SafetensorsFile::open(const std::string& path, std::string& error) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = tr("cannot open {0}: {1}", path, std::strerror(errno));
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        error = tr("cannot read {0}: {1}", path, std::strerror(errno));
        ::close(fd);
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        error = S_ISDIR(st.st_mode) ? tr("cannot read {0}: it is a directory", path)
                                     : tr("cannot read {0}: not a regular file", path);
        ::close(fd);
        return std::nullopt;
    }
    SafetensorsFile f;
    const auto size = static_cast<size_t>(st.st_size);
    // An empty file cannot be mapped; the header check below reports it as too short. Saving replaces a
    // file by renaming a new one over it, so a mapped file is never shortened underneath the reader.
    if (size > 0) {
        void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            error = tr("cannot map {0}: {1}", path, std::strerror(errno));
            ::close(fd);
            return std::nullopt;
        }
        f.map_ = static_cast<const std::byte*>(p);
        f.map_size_ = size;
        f.file_ = {f.map_, size};
    }
    ::close(fd);  // the mapping keeps the file alive
    std::string why;
    auto r = parse_into(std::move(f), why);
    if (!r) error = path + ": " + why;
    return r;
}

std::optional<SafetensorsFile> SafetensorsFile::parse(std::span<const std::byte> bytes, std::string& error) {
    SafetensorsFile f;
    f.file_ = bytes;
    return parse_into(std::move(f), error);
}

std::optional<SafetensorsFile> SafetensorsFile::parse_into(SafetensorsFile f, std::string& error) {
    using nlohmann::json;
    auto fail = [&](std::string message) -> std::optional<SafetensorsFile> {
        error = std::move(message);
        return std::nullopt;
    };

    if (f.file_.size() < 8)
        return fail(tr("the file is {0} bytes, too short for the 8-byte header length", f.file_.size()));
    const uint64_t n = read_u64_le(f.file_.data());
    // Checked first so that a huge length is refused before anything else looks at it.
    if (n > kMaxHeaderBytes)
        return fail(tr("the header length {0} is over the limit of 100 MB", n));
    if (n > f.file_.size() - 8)
        return fail(tr("the header length {0} runs past the end of the file ({1} bytes follow the length field)", n,
                       f.file_.size() - 8));
    const auto* text = reinterpret_cast<const char*>(f.file_.data() + 8);
    f.data_ = f.file_.subspan(8 + n);

    // nlohmann keeps the last of two equal keys; a duplicate tensor name would silently hide one, so the
    // parser's callback watches the top-level keys.
    std::set<std::string> seen;
    std::string duplicate;
    const json::parser_callback_t watch_keys = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth == 1 && event == json::parse_event_t::key && parsed.is_string() && duplicate.empty()) {
            const auto& key = parsed.get_ref<const std::string&>();
            if (!seen.insert(key).second) duplicate = key;
        }
        return true;
    };
    json header;
    try {
        header = json::parse(text, text + n, watch_keys);
    } catch (const json::exception& e) {
        return fail(tr("the header is not valid JSON: {0}", strip_json_prefix(e.what())));
    } catch (const std::exception& e) {
        return fail(tr("the header cannot be read: {0}", e.what()));
    }
    if (!header.is_object()) return fail(tr("the header is not a JSON object"));
    if (!duplicate.empty()) return fail(tr("the header names \"{0}\" twice", duplicate));

    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) return fail(tr("\"__metadata__\" must be an object of strings"));
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) return fail(tr("\"__metadata__\": the value of \"{0}\" is not a string", key));
                f.metadata_[key] = value.get<std::string>();
            }
            continue;
        }
        const std::string& nm = name;
        if (!entry.is_object()) return fail(tr("{0}: expected an object with \"dtype\", \"shape\" and \"data_offsets\"", nm));
        SafetensorsTensor t;
        t.name = nm;

        const auto dt = entry.find("dtype");
        if (dt == entry.end()) return fail(tr("{0}: the entry has no \"{1}\"", nm, "dtype"));
        if (!dt->is_string()) return fail(tr("{0}: \"dtype\" must be a string", nm));
        const auto& dtype_text = dt->get_ref<const std::string&>();
        const auto dtype = parse_safetensors_dtype(dtype_text);
        if (!dtype) return fail(tr("{0}: unknown dtype \"{1}\"", nm, dtype_text));
        t.dtype = *dtype;

        const auto sh = entry.find("shape");
        if (sh == entry.end()) return fail(tr("{0}: the entry has no \"{1}\"", nm, "shape"));
        if (!sh->is_array()) return fail(tr("{0}: \"shape\" must be a list of integers", nm));
        for (const auto& d : *sh) {
            if (!d.is_number_integer()) return fail(tr("{0}: \"shape\" must be a list of integers", nm));
            if (d.is_number_unsigned() && d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
                return fail(tr("{0}: shape dimension {1} is too large", nm, d.get<uint64_t>()));
            t.shape.push_back(d.get<int64_t>());
        }
        if (std::any_of(t.shape.begin(), t.shape.end(), [](int64_t d) { return d < 0; }))
            return fail(tr("{0}: shape {1} has a negative dimension", nm, tensor_shape_text(t.shape)));

        const auto off = entry.find("data_offsets");
        if (off == entry.end()) return fail(tr("{0}: the entry has no \"{1}\"", nm, "data_offsets"));
        if (!off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
            !(*off)[1].is_number_unsigned())
            return fail(tr("{0}: \"data_offsets\" must be two non-negative integers", nm));
        t.begin = (*off)[0].get<uint64_t>();
        t.end = (*off)[1].get<uint64_t>();
        const std::string where = "data_offsets " + offsets_text(t.begin, t.end);

        const auto need = byte_size(t.shape, dtype_size(t.dtype));
        if (!need) return fail(tr("{0}: shape {1} is too large", nm, tensor_shape_text(t.shape)));
        if (t.end < t.begin) return fail(tr("{0}: {1} end before they begin", nm, where));
        if (t.end > f.data_.size())
            return fail(tr("{0}: {1} run past the end of the data ({2} bytes)", nm, where, f.data_.size()));
        if (t.end - t.begin != *need)
            return fail(tr("{0}: {1} hold {2} bytes, but shape {3} in {4} needs {5}", nm, where, t.end - t.begin,
                           tensor_shape_text(t.shape), dtype_name(t.dtype), *need));
        f.tensors_.push_back(std::move(t));
    }

    // Two tensors sharing bytes would let a write to one change the other in any reader that aliases
    // them; the format forbids it. Empty tensors occupy nothing and may sit anywhere.
    std::vector<const SafetensorsTensor*> by_offset;
    for (const auto& t : f.tensors_)
        if (t.end > t.begin) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(), [](const SafetensorsTensor* x, const SafetensorsTensor* y) {
        // Names break ties so that the message does not depend on the sort.
        return std::tie(x->begin, x->end, x->name) < std::tie(y->begin, y->end, y->name);
    });
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const auto& prev = *by_offset[i - 1];
        const auto& cur = *by_offset[i];
        if (cur.begin < prev.end)
            return fail(tr("{0}: data_offsets {1} overlap those of {2} {3}", cur.name, offsets_text(cur.begin, cur.end),
                           prev.name, offsets_text(prev.begin, prev.end)));
    }
    return std::optional<SafetensorsFile>(std::move(f));
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& o) noexcept
    : map_(std::exchange(o.map_, nullptr)),
      map_size_(std::exchange(o.map_size_, 0)),
      file_(std::exchange(o.file_, {})),
      data_(std::exchange(o.data_, {})),
      tensors_(std::move(o.tensors_)),
      metadata_(std::move(o.metadata_)) {}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& o) noexcept {
    if (this != &o) {
        close();
        map_ = std::exchange(o.map_, nullptr);
        map_size_ = std::exchange(o.map_size_, 0);
        file_ = std::exchange(o.file_, {});
        data_ = std::exchange(o.data_, {});
        tensors_ = std::move(o.tensors_);
        metadata_ = std::move(o.metadata_);
    }
    return *this;
}

SafetensorsFile::~SafetensorsFile() { close(); }

void SafetensorsFile::close() {
    if (map_) ::munmap(const_cast<std::byte*>(map_), map_size_);
    map_ = nullptr;
    map_size_ = 0;
    file_ = {};
    data_ = {};
    tensors_.clear();
    metadata_.clear();
}

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const {
    const auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                                     [](const SafetensorsTensor& t, std::string_view n) { return t.name < n; });
    return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

std::span<const std::byte> SafetensorsFile::bytes(const SafetensorsTensor& t) const {
    // A tensor from another file (or from before close()) gets no bytes rather than a wild read.
    if (t.end < t.begin || t.end > data_.size()) return {};
    return data_.subspan(t.begin, t.end - t.begin);
}

namespace {

// Converts values [i0, i1) of a tensor stored as `dtype` at `p` into `out`.
void convert_values(SafetensorsDtype dtype, const uint8_t* p, size_t i0, size_t i1, std::span<float> out) {
    // Byte by byte: the data buffer follows a header of any length, so values may be unaligned.
    auto u16 = [p](size_t i) { return static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)); };
    auto u32 = [p](size_t i) {
        uint32_t v = 0;
        for (int k = 3; k >= 0; --k) v = (v << 8) | p[4 * i + k];
        return v;
    };
    switch (dtype) {
        case SafetensorsDtype::F32:
            if constexpr (std::endian::native == std::endian::little) {
                std::memcpy(out.data() + i0, p + 4 * i0, (i1 - i0) * 4);
            } else {
                for (size_t i = i0; i < i1; ++i) out[i] = std::bit_cast<float>(u32(i));
            }
            break;
        case SafetensorsDtype::F16:
            for (size_t i = i0; i < i1; ++i) out[i] = f16_to_f32(u16(i));
            break;
        case SafetensorsDtype::BF16:
            for (size_t i = i0; i < i1; ++i) out[i] = bf16_to_f32(u16(i));
            break;
        case SafetensorsDtype::F64:
            for (size_t i = i0; i < i1; ++i) {
                const double d = std::bit_cast<double>(read_u64_le(reinterpret_cast<const std::byte*>(p) + 8 * i));
                // Out of float range rounds to infinity, as IEEE conversion does; said explicitly because
                // C++ leaves the out-of-range cast undefined.
                if (d > FLT_MAX && d != std::numeric_limits<double>::infinity())
                    out[i] = std::numeric_limits<float>::infinity();
                else if (d < -FLT_MAX && d != -std::numeric_limits<double>::infinity())
                    out[i] = -std::numeric_limits<float>::infinity();
                else
                    out[i] = static_cast<float>(d);
            }
            break;
        default:
            break;  // excluded above
    }
}

// Drops the mapped pages wholly inside [begin, begin + size) from memory; the file still backs them,
// so reading them again would simply fault them back in.
void release_pages(const std::byte* begin, size_t size) {
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto a = (reinterpret_cast<uintptr_t>(begin) + page - 1) / page * page;
    const auto z = (reinterpret_cast<uintptr_t>(begin) + size) / page * page;
    if (z > a) ::madvise(reinterpret_cast<void*>(a), z - a, MADV_DONTNEED);
}

}  // namespace

std::optional<std::string> SafetensorsFile::read_f32(const SafetensorsTensor& t, std::span<float> out) const {
    if (!is_float_convertible(t.dtype))
        return tr("{0}: dtype {1} is not a floating-point type", t.name, dtype_name(t.dtype));
    const auto n = static_cast<size_t>(t.count());
    if (out.size() != n)
        return tr("{0}: holds {1} values, but the buffer has room for {2}", t.name, n, out.size());
    const auto b = bytes(t);
    if (b.size() != n * dtype_size(t.dtype)) return tr("{0}: the tensor does not belong to this file", t.name);
    const size_t width = dtype_size(t.dtype);
    // Converted a chunk at a time; each chunk's pages of the mapping are dropped once read, so that
    // loading a 240 MB file holds the weights plus one chunk, not the weights plus the file.
    constexpr size_t kChunkBytes = size_t{8} << 20;
    const size_t per_chunk = std::max<size_t>(1, kChunkBytes / width);
    for (size_t i0 = 0; i0 < n; i0 += per_chunk) {
        const size_t i1 = std::min(n, i0 + per_chunk);
        convert_values(t.dtype, reinterpret_cast<const uint8_t*>(b.data()), i0, i1, out);
        if (map_) release_pages(b.data() + i0 * width, (i1 - i0) * width);
    }
    return std::nullopt;
}

// ---- writing ----

std::optional<std::string> write_safetensors(const std::string& path, const std::vector<SafetensorsOutput>& tensors,
                                             const std::map<std::string, std::string>& metadata) {
    using nlohmann::ordered_json;
    ordered_json header = ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string> names;
    std::vector<uint64_t> sizes;
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        if (t.name == "__metadata__") return tr("the tensor name __metadata__ is reserved");
        if (!names.insert(t.name).second) return tr("two tensors are named {0}", t.name);
        if (std::any_of(t.shape.begin(), t.shape.end(), [](int64_t d) { return d < 0; }))
            return tr("{0}: shape {1} has a negative dimension", t.name, tensor_shape_text(t.shape));
        const auto bytes = byte_size(t.shape, 4);
        if (!bytes || *bytes > std::numeric_limits<uint64_t>::max() - offset)
            return tr("{0}: shape {1} is too large", t.name, tensor_shape_text(t.shape));
        if (*bytes > 0 && !t.data) return tr("{0}: no data", t.name);
        ordered_json entry = ordered_json::object();
        entry["dtype"] = "F32";
        entry["shape"] = t.shape;
        entry["data_offsets"] = ordered_json::array({offset, offset + *bytes});
        header[t.name] = std::move(entry);
        sizes.push_back(*bytes);
        offset += *bytes;
    }
    // Names that are not valid UTF-8 are written with replacement characters rather than throwing.
    std::string text = header.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    // The format allows trailing spaces in the header; they put the data buffer on an 8-byte boundary.
    text.append((8 - text.size() % 8) % 8, ' ');
    if (offset > std::numeric_limits<size_t>::max() - 8 - text.size()) return tr("the tensors are too large to write");

    std::string file;
    file.reserve(8 + text.size() + static_cast<size_t>(offset));
    append_u64_le(file, text.size());
    file += text;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto n = static_cast<size_t>(sizes[i] / 4);
        if constexpr (std::endian::native == std::endian::little) {
            if (n) file.append(reinterpret_cast<const char*>(tensors[i].data), n * 4);
        } else {
            for (size_t k = 0; k < n; ++k) {
                const auto v = std::bit_cast<uint32_t>(tensors[i].data[k]);
                for (int b = 0; b < 4; ++b) file.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
            }
        }
    }
    std::string error;
    if (!write_file_atomic(path, file, error)) return error;
    return std::nullopt;
}

// ---- network weights ----

std::vector<std::string> safetensors_prefixes(const Network& net, SafetensorsNaming naming) {
    const size_t n = net.layers.size();
    std::vector<std::string> out(n);
    if (naming == SafetensorsNaming::Plain) {
        for (size_t i = 0; i < n; ++i)
            if (has_parameters(net.layers[i])) out[i] = net.layers[i].name;
        return out;
    }
    // torchvision splits the network into `features` (everything before the pooling to a fixed size)
    // and `classifier` (everything after the flatten); avgpool and the flatten sit between the two.
    size_t features_end = 0;
    while (features_end < n) {
        const LayerType t = net.layers[features_end].type;
        if (t == LayerType::AdaptiveAvgPool || t == LayerType::Flatten || t == LayerType::Fc) break;
        ++features_end;
    }
    size_t classifier_begin = features_end;
    if (classifier_begin < n && net.layers[classifier_begin].type == LayerType::AdaptiveAvgPool) ++classifier_begin;
    if (classifier_begin < n && net.layers[classifier_begin].type == LayerType::Flatten) ++classifier_begin;
    for (size_t i = 0; i < n; ++i) {
        if (!has_parameters(net.layers[i])) continue;
        if (i < features_end) out[i] = "features." + std::to_string(i);
        else if (i >= classifier_begin) out[i] = "classifier." + std::to_string(i - classifier_begin);
    }
    return out;
}

SafetensorsWeights load_safetensors_weights(const Network& net, const Analysis& a, const std::string& path) {
    SafetensorsWeights r;
    std::string open_error;
    auto file = SafetensorsFile::open(path, open_error);
    if (!file) {
        r.error = open_error;
        return r;
    }
    auto fail = [&](const std::string& message) {
        SafetensorsWeights failed;
        failed.error = path + ": " + message;
        return failed;
    };
    const size_t n = net.layers.size();
    const auto& tensors = file->tensors();

    // The scheme is the one under which more of the file's names belong to a layer; plain wins a tie.
    const auto plain = safetensors_prefixes(net, SafetensorsNaming::Plain);
    const auto torchvision = safetensors_prefixes(net, SafetensorsNaming::Torchvision);
    auto score = [&](const std::vector<std::string>& prefixes) {
        std::set<std::string> names;
        for (size_t i = 0; i < n; ++i) {
            if (prefixes[i].empty()) continue;
            names.insert(prefixes[i] + ".weight");
            names.insert(prefixes[i] + ".bias");
        }
        return std::count_if(tensors.begin(), tensors.end(), [&](const auto& t) { return names.count(t.name); });
    };
    const auto plain_score = score(plain);
    const auto torchvision_score = score(torchvision);
    const bool any_parameters = std::any_of(net.layers.begin(), net.layers.end(), has_parameters);
    if (any_parameters && plain_score == 0 && torchvision_score == 0) {
        if (tensors.empty()) return fail(tr("the file holds no tensors"));
        size_t first = 0;
        while (!has_parameters(net.layers[first])) ++first;
        std::string held;
        for (size_t i = 0; i < tensors.size() && i < 3; ++i) held += (i ? ", " : "") + tensors[i].name;
        if (tensors.size() > 3) held = tr("{0} and {1} more", held, tensors.size() - 3);
        return fail(tr("no tensor belongs to a layer of this network: expected names like {0}.weight or {1}.weight, "
                       "the file holds {2}",
                       plain[first], torchvision[first], held));
    }
    r.naming = torchvision_score > plain_score ? SafetensorsNaming::Torchvision : SafetensorsNaming::Plain;
    const auto& prefixes = r.naming == SafetensorsNaming::Torchvision ? torchvision : plain;

    // Every check runs before any value is converted, so a bad file costs no large allocation.
    struct Plan {
        const SafetensorsTensor* weight = nullptr;
        const SafetensorsTensor* bias = nullptr;
        std::vector<int64_t> shape;
    };
    std::vector<Plan> plan(n);
    std::vector<bool> used(tensors.size(), false);
    for (size_t i = 0; i < n; ++i) {
        const Layer& l = net.layers[i];
        if (!has_parameters(l)) continue;
        // Torchvision names say nothing about the layer, so messages add its name.
        const std::string layer_note = r.naming == SafetensorsNaming::Torchvision ? " (" + l.name + ")" : "";
        const std::string wname = prefixes[i] + ".weight";
        const std::string bname = prefixes[i] + ".bias";
        plan[i].shape = expected_weight_shape(net, a, i);
        if (plan[i].shape.empty())
            return fail(tr("{0}: the network gives this layer no valid input shape, so its weights cannot be checked",
                           l.name));
        const SafetensorsTensor* w = file->find(wname);
        if (!w) return fail(tr("{0}: missing from the file", wname + layer_note));
        if (w->shape != plan[i].shape)
            return fail(tr("{0}: expected shape {1}, got {2}", wname + layer_note, tensor_shape_text(plan[i].shape),
                           tensor_shape_text(w->shape)));
        if (!is_float_convertible(w->dtype))
            return fail(tr("{0}: dtype {1} is not a floating-point type", wname + layer_note, dtype_name(w->dtype)));
        const SafetensorsTensor* b = file->find(bname);
        if (l.bias && !b) return fail(tr("{0}: missing from the file (the layer has a bias)", bname + layer_note));
        if (!l.bias && b) return fail(tr("{0}: the layer has no bias, but the file holds one", bname + layer_note));
        if (b) {
            const std::vector<int64_t> want{l.out};
            if (b->shape != want)
                return fail(tr("{0}: expected shape {1}, got {2}", bname + layer_note, tensor_shape_text(want),
                               tensor_shape_text(b->shape)));
            if (!is_float_convertible(b->dtype))
                return fail(tr("{0}: dtype {1} is not a floating-point type", bname + layer_note, dtype_name(b->dtype)));
            used[static_cast<size_t>(b - tensors.data())] = true;
        }
        used[static_cast<size_t>(w - tensors.data())] = true;
        plan[i].weight = w;
        plan[i].bias = b;
    }
    const auto extra = static_cast<size_t>(std::count(used.begin(), used.end(), false));
    if (extra > 0) {
        const size_t first = static_cast<size_t>(std::find(used.begin(), used.end(), false) - used.begin());
        const std::string& name = tensors[first].name;
        if (extra == 1) return fail(tr("{0}: no layer of the network uses this tensor", name));
        if (extra == 2) return fail(tr("{0}: no layer of the network uses this tensor (nor 1 other)", name));
        return fail(tr("{0}: no layer of the network uses this tensor (nor {1} others)", name, extra - 1));
    }

    r.weights.layers.resize(n);
    for (size_t i = 0; i < n; ++i) {
        if (!plan[i].weight) continue;
        LayerWeights& lw = r.weights.layers[i];
        lw.weight_shape = plan[i].shape;  // conv: (out, in/groups, kh, kw); fc: (out, in)
        lw.weight.resize(static_cast<size_t>(plan[i].weight->count()));
        if (auto e = file->read_f32(*plan[i].weight, lw.weight)) return fail(*e);
        if (plan[i].bias) {
            lw.bias.resize(static_cast<size_t>(plan[i].bias->count()));  // (out)
            if (auto e = file->read_f32(*plan[i].bias, lw.bias)) return fail(*e);
        }
    }
    r.weights.origin = std::filesystem::path(path).filename().string();
    file->close();
    return r;
}

std::optional<std::string> save_safetensors_weights(const Network& net, const NetworkWeights& w,
                                                    const std::string& path, SafetensorsNaming naming) {
    if (w.layers.size() != net.layers.size())
        return tr("the weights are for {0} layers, the network has {1}", w.layers.size(), net.layers.size());
    const auto prefixes = safetensors_prefixes(net, naming);
    std::vector<SafetensorsOutput> out;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        const LayerWeights& lw = w.layers[i];
        if (!has_parameters(l)) {
            if (!lw.weight.empty() || !lw.bias.empty()) return tr("{0} has no parameters, but weights were given", l.name);
            continue;
        }
        if (lw.weight.empty()) return tr("{0}: no weights to save", l.name);
        const auto need = byte_size(lw.weight_shape, 1);
        if (std::any_of(lw.weight_shape.begin(), lw.weight_shape.end(), [](int64_t d) { return d < 0; }) || !need ||
            *need != lw.weight.size())
            return tr("{0}.weight: shape {1} does not fit its {2} values", l.name, tensor_shape_text(lw.weight_shape),
                      lw.weight.size());
        if (l.bias && lw.bias.empty()) return tr("{0}.bias: the layer has a bias, but none was given", l.name);
        if (!l.bias && !lw.bias.empty()) return tr("{0}.bias: the layer has no bias, but one was given", l.name);
        out.push_back({prefixes[i] + ".weight", lw.weight_shape, lw.weight.data()});
        if (!lw.bias.empty())
            out.push_back({prefixes[i] + ".bias", {static_cast<int64_t>(lw.bias.size())}, lw.bias.data()});  // (out)
    }
    // PyTorch's loaders look for this entry to know the file holds torch tensors.
    return write_safetensors(path, out, {{"format", "pt"}});
}

}  // namespace convscope::nn
