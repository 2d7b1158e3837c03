#include "nn/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <initializer_list>
#include <new>
#include <optional>
#include <set>
#include <utility>

#include "core/i18n.h"
#include "core/file_io.h"
#include "core/shape_engine.h"

namespace convscope::nn {

namespace {

using onnx::AttributeProto;
using onnx::GraphProto;
using onnx::ModelProto;
using onnx::NodeProto;
using onnx::TensorProto;
using F = OnnxImportFailure;

// The newest opset whose operator definitions this importer was written against; a later one may have
// changed the meaning of an attribute, so it is refused rather than guessed at.
constexpr int64_t kMaxOpset = 21;
// Protobuf refuses messages of 2 GiB and more.
constexpr size_t kMaxModelBytes = size_t{2047} << 20;

const std::vector<std::string_view> kSupported = {
    "Conv",    "MaxPool", "AveragePool", "GlobalAveragePool", "LRN",      "Relu",     "Dropout",   "Softmax",
    "Flatten", "Reshape", "Gemm",        "MatMul",            "Add",      "Identity", "Constant", "Transpose"};

// Internal control flow: the first problem ends the import, and import_model turns it into the result.
struct ImportError {
    F kind;
    std::string message;
};

[[noreturn]] void fail(F kind, std::string message) { throw ImportError{kind, std::move(message)}; }

std::string quoted_list(const std::vector<std::string>& names) {
    std::string s;
    for (size_t i = 0; i < names.size(); ++i) s += (i ? ", '" : "'") + names[i] + "'";
    return s;
}

std::string number(double v) {
    std::string s = std::to_string(v);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// The ONNX tensor flowing along the chain: its name and dims, the batch first (−1 when symbolic).
struct Activation {
    std::string name;
    std::vector<int64_t> dims;
    size_t rank() const { return dims.size(); }
    int64_t batch() const { return dims[0]; }
};

// One image of an activation as ConvScope sees it: (N, C, H, W) → C×H×W; (N, K) → K×1×1; and, when the
// options allow 1-D data, (N, C, L) → C×1×L.
Shape3 per_image(const std::vector<int64_t>& d) {
    if (d.size() == 4) return {d[1], d[2], d[3]};
    if (d.size() == 3) return {d[1], 1, d[2]};
    return {d[1], 1, 1};
}

// A node's attributes by name, each read with its type checked. Attributes the operator's handler does
// not know are refused up front: silently ignoring one could change what the layer computes.
class Attrs {
public:
    Attrs(const NodeProto& n, std::string label, std::initializer_list<std::string_view> known)
        : label_(std::move(label)) {
        for (const auto& a : n.attribute()) {
            if (std::find(known.begin(), known.end(), a.name()) == known.end())
                fail(F::UnsupportedForm, tr("{0}: attribute '{1}' is not supported", label_, a.name()));
            if (!by_name_.emplace(a.name(), &a).second)
                fail(F::Malformed, tr("{0}: attribute '{1}' appears twice", label_, a.name()));
        }
    }
    // Old models may leave an attribute's type unset; the field that holds a value then says it.
    std::optional<int64_t> i(const std::string& name) const {
        const auto* a = find(name);
        if (!a) return std::nullopt;
        if (!(a->type() == AttributeProto::INT || (a->type() == AttributeProto::UNDEFINED && a->has_i())))
            bad(name, tr("an integer"));
        return a->i();
    }
    std::optional<double> f(const std::string& name) const {
        const auto* a = find(name);
        if (!a) return std::nullopt;
        if (!(a->type() == AttributeProto::FLOAT || (a->type() == AttributeProto::UNDEFINED && a->has_f())))
            bad(name, tr("a float"));
        return a->f();
    }
    std::optional<std::string> s(const std::string& name) const {
        const auto* a = find(name);
        if (!a) return std::nullopt;
        if (!(a->type() == AttributeProto::STRING || (a->type() == AttributeProto::UNDEFINED && a->has_s())))
            bad(name, tr("a string"));
        return a->s();
    }
    std::optional<std::vector<int64_t>> ints(const std::string& name) const {
        const auto* a = find(name);
        if (!a) return std::nullopt;
        if (!(a->type() == AttributeProto::INTS || (a->type() == AttributeProto::UNDEFINED && a->ints_size() > 0)))
            bad(name, tr("a list of integers"));
        return std::vector<int64_t>(a->ints().begin(), a->ints().end());
    }
    std::optional<std::vector<float>> floats(const std::string& name) const {
        const auto* a = find(name);
        if (!a) return std::nullopt;
        if (!(a->type() == AttributeProto::FLOATS || (a->type() == AttributeProto::UNDEFINED && a->floats_size() > 0)))
            bad(name, tr("a list of floats"));
        return std::vector<float>(a->floats().begin(), a->floats().end());
    }
    const TensorProto* t(const std::string& name) const {
        const auto* a = find(name);
        if (!a) return nullptr;
        if (!(a->type() == AttributeProto::TENSOR || (a->type() == AttributeProto::UNDEFINED && a->has_t())))
            bad(name, tr("a tensor"));
        return &a->t();
    }

private:
    const AttributeProto* find(const std::string& name) const {
        const auto it = by_name_.find(name);
        return it == by_name_.end() ? nullptr : it->second;
    }
    [[noreturn]] void bad(const std::string& name, const std::string& what) const {
        fail(F::Malformed, tr("{0}: attribute '{1}' should be {2}", label_, name, what));
    }
    std::string label_;
    std::map<std::string, const AttributeProto*> by_name_;
};

// A layer name from a node name. PyTorch names nodes by module path and operator
// ("/features/features.0/Conv"): the path's last part ("features.0") is the name its user knows.
// Other names keep every part, joined with dots; characters outside [A-Za-z0-9_.-] become '_'.
std::string layer_name_from_node(const NodeProto& n) {
    std::vector<std::string> parts;
    std::string part;
    for (char c : n.name() + "/") {
        if (c != '/') {
            part += c;
        } else if (!part.empty()) {
            parts.push_back(std::move(part));
            part.clear();
        }
    }
    if (parts.size() >= 2 && parts.back().rfind(n.op_type(), 0) == 0) {
        part = parts[parts.size() - 2];
    } else {
        for (size_t i = 0; i < parts.size(); ++i) part += (i ? "." : "") + parts[i];
    }
    std::string out;
    for (char c : part) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                          c == '.' || c == '-';
        out += keep ? c : '_';
        if (out.size() >= 64) break;
    }
    if (out.find_first_not_of("_.-") == std::string::npos) return {};
    return out;
}

int to_int(int64_t v, int64_t min, const std::string& what, const std::string& label) {
    if (v < min)
        fail(F::Malformed, tr("{0}: {1} must be ≥ {2}, got {3}", label, what, min, v));
    if (v > INT_MAX) fail(F::Malformed, tr("{0}: {1} is too large: {2}", label, what, v));
    return static_cast<int>(v);
}

// A sliding window's hyperparameters read from Conv, MaxPool or AveragePool attributes.
struct Window {
    Hw kernel, stride, dilation;
    Pad4 pad;
    bool auto_pad = false;  // pads were computed from auto_pad, which fixes the output size
};

class Importer {
public:
    Importer(const ModelProto& m, const OnnxImportOptions& o, OnnxImportResult& r) : model_(m), options_(o), r_(r) {}

