#include "core/explain.h"

#include <cstdio>
#include <optional>

#include "core/i18n.h"
#include "core/input_explorer.h"
#include "core/presets.h"
#include "core/shape_engine.h"
#include "core/shape_table.h"

namespace convscope {

namespace {

// A formula must not be broken across lines: unbreakable() encloses it in these markers, which wrap()
// honours and removes.
constexpr char kKeepOpen = '\x02', kKeepClose = '\x03';

std::string unbreakable(const std::string& text) { return kKeepOpen + text + kKeepClose; }

std::string features(const Shape3& s) {
    return std::to_string(s.c) + "×" + std::to_string(s.h) + "×" + std::to_string(s.w) + " = " +
           group_digits(s.count());
}

// English puts a space between sentences; Chinese runs them together (each ends in "。").
void add_sentence(std::string& text, const std::string& sentence) {
    if (!text.empty() && language() != Language::Chinese) text += ' ';
    text += sentence;
}

std::string padding_words(const Pad4& p) {
    if (p == Pad4{}) return tr("no padding");
    if (p.uniform()) return tr("padding {0}", p.top);
    return tr("padding {0} top, {1} left, {2} bottom, {3} right", p.top, p.left, p.bottom, p.right);
}

std::string stride_words(Hw s) { return tr("stride {0}", compact_dims_text(s.h, s.w)); }

// Never begins a line: closing punctuation, Chinese and ASCII.
bool no_line_start(char32_t c) {
    switch (c) {
        case U'，': case U'。': case U'；': case U'：': case U'、': case U'）': case U'！': case U'？':
        case U'”': case U'’': case U'」': case U'』': case U'》': case U'】': case ',': case '.': case ';':
        case ':': case ')': case '!': case '?':
            return true;
        default:
            return false;
    }
}

// Never ends a line: opening punctuation.
bool no_line_end(char32_t c) {
    switch (c) {
        case U'（': case U'“': case U'‘': case U'「': case U'『': case U'《': case U'【': case '(':
            return true;
        default:
            return false;
    }
}

// A space beside one of these sits inside a formula ("N = (W − F + 2P)/S + 1"): no line break there.
bool formula_operator(char32_t c) {
    switch (c) {
        case '=': case '+': case '/': case U'−': case U'×': case U'·': case U'→': case U'≥': case U'≤':
            return true;
        default:
            return false;
    }
}

// Wraps text at 100 columns with an indent, so paragraphs read well in a terminal. A line may break at
// a space (not one inside a formula) and, as Chinese is written without spaces, between two characters
// when one of them is wide — but never before closing or after opening punctuation.
std::string wrap(const std::string& text, const std::string& indent = "  ") {
    struct Piece {
        bool after_space = false;  // a space separates it from the piece before
        std::string text;
        size_t width = 0;
    };
    std::vector<Piece> pieces(1);
    char32_t prev = 0;
    int kept = 0;              // inside an unbreakable span
    bool span_start = false;  // the next character opens one: a line may still break before it
    for (size_t i = 0; i < text.size();) {
        const size_t start = i;
        const char32_t c = next_code_point(text, i);
        if (c == static_cast<char32_t>(kKeepOpen) || c == static_cast<char32_t>(kKeepClose)) {
            kept += c == static_cast<char32_t>(kKeepOpen) ? 1 : -1;
            span_start = c == static_cast<char32_t>(kKeepOpen) && kept == 1;
            continue;
        }
        if (c == ' ') {
            size_t j = i;
            char32_t next = 0;
            while (j < text.size() && (next = next_code_point(text, j)) == static_cast<char32_t>(kKeepOpen)) {
            }
            if (kept > 0 || formula_operator(prev) || formula_operator(next)) {
                pieces.back().text += ' ';
                pieces.back().width += 1;
            } else if (!pieces.back().text.empty()) {
                pieces.push_back({true, {}, 0});
            }
            prev = c;
            span_start = false;
            continue;
        }
        Piece& cur = pieces.back();
        const bool breakable = (kept == 0 || span_start) && !cur.text.empty() && prev != ' ' &&
                               (is_wide(prev) || is_wide(c)) && !no_line_start(c) && !no_line_end(prev);
        span_start = false;
        if (breakable) pieces.push_back({false, {}, 0});
        pieces.back().text.append(text, start, i - start);
        pieces.back().width += is_wide(c) ? 2 : 1;
        prev = c;
    }
    std::string out, line = indent;
    const size_t indent_width = display_width(indent);
    size_t line_width = indent_width;
    for (const Piece& p : pieces) {
        if (p.text.empty()) continue;
        const bool fresh = line_width == indent_width;
        const size_t gap = !fresh && p.after_space ? 1 : 0;
        if (!fresh && line_width + gap + p.width > 100) {
            out += line + "\n";
            line = indent;
            line_width = indent_width;
        } else if (gap) {
            line += ' ';
            ++line_width;
        }
        line += p.text;
        line_width += p.width;
    }
    if (line_width > indent_width) out += line + "\n";
    return out;
}

// The formula itself stays on one line; the words after its colon may wrap.
std::string formula_words(const std::string& formula) {
    for (const char* colon : {": ", "："}) {
        const auto at = formula.find(colon);
        if (at != std::string::npos) return unbreakable(formula.substr(0, at)) + formula.substr(at);
    }
    return unbreakable(formula);
}

// A section's heading, underlined to its width in a terminal.
std::string heading(const std::string& title) {
    return "\n" + title + "\n" + std::string(display_width(title), '-') + "\n";
}

std::string conv_sentences(const Layer& l, const Stage& st, const std::string& in) {
    const int64_t cin = st.input ? st.input->c : 0;
    const std::string kernel = dims_text(l.kernel.h, l.kernel.w);
    const int64_t depth = l.groups > 0 ? cin / l.groups : cin;
    std::string s =
        l.dilation == Hw{1, 1}
            ? tr("{0} kernels of {1}×{2} slide over the {3} input with {4} and {5}.", l.out, kernel, depth, in,
                 stride_words(l.stride), padding_words(l.pad))
            : tr("{0} kernels of {1}×{2} slide over the {3} input with {4} and {5}, dilated by {6}.", l.out, kernel,
                 depth, in, stride_words(l.stride), padding_words(l.pad),
                 compact_dims_text(l.dilation.h, l.dilation.w));
    if (l.groups > 1 && cin > 0)
        add_sentence(s, l.groups == 2 ? tr("The channels are split into {0} groups: each kernel sees only {1} of the "
                                           "{2} input channels, those of its own group (its own GPU's half).",
                                           l.groups, cin / l.groups, cin)
                                      : tr("The channels are split into {0} groups: each kernel sees only {1} of the "
                                           "{2} input channels, those of its own group.",
                                           l.groups, cin / l.groups, cin));
    return s;
}

std::string pool_sentences(const Layer& l) {
    const std::string window = dims_text(l.kernel.h, l.kernel.w);
    const std::string stride = stride_words(l.stride), pad = padding_words(l.pad);
    std::string s;
    if (l.type == LayerType::MaxPool)
        s = l.ceil ? tr("{0} max pooling with {1} and {2}, rounding up.", window, stride, pad)
                   : tr("{0} max pooling with {1} and {2}, rounding down.", window, stride, pad);
    else
        s = l.ceil ? tr("{0} average pooling with {1} and {2}, rounding up.", window, stride, pad)
                   : tr("{0} average pooling with {1} and {2}, rounding down.", window, stride, pad);
    if (l.stride.h < l.kernel.h || l.stride.w < l.kernel.w)
        add_sentence(s, tr("The windows overlap (stride smaller than the window), as in AlexNet's overlapping pooling."));
    return s;
}

std::string output_sentence(const Stage& st) {
    const std::string out = features(*st.output);
    const std::string params = group_digits(st.params), macs = group_digits(st.macs);
    if (st.params > 0 && st.macs > 0) return tr("Output {0} values; {1} parameters; {2} MACs.", out, params, macs);
    if (st.params > 0) return tr("Output {0} values; {1} parameters.", out, params);
    if (st.macs > 0) return tr("Output {0} values; {1} MACs.", out, macs);
    return tr("Output {0} values.", out);
}

std::string stage_paragraph(const Layer& l, const Stage& st) {
    std::string s;
    const std::string in = st.input ? shape_text(*st.input) : tr("unknown");
    switch (l.type) {
        case LayerType::Conv: s = conv_sentences(l, st, in); break;
        case LayerType::MaxPool:
        case LayerType::AvgPool: s = pool_sentences(l); break;
        case LayerType::AdaptiveAvgPool:
            s = tr("adaptive average pooling to a fixed {0} whatever the input size, so the classifier always gets "
                   "the same number of features.",
                   dims_text(l.output_size.h, l.output_size.w));
            break;
        case LayerType::Lrn:
            s = l.alpha_over_size
                    ? tr("local response normalisation across {0} neighbouring channels (k = {1}, α = {2}, divided by "
                         "the window size, β = {3}).",
                         l.lrn_size, short_number(l.k), short_number(l.alpha), short_number(l.beta))
                    : tr("local response normalisation across {0} neighbouring channels (k = {1}, α = {2}, used as "
                         "is, β = {3}).",
                         l.lrn_size, short_number(l.k), short_number(l.alpha), short_number(l.beta));
            add_sentence(s, tr("The shape is unchanged."));
            break;
        case LayerType::Relu: s = tr("ReLU, max(0, x); shape unchanged."); break;
        case LayerType::Dropout: s = tr("dropout, active only in training; shape unchanged."); break;
        case LayerType::Softmax: s = tr("softmax turns scores into probabilities; shape unchanged."); break;
        case LayerType::Flatten: s = tr("flattens the {0} maps into one vector.", in); break;
        case LayerType::Fc:
            s = st.input ? tr("each of the {0} neurons is connected to every input value ({1}).", l.out,
                              features(*st.input))
                         : tr("each of the {0} neurons is connected to every input value.", l.out);
            break;
    }
    if (!st.formula.empty() && is_spatial_window(l.type)) add_sentence(s, tr("N = {0}.", formula_words(st.formula)));
    for (const auto& m : st.messages)
        if (m.severity == Severity::Error) add_sentence(s, tr("Error: {0}.", m.message));
    if (st.output && l.type != LayerType::Relu && l.type != LayerType::Dropout && l.type != LayerType::Lrn &&
        l.type != LayerType::Softmax) {
        add_sentence(s, output_sentence(st));
        if (is_spatial_window(l.type))
            add_sentence(s, tr("Each output value sees a patch of {0} input pixels, and neighbouring outputs are {1} "
                               "pixels apart.",
                               dims_text(st.rf.size_h, st.rf.size_w), compact_dims_text(st.rf.jump_h, st.rf.jump_w)));
    }
    return tr("{0}: {1}", st.name, s);
}

std::string exact_inputs_text(const ExactInputs& e) {
    auto one = [](const std::optional<int64_t>& below, const std::optional<int64_t>& above) {
        if (below && above) return tr("{0} below and {1} above", *below, *above);
        if (below) return tr("{0} below", *below);
        if (above) return tr("{0} above", *above);
        return tr("none nearby");
    };
    if (e.current_h == e.current_w && e.below_h == e.below_w && e.above_h == e.above_w)
        return one(e.below_h, e.above_h);
    return tr("height: {0}; width: {1}", one(e.below_h, e.above_h), one(e.below_w, e.above_w));
}

std::string stages_section(const Network& net, const Analysis& a) {
    std::string out = heading(tr("Stage by stage"));
    out += wrap(tr("The input is {0} (channels × height × width) = {1} values.", shape_text(net.input),
                   group_digits(net.input.count())));
    for (size_t i = 0; i < net.layers.size() && i < a.stages.size(); ++i) {
        out += "\n";
        if (a.stages[i].blocked) {
            // Everything after a failure is blocked: one sentence instead of a paragraph each.
            const size_t rest = a.stages.size() - i;
            out += wrap(rest == 1 ? tr("The 1 layer after that ({0}) gets no shape: there is no input to compute "
                                       "one from.",
                                       a.stages[i].name)
                                  : tr("The {0} layers after that ({1} … {2}) get no shape: there is no input to "
                                       "compute one from.",
                                       rest, a.stages[i].name, a.stages.back().name));
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
    std::string out = heading(tr("Does the input size tile?"));
    const bool proposal = whole.above_h && whole.above_w;
    const std::string proposed = proposal ? dims_text(*whole.above_h, *whole.above_w) : std::string();
    if (first_error && (!first_inexact || *first_error < *first_inexact)) {
        const Stage& st = a.stages[*first_error];
        std::string s = tr("No. At {0} {1} fails: {2}.", at, st.name, st.messages.front().message);
        add_sentence(s, tr("Input sizes for which every layer works and every division is exact: {0}.",
                           exact_inputs_text(whole)));
        if (proposal) add_sentence(s, tr("Proposed input: {0}.", proposed));
        return out + wrap(s);
    }
    if (!first_inexact) {
        return out + wrap(whole.current_exact
                              ? tr("Yes: at {0} every division is exact, so every window fits and no pixel is dropped.",
                                   at)
                              : tr("Every division is exact at {0}.", at));
    }
    const Stage& st = a.stages[*first_inexact];
    const Layer& l = net.layers[*first_inexact];
    std::string s = tr("No. At {0} the first inexact division is {1}: {2}.", at, st.name, formula_words(st.formula));
    const ExactInputs upto = find_exact_inputs(net, 0, *first_inexact);
    add_sentence(s, tr("Input sizes for which every window up to {0} fits exactly: {1}.", st.name,
                       exact_inputs_text(upto)));
    add_sentence(s, tr("For the whole network: {0}.", exact_inputs_text(whole)));
    if (proposal)
        add_sentence(s, tr("Proposed input: {0} (the nearest exact size above, so nothing is cropped).", proposed));
    out += wrap(s);
    if (l.type == LayerType::Conv && !l.ceil) {
        Layer up = l;
        up.ceil = true;
        const Stage alt = analyze_layer(up, st.index, st.input, ReceptiveField{});
        if (alt.output) {
            out += '\n';
            out += wrap(tr("Rounding this convolution up instead, as cuda-convnet (the code the AlexNet paper ran on) "
                           "does for every convolution, gives {0}: {1}.",
                           dims_text(alt.output->h, alt.output->w), formula_words(alt.formula)));
        }
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
            const std::string& why = st.messages.front().message;
            s = s.empty() ? tr("{0} fails: {1}", st.name, why) : tr("{0}, and {1} fails: {2}", s, st.name, why);
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
    std::string out = heading(tr("Floor or ceil pooling?"));
    bool pooled = false;
    for (const auto& st : rs.floor.analysis.stages)
        pooled |= (st.type == LayerType::MaxPool || st.type == LayerType::AvgPool) && st.output.has_value();
    if (!pooled)
        return out + wrap(tr("At this input size no pooling layer produces an output, so the rounding never matters."));
    if (!rs.first_difference)
        return out + wrap(tr("At this input size rounding every pool down or up gives the same shapes: every pooling "
                             "division is exact, or the difference never shows."));
    const size_t d = *rs.first_difference;
    auto size_or_none = [](const Stage& st) {
        return st.output ? dims_text(st.output->h, st.output->w) : tr("no output");
    };
    std::string s = tr("They first differ at {0}: {1} rounding down, {2} rounding up.", rs.floor.analysis.stages[d].name,
                       size_or_none(rs.floor.analysis.stages[d]), size_or_none(rs.ceil.analysis.stages[d]));
    add_sentence(s, tr("With every pool rounding down the feature maps end at {0}; rounding up, at {1}.",
                       ending(rs.floor), ending(rs.ceil)));
    if (rs.floor.fc_input && rs.ceil.fc_input && rs.floor.fc_input != rs.ceil.fc_input)
        add_sentence(s, tr("The first fully connected layer then receives {0} or {1} inputs: its weight matrix must "
                           "match one of them.",
                           group_digits(rs.floor.fc_input), group_digits(rs.ceil.fc_input)));
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
    std::vector<Row> rows{{tr("input"), std::nullopt}};
    for (const auto& st : a.stages)
        if (st.type == LayerType::Conv || st.type == LayerType::Fc) rows.push_back({st.name, st.index});

    std::string out = heading(tr("Printed against computed"));
    out += wrap(alt ? tr("The source prints these neuron counts: the input, then each convolution and fully connected "
                         "layer. Computed here at the model's input size and at the exact size {0}:",
                         dims_text(*whole.above_h, *whole.above_w))
                    : tr("The source prints these neuron counts: the input, then each convolution and fully connected "
                         "layer. Computed here at the model's input size:"));
    // Columns padded to their width in a terminal: the headings may be Chinese.
    auto cells = [](const std::string& name, const std::string& printed, const std::vector<std::string>& computed) {
        std::string line = "  " + pad_right(name, 8) + " " + pad_left(printed, 12);
        for (const auto& c : computed) {
            line += ' ';
            line += pad_left(c, 12);
        }
        return line;
    };
    std::vector<std::string> at_sizes;
    for (const Analysis* an : sizes) at_sizes.push_back(tr("at {0}", an->input.h));
    out += cells(tr("layer"), tr("printed"), at_sizes) + "\n";
    std::string notes;
    for (size_t i = 0; i < net.printed_neurons.size(); ++i) {
        const int64_t printed = net.printed_neurons[i];
        const Row* row = i < rows.size() ? &rows[i] : nullptr;
        bool match = false;
        std::vector<std::string> computed;
        for (const Analysis* an : sizes) {
            const int64_t value = !row ? 0 : row->stage ? an->stages[*row->stage].activations : an->input.count();
            match |= row && value == printed;
            computed.push_back(row ? group_digits(value) : "—");
        }
        out += cells(row ? row->name : "?", group_digits(printed), computed);
        out += match || !row ? "\n" : "   " + tr("← differs") + "\n";
        if (match || !row || !row->stage) continue;
        std::string note = alt ? tr("{0}: the printed {1} does not follow from the layer's own hyperparameters at "
                                    "either size:",
                                    row->name, group_digits(printed))
                               : tr("{0}: the printed {1} does not follow from the layer's own hyperparameters:",
                                    row->name, group_digits(printed));
        for (const Analysis* an : sizes) {
            const auto& o = an->stages[*row->stage].output;
            if (!o) continue;
            add_sentence(note, tr("{0}·{1}·{2} = {3} at {4}.", o->h, o->w, o->c, group_digits(o->count()),
                                  an->input.h));
        }
        add_sentence(note, tr("The printed figure is a misprint."));
        add_sentence(notes, note);
    }
    if (!notes.empty()) out += wrap(notes);
    return out;
}

std::string totals_section(const Analysis& a) {
    char gflops[64];
    std::snprintf(gflops, sizeof gflops, "%.3g", 2.0 * static_cast<double>(a.totals.macs) / 1e9);
    std::string s = tr("{0} parameters (weights and biases), {1} multiply-accumulates per image ({2} GFLOPs, counting "
                       "a MAC as two operations; bias additions not counted), {3} activation values ({4} bytes as "
                       "float32, in-place ReLU and dropout not counted).",
                       group_digits(a.totals.params), group_digits(a.totals.macs), gflops,
                       group_digits(a.totals.activations), group_digits(a.totals.activation_bytes()));
    if (!a.valid()) {
        if (a.blocked)
            add_sentence(s, a.errors == 1 ? tr("1 layer is invalid; {0} more get no shape; the totals count only the "
                                               "layers that work.",
                                               a.blocked)
                                          : tr("{0} layers are invalid; {1} more get no shape; the totals count only "
                                               "the layers that work.",
                                               a.errors, a.blocked));
        else
            add_sentence(s, a.errors == 1
                                ? tr("1 layer is invalid; the totals count only the layers that work.")
                                : tr("{0} layers are invalid; the totals count only the layers that work.", a.errors));
    }
    return heading(tr("In total")) + wrap(s);
}

}  // namespace

std::string explain_network(const Network& net) {
    const Analysis a = analyze(net);
    const ExactInputs whole = find_exact_inputs(net, 0, net.layers.empty() ? 0 : net.layers.size() - 1);
    std::string out = net.name + "\n" + std::string(display_width(net.name), '=') + "\n";
    if (!net.description.empty()) out += wrap(translated_description(net.description), "");
    if (!net.source.empty()) out += tr("Source: {0}", net.source) + "\n";
    out += heading(tr("The rule"));
    out += wrap(tr("A window of size F sliding with stride S over an input of size W padded by P on each side fits "
                   "N = (W − F + 2P)/S + 1 times. A dilated window spans F_eff = d·(F − 1) + 1 pixels. When the "
                   "division is not exact the count is rounded: down (floor, as Caffe and PyTorch do for convolutions) "
                   "or up (ceil, as Caffe does for pooling and PyTorch with ceil_mode), and the pixels left over are "
                   "never seen or the last window hangs past the edge."));
    out += stages_section(net, a);
    out += tiling_section(net, a, whole);
    out += pooling_section(net);
    out += printed_section(net, a, whole);
    out += totals_section(a);
    return out;
}

}  // namespace convscope
