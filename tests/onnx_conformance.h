// The ONNX conformance harness: ONNX's own operator tests (Debian's libonnx-testdata), run through the
// importer and any set of backends. The CPU backends' test (nn/test_onnx_conformance.cpp) and the GPU
// backend's (gl/test_gl_onnx_conformance.cpp) call run_conformance with their backends. Every case in the
// ONNX test data whose graph uses only operators the importer knows is imported,
// each image of its batch runs through every backend given, and the results are compared with the
// expected output_0.pb.
//
// Tolerance: |got − expected| ≤ 1e-4 + 1e-4·|expected| for every value. ONNX's backend tests use
// rtol 1e-3 / atol 1e-7; the absolute term here is looser because a fast GEMM sums in another order
// than NumPy (and with fused multiply-adds where the processor has them), and an output near zero keeps
// the absolute rounding error of its large terms; the relative term is tighter. The summary also says
// how close the results come to ONNX's own tolerance, which is reported but not enforced.
//
// Each case ends up passed, failed, or skipped: not 2-D (1-D and 3-D data, which ConvScope does not
// model) or an unsupported form (a supported operator used in a way no ConvScope layer expresses:
// Gemm with transA, a per-row bias, softmax over one axis of a 3-D tensor, …). The skips are listed by
// name below with the reason the importer gives, so that a case that should run never drops out quietly.
#pragma once

#include <doctest/doctest.h>

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/file_io.h"
#include "core/shape_engine.h"
#include "nn/backend.h"
#include "nn/onnx_import.h"
#include "nn/onnx_tensor.h"