    void run() {
        read_opset();
        if (!model_.has_graph()) fail(F::Malformed, tr("the model has no graph"));
        const GraphProto& g = model_.graph();
        if (g.sparse_initializer_size() > 0) fail(F::UnsupportedForm, tr("sparse initializers are not supported"));
        for (const auto& t : g.initializer()) {
            if (t.name().empty()) fail(F::Malformed, tr("an initializer has no name"));
            if (!initializers_.emplace(t.name(), &t).second)
                fail(F::Malformed, tr("two initializers are named '{0}'", t.name()));
        }
        for (const auto& [name, t] : options_.inputs) constants_[name] = t;
        check_operators(g);
        for (const auto& n : g.node())
            for (const auto& in : n.input())
                if (!in.empty()) ++uses_[in];
        for (const auto& o : g.output()) ++uses_[o.name()];
        for (const auto& v : g.value_info()) record_shape(v);
        for (const auto& v : g.output()) record_shape(v);
        read_input(g);
        for (int i = 0; i < g.node_size(); ++i) {
            const NodeProto& n = g.node(i);
            visit(n, label(n, i));
        }
        finish(g);
    }

private:
    static std::string label(const NodeProto& n, int index) {
        if (n.name().empty()) return tr("{0} (node {1})", n.op_type(), index);
        return n.op_type() + " '" + n.name() + "'";
    }

    void read_opset() {
        bool found = false;
        for (const auto& o : model_.opset_import()) {
            if (o.domain().empty() || o.domain() == "ai.onnx") {
                r_.opset = o.version();
                found = true;
            }
        }
        // Models from before opset imports existed (IR version 1 and 2) use opset 1.
        if (!found) r_.opset = 1;
        if (r_.opset < 1) fail(F::Malformed, tr("invalid opset version {0}", r_.opset));
        if (r_.opset > kMaxOpset)
            fail(F::UnsupportedForm, tr("opset {0} is newer than this importer knows (up to {1})", r_.opset, kMaxOpset));
    }

    // Lists every operator ConvScope has no layer for, with counts, before looking at anything else:
    // someone converting a model wants the whole list at once, not one operator per attempt.
    void check_operators(const GraphProto& g) {
        std::vector<std::pair<std::string, int>> unknown;
        for (const auto& n : g.node()) {
            const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
            std::string op = default_domain ? n.op_type() : n.domain() + "." + n.op_type();
            if (default_domain && std::find(kSupported.begin(), kSupported.end(), op) != kSupported.end()) continue;
            auto it = std::find_if(unknown.begin(), unknown.end(), [&](const auto& u) { return u.first == op; });
            if (it == unknown.end())
                unknown.emplace_back(std::move(op), 1);
            else
                ++it->second;
        }
        if (unknown.empty()) return;
        std::string list;
        for (size_t i = 0; i < unknown.size(); ++i) {
            list += (i ? ", " : "") + unknown[i].first;
            if (unknown[i].second > 1) list += " (×" + std::to_string(unknown[i].second) + ")";
        }
        fail(F::UnsupportedOperators, unknown.size() > 1 ? tr("unsupported ONNX operators: {0}", list)
                                                         : tr("unsupported ONNX operator: {0}", list));
    }

    // Shapes the model records for its tensors (value_info, outputs), to check ours against.
    void record_shape(const onnx::ValueInfoProto& v) {
        if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
        std::vector<int64_t> dims;
        for (const auto& d : v.type().tensor_type().shape().dim())
            dims.push_back(d.has_dim_value() && d.dim_value() >= 0 ? d.dim_value() : -1);
        recorded_[v.name()] = std::move(dims);
    }

    void check_recorded(const std::string& name, const std::string& what) {
        const auto it = recorded_.find(name);
        if (it == recorded_.end()) return;
        const auto& want = it->second;
        bool same = want.size() == cur_.rank();
        for (size_t i = 0; same && i < want.size(); ++i)
            same = want[i] < 0 || cur_.dims[i] < 0 || want[i] == cur_.dims[i];
        if (!same)
            fail(F::UnsupportedForm, tr("{0}: the model records its output '{1}' as {2}, ConvScope computes {3}", what, name,
                                        onnx_dims_text(want), onnx_dims_text(cur_.dims)));
    }

    void read_input(const GraphProto& g) {
        std::vector<const onnx::ValueInfoProto*> data;
        for (const auto& v : g.input())
            if (!initializers_.count(v.name()) && !options_.inputs.count(v.name())) data.push_back(&v);
        if (data.empty()) fail(F::Malformed, tr("the graph has no input besides its initializers"));
        if (data.size() > 1) {
            std::vector<std::string> names;
            for (const auto* v : data) names.push_back(v->name());
            fail(F::NotChain, tr("the graph has {0} inputs that are not initializers ({1}): ConvScope takes one image, and "
                                 "weights must be initializers",
                                 data.size(), quoted_list(names)));
        }
        const auto& v = *data[0];
        const std::string what = tr("the input '{0}'", v.name());
        if (!v.type().has_tensor_type()) fail(F::UnsupportedForm, tr("{0} is not a tensor", what));
        const auto& tt = v.type().tensor_type();
        if (tt.elem_type() != TensorProto::FLOAT)
            fail(F::UnsupportedForm, tr("{0} is {1}: ConvScope computes in float32", what, onnx_type_name(tt.elem_type())));
        if (!tt.has_shape()) fail(F::UnsupportedForm, tr("{0} has no shape: ConvScope needs the image size", what));
        const int rank = tt.shape().dim_size();
        if (rank == 3 && !options_.allow_sequence_input)
            fail(F::NotTwoD, tr("{0} is 3-D (N, C, L), 1-D data: ConvScope's layers take images (N, C, H, W)", what));
        if (rank != 2 && rank != 3 && rank != 4)
            fail(F::NotTwoD, tr("{0} has {1} dimensions: ConvScope takes images (N, C, H, W)", what, rank));
        std::vector<int64_t> dims;
        for (int i = 0; i < rank; ++i) {
            const auto& d = tt.shape().dim(i);
            if (d.has_dim_value()) {
                if (d.dim_value() < 0)
                    fail(F::Malformed, tr("{0}: dimension {1} is {2}", what, i, d.dim_value()));
                if (d.dim_value() == 0)
                    fail(F::UnsupportedForm, tr("{0}: dimension {1} is 0, an empty tensor", what, i));
                dims.push_back(d.dim_value());
            } else if (i == 0) {
                dims.push_back(-1);  // a symbolic batch: the network runs one image at a time anyway
            } else {
                if (d.dim_param().empty())
                    fail(F::UnsupportedForm, tr("{0}: dimension {1} is symbolic: ConvScope needs a fixed image size", what, i));
                fail(F::UnsupportedForm, tr("{0}: dimension {1} is symbolic ('{2}'): ConvScope needs a fixed image size",
                                            what, i, d.dim_param()));
            }
        }
        std::vector<int64_t> one_batch = dims;
        one_batch[0] = std::max<int64_t>(one_batch[0], 1);
        if (!onnx_element_count(one_batch))
            fail(F::Malformed, tr("{0} {1} holds more values than 64 bits can count", what, onnx_dims_text(dims)));
        if (dims[0] > 1 && !options_.allow_batch)
            fail(F::UnsupportedForm,
                 tr("{0} has a batch of {1}: ConvScope runs one image at a time, so N must be 1 or symbolic", what, dims[0]));
        cur_ = {v.name(), dims};
        produced_.insert(v.name());
        r_.input_name = v.name();
        r_.net.input = per_image(dims);
        if (dims[0] > 1)
            r_.notes.push_back(tr("the input's batch of {0} runs one image at a time", dims[0]));
    }

