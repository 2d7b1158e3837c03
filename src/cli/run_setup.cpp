#include "cli/run_setup.h"

#include "cli/cli.h"
#include "gl/gl_backend.h"
#include "nn/image.h"
#include "nn/npy.h"
#include "nn/safetensors.h"
#include "nn/weight_init.h"

namespace convscope::cli {

std::vector<Flag> run_flags() {
    std::vector<Flag> f = model_flags();
    f.insert(f.end(), {{"--weights", "a .safetensors file", ""},
                       {"--seed", "an integer seed for generated weights", ""},
                       {"--image", "an image file (PNG, JPEG, BMP)", ""},
                       {"--pattern", "a pattern name (edges, grating, checkerboard, …)", ""},
                       {"--input-npy", "a float32 .npy file of shape (C, H, W)", ""},
                       {"--normalize", "torchvision, caffe or none", ""},
                       {"--resize-shorter", "a size in pixels", ""},
                       {"--backend", "cpu, gl or reference", ""},
                       {"--shader-dir", "a directory of .comp files", ""},
                       {"--threads", "a number of threads", ""},
                       {"--memory-limit", "a size in GiB", ""}});
    return f;
}

namespace {

std::optional<nn::Tensor> read_input(const Args& args, const Network& net, std::string& what, std::ostream& err) {
    const int sources = args.has("--image") + args.has("--pattern") + args.has("--input-npy");
    if (sources > 1) throw UsageError{"give only one of --image, --pattern and --input-npy"};
    if (const auto npy = args.get("--input-npy")) {
        if (args.has("--normalize") || args.has("--resize-shorter"))
            throw UsageError{"--input-npy is fed as it is: --normalize and --resize-shorter do not apply"};
        // Fed as it is: no resizing or normalisation, so the shape must already fit.
        auto r = nn::read_npy(*npy);
        if (!r) {
            err << "convscope: " << r.error << "\n";
            return std::nullopt;
        }
        if (!(r.tensor->shape == net.input)) {
            err << "convscope: " << *npy << ": holds " << shape_text(r.tensor->shape) << ", the network expects "
                << shape_text(net.input) << "\n";
            return std::nullopt;
        }
        what = "tensor " + *npy + " (as stored)";
        return std::move(*r.tensor);
    }
    nn::PreprocessOptions opt;
    opt.resize_shorter = static_cast<int>(args.get_int("--resize-shorter", 0, 1, 16384));
    if (const auto n = args.get("--normalize")) {
        const auto parsed = nn::parse_normalization(*n);
        if (!parsed) throw UsageError{"--normalize: expected torchvision, caffe or none, got \"" + *n + "\""};
        opt.normalization = *parsed;
    }
    nn::Image image;
    if (const auto path = args.get("--image")) {
        auto r = nn::load_image(*path);
        if (!r) {
            err << "convscope: " << r.error << "\n";
            return std::nullopt;
        }
        image = std::move(*r.image);
        what = "image " + *path;
    } else {
        const std::string name = args.get("--pattern").value_or("grating");
        const auto p = nn::parse_pattern(name);
        if (!p) {
            std::string known;
            for (auto q : nn::all_patterns()) known += (known.empty() ? "" : ", ") + std::string(nn::pattern_name(q));
            throw UsageError{"--pattern: unknown pattern \"" + name + "\" (" + known + ")"};
        }
        const int side = static_cast<int>(std::max(net.input.h, net.input.w));
        switch (*p) {
            case nn::Pattern::VerticalEdge: image = nn::edge_image(side, side, nn::EdgeDirection::Vertical); break;
            case nn::Pattern::HorizontalEdge: image = nn::edge_image(side, side, nn::EdgeDirection::Horizontal); break;
            case nn::Pattern::DiagonalEdge: image = nn::edge_image(side, side, nn::EdgeDirection::Diagonal); break;
            case nn::Pattern::Grating: image = nn::grating_image(side, side, 30.0, side / 12.0); break;
            case nn::Pattern::Checkerboard: image = nn::checkerboard_image(side, side, std::max(2, side / 16)); break;
            case nn::Pattern::ColorWheel: image = nn::color_wheel_image(side, side); break;
            case nn::Pattern::OpponentBlobs: image = nn::opponent_blobs_image(side, side); break;
            case nn::Pattern::Dot: image = nn::dot_image(side, side, side / 8.0); break;
        }
        what = "pattern " + name;
    }
    auto t = nn::preprocess(image, net.input, opt);
    if (!t) {
        err << "convscope: " << t.error << "\n";
        return std::nullopt;
    }
    what += " (" + std::string(nn::normalization_name(opt.normalization)) + " normalisation)";
    return std::move(*t.tensor);
}

}  // namespace

std::optional<RunSetup> prepare_run(const Args& args, std::ostream& err, int& exit_code) {
    exit_code = kExitUsage;
    auto source = load_model_source(args, "alexnet-caffe", err);
    if (!source) return std::nullopt;
    RunSetup s;
    s.net = std::move(source->net);
    s.analysis = analyze(s.net);
    if (!s.analysis.valid()) {
        for (const auto& st : s.analysis.stages)
            for (const auto& m : st.messages)
                if (m.severity == Severity::Error && !st.blocked)
                    err << "convscope: " << st.name << ": " << m.message << "\n";
        if (!s.analysis.input_error.empty()) err << "convscope: input: " << s.analysis.input_error << "\n";
        err << "convscope: the network has invalid layers; `convscope table` shows them all\n";
        exit_code = kExitInvalidLayer;
        return std::nullopt;
    }
    // The budget comes before any allocation: a typo such as 100000 channels must not exhaust memory.
    const int64_t limit = args.get_int("--memory-limit", kDefaultMemoryLimit >> 30, 1, 1 << 20) << 30;
    if (auto e = check_memory(forward_memory(s.net, s.analysis), limit)) {
        err << "convscope: the network is too large to run here: it " << *e << " (--memory-limit GIB raises it)\n";
        return std::nullopt;
    }
    const std::string backend = args.get("--backend").value_or("cpu");
    if (backend != "cpu" && backend != "gl" && backend != "reference")
        throw UsageError{"--backend: expected cpu, gl or reference, got \"" + backend + "\""};
    if (args.has("--shader-dir") && backend != "gl") throw UsageError{"--shader-dir needs --backend gl"};
    if (backend == "gl") {
        std::string why;
        s.gl_context = gl::GlContext::create_headless(why);
        if (!s.gl_context) {
            s.backend_note = "the GPU backend is unavailable (" + why + "); running on the CPU instead";
        } else {
            gl::GlBackendOptions o;
            if (const auto dir = args.get("--shader-dir")) o.shaders = gl::ShaderLibrary(*dir);
            s.backend = gl::make_gl_backend(*s.gl_context, std::move(o));
            s.device = "gl: " + s.gl_context->info().summary();
            if (auto e = s.backend->unsupported(s.net, s.analysis)) {
                s.backend_note = "the GPU backend cannot run this network (" + *e + "); running on the CPU instead";
                s.backend.reset();
            }
        }
    } else if (backend == "reference") {
        s.backend = nn::make_ref_backend();
    }
    s.threads = nn::set_threads(static_cast<int>(args.get_int("--threads", 0, 1, 256)));
    if (!s.backend) {
        s.backend = nn::make_cpu_backend();
        s.device.clear();
    }
    if (s.backend->name() == "reference") s.threads = 1;  // the naive kernels run on one thread whatever is set
    if (s.device.empty())
        s.device = s.backend->name() + " (" + std::to_string(s.threads) + (s.threads == 1 ? " thread)" : " threads)");
    if (!s.backend_note.empty()) err << "convscope: note: " << s.backend_note << "\n";

    if (source->weights && !args.has("--weights") && !args.has("--seed")) {
        s.weights = std::move(*source->weights);  // the ONNX file's own
        s.weights_path = *args.get("--onnx");
        if (auto e = nn::check_weights(s.net, s.analysis, s.weights)) {
            err << "convscope: " << *e << " (with --input, the ONNX weights may no longer fit)\n";
            return std::nullopt;
        }
    } else if (const auto path = args.get("--weights")) {
        if (args.has("--seed")) throw UsageError{"give either --weights or --seed, not both"};
        auto r = nn::load_safetensors_weights(s.net, s.analysis, *path);
        if (!r.ok()) {
            err << "convscope: " << r.error << "\n";
            return std::nullopt;
        }
        s.weights = std::move(r.weights);
        s.weights_path = *path;
    } else {
        nn::InitOptions o;
        o.seed = static_cast<uint64_t>(args.get_int("--seed", 1, 0, INT64_MAX));
        s.weights = nn::make_seeded_weights(s.net, s.analysis, o);
    }
    auto input = read_input(args, s.net, s.input_description, err);
    if (!input) return std::nullopt;
    s.input = std::move(*input);
    exit_code = kExitOk;
    return s;
}

std::optional<std::string> run_pass(RunSetup& s, nn::ForwardResult& r, std::ostream& err) {
    auto e = s.backend->forward(s.net, s.analysis, s.weights, s.input, r);
    if (!e || s.backend->name() != "gl") return e;
    s.backend_note = "the GPU pass failed (" + *e + "); running on the CPU instead";
    err << "convscope: note: " << s.backend_note << "\n";
    s.backend = nn::make_cpu_backend();
    s.device = "cpu (" + std::to_string(s.threads) + (s.threads == 1 ? " thread)" : " threads)");
    return s.backend->forward(s.net, s.analysis, s.weights, s.input, r);
}

}  // namespace convscope::cli
