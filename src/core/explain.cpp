#include "core/explain.h"

#include <cstdio>
#include <optional>

#include "core/input_explorer.h"
#include "core/shape_engine.h"
#include "core/shape_table.h"

namespace convscope {

namespace {

// A formula must not be broken across lines: its spaces become this marker until wrap() prints them.
constexpr char kKeep = '\x01';

std::string unbreakable(std::string text) {
    for (char& ch : text)
        if (ch == ' ') ch = kKeep;
    return text;
}

std::string features(const Shape3& s) {
    return std::to_string(s.c) + "×" + std::to_string(s.h) + "×" + std::to_string(s.w) + " = " +
           group_digits(s.count());
}

std::string padding_words(const Pad4& p) {
    if (p == Pad4{}) return "no padding";
    if (p.uniform()) return "padding " + std::to_string(p.top);
    return "padding " + std::to_string(p.top) + " top, " + std::to_string(p.left) + " left, " +
           std::to_string(p.bottom) + " bottom, " + std::to_string(p.right) + " right";
}

std::string stride_words(Hw s) { return "stride " + compact_dims_text(s.h, s.w); }

// Wraps text at 100 columns with an indent, so paragraphs read well in a terminal.
std::string wrap(const std::string& text, const std::string& indent = "  ") {
    std::string out, line = indent;
    size_t line_width = indent.size();
    size_t i = 0;
    while (i < text.size()) {
        size_t j = text.find(' ', i);
        if (j == std::string::npos) j = text.size();
        const std::string word = text.substr(i, j - i);
        const size_t w = display_width(word);
        if (line_width > indent.size() && line_width + 1 + w > 100) {
            out += line + "\n";
            line = indent;
            line_width = indent.size();
        }
        if (line_width > indent.size()) {
            line += " ";
            ++line_width;
        }
        line += word;
        line_width += w;
        i = j + 1;
    }
    if (line_width > indent.size()) out += line + "\n";
    for (char& ch : out)
        if (ch == kKeep) ch = ' ';
    return out;
}

// The formula itself stays on one line; the words after its colon may wrap.
std::string formula_words(const std::string& formula) {
    const auto colon = formula.find(": ");
    if (colon == std::string::npos) return unbreakable(formula);
    return unbreakable(formula.substr(0, colon)) + formula.substr(colon);
}

std::string stage_paragraph(const Layer& l, const Stage& st) {
    std::string s = st.name + ": ";
    const std::string in = st.input ? shape_text(*st.input) : "unknown";
    switch (l.type) {
        case LayerType::Conv: {
            const int64_t cin = st.input ? st.input->c : 0;
            s += std::to_string(l.out) + " kernels of " + dims_text(l.kernel.h, l.kernel.w) + "×" +
                 std::to_string(l.groups > 0 ? cin / l.groups : cin) + " slide over the " + in + " input with " +
                 stride_words(l.stride) + " and " + padding_words(l.pad);
            if (!(l.dilation == Hw{1, 1})) s += ", dilated by " + compact_dims_text(l.dilation.h, l.dilation.w);
            s += ".";
            if (l.groups > 1 && cin > 0)
                s += " The channels are split into " + std::to_string(l.groups) + " groups: each kernel sees only " +
                     std::to_string(cin / l.groups) + " of the " + std::to_string(cin) +
                     " input channels, those of its own group" + (l.groups == 2 ? " (its own GPU's half)" : "") + ".";
            break;
        }
        case LayerType::MaxPool:
        case LayerType::AvgPool: {
            s += dims_text(l.kernel.h, l.kernel.w) + (l.type == LayerType::MaxPool ? " max" : " average") +
                 " pooling with " + stride_words(l.stride) + " and " + padding_words(l.pad) + ", rounding " +
                 (l.ceil ? "up" : "down") + ".";
            if (l.stride.h < l.kernel.h || l.stride.w < l.kernel.w)
                s += " The windows overlap (stride smaller than the window), as in AlexNet's overlapping pooling.";
            break;
        }
        case LayerType::AdaptiveAvgPool:
            s += "adaptive average pooling to a fixed " + dims_text(l.output_size.h, l.output_size.w) +
                 " whatever the input size, so the classifier always gets the same number of features.";
            break;
        case LayerType::Lrn: {
            char buf[160];
            std::snprintf(buf, sizeof buf, "local response normalisation across %d neighbouring channels (k = %g, α = %g%s, β = %g).",
                          l.lrn_size, l.k, l.alpha, l.alpha_over_size ? ", divided by the window size" : ", used as is",
                          l.beta);
            s += buf;
            s += " The shape is unchanged.";
            break;
        }
        case LayerType::Relu: s += "ReLU, max(0, x); shape unchanged."; break;
        case LayerType::Dropout: s += "dropout, active only in training; shape unchanged."; break;
        case LayerType::Softmax: s += "softmax turns scores into probabilities; shape unchanged."; break;
        case LayerType::Flatten:
            s += "flattens the " + in + " maps into one vector.";
            break;
        case LayerType::Fc:
            s += "each of the " + std::to_string(l.out) + " neurons is connected to every input value" +
                 (st.input ? std::string(" (") + features(*st.input) + ")" : "") + ".";
            break;
    }
    if (!st.formula.empty() && is_spatial_window(l.type)) s += " N = " + formula_words(st.formula) + ".";
    for (const auto& m : st.messages)
        if (m.severity == Severity::Error) s += " Error: " + m.message + ".";
    if (st.output && l.type != LayerType::Relu && l.type != LayerType::Dropout && l.type != LayerType::Lrn &&
        l.type != LayerType::Softmax) {
        s += " Output " + features(*st.output) + " values";
        if (st.params > 0) s += "; " + group_digits(st.params) + " parameters";
        if (st.macs > 0) s += "; " + group_digits(st.macs) + " MACs";
        s += ".";
        if (is_spatial_window(l.type))
            s += " Each output value sees a patch of " + dims_text(st.rf.size_h, st.rf.size_w) +
                 " input pixels, and neighbouring outputs are " +
                 compact_dims_text(st.rf.jump_h, st.rf.jump_w) +
                 " pixels apart.";
    }
    return s;
}

std::string exact_inputs_text(const ExactInputs& e) {
    auto one = [](const std::optional<int64_t>& below, const std::optional<int64_t>& above) {
        std::string s;
        if (below) s += std::to_string(*below) + " below";
        if (above) s += std::string(s.empty() ? "" : " and ") + std::to_string(*above) + " above";
        return s.empty() ? std::string("none nearby") : s;
    };
    if (e.current_h == e.current_w && e.below_h == e.below_w && e.above_h == e.above_w)
        return one(e.below_h, e.above_h);
    return "height: " + one(e.below_h, e.above_h) + "; width: " + one(e.below_w, e.above_w);
}

std::string stages_section(const Network& net, const Analysis& a) {
    std::string out = "\nStage by stage\n--------------\n";
    out += wrap("The input is " + shape_text(net.input) + " (channels × height × width) = " +
                group_digits(net.input.count()) + " values.");
    for (size_t i = 0; i < net.layers.size() && i < a.stages.size(); ++i) {
        out += "\n";
        if (a.stages[i].blocked) {
            // Everything after a failure is blocked: one sentence instead of a paragraph each.
            const size_t rest = a.stages.size() - i;
            out += wrap("The " + std::to_string(rest) + (rest == 1 ? " layer" : " layers") + " after that (" +
                        a.stages[i].name + (rest > 1 ? " … " + a.stages.back().name : "") +
                        ") get no shape: there is no input to compute one from.");
            break;
        }
        out += wrap(stage_paragraph(net.layers[i], a.stages[i]));
    }
    return out;
}

// Whether the input tiles; if not, where it first fails or rounds, and which sizes would tile.
std::string tiling_section(const Network& net, const Analysis& a, const ExactInputs& whole) {
    std::optional<size_t> first_inexact, first_error;
    for (const auto& st : a.stages) {
        if (!first_inexact && !st.exact && is_spatial_window(st.type) && st.output) first_inexact = st.index;
        if (!first_error && st.status == Severity::Error && !st.blocked) first_error = st.index;
    }
    const std::string at = dims_text(net.input.h, net.input.w);
    std::string out = "\nDoes the input size tile?\n-------------------------\n";
    if (first_error && (!first_inexact || *first_error < *first_inexact)) {
        const Stage& st = a.stages[*first_error];
        std::string s = "No. At " + at + " " + st.name + " fails: " + st.messages.front().message + ".";
        s += " Input sizes for which every layer works and every division is exact: " + exact_inputs_text(whole) + ".";
        if (whole.above_h && whole.above_w) s += " Proposed input: " + dims_text(*whole.above_h, *whole.above_w) + ".";
        return out + wrap(s);
    }
    if (!first_inexact) {
        return out + wrap(whole.current_exact
                              ? "Yes: at " + at + " every division is exact, so every window fits and no pixel is dropped."
                              : "Every division is exact at " + at + ".");
    }
    const Stage& st = a.stages[*first_inexact];
    const Layer& l = net.layers[*first_inexact];
    std::string s = "No. At " + at + " the first inexact division is " + st.name + ": " + formula_words(st.formula) + ".";
    const ExactInputs upto = find_exact_inputs(net, 0, *first_inexact);
    s += " Input sizes for which every window up to " + st.name + " fits exactly: " + exact_inputs_text(upto) + ".";
    s += " For the whole network: " + exact_inputs_text(whole) + ".";
    if (whole.above_h && whole.above_w)
        s += " Proposed input: " + dims_text(*whole.above_h, *whole.above_w) +
             " (the nearest exact size above, so nothing is cropped).";
    out += wrap(s);
    if (l.type == LayerType::Conv && !l.ceil) {
        Layer up = l;
        up.ceil = true;
        const Stage alt = analyze_layer(up, st.index, st.input, ReceptiveField{});
        if (alt.output)
            out += "\n" + wrap("Rounding this convolution up instead, as cuda-convnet (the code the AlexNet paper ran "
                               "on) does for every convolution, gives " +
                               dims_text(alt.output->h, alt.output->w) + ": " + formula_words(alt.formula) + ".");
    }
    return out;
}

// Where the feature maps end when every pool rounds the same way, up to the first fc or flatten.
std::string ending(const RoundingOutcome& o) {
    std::string s;
    std::optional<Shape3> last;
    for (const auto& st : o.analysis.stages) {
        if (st.type == LayerType::Fc || st.type == LayerType::Flatten) break;
        if (st.output) last = st.output;
    }
    if (last) s = features(*last);
    for (const auto& st : o.analysis.stages) {
        if (st.status == Severity::Error && !st.blocked) {
            s += (s.empty() ? "" : ", and ") + st.name + " fails: " + st.messages.front().message;
            break;
        }
    }
    return s;
}

std::string pooling_section(const Network& net) {
    bool has_pool = false;
    for (const auto& l : net.layers) has_pool |= l.type == LayerType::MaxPool || l.type == LayerType::AvgPool;
    if (!has_pool) return {};
    const RoundingStudy rs = compare_pool_rounding(net);
    std::string out = "\nFloor or ceil pooling?\n----------------------\n";
    bool pooled = false;
    for (const auto& st : rs.floor.analysis.stages)
        pooled |= (st.type == LayerType::MaxPool || st.type == LayerType::AvgPool) && st.output.has_value();
    if (!pooled)
        return out + wrap("At this input size no pooling layer produces an output, so the rounding never matters.");
    if (!rs.first_difference)
        return out + wrap("At this input size rounding every pool down or up gives the same shapes: every pooling "
                          "division is exact, or the difference never shows.");
    const size_t d = *rs.first_difference;
    auto size_or_none = [](const Stage& st) {
        return st.output ? dims_text(st.output->h, st.output->w) : std::string("no output");
    };
    std::string s = "They first differ at " + rs.floor.analysis.stages[d].name + ": " +
                    size_or_none(rs.floor.analysis.stages[d]) + " rounding down, " +
                    size_or_none(rs.ceil.analysis.stages[d]) + " rounding up. ";
    s += "With every pool rounding down the feature maps end at " + ending(rs.floor) + "; rounding up, at " +
         ending(rs.ceil) + ".";
    if (rs.floor.fc_input && rs.ceil.fc_input && rs.floor.fc_input != rs.ceil.fc_input)
        s += " The first fully connected layer then receives " + group_digits(rs.floor.fc_input) + " or " +
             group_digits(rs.ceil.fc_input) + " inputs: its weight matrix must match one of them.";
    return out + wrap(s);
}

// A publication's neuron counts (the input, then each conv and fc layer) against the computed ones,
// at the model's input size and, when that does not tile, at the nearest exact size above.
std::string printed_section(const Network& net, const Analysis& a, const ExactInputs& whole) {
    if (net.printed_neurons.empty()) return {};
    const bool alt = whole.above_h && whole.above_w && !whole.current_exact;
    std::vector<const Analysis*> sizes{&a};
    Analysis b;
    if (alt) {
        b = analyze(with_input(net, *whole.above_h, *whole.above_w));
        sizes.push_back(&b);
    }
    struct Row {
        std::string name;
        std::optional<size_t> stage;  // empty for the input
    };
    std::vector<Row> rows{{"input", std::nullopt}};
    for (const auto& st : a.stages)
        if (st.type == LayerType::Conv || st.type == LayerType::Fc) rows.push_back({st.name, st.index});

    std::string out = "\nPrinted against computed\n------------------------\n";
    out += wrap("The source prints these neuron counts: the input, then each convolution and fully connected layer. "
                "Computed here at the model's input size" +
                (alt ? " and at the exact size " + dims_text(*whole.above_h, *whole.above_w) : std::string()) + ":");
    char cell[64];
    std::snprintf(cell, sizeof cell, "  %-8s %12s", "layer", "printed");
    out += cell;
    for (const Analysis* an : sizes) {
        std::snprintf(cell, sizeof cell, " %12s", ("at " + std::to_string(an->input.h)).c_str());
        out += cell;
    }
    out += "\n";
    std::string notes;
    for (size_t i = 0; i < net.printed_neurons.size(); ++i) {
        const int64_t printed = net.printed_neurons[i];
        const Row* row = i < rows.size() ? &rows[i] : nullptr;
        std::snprintf(cell, sizeof cell, "  %-8s %12s", row ? row->name.c_str() : "?", group_digits(printed).c_str());
        out += cell;
        bool match = false;
        for (const Analysis* an : sizes) {
            const int64_t computed = !row ? 0 : row->stage ? an->stages[*row->stage].activations : an->input.count();
            match |= row && computed == printed;
            std::snprintf(cell, sizeof cell, " %12s", row ? group_digits(computed).c_str() : "—");
            out += cell;
        }
        out += match || !row ? "\n" : "   ← differs\n";
        if (match || !row || !row->stage) continue;
        notes += row->name + ": the printed " + group_digits(printed) + " does not follow from the layer's own " +
                 "hyperparameters" + (alt ? " at either size" : "") + ":";
        for (const Analysis* an : sizes) {
            const auto& o = an->stages[*row->stage].output;
            if (!o) continue;
            // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on " " + std::to_string(…).
            notes += ' ';
            notes += std::to_string(o->h) + "·" + std::to_string(o->w) + "·" + std::to_string(o->c);
            notes += " = " + group_digits(o->count()) + " at " + std::to_string(an->input.h) + ".";
        }
        notes += " The printed figure is a misprint. ";
    }
    if (!notes.empty()) out += wrap(notes);
    return out;
}

std::string totals_section(const Analysis& a) {
    char gflops[64];
    std::snprintf(gflops, sizeof gflops, "%.3g", 2.0 * static_cast<double>(a.totals.macs) / 1e9);
    std::string s = group_digits(a.totals.params) + " parameters (weights and biases), " +
                    group_digits(a.totals.macs) + " multiply-accumulates per image (" + gflops +
                    " GFLOPs, counting a MAC as two operations; bias additions not counted), " +
                    group_digits(a.totals.activations) + " activation values (" +
                    group_digits(a.totals.activation_bytes()) +
                    " bytes as float32, in-place ReLU and dropout not counted).";
    if (!a.valid())
        s += " " + std::to_string(a.errors) + (a.errors == 1 ? " layer is" : " layers are") + " invalid" +
             (a.blocked ? "; " + std::to_string(a.blocked) + " more get no shape" : "") +
             "; the totals count only the layers that work.";
    return "\nIn total\n--------\n" + wrap(s);
}

}  // namespace

std::string explain_network(const Network& net) {
    const Analysis a = analyze(net);
    const ExactInputs whole = find_exact_inputs(net, 0, net.layers.empty() ? 0 : net.layers.size() - 1);
    std::string out = net.name + "\n" + std::string(net.name.size(), '=') + "\n";
    if (!net.description.empty()) out += wrap(net.description, "");
    if (!net.source.empty()) out += "Source: " + net.source + "\n";
    out += "\nThe rule\n--------\n";
    out += wrap("A window of size F sliding with stride S over an input of size W padded by P on each side fits "
                "N = (W − F + 2P)/S + 1 times. A dilated window spans F_eff = d·(F − 1) + 1 pixels. When the division "
                "is not exact the count is rounded: down (floor, as Caffe and PyTorch do for convolutions) or up (ceil, "
                "as Caffe does for pooling and PyTorch with ceil_mode), and the pixels left over are never seen or "
                "the last window hangs past the edge.");
    out += stages_section(net, a);
    out += tiling_section(net, a, whole);
    out += pooling_section(net);
    out += printed_section(net, a, whole);
    out += totals_section(a);
    return out;
}

}  // namespace convscope