    // ---- constants --------------------------------------------------------------------------------------

    bool is_constant(const std::string& name) const { return constants_.count(name) || initializers_.count(name); }

    const OnnxTensor& constant(const std::string& name, const std::string& what) {
        if (auto it = constants_.find(name); it != constants_.end()) return it->second;
        const auto it = initializers_.find(name);
        if (it == initializers_.end()) fail(F::Malformed, tr("{0}: '{1}' is not a constant", what, name));
        auto t = onnx_tensor_from_proto(*it->second);
        if (!t) fail(F::Malformed, what + ": " + t.error);
        return constants_.emplace(name, std::move(*t.tensor)).first->second;
    }

    // A constant input of a node, by position; `role` names it in errors ("the weights W").
    const OnnxTensor* optional_input(const NodeProto& n, int k, const std::string& what, const std::string& role) {
        if (n.input_size() <= k || n.input(k).empty()) return nullptr;
        if (!is_constant(n.input(k)))
            fail(F::NotChain, tr("{0}: {1} ('{2}') must be an initializer or a constant", what, role, n.input(k)));
        return &constant(n.input(k), what);
    }
    const OnnxTensor& input(const NodeProto& n, int k, const std::string& what, const std::string& role) {
        const auto* t = optional_input(n, k, what, role);
        if (!t) fail(F::Malformed, tr("{0}: {1} is missing", what, role));
        return *t;
    }

    // A weight's values for a layer, copied into layer storage; the cached tensor goes after its last
    // use, so a large model holds at most one weight twice at a time.
    FloatBuffer take_values(const NodeProto& n, int k) {
        const std::string& name = n.input(k);
        constant(name, "");  // cached already by the handler's input(); this only makes sure
        auto it = constants_.find(name);
        const auto& values = it->second.values;
        FloatBuffer v(values.begin(), values.end());  // into the weights' own (huge-page) storage
        if (--uses_[name] <= 0 && !options_.inputs.count(name)) constants_.erase(it);
        return v;
    }
    // The same for a weight only read (transposed into the layer): its cached copy goes after the last use.
    void release(const NodeProto& n, int k) {
        const std::string& name = n.input(k);
        if (--uses_[name] <= 0 && !options_.inputs.count(name)) constants_.erase(name);
    }

    void add_constant(const std::string& name, OnnxTensor t) {
        t.name = name;
        constants_[name] = std::move(t);
        produced_.insert(name);
    }

    // ---- the chain ----------------------------------------------------------------------------------------

    // Checks that the node reads the chain's current tensor and nothing else that varies; returns the
    // input position it reads it at, or −1 when every input is a constant.
    int chain_input(const NodeProto& n, const std::string& what) {
        int at = -1;
        for (int k = 0; k < n.input_size(); ++k) {
            const std::string& in = n.input(k);
            if (in.empty() || is_constant(in)) continue;
            if (!produced_.count(in))
                fail(F::Malformed, tr("{0} reads '{1}', which nothing before it produces", what, in));
            if (in != cur_.name)
                fail(F::NotChain, tr("{0} reads '{1}', which is not the output of the layer before it ('{2}'): ConvScope follows "
                                     "a single chain of layers, and this graph branches",
                                     what, in, cur_.name));
            if (at >= 0) fail(F::UnsupportedForm, tr("{0} reads '{1}' twice", what, in));
            at = k;
        }
        return at;
    }

    void require_image(const std::string& what, const std::string& kind) {
        if (cur_.rank() == 4) return;
        if (cur_.rank() == 3)
            fail(F::NotTwoD, tr("{0}: {1} of 1-D data (N, C, L): ConvScope's layers are 2-D", what, kind));
        fail(F::UnsupportedForm, tr("{0}: {1} of a {2}-D tensor {3}; ConvScope's windows slide over images (N, C, H, W)", what,
                                    kind, cur_.rank(), onnx_dims_text(cur_.dims)));
    }

    std::string unique_name(const NodeProto& n) {
        std::string base = layer_name_from_node(n);
        if (base.empty()) return {};
        std::string name = base;
        for (int k = 2; taken_.count(name); ++k) name = base + "_" + std::to_string(k);
        taken_.insert(name);
        return name;
    }

    // Appends a layer: its output shape comes from the shape engine, so that auto_pad, ceil rounding and
    // everything else agree with what the rest of ConvScope will compute.
    void add_layer(Layer l, LayerWeights w, const NodeProto& n, const std::string& what) {
        l.name = unique_name(n);
        const Stage st = analyze_layer(l, r_.net.layers.size(), per_image(cur_.dims), ReceptiveField{});
        if (st.status == Severity::Error) {
            std::string m;
            for (const auto& d : st.messages)
                if (d.severity == Severity::Error) m += (m.empty() ? "" : "; ") + d.message;
            fail(F::Malformed, what + ": " + m);
        }
        const Shape3 out = *st.output;
        // Every tensor must be countable: later arithmetic (flattening, Reshape's −1) multiplies its dims.
        if (!onnx_element_count({std::max<int64_t>(cur_.batch(), 1), out.c, out.h, out.w}))
            fail(F::Malformed, tr("{0}: the output {1} holds more values than 64 bits can count", what, shape_text(out)));
        switch (l.type) {
            case LayerType::Conv:
            case LayerType::MaxPool:
            case LayerType::AvgPool:
            case LayerType::AdaptiveAvgPool: cur_.dims = {cur_.batch(), out.c, out.h, out.w}; break;
            case LayerType::Fc:
            case LayerType::Flatten: cur_.dims = {cur_.batch(), out.count()}; break;
            case LayerType::Lrn:
            case LayerType::Relu:
            case LayerType::Dropout:
            case LayerType::Softmax: break;
        }
        r_.net.layers.push_back(std::move(l));
        r_.weights.layers.push_back(std::move(w));
    }

