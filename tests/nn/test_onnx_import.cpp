// The ONNX importer and tensor reader on hand-built models: every operator mapping, auto_pad with pads
// worked out by hand, the folding of Gemm's alpha, beta and transB into fc weights, names, and every
// refusal (unsupported operators listed at once, branching graphs, batches, 1-D data). The models are
// built with the protobuf API, as an exporter would write them; AlexNet-shaped graphs in the two forms
// real files take (the Caffe-converted ONNX Model Zoo bvlcalexnet and torchvision's torch.onnx.export)
// import and run. Corrupt bytes (every truncation of a model, random byte flips) never crash.
#include <doctest/doctest.h>

#include <onnx/onnx_pb.h>

#include <climits>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/network.h"
#include "core/shape_engine.h"
#include "nn/backend.h"
#include "nn/onnx_import.h"
#include "nn/onnx_tensor.h"
#include "support.h"

using namespace convscope;
using namespace convscope::nn;
using namespace convscope::test;

namespace {

// ---- building models ---------------------------------------------------------------------------------

void set_shape(onnx::ValueInfoProto& v, const std::vector<int64_t>& dims, int32_t elem = onnx::TensorProto::FLOAT) {
    auto* tt = v.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    auto* shape = tt->mutable_shape();
    for (int64_t d : dims) {
        auto* dim = shape->add_dim();
        if (d < 0)
            dim->set_dim_param("N");
        else
            dim->set_dim_value(d);
    }
}

onnx::TensorProto float_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v,
                               bool raw = true) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t.add_dims(d);
    if (raw)
        t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    else
        for (float x : v) t.add_float_data(x);
    return t;
}

onnx::TensorProto int64_tensor(const std::string& name, const std::vector<int64_t>& v) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t.add_int64_data(x);
    return t;
}

// Values that differ from each other and from zero, so a transposed or misplaced weight shows.
std::vector<float> ramp(size_t n, float scale = 0.01f, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = scale * u(rng);
    return v;
}

// "t3": built in two steps, as GCC 12 warns falsely (-Wrestrict) on "t" + std::to_string(…).
std::string numbered(const char* prefix, int n) {
    std::string s = prefix;
    s += std::to_string(n);
    return s;
}

size_t product(const std::vector<int64_t>& dims) {
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    return n;
}

// A model under construction: one graph input "x", nodes chained by the caller, one output.
struct ModelBuilder {
    onnx::ModelProto m;
    onnx::GraphProto* g = m.mutable_graph();
    std::string last = "x";  // the tensor the next chained node reads
    int counter = 0;

    explicit ModelBuilder(std::vector<int64_t> input = {1, 3, 8, 8}, int64_t opset = 13) {
        m.set_ir_version(8);
        m.set_producer_name("convscope-tests");
        auto* o = m.add_opset_import();
        o->set_domain("");
        o->set_version(opset);
        g->set_name("test_graph");
        set_shape(*g->add_input(), input);
        g->mutable_input(0)->set_name("x");
    }

    // A node reading `inputs` (the chain's tensor when "$" appears) and writing one fresh tensor.
    onnx::NodeProto& node(const std::string& op, std::vector<std::string> inputs = {"$"},
                          const std::string& name = {}) {
        auto* n = g->add_node();
        n->set_op_type(op);
        if (!name.empty()) n->set_name(name);
        for (auto& in : inputs) n->add_input(in == "$" ? last : in);
        last = numbered("t", counter++);
        n->add_output(last);
        return *n;
    }
    void init(const std::string& name, const std::vector<int64_t>& dims, std::vector<float> v = {}) {
        if (v.empty()) v = ramp(product(dims), 0.1f, static_cast<uint32_t>(counter + 7));
        *g->add_initializer() = float_tensor(name, dims, v);
    }
    void init_ints(const std::string& name, const std::vector<int64_t>& v) {
        *g->add_initializer() = int64_tensor(name, v);
    }
    std::string bytes() {
        if (g->output_size() == 0) g->add_output()->set_name(last);
        std::string s;
        REQUIRE(m.SerializeToString(&s));
        return s;
    }
    OnnxImportResult import(const OnnxImportOptions& o = {}) { return import_onnx_bytes(bytes(), o); }
};

void attr(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}
void attr(onnx::NodeProto& n, const std::string& name, double v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(static_cast<float>(v));
}
void attr(onnx::NodeProto& n, const std::string& name, const char* v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
}
void attr(onnx::NodeProto& n, const std::string& name, std::vector<int64_t> v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
}

// A Conv node with weights (out, in/groups, kh, kw) and optionally a bias, reading the chain.
onnx::NodeProto& conv(ModelBuilder& b, int64_t out, int64_t in_per_group, int64_t kh, int64_t kw, bool bias = true,
                      const std::string& name = {}) {
    const std::string w = numbered("w", b.counter);
    const std::string bb = numbered("b", b.counter);
    b.init(w, {out, in_per_group, kh, kw});
    if (bias) b.init(bb, {out});
    return b.node("Conv", bias ? std::vector<std::string>{"$", w, bb} : std::vector<std::string>{"$", w}, name);
}

// A pooling node with the given kernel_shape, reading the chain.
onnx::NodeProto& attr_node(ModelBuilder& b, const std::string& op, std::vector<int64_t> kernel) {
    auto& n = b.node(op);
    attr(n, "kernel_shape", std::move(kernel));
    return n;
}

OnnxImportResult import_ok(ModelBuilder& b, const OnnxImportOptions& o = {}) {
    auto r = b.import(o);
    INFO("error: " << r.error);
    REQUIRE(r.ok());
    REQUIRE(r.weights.layers.size() == r.net.layers.size());
    return r;
}

std::string import_error(ModelBuilder& b, OnnxImportFailure kind, const OnnxImportOptions& o = {}) {
    auto r = b.import(o);
    REQUIRE_FALSE(r.ok());
    INFO("error: " << r.error);
    CHECK(r.failure == kind);
    return r.error;
}

// Runs the imported network on a fixed input through both backends and returns the reference output,
// after checking that the fast backend agrees with it.
std::vector<float> run(const OnnxImportResult& r, const std::vector<float>& input) {
    const Analysis a = analyze(r.net);
    REQUIRE(a.valid());
    Tensor in(r.net.input);
    REQUIRE(input.size() == in.size());
    std::copy(input.begin(), input.end(), in.data.begin());
    ForwardResult ref, fast;
    auto e1 = make_ref_backend()->forward(r.net, a, r.weights, in, ref);
    REQUIRE_MESSAGE(!e1, e1.value_or(""));
    auto e2 = make_cpu_backend()->forward(r.net, a, r.weights, in, fast);
    REQUIRE_MESSAGE(!e2, e2.value_or(""));
    const Tensor& out = r.net.layers.empty() ? in : ref.outputs.back();
    const Tensor& out2 = r.net.layers.empty() ? in : fast.outputs.back();
    for (size_t i = 0; i < out.size(); ++i)
        CHECK(std::abs(out.data[i] - out2.data[i]) <= 1e-4f + 1e-4f * std::abs(out.data[i]));
    return {out.data.begin(), out.data.end()};
}

}  // namespace

