#include "nn/onnx_tensor.h"

#include <onnx/onnx_pb.h>

#include <bit>
#include <cstring>

#include "core/i18n.h"
#include "core/file_io.h"
#include "nn/safetensors.h"

namespace convscope::nn {

// raw_data is little-endian by definition; it is copied as is.
static_assert(std::endian::native == std::endian::little, "ONNX raw_data is read as little-endian");

namespace {

using onnx::TensorProto;

// Protobuf refuses messages of 2 GiB and more, so no larger file can be a TensorProto.
constexpr size_t kMaxProtoBytes = size_t{2047} << 20;

std::string label(const TensorProto& t) {
    return t.name().empty() ? std::string("tensor") : "tensor '" + t.name() + "'";
}

// Reads raw_data (little-endian elements of type T, already checked to hold out.size() of them),
// converting each element with `convert`.
template <typename T, typename Out, typename F>
void read_raw(const std::string& raw, std::vector<Out>& out, F convert) {
    for (size_t i = 0; i < out.size(); ++i) {
        T x;
        std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
        out[i] = convert(x);
    }
}
template <typename T, typename Out>
void read_raw(const std::string& raw, std::vector<Out>& out) {
    read_raw<T>(raw, out, [](T x) { return static_cast<Out>(x); });
}

size_t element_size(int32_t type) {
    switch (type) {
        case TensorProto::FLOAT: return 4;
        case TensorProto::DOUBLE: return 8;
        case TensorProto::FLOAT16: return 2;
        case TensorProto::BFLOAT16: return 2;
        case TensorProto::INT32: return 4;
        case TensorProto::INT64: return 8;
        case TensorProto::INT8: return 1;
        case TensorProto::UINT8: return 1;
        case TensorProto::BOOL: return 1;
        default: return 0;  // not supported
    }
}

// The number of values stored in the typed field that `type` uses (float_data, int64_data, …).
int64_t typed_field_size(const TensorProto& t) {
    switch (t.data_type()) {
        case TensorProto::FLOAT: return t.float_data_size();
        case TensorProto::DOUBLE: return t.double_data_size();
        case TensorProto::INT64: return t.int64_data_size();
        // FLOAT16 and BFLOAT16 bit patterns and the smaller integers live in int32_data.
        default: return t.int32_data_size();
    }
}

}  // namespace

std::string onnx_type_name(int32_t data_type) {
    if (data_type != 0 && TensorProto::DataType_IsValid(data_type))
        return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(data_type));
    if (data_type == 0) return "UNDEFINED";
    std::string s = "#";  // built in two steps: GCC 12 warns falsely (-Wrestrict) on "#" + to_string(…)
    s += std::to_string(data_type);
    return s;
}

std::string onnx_dims_text(const std::vector<int64_t>& dims) {
    std::string s = "(";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + ")";
}

std::optional<int64_t> onnx_element_count(const std::vector<int64_t>& dims) {
    int64_t n = 1;
    for (int64_t d : dims) {
        if (d < 0 || __builtin_mul_overflow(n, d, &n)) return std::nullopt;
    }
    return n;
}