    void visit(const NodeProto& n, const std::string& what) {
        const std::string& op = n.op_type();
        if (n.output_size() < 1 || n.output(0).empty()) fail(F::Malformed, tr("{0} has no output", what));
        if (op == "Constant") return constant_node(n, what);
        const int at = chain_input(n, what);
        if (at < 0) return fold(n, what);
        // Further outputs (Dropout's mask, MaxPool's indices) may exist as long as nothing reads them.
        for (int k = 1; k < n.output_size(); ++k)
            if (!n.output(k).empty() && uses_[n.output(k)] > 0)
                fail(F::UnsupportedForm,
                     op == "MaxPool"
                         ? tr("{0}: its output {1} ('{2}') is used, and ConvScope models only the first output (the "
                              "indices output is not supported)",
                              what, k, n.output(k))
                         : tr("{0}: its output {1} ('{2}') is used, and ConvScope models only the first output", what, k,
                              n.output(k)));
        if (op == "Conv") conv(n, what, at);
        else if (op == "MaxPool" || op == "AveragePool") pool(n, what, at);
        else if (op == "GlobalAveragePool") global_avgpool(n, what);
        else if (op == "LRN") lrn(n, what);
        else if (op == "Relu") simple(n, what, LayerType::Relu, {"consumed_inputs"});
        else if (op == "Dropout") dropout(n, what);
        else if (op == "Softmax") softmax(n, what);
        else if (op == "Flatten") flatten(n, what);
        else if (op == "Reshape") reshape(n, what, at);
        else if (op == "Gemm") gemm(n, what, at);
        else if (op == "MatMul") matmul(n, what, at);
        else if (op == "Add") add(n, what);
        else if (op == "Identity") identity(n, what);
        else if (op == "Transpose")
            fail(F::UnsupportedForm, tr("{0}: transposing the activations changes the layout ConvScope walks", what));
        // Only the node right after a MatMul may attach a bias to it.
        if (op != "MatMul") pending_matmul_.reset();
        cur_.name = n.output(0);
        produced_.insert(cur_.name);
        check_recorded(cur_.name, what);
    }

    // ---- constants computed by nodes ------------------------------------------------------------------------

    void constant_node(const NodeProto& n, const std::string& what) {
        Attrs a(n, what, {"value", "value_float", "value_floats", "value_int", "value_ints", "sparse_value",
                          "value_string", "value_strings"});
        OnnxTensor t;
        if (const auto* v = a.t("value")) {
            auto r = onnx_tensor_from_proto(*v);
            if (!r) fail(F::Malformed, what + ": " + r.error);
            t = std::move(*r.tensor);
        } else if (const auto f = a.f("value_float")) {
            t.data_type = TensorProto::FLOAT;
            t.values = {static_cast<float>(*f)};
        } else if (const auto fs = a.floats("value_floats")) {
            t.data_type = TensorProto::FLOAT;
            t.dims = {static_cast<int64_t>(fs->size())};
            t.values = *fs;
        } else if (const auto i = a.i("value_int")) {
            t.data_type = TensorProto::INT64;
            t.ints = {*i};
            t.values = {static_cast<float>(*i)};
        } else if (const auto is = a.ints("value_ints")) {
            t.data_type = TensorProto::INT64;
            t.dims = {static_cast<int64_t>(is->size())};
            t.ints = *is;
            for (int64_t x : *is) t.values.push_back(static_cast<float>(x));
        } else {
            fail(F::UnsupportedForm, tr("{0}: only numeric constants are supported", what));
        }
        add_constant(n.output(0), std::move(t));
    }

    // A node whose inputs are all constants is evaluated here, when it is one the importer can evaluate.
    void fold(const NodeProto& n, const std::string& what) {
        const std::string& op = n.op_type();
        if (op == "Identity" && n.input_size() == 1) {
            add_constant(n.output(0), constant(n.input(0), what));
            return;
        }
        if (op == "Transpose" && n.input_size() == 1) {
            Attrs a(n, what, {"perm"});
            const OnnxTensor& in = constant(n.input(0), what);
            const size_t rank = in.dims.size();
            std::vector<int64_t> perm = a.ints("perm").value_or(std::vector<int64_t>{});
            if (perm.empty())
                for (size_t i = 0; i < rank; ++i) perm.push_back(static_cast<int64_t>(rank - 1 - i));
            std::vector<int64_t> sorted = perm;
            std::sort(sorted.begin(), sorted.end());
            for (size_t i = 0; i < sorted.size(); ++i)
                if (sorted.size() != rank || sorted[i] != static_cast<int64_t>(i))
                    fail(F::Malformed, tr("{0}: perm {1} does not fit a {2}-D tensor", what, onnx_dims_text(perm), rank));
            OnnxTensor t;
            t.data_type = in.data_type;
            for (int64_t p : perm) t.dims.push_back(in.dims[static_cast<size_t>(p)]);
            // Strides of the input, then each output position's input offset, walked like an odometer.
            std::vector<int64_t> in_stride(rank, 1);
            for (size_t i = rank; i-- > 1;) in_stride[i - 1] = in_stride[i] * in.dims[i];
            std::vector<int64_t> idx(rank, 0);
            t.values.resize(in.values.size());
            if (!in.ints.empty()) t.ints.resize(in.ints.size());
            for (size_t o = 0; o < t.values.size(); ++o) {
                int64_t off = 0;
                for (size_t d = 0; d < rank; ++d) off += idx[d] * in_stride[static_cast<size_t>(perm[d])];
                t.values[o] = in.values[static_cast<size_t>(off)];
                if (!t.ints.empty()) t.ints[o] = in.ints[static_cast<size_t>(off)];
                for (size_t d = rank; d-- > 0;) {
                    if (++idx[d] < t.dims[d]) break;
                    idx[d] = 0;
                }
            }
            add_constant(n.output(0), std::move(t));
            return;
        }
        fail(F::UnsupportedForm, tr("{0} computes only from constants, and the importer cannot evaluate {1}", what, op));
    }

    // ---- layers -----------------------------------------------------------------------------------------