TEST_SUITE("onnx_import") {
    // ---- tensors ------------------------------------------------------------------------------------

    TEST_CASE("tensor: FLOAT from raw_data and from float_data") {
        for (bool raw : {true, false}) {
            const auto t = float_tensor("w", {2, 3}, {1, 2, 3, 4, 5, 6.5f}, raw);
            auto r = onnx_tensor_from_proto(t);
            REQUIRE_MESSAGE(r, r.error);
            CHECK(r.tensor->name == "w");
            CHECK(r.tensor->dims == std::vector<int64_t>{2, 3});
            CHECK(r.tensor->values == std::vector<float>{1, 2, 3, 4, 5, 6.5f});
            CHECK(r.tensor->ints.empty());
        }
    }

    TEST_CASE("tensor: DOUBLE, INT64, INT32, FLOAT16, BFLOAT16, UINT8 and a scalar") {
        onnx::TensorProto d;
        d.set_data_type(onnx::TensorProto::DOUBLE);
        d.add_dims(2);
        d.add_double_data(0.5);
        d.add_double_data(-2.25);
        auto rd = onnx_tensor_from_proto(d);
        REQUIRE_MESSAGE(rd, rd.error);
        CHECK(rd.tensor->values == std::vector<float>{0.5f, -2.25f});

        auto ri = onnx_tensor_from_proto(int64_tensor("shape", {1, -1}));
        REQUIRE_MESSAGE(ri, ri.error);
        CHECK(ri.tensor->ints == std::vector<int64_t>{1, -1});
        CHECK(ri.tensor->values == std::vector<float>{1.0f, -1.0f});

        // INT64 in raw_data, little-endian.
        onnx::TensorProto r64;
        r64.set_data_type(onnx::TensorProto::INT64);
        r64.add_dims(2);
        const int64_t vals[2] = {9216, -1};
        r64.set_raw_data(std::string(reinterpret_cast<const char*>(vals), sizeof vals));
        auto rr = onnx_tensor_from_proto(r64);
        REQUIRE_MESSAGE(rr, rr.error);
        CHECK(rr.tensor->ints == std::vector<int64_t>{9216, -1});

        onnx::TensorProto i32;
        i32.set_data_type(onnx::TensorProto::INT32);
        i32.add_int32_data(-7);  // no dims: a scalar
        auto r32 = onnx_tensor_from_proto(i32);
        REQUIRE_MESSAGE(r32, r32.error);
        CHECK(r32.tensor->dims.empty());
        CHECK(r32.tensor->ints == std::vector<int64_t>{-7});

        // FLOAT16: 1.0 = 0x3C00, −2.0 = 0xC000, 65504 = 0x7BFF; in int32_data and in raw_data.
        onnx::TensorProto h;
        h.set_data_type(onnx::TensorProto::FLOAT16);
        h.add_dims(3);
        for (int bits : {0x3C00, 0xC000, 0x7BFF}) h.add_int32_data(bits);
        auto rh = onnx_tensor_from_proto(h);
        REQUIRE_MESSAGE(rh, rh.error);
        CHECK(rh.tensor->values == std::vector<float>{1.0f, -2.0f, 65504.0f});
        h.clear_int32_data();
        const uint16_t half[3] = {0x3C00, 0xC000, 0x7BFF};
        h.set_raw_data(std::string(reinterpret_cast<const char*>(half), sizeof half));
        rh = onnx_tensor_from_proto(h);
        REQUIRE_MESSAGE(rh, rh.error);
        CHECK(rh.tensor->values == std::vector<float>{1.0f, -2.0f, 65504.0f});

        onnx::TensorProto bf;
        bf.set_data_type(onnx::TensorProto::BFLOAT16);
        bf.add_dims(1);
        bf.add_int32_data(0x3FC0);  // 1.5
        auto rb = onnx_tensor_from_proto(bf);
        REQUIRE_MESSAGE(rb, rb.error);
        CHECK(rb.tensor->values == std::vector<float>{1.5f});

        onnx::TensorProto u8;
        u8.set_data_type(onnx::TensorProto::UINT8);
        u8.add_dims(2);
        u8.set_raw_data(std::string("\x01\xff", 2));
        auto ru = onnx_tensor_from_proto(u8);
        REQUIRE_MESSAGE(ru, ru.error);
        CHECK(ru.tensor->ints == std::vector<int64_t>{1, 255});
    }

    TEST_CASE("tensor: hostile tensors are errors that say what is wrong") {
        auto error = [](const onnx::TensorProto& t) {
            auto r = onnx_tensor_from_proto(t);
            REQUIRE_FALSE(r);
            return r.error;
        };
        // Dims that promise more values than are stored, in either storage.
        auto t = float_tensor("w", {2, 3}, {1, 2, 3, 4, 5});
        CHECK(error(t) == "tensor 'w': dims (2, 3) need 6 values, raw_data has 20 bytes (5 values)");
        t = float_tensor("w", {2, 3}, {1, 2, 3, 4, 5}, false);
        CHECK(error(t) == "tensor 'w': dims (2, 3) need 6 values, the tensor holds 5");
        // raw_data that is not a whole number of elements.
        t = float_tensor("w", {1}, {1});
        t.mutable_raw_data()->push_back('x');
        CHECK(contains(error(t), "need 1 values, raw_data has 5 bytes"));
        // Both storages at once.
        t = float_tensor("w", {1}, {1});
        t.add_float_data(2);
        CHECK(contains(error(t), "both raw_data and typed values"));
        // Negative dims, and dims whose product overflows: no allocation is attempted.
        t = float_tensor("w", {-1}, {});
        CHECK(contains(error(t), "invalid dims (-1)"));
        t = float_tensor("w", {1LL << 40, 1LL << 40}, {});
        CHECK(contains(error(t), "invalid dims"));
        t = float_tensor("w", {1LL << 40}, {});
        CHECK(contains(error(t), "need 1099511627776 values"));
        // Types it does not read.
        onnx::TensorProto s;
        s.set_name("names");
        s.set_data_type(onnx::TensorProto::STRING);
        s.add_string_data("a");
        CHECK(error(s) == "tensor 'names': element type STRING is not supported");
        s.set_data_type(12345);
        CHECK(error(s) == "tensor 'names': element type #12345 is not supported");
        // External data.
        t = float_tensor("w", {1}, {});
        t.clear_raw_data();
        t.set_data_location(onnx::TensorProto::EXTERNAL);
        CHECK(contains(error(t), "external file"));
    }

    TEST_CASE("tensor: .pb files, bad bytes and missing files") {
        TempDir dir;
        std::string bytes;
        REQUIRE(float_tensor("out", {1, 2}, {3, 4}).SerializeToString(&bytes));
        auto r = read_onnx_tensor_file(dir.file("output_0.pb", bytes));
        REQUIRE_MESSAGE(r, r.error);
        CHECK(r.tensor->values == std::vector<float>{3, 4});

        auto bad = parse_onnx_tensor("\xff\xff\xff\xff garbage");
        REQUIRE_FALSE(bad);
        CHECK(bad.error == "not a valid ONNX TensorProto (the protobuf does not parse)");
        const std::string missing = (dir.path / "nope.pb").string();
        auto m = read_onnx_tensor_file(missing);
        REQUIRE_FALSE(m);
        CHECK(starts_with(m.error, "cannot open " + missing));
        // Every truncation of a valid tensor either parses to something consistent or is an error.
        for (size_t n = 0; n < bytes.size(); ++n) {
            auto p = parse_onnx_tensor(std::string_view(bytes).substr(0, n));
            if (p) CHECK(p.tensor->count() == static_cast<int64_t>(product(p.tensor->dims)));
        }
    }

    // ---- operator mappings --------------------------------------------------------------------------

    TEST_CASE("Conv: kernel, strides, pads as top/left/bottom/right, dilations, group, bias") {
        ModelBuilder b({1, 4, 20, 17});
        auto& n = conv(b, 6, 2, 3, 5, true, "conv_a");
        attr(n, "kernel_shape", std::vector<int64_t>{3, 5});
        attr(n, "strides", std::vector<int64_t>{2, 3});
        attr(n, "pads", std::vector<int64_t>{1, 2, 3, 4});  // x1_begin, x2_begin, x1_end, x2_end
        attr(n, "dilations", std::vector<int64_t>{2, 1});
        attr(n, "group", int64_t{2});
        conv(b, 5, 6, 1, 1, false);
        auto r = import_ok(b);
        CHECK(r.net.input == Shape3{4, 20, 17});
        REQUIRE(r.net.layers.size() == 2);
        const Layer& l = r.net.layers[0];
        CHECK(l.type == LayerType::Conv);
        CHECK(l.name == "conv_a");
        CHECK(l.out == 6);
        CHECK(l.kernel == Hw{3, 5});
        CHECK(l.stride == Hw{2, 3});
        CHECK(l.pad == Pad4{1, 2, 3, 4});
        CHECK(l.dilation == Hw{2, 1});
        CHECK(l.groups == 2);
        CHECK(l.bias);
        CHECK(r.weights.layers[0].weight_shape == std::vector<int64_t>{6, 2, 3, 5});
        CHECK(same_values(r.weights.layers[0].weight, ramp(6 * 2 * 3 * 5, 0.1f, 7)));  // copied as stored
        CHECK(r.weights.layers[0].bias.size() == 6);
        CHECK_FALSE(r.net.layers[1].bias);
        CHECK(r.weights.layers[1].bias.empty());
        CHECK(r.net.layers[1].name == "conv2");  // unnamed: a default name
        // (20 + 1 + 3 − 5)/2 + 1 = 10, (17 + 2 + 4 − 5)/3 + 1 = 7
        CHECK(analyze(r.net).final_output() == Shape3{5, 10, 7});
        CHECK(r.opset == 13);
        CHECK(r.input_name == "x");
        run(r, ramp(4 * 20 * 17, 1.0f));
    }

    TEST_CASE("Conv: output values match a hand computation") {
        // 1 channel 3×3 input, a 2×2 kernel, pads top 1 only (asymmetric), bias 0.5.
        ModelBuilder b({1, 1, 3, 3});
        b.init("w", {1, 1, 2, 2}, {1, 2, 3, 4});
        b.init("b", {1}, {0.5f});
        auto& n = b.node("Conv", {"$", "w", "b"});
        attr(n, "pads", std::vector<int64_t>{1, 0, 0, 0});
        auto r = import_ok(b);
        // Padded input rows: [0 0 0], [1 2 3], [4 5 6], [7 8 9]; output 3×2.
        const auto out = run(r, {1, 2, 3, 4, 5, 6, 7, 8, 9});
        const std::vector<float> want = {0 + 0 + 3 * 1 + 4 * 2 + 0.5f, 0 + 0 + 3 * 2 + 4 * 3 + 0.5f,
                                         1 + 2 * 2 + 3 * 4 + 4 * 5 + 0.5f, 2 + 2 * 3 + 3 * 5 + 4 * 6 + 0.5f,
                                         4 + 2 * 5 + 3 * 7 + 4 * 8 + 0.5f, 5 + 2 * 6 + 3 * 8 + 4 * 9 + 0.5f};
        REQUIRE(out.size() == want.size());
        for (size_t i = 0; i < want.size(); ++i) CHECK(out[i] == doctest::Approx(want[i]));
    }

    TEST_CASE("auto_pad: SAME_UPPER, SAME_LOWER and VALID become explicit pads") {
        struct Case {
            std::vector<int64_t> input;  // (N, C, H, W)
            int64_t k, s, d;
            const char* mode;
            Pad4 pad;  // worked out by hand: out = ⌈in/s⌉, total = (out − 1)·s + d·(k − 1) + 1 − in
        };
        const Case cases[] = {
            {{1, 1, 5, 5}, 3, 2, 1, "SAME_UPPER", {1, 1, 1, 1}},      // out 3, total 2
            {{1, 1, 32, 32}, 2, 1, 1, "SAME_UPPER", {0, 0, 1, 1}},    // out 32, total 1: the extra at the end
            {{1, 1, 32, 32}, 2, 1, 1, "SAME_LOWER", {1, 1, 0, 0}},    // … or at the beginning
            {{1, 1, 224, 224}, 11, 4, 1, "SAME_UPPER", {3, 3, 4, 4}}, // out 56, total 7
            {{1, 1, 224, 224}, 11, 4, 1, "SAME_LOWER", {4, 4, 3, 3}},
            {{1, 1, 10, 7}, 3, 2, 2, "SAME_UPPER", {1, 2, 2, 2}},     // H: out 5, total 3; W: out 4, total 4
            {{1, 1, 6, 6}, 1, 3, 1, "SAME_UPPER", {0, 0, 0, 0}},      // total −2 clamps to 0
            {{1, 1, 9, 9}, 3, 2, 1, "VALID", {0, 0, 0, 0}},
        };
        for (const auto& c : cases) {
            for (const std::string op : {"Conv", "MaxPool", "AveragePool"}) {
                if (c.d != 1 && op == "AveragePool") continue;  // ConvScope's average pooling has no dilation
                CAPTURE(op);
                CAPTURE(c.mode);
                CAPTURE(c.input[2]);
                ModelBuilder b(c.input);
                onnx::NodeProto& n = op == "Conv" ? conv(b, 2, 1, c.k, c.k) : attr_node(b, op, {c.k, c.k});
                attr(n, "strides", std::vector<int64_t>{c.s, c.s});
                if (c.d != 1) attr(n, "dilations", std::vector<int64_t>{c.d, c.d});
                attr(n, "auto_pad", c.mode);
                if (op == "MaxPool") attr(n, "ceil_mode", int64_t{1});  // ignored under auto_pad
                auto r = import_ok(b);
                CHECK(r.net.layers[0].pad == c.pad);
                CHECK_FALSE(r.net.layers[0].ceil);
                if (std::string(c.mode) != "VALID") {
                    const auto out = analyze(r.net).final_output();
                    REQUIRE(out);
                    CHECK(out->h == (c.input[2] + c.s - 1) / c.s);
                    CHECK(out->w == (c.input[3] + c.s - 1) / c.s);
                }
                run(r, ramp(product(c.input), 1.0f));
            }
        }
        ModelBuilder b({1, 1, 8, 8});
        auto& n = b.node("MaxPool");
        attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
        attr(n, "auto_pad", "SAME_MIDDLE");
        CHECK(import_error(b, OnnxImportFailure::Malformed) == "MaxPool (node 0): unknown auto_pad 'SAME_MIDDLE'");
    }

    TEST_CASE("MaxPool and AveragePool: ceil_mode, dilations, count_include_pad") {
        ModelBuilder b({1, 2, 9, 9}, 12);
        auto& m = b.node("MaxPool", {"$"}, "pool");
        attr(m, "kernel_shape", std::vector<int64_t>{3, 3});
        attr(m, "strides", std::vector<int64_t>{2, 2});
        attr(m, "pads", std::vector<int64_t>{0, 0, 1, 1});
        attr(m, "dilations", std::vector<int64_t>{1, 2});
        attr(m, "ceil_mode", int64_t{1});
        attr(m, "storage_order", int64_t{0});
        auto& a = b.node("AveragePool");
        attr(a, "kernel_shape", std::vector<int64_t>{2, 2});
        attr(a, "pads", std::vector<int64_t>{1, 1, 1, 1});
        auto& a2 = b.node("AveragePool");
        attr(a2, "kernel_shape", std::vector<int64_t>{2, 2});
        attr(a2, "count_include_pad", int64_t{1});
        auto r = import_ok(b);
        REQUIRE(r.net.layers.size() == 3);
        const Layer& mp = r.net.layers[0];
        CHECK(mp.type == LayerType::MaxPool);
        CHECK(mp.kernel == Hw{3, 3});
        CHECK(mp.stride == Hw{2, 2});
        CHECK(mp.pad == Pad4{0, 0, 1, 1});
        CHECK(mp.dilation == Hw{1, 2});
        CHECK(mp.ceil);
        CHECK(r.net.layers[1].type == LayerType::AvgPool);
        CHECK_FALSE(r.net.layers[1].count_include_pad);  // ONNX's default, unlike ConvScope's own
        CHECK_FALSE(r.net.layers[1].ceil);
        CHECK(r.net.layers[2].count_include_pad);
        run(r, ramp(2 * 9 * 9, 1.0f));

        ModelBuilder d({1, 1, 8, 8}, 19);
        auto& ad = d.node("AveragePool");
        attr(ad, "kernel_shape", std::vector<int64_t>{2, 2});
        attr(ad, "dilations", std::vector<int64_t>{2, 2});
        CHECK(import_error(d, OnnxImportFailure::UnsupportedForm) ==
              "AveragePool (node 0): dilations (2, 2) are not supported for average pooling");

        ModelBuilder k({1, 1, 8, 8});
        k.node("MaxPool");
        CHECK(import_error(k, OnnxImportFailure::Malformed) == "MaxPool (node 0): kernel_shape is missing");
    }

    TEST_CASE("MaxPool: the indices output may exist but not be used") {
        ModelBuilder b({1, 1, 4, 4});
        auto& n = b.node("MaxPool");
        attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
        n.add_output("indices");
        import_ok(b);
        b.g->add_output()->set_name("indices");
        const auto e = import_error(b, OnnxImportFailure::UnsupportedForm);
        CHECK(e == "MaxPool (node 0): its output 1 ('indices') is used, and ConvScope models only the first output "
                   "(the indices output is not supported)");
    }

    TEST_CASE("GlobalAveragePool, LRN, Relu, Dropout, Identity") {
        ModelBuilder b({1, 6, 5, 5}, 13);
        auto& lrn = b.node("LRN", {"$"}, "norm");
        attr(lrn, "size", int64_t{3});
        attr(lrn, "alpha", 2e-4);
        attr(lrn, "beta", 0.5);
        attr(lrn, "bias", 2.0);
        b.node("Relu");
        b.node("Identity");
        b.init("ratio", {}, {0.25f});
        auto& drop = b.node("Dropout", {"$", "ratio"});
        drop.add_output("mask");  // unused: allowed
        b.node("GlobalAveragePool");
        auto r = import_ok(b);
        REQUIRE(r.net.layers.size() == 4);  // Identity is skipped
        const Layer& l = r.net.layers[0];
        CHECK(l.type == LayerType::Lrn);
        CHECK(l.lrn_size == 3);
        CHECK(l.alpha == doctest::Approx(2e-4));
        CHECK(l.beta == doctest::Approx(0.5));
        CHECK(l.k == doctest::Approx(2.0));
        CHECK(l.alpha_over_size);
        CHECK(r.net.layers[1].type == LayerType::Relu);
        CHECK(r.net.layers[2].type == LayerType::Dropout);
        CHECK(r.net.layers[2].ratio == doctest::Approx(0.25));
        CHECK(r.net.layers[3].type == LayerType::AdaptiveAvgPool);
        CHECK(r.net.layers[3].output_size == Hw{1, 1});
        CHECK(analyze(r.net).final_output() == Shape3{6, 1, 1});
        bool noted = false;
        for (const auto& note : r.notes) noted = noted || contains(note, "Identity (node 2) passes its input on");
        CHECK(noted);
        run(r, ramp(6 * 5 * 5, 1.0f));

        // Old Dropout: the ratio is an attribute.
        ModelBuilder o({1, 2, 2, 2}, 7);
        attr(o.node("Dropout"), "ratio", 0.3);
        CHECK(import_ok(o).net.layers[0].ratio == doctest::Approx(0.3));

        // Training mode drops at random: no inference layer does that.
        ModelBuilder t({1, 2, 2, 2}, 13);
        onnx::TensorProto yes;
        yes.set_name("train");
        yes.set_data_type(onnx::TensorProto::BOOL);
        yes.set_raw_data(std::string("\x01", 1));
        *t.g->add_initializer() = yes;
        t.node("Dropout", {"$", "", "train"});
        CHECK(contains(import_error(t, OnnxImportFailure::UnsupportedForm), "training_mode is set"));
    }

    TEST_CASE("Gemm → fc: transB = 1 keeps B, transB = 0 transposes it, alpha and beta fold in") {
        // A (1, 3) · B + C: with x = (1, 2, 3).
        const std::vector<float> x = {1, 2, 3};
        const std::vector<float> bt = {1, 0, -1, 2, 1, 0.5f};  // (2, 3) = (out, in)
        const std::vector<float> c = {0.25f, -1};
        auto expect = [&](double alpha, double beta, bool bias) {
            std::vector<float> y(2);
            for (int o = 0; o < 2; ++o) {
                double s = 0;
                for (int i = 0; i < 3; ++i) s += bt[o * 3 + i] * x[i];
                y[o] = static_cast<float>(alpha * s + (bias ? beta * c[o] : 0.0));
            }
            return y;
        };
        for (bool trans_b : {true, false}) {
            for (auto ab : {std::pair{1.0, 1.0}, std::pair{0.5, 0.35}, std::pair{2.0, 0.0}}) {
                const double alpha = ab.first, beta = ab.second;  // clang 14 cannot CAPTURE a structured binding
                CAPTURE(trans_b);
                CAPTURE(alpha);
                CAPTURE(beta);
                ModelBuilder b({1, 3});
                std::vector<float> bv = bt;
                if (!trans_b) bv = {bt[0], bt[3], bt[1], bt[4], bt[2], bt[5]};  // (3, 2) = (in, out)
                b.init("B", trans_b ? std::vector<int64_t>{2, 3} : std::vector<int64_t>{3, 2}, bv);
                b.init("C", {2}, c);
                auto& n = b.node("Gemm", {"$", "B", "C"}, "fc");
                if (trans_b) attr(n, "transB", int64_t{1});
                attr(n, "alpha", alpha);
                attr(n, "beta", beta);
                auto r = import_ok(b);
                REQUIRE(r.net.layers.size() == 1);
                const Layer& l = r.net.layers[0];
                CHECK(l.type == LayerType::Fc);
                CHECK(l.out == 2);
                CHECK(l.in_features == 3);
                CHECK(l.bias == (beta != 0.0));
                CHECK(r.weights.layers[0].weight_shape == std::vector<int64_t>{2, 3});
                const auto y = run(r, x);
                const auto want = expect(alpha, beta, beta != 0.0);
                for (int o = 0; o < 2; ++o) CHECK(y[static_cast<size_t>(o)] == doctest::Approx(want[o]).epsilon(1e-5));
            }
        }
    }

    TEST_CASE("Gemm: C as a scalar, (1), (1, N) broadcasts, per-row C and transA are not fc forms") {
        for (std::vector<int64_t> cdims :
             {std::vector<int64_t>{}, std::vector<int64_t>{1}, std::vector<int64_t>{1, 4}}) {
            ModelBuilder b({1, 3});
            b.init("B", {3, 4});
            b.init("C", cdims, std::vector<float>(product(cdims), 0.5f));
            b.node("Gemm", {"$", "B", "C"});
            auto r = import_ok(b);
            CHECK(same_values(r.weights.layers[0].bias, std::vector<float>(4, 0.5f)));
        }
        ModelBuilder m({-1, 3});
        m.init("B", {3, 4});
        m.init("C", {2, 4});
        m.node("Gemm", {"$", "B", "C"});
        CHECK(import_error(m, OnnxImportFailure::UnsupportedForm) ==
              "Gemm (node 0): not an fc form: C (2, 4) gives each row (image) its own bias");
        ModelBuilder t({1, 3});
        t.init("B", {3, 4});
        attr(t.node("Gemm", {"$", "B"}), "transA", int64_t{1});
        CHECK(import_error(t, OnnxImportFailure::UnsupportedForm) ==
              "Gemm (node 0): not an fc form: transA = 1 puts the images along A's columns");
        ModelBuilder w({1, 3});
        w.init("B", {5, 4});
        w.node("Gemm", {"$", "B"});
        CHECK(import_error(w, OnnxImportFailure::Malformed) == "Gemm (node 0): B (5, 4) does not fit 3 input features");
        ModelBuilder f({1, 2, 3, 3});
        f.init("B", {18, 4});
        f.node("Gemm", {"$", "B"});
        CHECK(contains(import_error(f, OnnxImportFailure::UnsupportedForm), "not an fc form: Gemm of a 4-D tensor"));
    }

    TEST_CASE("MatMul + Add → one fc layer, MatMul alone has no bias, a lone Add is refused") {
        ModelBuilder b({1, 3});
        b.init("W", {3, 2}, {1, 2, 3, 4, 5, 6});  // (in, out)
        b.init("bias", {2}, {10, 20});
        b.node("MatMul", {"$", "W"}, "/fc/MatMul");
        b.node("Add", {"bias", "$"}, "/fc/Add");
        b.node("Relu");
        auto r = import_ok(b);
        REQUIRE(r.net.layers.size() == 2);
        CHECK(r.net.layers[0].type == LayerType::Fc);
        CHECK(r.net.layers[0].name == "fc");
        CHECK(r.net.layers[0].bias);
        CHECK(same_values(r.weights.layers[0].weight, std::vector<float>{1, 3, 5, 2, 4, 6}));  // (out, in)
        CHECK(same_values(r.weights.layers[0].bias, std::vector<float>{10, 20}));
        const auto y = run(r, {1, 1, 1});
        CHECK(y == std::vector<float>{1 + 3 + 5 + 10, 2 + 4 + 6 + 20});

        ModelBuilder m({1, 3});
        m.init("W", {3, 2});
        m.node("MatMul", {"$", "W"});
        auto rm = import_ok(m);
        CHECK_FALSE(rm.net.layers[0].bias);

        ModelBuilder a({1, 3});
        a.init("c", {3});
        a.node("Relu");
        a.node("Add", {"$", "c"});
        CHECK(import_error(a, OnnxImportFailure::UnsupportedForm) ==
              "Add (node 1): Add is supported only as the bias right after a MatMul");
    }

    TEST_CASE("Flatten and Reshape to (N, K) become flatten, other reshapes are refused") {
        // Flatten, default axis 1.
        ModelBuilder f({1, 2, 3, 4});
        f.node("Flatten");
        auto rf = import_ok(f);
        CHECK(rf.net.layers[0].type == LayerType::Flatten);
        CHECK(analyze(rf.net).final_output() == Shape3{24, 1, 1});
        ModelBuilder f2({1, 2, 3, 4});
        attr(f2.node("Flatten"), "axis", int64_t{2});
        CHECK(contains(import_error(f2, OnnxImportFailure::UnsupportedForm), "does not give one row per image"));
        // Axis 0 with one image is the same thing.
        ModelBuilder f0({1, 2, 3, 4});
        attr(f0.node("Flatten"), "axis", int64_t{0});
        import_ok(f0);

        // Reshape with the shape as an initializer, a Constant node, and (before opset 5) an attribute.
        for (std::vector<int64_t> shape : {std::vector<int64_t>{1, -1}, std::vector<int64_t>{0, -1},
                                          std::vector<int64_t>{1, 24}, std::vector<int64_t>{-1, 24}}) {
            ModelBuilder r({-1, 2, 3, 4});
            r.init_ints("shape", shape);
            r.node("Reshape", {"$", "shape"});
            auto res = import_ok(r);
            CHECK(res.net.layers[0].type == LayerType::Flatten);
        }
        ModelBuilder c({1, 2, 3, 4});
        auto& k = c.node("Constant", {});
        auto* value = k.add_attribute();
        value->set_name("value");
        value->set_type(onnx::AttributeProto::TENSOR);
        *value->mutable_t() = int64_tensor("", {1, 24});
        const std::string shape_name = c.last;
        c.last = "x";
        c.node("Reshape", {"$", shape_name});
        CHECK(import_ok(c).net.layers.size() == 1);
        ModelBuilder old({1, 2, 3, 4}, 4);
        attr(old.node("Reshape"), "shape", std::vector<int64_t>{1, 24});
        CHECK(import_ok(old).net.layers[0].type == LayerType::Flatten);
        // A reshape that changes nothing is skipped.
        ModelBuilder same({1, 2, 3, 4});
        same.init_ints("s", {1, 2, 3, 4});
        same.node("Reshape", {"$", "s"});
        CHECK(import_ok(same).net.layers.empty());
        // Anything else changes the image's layout.
        ModelBuilder bad({1, 2, 3, 4});
        bad.init_ints("s", {1, 6, 4});
        bad.node("Reshape", {"$", "s"});
        CHECK(import_error(bad, OnnxImportFailure::UnsupportedForm) ==
              "Reshape (node 0): reshaping (1, 2, 3, 4) to (1, 6, 4) is not a flatten to (N, K); ConvScope keeps each "
              "image's layout");
        ModelBuilder wrong({1, 2, 3, 4});
        wrong.init_ints("s", {1, 25});
        wrong.node("Reshape", {"$", "s"});
        CHECK(import_error(wrong, OnnxImportFailure::Malformed) ==
              "Reshape (node 0): shape (1, 25) does not fit 24 values");
    }

    TEST_CASE("Softmax: over all of an image's values, by opset") {
        // (N, K): axis 1 and −1 both normalise the K values.
        for (int64_t axis : {1, -1}) {
            ModelBuilder b({1, 10}, 13);
            attr(b.node("Softmax"), "axis", axis);
            CHECK(import_ok(b).net.layers[0].type == LayerType::Softmax);
        }
        // Before opset 13, axis 1 of (N, C, H, W) normalises C·H·W together: ConvScope's softmax.
        ModelBuilder old({1, 3, 2, 2}, 11);
        old.node("Softmax");
        const auto y = run(import_ok(old), ramp(12, 1.0f));
        float sum = 0;
        for (float v : y) sum += v;
        CHECK(sum == doctest::Approx(1.0f));
        // From opset 13 the same node normalises over C alone.
        ModelBuilder now({1, 3, 2, 2}, 13);
        attr(now.node("Softmax"), "axis", int64_t{1});
        CHECK(contains(import_error(now, OnnxImportFailure::UnsupportedForm), "softmax over dimension 1"));
        // …which is the same thing when H = W = 1.
        ModelBuilder one({1, 3, 1, 1}, 13);
        attr(one.node("Softmax"), "axis", int64_t{1});
        import_ok(one);
    }

    // ---- names --------------------------------------------------------------------------------------

    TEST_CASE("names: PyTorch module paths, sanitised, unique, defaults for the unnamed") {
        ModelBuilder b({1, 3, 8, 8});
        conv(b, 4, 3, 3, 3, true, "/features/features.0/Conv");
        b.node("Relu", {"$"}, "/features/features.1/Relu");
        conv(b, 4, 4, 1, 1, true, "conv 2:a");
        conv(b, 4, 4, 1, 1, true, "conv 2:a");
        conv(b, 4, 4, 1, 1, true, "");
        b.node("Relu", {"$"}, "???");
        auto r = import_ok(b);
        std::vector<std::string> names;
        for (const auto& l : r.net.layers) names.push_back(l.name);
        CHECK(names ==
              std::vector<std::string>{"features.0", "features.1", "conv_2_a", "conv_2_a_2", "conv4", "relu4"});
    }

    // ---- refusals -----------------------------------------------------------------------------------

    TEST_CASE("unsupported operators are listed at once, with counts") {
        ModelBuilder b({1, 3, 8, 8});
        conv(b, 4, 3, 3, 3);
        for (int i = 0; i < 3; ++i) b.node("BatchNormalization", {"$", "s", "b", "m", "v"});
        b.node("Concat", {"$", "$"});
        b.node("Relu");
        auto& custom = b.node("FusedThing");
        custom.set_domain("com.example");
        CHECK(import_error(b, OnnxImportFailure::UnsupportedOperators) ==
              "unsupported ONNX operators: BatchNormalization (×3), Concat, com.example.FusedThing");
        ModelBuilder one({1, 3, 8, 8});
        one.node("Sigmoid");
        CHECK(import_error(one, OnnxImportFailure::UnsupportedOperators) == "unsupported ONNX operator: Sigmoid");
    }

    TEST_CASE("a graph that branches is refused, naming the node and the tensor") {
        // A residual connection: Add reads the chain and an earlier tensor.
        ModelBuilder b({1, 4, 8, 8});
        conv(b, 4, 4, 3, 3, true, "c1");
        const std::string skip = b.last;
        b.node("Relu", {"$"}, "r1");
        b.node("MatMul", {"$", skip}, "mix");
        CHECK(import_error(b, OnnxImportFailure::NotChain) ==
              "MatMul 'mix' reads 't0', which is not the output of the layer before it ('t1'): ConvScope follows a "
              "single chain of layers, and this graph branches");
        // A side branch that reads an earlier tensor.
        ModelBuilder s({1, 4, 8, 8});
        s.node("Relu", {"$"}, "a");
        s.node("Relu", {"x"}, "side");
        CHECK(contains(import_error(s, OnnxImportFailure::NotChain), "Relu 'side' reads 'x'"));
        // Several outputs.
        ModelBuilder o({1, 4, 8, 8});
        o.node("Relu");
        o.g->add_output()->set_name("x");
        o.g->add_output()->set_name(o.last);
        CHECK(import_error(o, OnnxImportFailure::NotChain) ==
              "the graph has 2 outputs ('x', 't0'): ConvScope follows one chain to one output");
        // An output that is not the end of the chain.
        ModelBuilder e({1, 4, 8, 8});
        e.node("Relu");
        e.node("Relu");
        e.g->add_output()->set_name("t0");
        CHECK(contains(import_error(e, OnnxImportFailure::NotChain),
                       "the graph's output 't0' is not the end of the chain"));
        // A tensor nothing produces.
        ModelBuilder u({1, 4, 8, 8});
        u.node("Relu", {"ghost"});
        CHECK(
            contains(import_error(u, OnnxImportFailure::Malformed), "reads 'ghost', which nothing before it produces"));
    }

    TEST_CASE("inputs: float 4-D images, N = 1 or symbolic, weights as inputs only when given") {
        ModelBuilder sym({-1, 3, 8, 8});
        sym.node("Relu");
        CHECK(import_ok(sym).net.input == Shape3{3, 8, 8});

        ModelBuilder batch({8, 3, 8, 8});
        batch.node("Relu");
        CHECK(import_error(batch, OnnxImportFailure::UnsupportedForm) ==
              "the input 'x' has a batch of 8: ConvScope runs one image at a time, so N must be 1 or symbolic");
        OnnxImportOptions allow;
        allow.allow_batch = true;
        CHECK(import_ok(batch, allow).net.input == Shape3{3, 8, 8});

        ModelBuilder u8({1, 3, 8, 8});
        u8.g->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::UINT8);
        u8.node("Relu");
        CHECK(import_error(u8, OnnxImportFailure::UnsupportedForm) ==
              "the input 'x' is UINT8: ConvScope computes in float32");

        ModelBuilder seq({1, 3, 8});
        seq.node("Relu");
        CHECK(import_error(seq, OnnxImportFailure::NotTwoD) ==
              "the input 'x' is 3-D (N, C, L), 1-D data: ConvScope's layers take images (N, C, H, W)");
        OnnxImportOptions rows;
        rows.allow_sequence_input = true;
        CHECK(import_ok(seq, rows).net.input == Shape3{3, 1, 8});
        ModelBuilder seq_conv({1, 3, 8});
        conv(seq_conv, 2, 3, 3, 1);  // 4-D weights on 1-D data
        CHECK(contains(import_error(seq_conv, OnnxImportFailure::NotTwoD, rows), "convolution of 1-D data"));

        ModelBuilder five({1, 3, 4, 4, 4});
        five.node("Relu");
        CHECK(contains(import_error(five, OnnxImportFailure::NotTwoD), "has 5 dimensions"));

        ModelBuilder h({1, 3, 8, 8});
        h.g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(2)->set_dim_param(
            "height");
        h.node("Relu");
        CHECK(import_error(h, OnnxImportFailure::UnsupportedForm) ==
              "the input 'x': dimension 2 is symbolic ('height'): ConvScope needs a fixed image size");

        // Weights passed as graph inputs (as ONNX's operator tests do) need values from the caller.
        ModelBuilder w({1, 1, 4, 4});
        set_shape(*w.g->add_input(), {1, 1, 3, 3});
        w.g->mutable_input(1)->set_name("W");
        w.node("Conv", {"$", "W"});
        CHECK(import_error(w, OnnxImportFailure::NotChain) ==
              "the graph has 2 inputs that are not initializers ('x', 'W'): ConvScope takes one image, and weights "
              "must be initializers");
        OnnxImportOptions given;
        auto t = onnx_tensor_from_proto(float_tensor("W", {1, 1, 3, 3}, std::vector<float>(9, 1.0f)));
        given.inputs["W"] = *t.tensor;
        auto r = import_ok(w, given);
        CHECK(same_values(r.weights.layers[0].weight, std::vector<float>(9, 1.0f)));

        ModelBuilder future({1, 3, 8, 8}, 99);
        future.node("Relu");
        CHECK(import_error(future, OnnxImportFailure::UnsupportedForm) ==
              "opset 99 is newer than this importer knows (up to 21)");
    }

    TEST_CASE("inconsistent models are malformed, not crashes") {
        // Weights that do not fit the input's channels.
        ModelBuilder b({1, 3, 8, 8});
        conv(b, 4, 2, 3, 3);
        CHECK(contains(import_error(b, OnnxImportFailure::Malformed), "do not fit 3 input channels"));
        // A kernel_shape that disagrees with the weights.
        ModelBuilder k({1, 3, 8, 8});
        attr(conv(k, 4, 3, 3, 3), "kernel_shape", std::vector<int64_t>{5, 5});
        CHECK(contains(import_error(k, OnnxImportFailure::Malformed), "disagrees with the weights"));
        // A window larger than the padded input: the shape engine's message.
        ModelBuilder w({1, 3, 4, 4});
        attr(w.node("MaxPool"), "kernel_shape", std::vector<int64_t>{7, 7});
        CHECK(contains(import_error(w, OnnxImportFailure::Malformed), "larger than the padded input"));
        // An attribute of the wrong type, an unknown attribute, a missing weight.
        ModelBuilder t({1, 3, 8, 8});
        attr(t.node("MaxPool"), "kernel_shape", int64_t{3});
        CHECK(import_error(t, OnnxImportFailure::Malformed) ==
              "MaxPool (node 0): attribute 'kernel_shape' should be a list of integers");
        ModelBuilder u({1, 3, 8, 8});
        attr(u.node("Relu"), "sparkle", int64_t{1});
        CHECK(import_error(u, OnnxImportFailure::UnsupportedForm) ==
              "Relu (node 0): attribute 'sparkle' is not supported");
        ModelBuilder m({1, 3, 8, 8});
        m.node("Conv", {"$", "nowhere"});
        CHECK(contains(import_error(m, OnnxImportFailure::Malformed),
                       "reads 'nowhere', which nothing before it produces"));
        // A shape the model records that ConvScope's arithmetic does not give.
        ModelBuilder rec({1, 3, 8, 8});
        attr(rec.node("MaxPool"), "kernel_shape", std::vector<int64_t>{2, 2});
        set_shape(*rec.g->add_output(), {1, 3, 6, 6});
        rec.g->mutable_output(0)->set_name(rec.last);
        CHECK(contains(import_error(rec, OnnxImportFailure::UnsupportedForm),
                       "the model records its output 't0' as (1, 3, 6, 6), ConvScope computes (1, 3, 7, 7)"));
    }

    TEST_CASE("absurd sizes are refused before anything multiplies them") {
        ModelBuilder in({1, 1LL << 40, 1LL << 40, 1LL << 40});
        in.node("Relu");
        CHECK(import_error(in, OnnxImportFailure::Malformed) ==
              "the input 'x' (1, 1099511627776, 1099511627776, 1099511627776) holds more values than 64 bits can "
              "count");
        // A pool whose padding makes an output too large to count.
        ModelBuilder pool({1, 1LL << 20, 1LL << 20, 1LL << 20});
        auto& p = pool.node("MaxPool");
        attr(p, "kernel_shape", std::vector<int64_t>{1, 1});
        attr(p, "pads", std::vector<int64_t>{INT_MAX, INT_MAX, INT_MAX, INT_MAX});
        CHECK(contains(import_error(pool, OnnxImportFailure::Malformed), "holds more values than 64 bits can count"));
        // Pads beyond int are malformed.
        ModelBuilder big({1, 1, 4, 4});
        attr(attr_node(big, "MaxPool", {2, 2}), "pads", std::vector<int64_t>{1LL << 40, 0, 0, 0});
        CHECK(import_error(big, OnnxImportFailure::Malformed) == "MaxPool (node 0): pad is too large: 1099511627776");
    }

    TEST_CASE("corrupt bytes: every truncation and random flips never crash") {
        ModelBuilder b({1, 2, 6, 6});
        attr(conv(b, 3, 2, 3, 3), "pads", std::vector<int64_t>{1, 1, 1, 1});
        b.node("Relu");
        auto& pool = b.node("MaxPool");
        attr(pool, "kernel_shape", std::vector<int64_t>{2, 2});
        attr(pool, "strides", std::vector<int64_t>{2, 2});
        b.node("Flatten");
        b.init("B", {4, 27});  // 3×3×3 features
        attr(b.node("Gemm", {"$", "B"}), "transB", int64_t{1});
        b.node("Softmax");
        const std::string bytes = b.bytes();
        REQUIRE(import_onnx_bytes(bytes).ok());
        int parsed = 0;
        for (size_t n = 0; n < bytes.size(); ++n) {
            OnnxImportResult r;
            REQUIRE_NOTHROW(r = import_onnx_bytes(std::string_view(bytes).substr(0, n)));
            if (r.ok()) {
                ++parsed;
                CHECK_FALSE(check_weights(r.net, analyze(r.net), r.weights));
            } else {
                CHECK_FALSE(r.error.empty());
            }
        }
        CHECK(parsed < static_cast<int>(bytes.size()));
        std::mt19937 rng(42);
        for (int i = 0; i < 3000; ++i) {
            std::string s = bytes;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int f = 0; f < flips; ++f) s[rng() % s.size()] = static_cast<char>(rng());
            OnnxImportResult r;
            REQUIRE_NOTHROW(r = import_onnx_bytes(s));
            if (r.ok()) CHECK_FALSE(check_weights(r.net, analyze(r.net), r.weights));
        }
        CHECK(import_onnx_bytes("").failure == OnnxImportFailure::Malformed);
    }

    TEST_CASE("files: the network is named after the file, unreadable files are errors") {
        TempDir dir;
        ModelBuilder b({1, 3, 8, 8});
        b.node("Relu");
        const std::string path = dir.file("tiny_net.onnx", b.bytes());
        auto r = import_onnx(path);
        REQUIRE_MESSAGE(r.ok(), r.error);
        CHECK(r.net.name == "tiny_net");
        CHECK(r.weights.origin == "tiny_net.onnx");
        CHECK(contains(r.net.description, "opset 13"));
        auto m = import_onnx((dir.path / "none.onnx").string());
        CHECK(m.failure == OnnxImportFailure::Read);
        CHECK(starts_with(m.error, "cannot open "));
        const std::string junk = dir.file("junk.onnx", "this is not protobuf at all \xff\xff\xff");
        auto j = import_onnx(junk);
        CHECK(j.failure == OnnxImportFailure::Malformed);
        CHECK(j.error == junk + ": not a valid ONNX model (the protobuf does not parse)");
    }

    // ---- whole networks ---------------------------------------------------------------------------------

    TEST_CASE("AlexNet as the ONNX Model Zoo's bvlcalexnet (Caffe-converted) imports and runs") {
        // The zoo's graph: unnamed nodes, initializers also listed as graph inputs (IR 3), Caffe's
        // ceil-rounded pools written as pads [0, 0, 1, 1], LRN, grouped convs, Reshape to (1, 9216)
        // through a shape initializer, Gemm with transB, Dropout with a mask nobody reads, Softmax.
        // Channel counts are cut down (the spatial geometry is AlexNet's) to keep the test fast.
        ModelBuilder b({1, 3, 224, 224}, 9);
        b.m.set_ir_version(3);
        auto input_too = [&](const std::string& name, const std::vector<int64_t>& dims) {
            auto* v = b.g->add_input();
            v->set_name(name);
            set_shape(*v, dims);
        };
        struct ConvSpec {
            int64_t out, in, k, s, p, groups;
        };
        const ConvSpec convs[] = {{8, 3, 11, 4, 0, 1}, {16, 4, 5, 1, 2, 2}, {24, 16, 3, 1, 1, 1},
                                  {24, 12, 3, 1, 1, 2}, {16, 12, 3, 1, 1, 2}};
        for (int i = 0; i < 5; ++i) {
            const auto& c = convs[i];
            const std::string w = "conv" + std::to_string(i + 1) + "_w_0", bb = "conv" + std::to_string(i + 1) + "_b_0";
            b.init(w, {c.out, c.in, c.k, c.k}, ramp(product({c.out, c.in, c.k, c.k}), 0.05f, static_cast<uint32_t>(i)));
            b.init(bb, {c.out}, ramp(static_cast<size_t>(c.out), 0.01f, static_cast<uint32_t>(i + 10)));
            input_too(w, {c.out, c.in, c.k, c.k});
            input_too(bb, {c.out});
            auto& n = b.node("Conv", {"$", w, bb});
            attr(n, "kernel_shape", std::vector<int64_t>{c.k, c.k});
            attr(n, "strides", std::vector<int64_t>{c.s, c.s});
            attr(n, "pads", std::vector<int64_t>{c.p, c.p, c.p, c.p});
            if (c.groups > 1) attr(n, "group", c.groups);
            b.node("Relu");
            if (i < 2) {
                auto& l = b.node("LRN");
                attr(l, "size", int64_t{5});
                attr(l, "alpha", 1e-4);
                attr(l, "beta", 0.75);
                attr(l, "bias", 1.0);
            }
            if (i == 0 || i == 1 || i == 4) {
                auto& p = b.node("MaxPool");
                attr(p, "kernel_shape", std::vector<int64_t>{3, 3});
                attr(p, "strides", std::vector<int64_t>{2, 2});
                attr(p, "pads", std::vector<int64_t>{0, 0, i == 0 ? 1 : 0, i == 0 ? 1 : 0});
            }
        }
        b.init_ints("OC2_DUMMY_1", {1, 16 * 6 * 6});
        b.node("Reshape", {"$", "OC2_DUMMY_1"});
        const int64_t fcs[][2] = {{32, 16 * 6 * 6}, {32, 32}, {10, 32}};
        for (int i = 0; i < 3; ++i) {
            const std::string w = "fc" + std::to_string(i + 6) + "_w_0", bb = "fc" + std::to_string(i + 6) + "_b_0";
            b.init(w, {fcs[i][0], fcs[i][1]},
                   ramp(product({fcs[i][0], fcs[i][1]}), 0.05f, static_cast<uint32_t>(i + 20)));
            b.init(bb, {fcs[i][0]});
            input_too(w, {fcs[i][0], fcs[i][1]});
            input_too(bb, {fcs[i][0]});
            auto& g = b.node("Gemm", {"$", w, bb});
            attr(g, "transB", int64_t{1});
            attr(g, "alpha", 1.0);
            attr(g, "beta", 1.0);
            if (i < 2) {
                b.node("Relu");
                b.node("Dropout").add_output("_mask" + std::to_string(i));
            }
        }
        b.node("Softmax");
        auto r = import_ok(b);
        std::vector<std::string> names;
        for (const auto& l : r.net.layers) names.push_back(l.name);
        CHECK(names == std::vector<std::string>{"conv1", "relu1", "norm1", "pool1", "conv2", "relu2", "norm2", "pool2",
                                                "conv3", "relu3", "conv4", "relu4", "conv5", "relu5", "pool5",
                                                "flatten1", "fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "fc8",
                                                "prob1"});
        const Analysis a = analyze(r.net);
        REQUIRE(a.valid());
        // AlexNet's geometry on 224: 54 → 27 → 27 → 13 → 13 → 13 → 13 → 6.
        CHECK(a.stages[0].output == Shape3{8, 54, 54});
        CHECK(a.stages[3].output == Shape3{8, 27, 27});
        CHECK(a.stages[7].output == Shape3{16, 13, 13});
        CHECK(a.stages[14].output == Shape3{16, 6, 6});
        CHECK(a.stages[15].output == Shape3{576, 1, 1});
        CHECK(a.final_output() == Shape3{10, 1, 1});
        CHECK(r.net.layers[4].groups == 2);
        const auto y = run(r, ramp(3 * 224 * 224, 1.0f, 5));
        float sum = 0;
        for (float v : y) sum += v;
        CHECK(sum == doctest::Approx(1.0f));
    }

    TEST_CASE("AlexNet as torchvision exports it (torch.onnx.export) imports and runs") {
        // torch.onnx.export(torchvision.models.alexnet(), …, opset 17, dynamic batch): nodes named by
        // module path, MaxPool with ceil_mode 0, the adaptive pool to 6×6 written as a 1×1 AveragePool
        // (the input is already 6×6), Flatten, Gemm with transB and a 1-D C; no Dropout in eval mode.
        ModelBuilder b({-1, 3, 224, 224}, 17);
        b.g->mutable_input(0)->set_name("input");
        b.last = "input";
        struct ConvSpec {
            int64_t out, in, k, s, p;
            bool pool;
        };
        const ConvSpec convs[] = {{8, 3, 11, 4, 2, true}, {12, 8, 5, 1, 2, true}, {16, 12, 3, 1, 1, false},
                                  {16, 16, 3, 1, 1, false}, {12, 16, 3, 1, 1, true}};
        int index = 0;
        for (const auto& c : convs) {
            const std::string prefix = "/features/features." + std::to_string(index);
            const std::string w = "features." + std::to_string(index) + ".weight";
            const std::string bb = "features." + std::to_string(index) + ".bias";
            b.init(w, {c.out, c.in, c.k, c.k},
                   ramp(product({c.out, c.in, c.k, c.k}), 0.05f, static_cast<uint32_t>(index)));
            b.init(bb, {c.out});
            auto& n = b.node("Conv", {"$", w, bb}, prefix + "/Conv");
            attr(n, "dilations", std::vector<int64_t>{1, 1});
            attr(n, "group", int64_t{1});
            attr(n, "kernel_shape", std::vector<int64_t>{c.k, c.k});
            attr(n, "pads", std::vector<int64_t>{c.p, c.p, c.p, c.p});
            attr(n, "strides", std::vector<int64_t>{c.s, c.s});
            ++index;
            b.node("Relu", {"$"}, "/features/features." + std::to_string(index++) + "/Relu");
            if (c.pool) {
                auto& p = b.node("MaxPool", {"$"}, "/features/features." + std::to_string(index++) + "/MaxPool");
                attr(p, "ceil_mode", int64_t{0});
                attr(p, "kernel_shape", std::vector<int64_t>{3, 3});
                attr(p, "pads", std::vector<int64_t>{0, 0, 0, 0});
                attr(p, "strides", std::vector<int64_t>{2, 2});
            }
        }
        auto& avg = b.node("AveragePool", {"$"}, "/avgpool/AveragePool");
        attr(avg, "kernel_shape", std::vector<int64_t>{1, 1});
        attr(avg, "strides", std::vector<int64_t>{1, 1});
        attr(avg, "ceil_mode", int64_t{0});
        attr(avg, "pads", std::vector<int64_t>{0, 0, 0, 0});
        attr(b.node("Flatten", {"$"}, "/Flatten"), "axis", int64_t{1});
        const int64_t fcs[][3] = {{1, 32, 12 * 6 * 6}, {4, 32, 32}, {6, 10, 32}};
        for (const auto& f : fcs) {
            const std::string w = "classifier." + std::to_string(f[0]) + ".weight";
            const std::string bb = "classifier." + std::to_string(f[0]) + ".bias";
            b.init(w, {f[1], f[2]}, ramp(product({f[1], f[2]}), 0.05f, static_cast<uint32_t>(f[0] + 30)));
            b.init(bb, {f[1]});
            auto& g = b.node("Gemm", {"$", w, bb}, "/classifier/classifier." + std::to_string(f[0]) + "/Gemm");
            attr(g, "alpha", 1.0);
            attr(g, "beta", 1.0);
            attr(g, "transB", int64_t{1});
            if (f[0] != 6) b.node("Relu", {"$"}, "/classifier/classifier." + std::to_string(f[0] + 1) + "/Relu");
        }
        set_shape(*b.g->add_output(), {-1, 10});
        b.g->mutable_output(0)->set_name(b.last);
        auto r = import_ok(b);
        std::vector<std::string> names;
        for (const auto& l : r.net.layers) names.push_back(l.name);
        CHECK(names == std::vector<std::string>{"features.0", "features.1", "features.2", "features.3", "features.4",
                                                "features.5", "features.6", "features.7", "features.8", "features.9",
                                                "features.10", "features.11", "features.12", "avgpool", "Flatten",
                                                "classifier.1", "classifier.2", "classifier.4", "classifier.5",
                                                "classifier.6"});
        CHECK(r.input_name == "input");
        const Analysis a = analyze(r.net);
        REQUIRE(a.valid());
        CHECK(a.stages[0].output == Shape3{8, 55, 55});
        CHECK(a.stages[12].output == Shape3{12, 6, 6});
        CHECK(a.final_output() == Shape3{10, 1, 1});
        run(r, ramp(3 * 224 * 224, 1.0f, 9));
    }
}