OnnxTensorResult onnx_tensor_from_proto(const TensorProto& t) {
    OnnxTensorResult r;
    const std::string what = label(t);
    auto fail = [&](const std::string& m) {
        r.error = what + ": " + m;
        return r;
    };
    if (t.data_location() == TensorProto::EXTERNAL || t.external_data_size() > 0)
        return fail(tr("its data is stored in an external file, which is not supported"));
    if (t.has_segment()) return fail(tr("segmented tensors are not supported"));
    const int32_t type = t.data_type();
    const size_t esize = element_size(type);
    if (esize == 0) return fail(tr("element type {0} is not supported", onnx_type_name(type)));

    OnnxTensor out;
    out.name = t.name();
    out.data_type = type;
    out.dims.assign(t.dims().begin(), t.dims().end());
    const auto count = onnx_element_count(out.dims);
    if (!count) return fail(tr("invalid dims {0}", onnx_dims_text(out.dims)));
    // The stored data bounds everything allocated below: dims alone never make a large allocation.
    const std::string& raw = t.raw_data();
    const int64_t typed = typed_field_size(t);
    if (!raw.empty() && typed > 0) return fail(tr("holds both raw_data and typed values"));
    if (!raw.empty()) {
        if (raw.size() % esize != 0 || static_cast<int64_t>(raw.size() / esize) != *count)
            return fail(tr("dims {0} need {1} values, raw_data has {2} bytes ({3} values)", onnx_dims_text(out.dims), *count,
                           raw.size(), raw.size() / esize));
    } else if (typed != *count) {
        return fail(tr("dims {0} need {1} values, the tensor holds {2}", onnx_dims_text(out.dims), *count, typed));
    }

    const int64_t n = *count;
    const auto un = static_cast<size_t>(n);
    auto& v = out.values;
    const bool integer = type == TensorProto::INT8 || type == TensorProto::UINT8 || type == TensorProto::BOOL ||
                         type == TensorProto::INT32 || type == TensorProto::INT64;
    if (integer) {
        // Exact values first; the float copy follows from them.
        auto& ints = out.ints;
        ints.resize(un);
        if (!raw.empty()) {
            switch (type) {
                case TensorProto::INT8: read_raw<int8_t>(raw, ints); break;
                case TensorProto::UINT8:
                case TensorProto::BOOL: read_raw<uint8_t>(raw, ints); break;
                case TensorProto::INT32: read_raw<int32_t>(raw, ints); break;
                case TensorProto::INT64: read_raw<int64_t>(raw, ints); break;
            }
        } else if (type == TensorProto::INT64) {
            ints.assign(t.int64_data().begin(), t.int64_data().end());
        } else {
            ints.assign(t.int32_data().begin(), t.int32_data().end());
        }
        v.resize(un);
        for (size_t i = 0; i < un; ++i) v[i] = static_cast<float>(ints[i]);
    } else if (!raw.empty()) {
        v.resize(un);
        switch (type) {
            case TensorProto::FLOAT: read_raw<float>(raw, v); break;
            case TensorProto::DOUBLE: read_raw<double>(raw, v); break;
            case TensorProto::FLOAT16: read_raw<uint16_t>(raw, v, f16_to_f32); break;
            case TensorProto::BFLOAT16: read_raw<uint16_t>(raw, v, bf16_to_f32); break;
        }
    } else {
        switch (type) {
            case TensorProto::FLOAT: v.assign(t.float_data().begin(), t.float_data().end()); break;
            case TensorProto::DOUBLE:
                v.resize(un);
                for (size_t i = 0; i < un; ++i) v[i] = static_cast<float>(t.double_data(static_cast<int>(i)));
                break;
            case TensorProto::FLOAT16:
            case TensorProto::BFLOAT16: {
                // The 16-bit patterns sit in the low half of int32_data.
                const auto convert = type == TensorProto::FLOAT16 ? f16_to_f32 : bf16_to_f32;
                v.resize(un);
                for (size_t i = 0; i < un; ++i)
                    v[i] = convert(static_cast<uint16_t>(t.int32_data(static_cast<int>(i)) & 0xffff));
                break;
            }
        }
    }
    r.tensor = std::move(out);
    return r;
}

OnnxTensorResult parse_onnx_tensor(std::string_view bytes) {
    if (bytes.size() >= kMaxProtoBytes) return {std::nullopt, tr("too large to be a TensorProto (2 GiB or more)")};
    TensorProto t;
    if (!t.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        return {std::nullopt, tr("not a valid ONNX TensorProto (the protobuf does not parse)")};
    return onnx_tensor_from_proto(t);
}

OnnxTensorResult read_onnx_tensor_file(const std::string& path) {
    std::string error;
    const auto bytes = read_file(path, error, kMaxProtoBytes);
    if (!bytes) return {std::nullopt, error};
    auto r = parse_onnx_tensor(*bytes);
    if (!r) r.error = path + ": " + r.error;
    return r;
}

}  // namespace convscope::nn