    Window window(const Attrs& a, const std::string& what, std::optional<std::pair<int64_t, int64_t>> from_weights,
                  bool dilations_allowed) {
        Window w;
        auto two = [&](const std::string& name, const std::vector<int64_t>& v) {
            if (v.size() != 2)
                fail(F::Malformed, tr("{0}: {1} has {2} values, the window is 2-D", what, name, v.size()));
        };
        const auto ks = a.ints("kernel_shape");
        if (ks && ks->size() != 2)
            fail(F::NotTwoD, tr("{0}: kernel_shape {1} is a {2}-D window: ConvScope's layers are 2-D", what, onnx_dims_text(*ks),
                                ks->size()));
        if (ks && from_weights && ((*ks)[0] != from_weights->first || (*ks)[1] != from_weights->second))
            fail(F::Malformed, tr("{0}: kernel_shape {1} disagrees with the weights' ({2}, {3})", what, onnx_dims_text(*ks),
                                  from_weights->first, from_weights->second));
        if (!ks && !from_weights) fail(F::Malformed, tr("{0}: kernel_shape is missing", what));
        const std::vector<int64_t> k = ks ? *ks : std::vector<int64_t>{from_weights->first, from_weights->second};
        const auto s = a.ints("strides").value_or(std::vector<int64_t>{1, 1});
        const auto d = a.ints("dilations").value_or(std::vector<int64_t>{1, 1});
        two("strides", s);
        two("dilations", d);
        if (!dilations_allowed && (d[0] != 1 || d[1] != 1))
            fail(F::UnsupportedForm, tr("{0}: dilations {1} are not supported for average pooling", what, onnx_dims_text(d)));
        w.kernel = {to_int(k[0], 1, tr("kernel height"), what), to_int(k[1], 1, tr("kernel width"), what)};
        w.stride = {to_int(s[0], 1, tr("stride"), what), to_int(s[1], 1, tr("stride"), what)};
        w.dilation = {to_int(d[0], 1, tr("dilation"), what), to_int(d[1], 1, tr("dilation"), what)};

        const std::string auto_pad = a.s("auto_pad").value_or("NOTSET");
        const auto pads = a.ints("pads");
        if (pads && pads->size() != 4)
            fail(F::Malformed, tr("{0}: pads has {1} values, a 2-D window needs 4 (top, left, bottom, right)", what, pads->size()));
        if (auto_pad == "NOTSET" || auto_pad.empty()) {
            if (pads) {
                // ONNX orders pads as [x1_begin, x2_begin, x1_end, x2_end]: top, left, bottom, right.
                w.pad = {to_int((*pads)[0], 0, tr("pad"), what), to_int((*pads)[1], 0, tr("pad"), what),
                         to_int((*pads)[2], 0, tr("pad"), what), to_int((*pads)[3], 0, tr("pad"), what)};
            }
            return w;
        }
        if (pads && std::any_of(pads->begin(), pads->end(), [](int64_t p) { return p != 0; }))
            fail(F::Malformed, tr("{0}: auto_pad {1} and explicit pads are both set", what, auto_pad));
        w.auto_pad = true;
        if (auto_pad == "VALID") return w;
        if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
            fail(F::Malformed, tr("{0}: unknown auto_pad '{1}'", what, auto_pad));
        // SAME: the output is ⌈in / stride⌉ and the padding just enough for it; an odd total puts the extra
        // pixel at the end (SAME_UPPER) or the beginning (SAME_LOWER).
        auto same = [&](int64_t in, int stride, int kernel, int dilation, int& begin, int& end) {
            const int64_t out = (in + stride - 1) / stride;
            const int64_t eff = int64_t{dilation} * (kernel - 1) + 1;
            const int64_t total = std::max<int64_t>(0, (out - 1) * stride + eff - in);
            const int64_t small = total / 2;
            begin = to_int(auto_pad == "SAME_UPPER" ? small : total - small, 0, tr("pad"), what);
            end = to_int(total - begin, 0, tr("pad"), what);
        };
        same(cur_.dims[2], w.stride.h, w.kernel.h, w.dilation.h, w.pad.top, w.pad.bottom);
        same(cur_.dims[3], w.stride.w, w.kernel.w, w.dilation.w, w.pad.left, w.pad.right);
        return w;
    }

    void conv(const NodeProto& n, const std::string& what, int at) {
        Attrs a(n, what, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
        if (at != 0) fail(F::UnsupportedForm, tr("{0}: the activations must be the first input", what));
        if (const auto ks = a.ints("kernel_shape"); ks && ks->size() != 2)
            fail(F::NotTwoD, tr("{0}: kernel_shape {1} is a {2}-D convolution: ConvScope's layers are 2-D", what,
                                onnx_dims_text(*ks), ks->size()));
        require_image(what, tr("convolution"));
        const OnnxTensor& W = input(n, 1, what, tr("the weights W"));
        if (W.dims.size() != 4) {
            if (W.dims.size() == 3 || W.dims.size() == 5)
                fail(F::NotTwoD, tr("{0}: weights {1} are for a {2}-D convolution: ConvScope's layers are 2-D", what,
                                    onnx_dims_text(W.dims), W.dims.size() - 2));
            fail(F::Malformed, tr("{0}: weights {1} are not (M, C/group, kH, kW)", what, onnx_dims_text(W.dims)));
        }
        const int groups = to_int(a.i("group").value_or(1), 1, tr("group"), what);
        const int64_t channels = cur_.dims[1];
        if (W.dims[1] * groups != channels || W.dims[0] % groups != 0)
            fail(F::Malformed, tr("{0}: weights {1} do not fit {2} input channels in {3} group(s)", what,
                                  onnx_dims_text(W.dims), channels, groups));
        const Window win = window(a, what, std::pair{W.dims[2], W.dims[3]}, true);
        Layer l;
        l.type = LayerType::Conv;
        l.out = to_int(W.dims[0], 1, tr("output channels"), what);
        l.kernel = win.kernel;
        l.stride = win.stride;
        l.dilation = win.dilation;
        l.pad = win.pad;
        l.groups = groups;
        LayerWeights lw;
        lw.weight_shape = W.dims;
        if (const auto* B = optional_input(n, 2, what, tr("the bias B"))) {
            if (B->dims != std::vector<int64_t>{W.dims[0]})
                fail(F::Malformed, tr("{0}: bias {1} does not fit {2} output channels", what, onnx_dims_text(B->dims), W.dims[0]));
            lw.bias = take_values(n, 2);
        }
        l.bias = !lw.bias.empty();
        lw.weight = take_values(n, 1);  // W is not used after this: its cache entry may be gone
        add_layer(std::move(l), std::move(lw), n, what);
    }

    void pool(const NodeProto& n, const std::string& what, int at) {
        const bool max = n.op_type() == "MaxPool";
        Attrs a = max ? Attrs(n, what, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order",
                                        "strides"})
                      : Attrs(n, what, {"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape",
                                        "pads", "strides"});
        if (at != 0) fail(F::Malformed, tr("{0}: the activations must be the first input", what));
        if (const auto ks = a.ints("kernel_shape"); ks && ks->size() != 2)
            fail(F::NotTwoD, tr("{0}: kernel_shape {1} is a {2}-D window: ConvScope's layers are 2-D", what, onnx_dims_text(*ks),
                                ks->size()));
        require_image(what, tr("pooling"));
        const Window win = window(a, what, std::nullopt, max);
        Layer l;
        l.type = max ? LayerType::MaxPool : LayerType::AvgPool;
        l.kernel = win.kernel;
        l.stride = win.stride;
        l.dilation = win.dilation;
        l.pad = win.pad;
        // With auto_pad the output size is fixed by the padding rule; ONNX ignores ceil_mode then.
        l.ceil = !win.auto_pad && a.i("ceil_mode").value_or(0) != 0;
        // ONNX's default excludes the padding from the divisor; ConvScope's (PyTorch's) includes it.
        if (!max) l.count_include_pad = a.i("count_include_pad").value_or(0) != 0;
        add_layer(std::move(l), {}, n, what);
    }