namespace convscope::test {

namespace onnx_conformance {

using namespace convscope::nn;
namespace fs = std::filesystem;

inline const char* const kTestData = "/usr/share/libonnx-testdata/data";

// Operators that make a case part of this suite: each maps to a layer (or, for Identity and Reshape, to
// no layer or a flatten). A case must use at least one of them and nothing the importer does not know.
inline const std::set<std::string> kLayerOps = {"Conv",    "MaxPool", "AveragePool", "GlobalAveragePool", "LRN",
                                         "Gemm",    "MatMul",  "Relu",        "Softmax",           "Flatten",
                                         "Dropout", "Identity", "Reshape"};

// Cases the importer refuses although they use supported operators, with the reason. A refusal of any
// other case is a failure: it should have run.
inline const std::map<std::string, std::string> kExpectedUnsupported = {
    {"node/test_dropout_default_mask", "the mask output"},
    {"node/test_dropout_default_mask_ratio", "the mask output"},
    {"node/test_gemm_all_attributes", "transA"},
    {"node/test_gemm_transposeA", "transA"},
    {"node/test_gemm_default_matrix_bias", "a per-row bias"},
    {"node/test_identity_opt", "an optional, not a tensor"},
    {"node/test_identity_sequence", "a sequence, not a tensor"},
    {"node/test_maxpool_2d_uint8", "uint8 data"},
    {"node/test_maxpool_with_argmax_2d_precomputed_pads", "the indices output"},
    {"node/test_maxpool_with_argmax_2d_precomputed_strides", "the indices output"},
    {"node/test_matmul_3d", "a batched matrix product"},
    {"node/test_matmul_4d", "a batched matrix product"},
    {"node/test_flatten_axis0", "axis 0 puts the whole batch in one row"},
    {"node/test_flatten_axis2", "rows that are not images"},
    {"node/test_flatten_axis3", "rows that are not images"},
    {"node/test_flatten_negative_axis1", "rows that are not images"},
    {"node/test_flatten_negative_axis2", "rows that are not images"},
    {"node/test_flatten_negative_axis4", "axis 0 puts the whole batch in one row"},
    {"node/test_softmax_axis_0", "softmax across the batch"},
    {"node/test_softmax_axis_1", "softmax over one axis of a 3-D tensor"},
    {"node/test_softmax_axis_2", "softmax over one axis of a 3-D tensor"},
    {"node/test_softmax_default_axis", "softmax over one axis of a 3-D tensor"},
    {"node/test_softmax_negative_axis", "softmax over one axis of a 3-D tensor"},
    {"pytorch-converted/test_softmax_functional_dim3", "softmax over the last axis of an image"},
    {"node/test_training_dropout", "training mode"},
    {"node/test_training_dropout_default", "training mode"},
    {"node/test_training_dropout_default_mask", "training mode"},
    {"node/test_training_dropout_mask", "training mode"},
    {"node/test_training_dropout_zero_ratio", "training mode"},
    {"node/test_training_dropout_zero_ratio_mask", "training mode"},
    {"node/test_reshape_extended_dims", "a reshape that is not a flatten"},
    {"node/test_reshape_negative_dim", "a reshape that is not a flatten"},
    {"node/test_reshape_negative_extended_dims", "a reshape that is not a flatten"},
    {"node/test_reshape_one_dim", "a reshape that is not a flatten"},
    {"node/test_reshape_reordered_all_dims", "a reshape that is not a flatten"},
    {"node/test_reshape_reordered_last_dims", "a reshape that is not a flatten"},
    {"node/test_reshape_zero_and_negative_dim", "a reshape that is not a flatten"},
    {"node/test_reshape_zero_dim", "a reshape that is not a flatten"},
    {"node/test_reshape_allowzero_reordered", "an empty input tensor"},
    {"pytorch-converted/test_PixelShuffle", "a reshape to 6-D and a transpose of the activations"},
};

using BackendMaker = std::function<std::unique_ptr<Backend>()>;

enum class Outcome { Passed, Failed, NotTwoD, UnsupportedForm };

struct CaseResult {
    std::string name;  // "node/test_conv_with_strides_padding"
    std::string op;    // the layer operator it tests, for grouping
    Outcome outcome = Outcome::Failed;
    std::string detail;
    double worst = 0.0;       // the largest error as a fraction of the tolerance
    double worst_onnx = 0.0;  // the same against ONNX's default tolerance, reported only
};

// Whether a case is about 1-D or 3-D data, judged from the model alone: a window (kernel_shape) that is
// not 2-D, or an image input that is neither (N, C, H, W) nor (N, K). The importer's "not 2-D" must
// agree, so that no 2-D case hides among them.
inline bool not_2d(const onnx::ModelProto& m) {
    for (const auto& n : m.graph().node())
        for (const auto& a : n.attribute())
            if (a.name() == "kernel_shape" && a.ints_size() != 2) return true;
    std::set<std::string> initializers;
    for (const auto& t : m.graph().initializer()) initializers.insert(t.name());
    for (const auto& v : m.graph().input()) {
        if (initializers.count(v.name())) continue;
        const int rank = v.type().tensor_type().shape().dim_size();
        return rank != 2 && rank != 4;  // the first input that is not an initializer is the image
    }
    return false;
}

inline bool parse_model(const fs::path& file, onnx::ModelProto& m) {
    std::string error;
    const auto bytes = read_file(file.string(), error, size_t{256} << 20);
    return bytes && m.ParseFromString(*bytes);
}

// The operator a case is about: its first layer operator, or "Identity" for a graph of only that.
inline std::string case_op(const onnx::ModelProto& m) {
    for (const auto& n : m.graph().node())
        if (kLayerOps.count(n.op_type()) && n.op_type() != "Identity") return n.op_type();
    return "Identity";
}

// Whether the case belongs to this suite: some layer operator, and only operators the importer knows.
inline bool selected(const onnx::ModelProto& m) {
    const auto& known = onnx_supported_operators();
    bool layer = false;
    for (const auto& n : m.graph().node()) {
        if (!n.domain().empty() && n.domain() != "ai.onnx") return false;
        if (std::find(known.begin(), known.end(), n.op_type()) == known.end()) return false;
        layer = layer || kLayerOps.count(n.op_type()) > 0;
    }
    return layer;
}

// Runs one case. The ONNX node tests pass weights as graph inputs (input_1.pb, …) rather than
// initializers: input_k.pb belongs to the k-th graph input that is not an initializer, and every one
// after the first (the image) is handed to the importer as a weight.
inline CaseResult run_case(const fs::path& dir, const std::string& name, const onnx::ModelProto& m,
                    const std::vector<BackendMaker>& makers) {
    CaseResult r;
    r.name = name;
    r.op = case_op(m);
    const fs::path data = dir / "test_data_set_0";
    std::set<std::string> initializers;
    for (const auto& t : m.graph().initializer()) initializers.insert(t.name());
    std::vector<std::string> inputs;
    for (const auto& v : m.graph().input())
        if (!initializers.count(v.name())) inputs.push_back(v.name());

    OnnxImportOptions options;
    options.allow_batch = true;           // the tests run batches; each image runs alone
    options.allow_sequence_input = true;  // elementwise tests use (N, C, L) tensors
    std::optional<OnnxTensor> image;
    for (size_t k = 0; k < inputs.size(); ++k) {
        const fs::path file = data / ("input_" + std::to_string(k) + ".pb");
        if (!fs::exists(file)) break;
        auto t = read_onnx_tensor_file(file.string());
        if (!t) {
            // An input the reader cannot hold (a uint8 image, an optional, a sequence) is the importer's
            // to classify: it sees the same graph input and says why.
            if (k == 0) continue;
            r.detail = t.error;
            return r;
        }
        if (k == 0)
            image = std::move(*t.tensor);
        else
            options.inputs[inputs[k]] = std::move(*t.tensor);
    }

    const OnnxImportResult imp = import_onnx((dir / "model.onnx").string(), options);
    if (!imp.ok()) {
        r.detail = imp.error;
        if (imp.failure == OnnxImportFailure::NotTwoD && not_2d(m))
            r.outcome = Outcome::NotTwoD;
        else if (imp.failure == OnnxImportFailure::UnsupportedForm && kExpectedUnsupported.count(name))
            r.outcome = Outcome::UnsupportedForm;
        else
            r.detail = "refused (" + std::string(failure_name(imp.failure)) + "): " + imp.error;
        return r;
    }
    if (!image) {
        r.detail = "no input_0.pb";
        return r;
    }
    auto expected = read_onnx_tensor_file((data / "output_0.pb").string());
    if (!expected) {
        r.detail = expected.error;
        return r;
    }

    const Network& net = imp.net;
    const Analysis a = analyze(net);
    const int64_t per_in = net.input.count();
    const Shape3 out_shape = a.final_output().value_or(Shape3{});
    const int64_t per_out = out_shape.count();
    if (image->dims.empty() || per_in <= 0 || image->count() % per_in != 0) {
        r.detail =
            "the input " + onnx_dims_text(image->dims) + " does not split into " + shape_text(net.input) + " images";
        return r;
    }
    const int64_t batch = image->count() / per_in;
    if (expected.tensor->count() != batch * per_out) {
        r.detail = "the expected output " + onnx_dims_text(expected.tensor->dims) + " does not hold " +
                   std::to_string(batch) + " outputs of " + shape_text(out_shape);
        return r;
    }

    double worst = 0.0;  // the largest |got − expected| / (1e-4 + 1e-4·|expected|)
    std::string worst_at;
    double worst_onnx = 0.0;  // the largest |got − expected| / (1e-7 + 1e-3·|expected|)
    for (const auto& make : makers) {
        auto backend = make();
        for (int64_t b = 0; b < batch; ++b) {
            Tensor in(net.input);
            std::copy_n(image->values.begin() + b * per_in, per_in, in.data.begin());
            ForwardResult fr;
            if (auto e = backend->forward(net, a, imp.weights, in, fr)) {
                r.detail = backend->name() + ": " + *e;
                return r;
            }
            const Tensor& got = net.layers.empty() ? in : fr.outputs.back();
            for (int64_t i = 0; i < per_out; ++i) {
                const double want = expected.tensor->values[static_cast<size_t>(b * per_out + i)];
                const double have = got.data[static_cast<size_t>(i)];
                const double ratio = std::abs(have - want) / (1e-4 + 1e-4 * std::abs(want));
                worst_onnx = std::max(worst_onnx, std::abs(have - want) / (1e-7 + 1e-3 * std::abs(want)));
                if (!(ratio <= worst)) {  // NaN counts as the worst
                    worst = std::isnan(ratio) ? INFINITY : ratio;
                    std::ostringstream s;
                    s << backend->name() << " image " << b << " value " << i << ": got " << have << ", expected "
                      << want;
                    worst_at = s.str();
                }
            }
        }
    }
    r.worst = worst;
    r.worst_onnx = worst_onnx;
    if (worst <= 1.0) {
        r.outcome = Outcome::Passed;
    } else {
        r.detail = "off by " + std::to_string(worst) + "× the tolerance; worst at " + worst_at;
    }
    return r;
}

}  // namespace onnx_conformance

// Runs every selected case on each backend `makers` builds, reports the summary by operator (named
// `label`), and fails for every case that does not pass.
inline void run_conformance(const std::vector<onnx_conformance::BackendMaker>& makers, const std::string& label) {
    using namespace onnx_conformance;
    if (!fs::is_directory(kTestData)) {
        MESSAGE("skipped: the ONNX test data is not installed (" << kTestData
                                                                 << "; Debian package libonnx-testdata)");
        return;
    }
    std::vector<CaseResult> results;
    int other_ops = 0;
    for (const char* group : {"node", "pytorch-converted"}) {
        const fs::path root = fs::path(kTestData) / group;
        if (!fs::is_directory(root)) continue;
        std::vector<fs::path> dirs;
        for (const auto& e : fs::directory_iterator(root))
            if (e.is_directory()) dirs.push_back(e.path());
        std::sort(dirs.begin(), dirs.end());
        for (const auto& dir : dirs) {
            onnx::ModelProto m;
            if (!parse_model(dir / "model.onnx", m)) continue;
            if (!selected(m)) {
                ++other_ops;
                continue;
            }
            results.push_back(run_case(dir, std::string(group) + "/" + dir.filename().string(), m, makers));
        }
    }

    // The summary, grouped by operator.
    struct Count {
        int passed = 0, failed = 0, not_2d = 0, unsupported = 0, not_fc = 0;
    };
    std::map<std::string, Count> by_op;
    Count total;
    for (const auto& r : results) {
        for (Count* c : {&by_op[r.op], &total}) {
            switch (r.outcome) {
                case Outcome::Passed: ++c->passed; break;
                case Outcome::Failed: ++c->failed; break;
                case Outcome::NotTwoD: ++c->not_2d; break;
                case Outcome::UnsupportedForm: ++c->unsupported; break;
            }
            if (r.outcome == Outcome::UnsupportedForm && r.detail.find("not an fc form") != std::string::npos)
                ++c->not_fc;
        }
    }
    std::ostringstream s;
    s << "onnx conformance (" << label << "): " << total.passed << " passed, " << total.failed << " failed, "
      << total.not_2d + total.unsupported << " skipped (not 2-D or unsupported form)\n"
      << "  skipped: " << total.not_2d << " not 2-D, " << total.unsupported << " unsupported form, of them "
      << total.not_fc << " Gemm or MatMul cases that are not an fc form\n";
    for (const auto& [op, c] : by_op)
        s << "  " << op << ": " << c.passed << " passed, " << c.failed << " failed, " << c.not_2d << " not 2-D, "
          << c.unsupported << " unsupported form"
          << (c.not_fc ? " (" + std::to_string(c.not_fc) + " of them not an fc form)" : "") << "\n";
    for (const auto& r : results)
        if (r.outcome == Outcome::NotTwoD || r.outcome == Outcome::UnsupportedForm)
            s << "  skipped " << r.name << " (" << (r.outcome == Outcome::NotTwoD ? "not 2-D" : "unsupported form")
              << "): " << r.detail << "\n";
    double worst = 0.0, worst_onnx = 0.0;
    std::string worst_name, worst_onnx_name;
    for (const auto& r : results) {
        if (r.outcome != Outcome::Passed) continue;
        if (r.worst >= worst) std::tie(worst, worst_name) = std::pair{r.worst, r.name};
        if (r.worst_onnx >= worst_onnx) std::tie(worst_onnx, worst_onnx_name) = std::pair{r.worst_onnx, r.name};
    }
    s << "  largest error among the passed: " << worst << " of the tolerance (" << worst_name << "); "
      << worst_onnx << " of ONNX's rtol 1e-3 / atol 1e-7 (" << worst_onnx_name << ")\n";
    s << "  (" << other_ops << " further cases use operators outside this suite)";
    MESSAGE(s.str());

    CHECK(total.passed > 0);
    for (const auto& r : results) {
        INFO(r.name << ": " << r.detail);
        CHECK(r.outcome != Outcome::Failed);
    }
}

}  // namespace convscope::test