    void global_avgpool(const NodeProto& n, const std::string& what) {
        Attrs a(n, what, {});
        require_image(what, tr("global pooling"));
        Layer l;
        l.type = LayerType::AdaptiveAvgPool;
        l.output_size = {1, 1};
        add_layer(std::move(l), {}, n, what);
    }

    void lrn(const NodeProto& n, const std::string& what) {
        Attrs a(n, what, {"alpha", "beta", "bias", "size"});
        const auto size = a.i("size");
        if (!size) fail(F::Malformed, tr("{0}: size is missing", what));
        Layer l;
        l.type = LayerType::Lrn;
        l.lrn_size = to_int(*size, 1, tr("size"), what);
        l.alpha = a.f("alpha").value_or(1e-4);
        l.beta = a.f("beta").value_or(0.75);
        l.k = a.f("bias").value_or(1.0);
        l.alpha_over_size = true;  // ONNX divides alpha by size, as Caffe and PyTorch do
        add_layer(std::move(l), {}, n, what);
    }

    void simple(const NodeProto& n, const std::string& what, LayerType type,
                std::initializer_list<std::string_view> known) {
        Attrs a(n, what, known);
        Layer l;
        l.type = type;
        add_layer(std::move(l), {}, n, what);
    }

    void dropout(const NodeProto& n, const std::string& what) {
        // is_test (before opset 7) is ignored: ConvScope always runs inference, where dropout passes its input on.
        Attrs a(n, what, {"ratio", "is_test", "seed", "consumed_inputs"});
        double ratio = a.f("ratio").value_or(0.5);
        if (const auto* r = optional_input(n, 1, what, tr("the ratio"))) {
            if (r->count() != 1) fail(F::Malformed, tr("{0}: the ratio is not a scalar", what));
            ratio = r->values[0];
        }
        if (const auto* t = optional_input(n, 2, what, "training_mode")) {
            if (t->count() != 1) fail(F::Malformed, tr("{0}: training_mode is not a scalar", what));
            if (t->values[0] != 0.0f)
                fail(F::UnsupportedForm,
                     tr("{0}: training_mode is set, so units drop at random; ConvScope runs inference", what));
        }
        Layer l;
        l.type = LayerType::Dropout;
        l.ratio = ratio;
        add_layer(std::move(l), {}, n, what);
    }

    int64_t normalized_axis(int64_t axis, size_t rank, bool inclusive_end, const std::string& what) {
        const auto r = static_cast<int64_t>(rank);
        const int64_t a = axis < 0 ? axis + r : axis;
        if (a < 0 || a > (inclusive_end ? r : r - 1))
            fail(F::Malformed, tr("{0}: axis {1} is out of range for a {2}-D tensor", what, axis, rank));
        return a;
    }

    void softmax(const NodeProto& n, const std::string& what) {
        Attrs a(n, what, {"axis"});
        // Before opset 13 Softmax normalises over all dimensions from `axis` on (default 1); from 13 over
        // `axis` alone (default −1). ConvScope's softmax spans all of an image's values, so the two agree
        // when every other dimension of the image has size 1, and the batch is not normalised over.
        const bool coerced = r_.opset < 13;
        const int64_t axis = normalized_axis(a.i("axis").value_or(coerced ? 1 : -1), cur_.rank(), false, what);
        for (size_t d = 0; d < cur_.rank(); ++d) {
            const bool normalised = coerced ? static_cast<int64_t>(d) >= axis : static_cast<int64_t>(d) == axis;
            if (d == 0 && normalised && cur_.batch() != 1)
                fail(F::UnsupportedForm, tr("{0}: axis {1} normalises across the images of a batch", what, axis));
            if (d > 0 && !normalised && cur_.dims[d] != 1)
                fail(F::UnsupportedForm,
                     coerced ? tr("{0}: softmax over dimensions {1} onwards of a {2} tensor; ConvScope's softmax spans all "
                                  "of an image's values, so dimension {3} must be 1",
                                  what, axis, onnx_dims_text(cur_.dims), d)
                             : tr("{0}: softmax over dimension {1} of a {2} tensor; ConvScope's softmax spans all of an "
                                  "image's values, so dimension {3} must be 1",
                                  what, axis, onnx_dims_text(cur_.dims), d));
        }
        Layer l;
        l.type = LayerType::Softmax;
        add_layer(std::move(l), {}, n, what);
    }

    // Whether dims (already an ONNX result shape) are (N, K) with K everything one image holds.
    bool flattens_per_image(const std::vector<int64_t>& out) const {
        const int64_t n = cur_.batch();
        return out.size() == 2 && (n < 0 ? out[0] == 1 || out[0] == -1 : out[0] == n) &&
               out[1] == per_image(cur_.dims).count();
    }

    void flatten_layer(const NodeProto& n, const std::string& what) {
        Layer l;
        l.type = LayerType::Flatten;
        add_layer(std::move(l), {}, n, what);
    }

    void flatten(const NodeProto& n, const std::string& what) {
        Attrs a(n, what, {"axis"});
        const int64_t axis = normalized_axis(a.i("axis").value_or(1), cur_.rank(), true, what);
        // Flatten gives (d0·…·d(axis−1), d(axis)·…): one row per image only when the rows are the batch.
        int64_t before = 1;
        for (int64_t d = 1; d < axis; ++d) before *= cur_.dims[static_cast<size_t>(d)];
        const bool ok = axis == 0 ? cur_.batch() == 1 : before == 1;
        if (!ok)
            fail(F::UnsupportedForm, tr("{0}: axis {1} on a {2} tensor does not give one row per image; ConvScope flattens each "
                                        "image",
                                        what, axis, onnx_dims_text(cur_.dims)));
        flatten_layer(n, what);
    }

    void reshape(const NodeProto& n, const std::string& what, int at) {
        Attrs a(n, what, {"shape", "allowzero", "consumed_inputs"});
        if (at != 0) fail(F::UnsupportedForm, tr("{0}: the activations must be the first input", what));
        std::vector<int64_t> shape;
        if (const auto* s = optional_input(n, 1, what, tr("the shape"))) {
            if (s->ints.size() != s->values.size() || s->dims.size() != 1)
                fail(F::Malformed, tr("{0}: the shape must be a 1-D integer tensor", what));
            shape = s->ints;
        } else if (const auto s = a.ints("shape")) {
            shape = *s;  // before opset 5 the shape was an attribute
        } else {
            fail(F::Malformed, tr("{0}: the target shape is missing", what));
        }
        const bool allowzero = a.i("allowzero").value_or(0) != 0;
        // ONNX's rules: 0 copies the input's dimension (unless allowzero), −1 takes what is left.
        // A symbolic batch counts as 1 here, the one image ConvScope runs at a time.
        std::vector<int64_t> in = cur_.dims;
        if (in[0] < 0) in[0] = 1;
        const int64_t total = *onnx_element_count(in);
        std::vector<int64_t> out;
        int infer = -1;
        int64_t known = 1;
        for (size_t i = 0; i < shape.size(); ++i) {
            int64_t v = shape[i];
            if (v == 0 && !allowzero) {
                if (i >= in.size())
                    fail(F::Malformed, tr("{0}: shape {1} copies a missing dimension", what, onnx_dims_text(shape)));
                v = in[i];
            }
            if (v == -1) {
                if (infer >= 0) fail(F::Malformed, tr("{0}: shape {1} has two −1 entries", what, onnx_dims_text(shape)));
                infer = static_cast<int>(i);
            } else if (v < 0) {
                fail(F::Malformed, tr("{0}: shape {1} has a negative entry", what, onnx_dims_text(shape)));
            } else if (__builtin_mul_overflow(known, v, &known)) {
                fail(F::Malformed, tr("{0}: shape {1} is too large", what, onnx_dims_text(shape)));
            }
            out.push_back(v);
        }
        if (infer >= 0) {
            if (known == 0 || total % known != 0)
                fail(F::Malformed, tr("{0}: shape {1} does not fit {2} values", what, onnx_dims_text(shape), total));
            out[static_cast<size_t>(infer)] = total / known;
        } else if (known != total) {
            fail(F::Malformed, tr("{0}: shape {1} does not fit {2} values", what, onnx_dims_text(shape), total));
        }
        if (out.size() == cur_.rank() && std::equal(out.begin() + 1, out.end(), cur_.dims.begin() + 1) &&
            (out[0] == in[0])) {
            r_.notes.push_back(tr("{0} leaves the shape {1} as it is: skipped", what, onnx_dims_text(cur_.dims)));
            return;
        }
        if (!flattens_per_image(out))
            fail(F::UnsupportedForm, tr("{0}: reshaping {1} to {2} is not a flatten to (N, K); ConvScope keeps each image's layout",
                                        what, onnx_dims_text(cur_.dims), onnx_dims_text(out)));
        r_.notes.push_back(tr("{0} to {1} becomes a flatten layer", what, onnx_dims_text(shape)));
        flatten_layer(n, what);
    }

    void require_features(const std::string& what, const std::string& op) {
        if (cur_.rank() != 2)
            fail(F::UnsupportedForm, tr("{0}: not an fc form: {1} of a {2}-D tensor {3} (an fc layer takes (N, K))", what, op,
                                        cur_.rank(), onnx_dims_text(cur_.dims)));
    }

    void gemm(const NodeProto& n, const std::string& what, int at) {
        Attrs a(n, what, {"alpha", "beta", "transA", "transB", "broadcast"});
        const double alpha = a.f("alpha").value_or(1.0);
        const double beta = a.f("beta").value_or(1.0);
        if (at != 0) fail(F::UnsupportedForm, tr("{0}: not an fc form: the activations are B or C, not A", what));
        if (a.i("transA").value_or(0) != 0)
            fail(F::UnsupportedForm, tr("{0}: not an fc form: transA = 1 puts the images along A's columns", what));
        require_features(what, "Gemm");
        const bool trans_b = a.i("transB").value_or(0) != 0;
        const OnnxTensor& B = input(n, 1, what, "B");
        const int64_t k = cur_.dims[1];
        if (B.dims.size() != 2) fail(F::Malformed, tr("{0}: B {1} is not a matrix", what, onnx_dims_text(B.dims)));
        const int64_t out = trans_b ? B.dims[0] : B.dims[1];
        if ((trans_b ? B.dims[1] : B.dims[0]) != k)
            fail(F::Malformed, trans_b ? tr("{0}: B {1} (transposed) does not fit {2} input features", what,
                                            onnx_dims_text(B.dims), k)
                                       : tr("{0}: B {1} does not fit {2} input features", what, onnx_dims_text(B.dims), k));
        LayerWeights lw;
        lw.weight_shape = {out, k};
        // The fc weight is (out, in): B as is when transB = 1 (B is (N, K)), else B transposed; alpha folds in.
        if (trans_b && alpha == 1.0) {
            lw.weight = take_values(n, 1);
        } else {
            const auto& b = B.values;
            lw.weight.resize(b.size());
            const auto fa = static_cast<float>(alpha);
            for (int64_t o = 0; o < out; ++o)
                for (int64_t i = 0; i < k; ++i)
                    lw.weight[static_cast<size_t>(o * k + i)] =
                        fa * b[static_cast<size_t>(trans_b ? o * k + i : i * out + o)];
            release(n, 1);  // B is not used after this
        }
        bool bias = false;
        if (const auto* C = optional_input(n, 2, what, "C"); C && beta != 0.0) {
            // C broadcasts to (M, N): a scalar or a row is the same bias for every image; anything with
            // several rows differs from image to image, which no fc layer can express.
            const bool scalar = C->count() == 1 && C->dims.size() <= 2;
            const bool row = C->dims == std::vector<int64_t>{out} || C->dims == std::vector<int64_t>{1, out};
            if (!scalar && !row)
                fail(F::UnsupportedForm, tr("{0}: not an fc form: C {1} gives each row (image) its own bias", what,
                                            onnx_dims_text(C->dims)));
            lw.bias.assign(static_cast<size_t>(out), 0.0f);
            for (int64_t o = 0; o < out; ++o)
                lw.bias[static_cast<size_t>(o)] =
                    static_cast<float>(beta) * C->values[scalar ? 0 : static_cast<size_t>(o)];
            bias = true;
        }
        if (alpha != 1.0 || (bias && beta != 1.0))
            r_.notes.push_back(bias ? tr("{0}: alpha = {1} and beta = {2} folded into the weights", what, number(alpha),
                                       number(beta))
                                    : tr("{0}: alpha = {1} folded into the weights", what, number(alpha)));
        Layer l;
        l.type = LayerType::Fc;
        l.out = to_int(out, 1, tr("output features"), what);
        l.in_features = k;
        l.bias = bias;
        add_layer(std::move(l), std::move(lw), n, what);
    }

    void matmul(const NodeProto& n, const std::string& what, int at) {
        Attrs a(n, what, {});
        if (at != 0) fail(F::UnsupportedForm, tr("{0}: not an fc form: the activations are the second operand", what));
        require_features(what, "MatMul");
        const OnnxTensor& B = input(n, 1, what, "B");
        if (B.dims.size() != 2)
            fail(F::UnsupportedForm, tr("{0}: not an fc form: B {1} is not a matrix", what, onnx_dims_text(B.dims)));
        const int64_t k = cur_.dims[1];
        const int64_t out = B.dims[1];
        if (B.dims[0] != k)
            fail(F::Malformed, tr("{0}: B {1} does not fit {2} input features", what, onnx_dims_text(B.dims), k));
        LayerWeights lw;
        lw.weight_shape = {out, k};
        lw.weight.resize(B.values.size());
        for (int64_t o = 0; o < out; ++o)
            for (int64_t i = 0; i < k; ++i)
                lw.weight[static_cast<size_t>(o * k + i)] = B.values[static_cast<size_t>(i * out + o)];
        release(n, 1);  // B is not used after this
        Layer l;
        l.type = LayerType::Fc;
        l.out = to_int(out, 1, tr("output features"), what);
        l.in_features = k;
        l.bias = false;
        add_layer(std::move(l), std::move(lw), n, what);
        pending_matmul_ = what;
    }

    void add(const NodeProto& n, const std::string& what) {
        Attrs a(n, what, {"axis", "broadcast", "consumed_inputs"});
        if (n.input_size() != 2) fail(F::Malformed, tr("{0} has {1} inputs", what, n.input_size()));
        if (!pending_matmul_)
            fail(F::UnsupportedForm, tr("{0}: Add is supported only as the bias right after a MatMul", what));
        const int k = n.input_size() == 2 && n.input(0) == cur_.name ? 1 : 0;
        const OnnxTensor& c = input(n, k, what, tr("the bias"));
        if (const auto axis = a.i("axis"); axis && *axis != 1 && *axis != -1)
            fail(F::UnsupportedForm, tr("{0}: not an fc form: a bias broadcast along axis {1}", what, *axis));
        Layer& l = r_.net.layers.back();
        const bool scalar = c.count() == 1 && c.dims.size() <= 2;
        const bool row = c.dims == std::vector<int64_t>{l.out} || c.dims == std::vector<int64_t>{1, l.out};
        if (!scalar && !row)
            fail(F::UnsupportedForm, tr("{0}: not an fc form: the bias {1} gives each row (image) its own values", what,
                                        onnx_dims_text(c.dims)));
        auto& bias = r_.weights.layers.back().bias;
        bias.assign(static_cast<size_t>(l.out), c.values[0]);
        if (row) bias.assign(c.values.begin(), c.values.end());
        l.bias = true;
        r_.notes.push_back(tr("{0} and {1} become one fc layer", *pending_matmul_, what));
        pending_matmul_.reset();
    }

    void identity(const NodeProto& n, const std::string& what) {
        Attrs a(n, what, {});
        r_.notes.push_back(tr("{0} passes its input on: skipped", what));
    }

    void finish(const GraphProto& g) {
        if (g.output_size() == 0) fail(F::Malformed, tr("the graph has no output"));
        if (g.output_size() > 1) {
            std::vector<std::string> names;
            for (const auto& o : g.output()) names.push_back(o.name());
            fail(F::NotChain, tr("the graph has {0} outputs ({1}): ConvScope follows one chain to one output", names.size(),
                                 quoted_list(names)));
        }
        if (g.output(0).name() != cur_.name)
            fail(F::NotChain, tr("the graph's output '{0}' is not the end of the chain ('{1}')", g.output(0).name(), cur_.name));
        assign_default_names(r_.net);
        const Analysis an = analyze(r_.net);
        if (!an.valid()) {
            for (const auto& st : an.stages)
                for (const auto& m : st.messages)
                    if (m.severity == Severity::Error) fail(F::Malformed, st.name + ": " + m.message);
            fail(F::Malformed, an.input_error);
        }
        if (auto e = check_weights(r_.net, an, r_.weights)) fail(F::Malformed, *e);
    }

    const ModelProto& model_;
    const OnnxImportOptions& options_;
    OnnxImportResult& r_;
    std::map<std::string, const TensorProto*> initializers_;
    std::map<std::string, OnnxTensor> constants_;           // converted initializers, Constant nodes, folds
    std::map<std::string, int> uses_;                        // node inputs and graph outputs reading each name
    std::map<std::string, std::vector<int64_t>> recorded_;  // shapes the model states, −1 where unknown
    std::set<std::string> produced_;                         // tensors that exist so far
    std::set<std::string> taken_;                            // layer names given out
    std::optional<std::string> pending_matmul_;              // the MatMul an Add may attach a bias to
    Activation cur_;                                         // the end of the chain so far
};

OnnxImportResult import_model(const ModelProto& m, const OnnxImportOptions& options) {
    OnnxImportResult r;
    try {
        Importer(m, options, r).run();
        r.net.name = m.graph().name();
        std::string producer = m.producer_name();
        if (!producer.empty() && !m.producer_version().empty()) producer += " " + m.producer_version();
        r.net.description = producer.empty() ? tr("Imported from ONNX (opset {0}).", r.opset)
                                              : tr("Imported from ONNX (opset {0}, made by {1}).", r.opset, producer);
        r.weights.origin = "ONNX initializers";
    } catch (const ImportError& e) {
        r = OnnxImportResult{};
        r.error = e.message;
        r.failure = e.kind;
    } catch (const std::bad_alloc&) {
        r = OnnxImportResult{};
        r.error = tr("out of memory while importing the model");
        r.failure = F::Malformed;
    }
    return r;
}

}  // namespace

std::string_view failure_name(OnnxImportFailure f) {
    switch (f) {
        case F::None: return "ok";
        case F::Read: return "unreadable";
        case F::Malformed: return "malformed";
        case F::UnsupportedOperators: return "unsupported operators";
        case F::NotTwoD: return "not 2-D";
        case F::UnsupportedForm: return "unsupported form";
        case F::NotChain: return "not a chain";
    }
    return "?";
}

const std::vector<std::string_view>& onnx_supported_operators() { return kSupported; }

OnnxImportResult import_onnx_bytes(std::string_view bytes, const OnnxImportOptions& options) {
    OnnxImportResult r;
    if (bytes.size() >= kMaxModelBytes) {
        r.error = tr("too large to be an ONNX model (2 GiB or more)");
        r.failure = F::Malformed;
        return r;
    }
    ModelProto m;
    if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        r.error = tr("not a valid ONNX model (the protobuf does not parse)");
        r.failure = F::Malformed;
        return r;
    }
    r = import_model(m, options);
    if (r.ok() && r.net.name.empty()) r.net.name = "ONNX model";
    return r;
}

OnnxImportResult import_onnx(const std::string& path, const OnnxImportOptions& options) {
    OnnxImportResult r;
    std::optional<ModelProto> m;
    {
        std::string error;
        const auto bytes = read_file(path, error, kMaxModelBytes);
        if (!bytes) {
            r.error = error;
            r.failure = F::Read;
            return r;
        }
        m.emplace();
        // The bytes go out of scope once parsed: a large model is held once as protobuf, once as weights.
        if (!m->ParseFromArray(bytes->data(), static_cast<int>(bytes->size()))) {
            r.error = path + ": " + tr("not a valid ONNX model (the protobuf does not parse)");
            r.failure = F::Malformed;
            return r;
        }
    }
    r = import_model(*m, options);
    if (!r.ok()) {
        r.error = path + ": " + r.error;
        return r;
    }
    const std::filesystem::path p(path);
    r.net.name = p.stem().string();
    r.net.source = p.filename().string();
    r.weights.origin = p.filename().string();
    return r;
}

}  // namespace convscope::nn
