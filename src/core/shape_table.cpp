#include "core/shape_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/i18n.h"

namespace convscope {

std::optional<TableFormat> parse_table_format(std::string_view s) {
    if (s == "text" || s == "txt") return TableFormat::Text;
    if (s == "csv") return TableFormat::Csv;
    if (s == "md" || s == "markdown") return TableFormat::Markdown;
    if (s == "json") return TableFormat::Json;
    if (s == "latex" || s == "tex") return TableFormat::Latex;
    return std::nullopt;
}

std::string_view format_extension(TableFormat f) {
    switch (f) {
        case TableFormat::Text: return ".txt";
        case TableFormat::Csv: return ".csv";
        case TableFormat::Markdown: return ".md";
        case TableFormat::Json: return ".json";
        case TableFormat::Latex: return ".tex";
    }
    return "";
}

std::string format_name(TableFormat f) {
    switch (f) {
        case TableFormat::Text: return tr("text");
        case TableFormat::Csv: return "CSV";
        case TableFormat::Markdown: return "Markdown";
        case TableFormat::Json: return "JSON";
        case TableFormat::Latex: return "LaTeX";
    }
    return "?";
}

namespace {

std::string hw_text(Hw v) { return compact_dims_text(v.h, v.w); }
std::string kernel_text(Hw v) { return dims_text(v.h, v.w); }

std::string pad_text(const Pad4& p) {
    if (p.uniform()) return std::to_string(p.top);
    if (p.symmetric()) return dims_text(p.top, p.left);
    std::string s = "[";
    s += std::to_string(p.top) + "," + std::to_string(p.left) + "," + std::to_string(p.bottom) + "," +
         std::to_string(p.right) + "]";
    return s;
}

// Shortest decimal that reads back to the same double ("0.0001" → "1e-04" is avoided).
std::string number_text(double v) {
    char buf[32];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

// "warning: …", "error: …".
std::string labelled_message(const Diagnostic& m) {
    switch (m.severity) {
        case Severity::Error: return tr("error: {0}", m.message);
        case Severity::Warning: return tr("warning: {0}", m.message);
        case Severity::Ok: break;
    }
    return tr("ok: {0}", m.message);
}

// One layer's row, as plain strings and numbers; each format decides how to show them.
struct Row {
    const Stage* stage;
    std::string name, type, config, input, output, formula, rf, jump, messages;
    std::string notes;  // the messages the formula does not already show, for the compact formats
};

std::vector<Row> build_rows(const Network& net, const Analysis& a) {
    std::vector<Row> rows;
    for (const Stage& st : a.stages) {
        Row r;
        r.stage = &st;
        r.name = st.name;
        r.type = std::string(type_name(st.type));
        r.config = st.index < net.layers.size() ? layer_summary(net.layers[st.index]) : "";
        r.input = st.input ? shape_text(*st.input) : "—";
        r.output = st.output ? shape_text(*st.output) : "—";
        r.formula = st.formula;
        r.rf = st.output ? compact_dims_text(st.rf.size_h, st.rf.size_w) : "—";
        r.jump = st.output ? compact_dims_text(st.rf.jump_h, st.rf.jump_w) : "—";
        for (const auto& m : st.messages) {
            const std::string labelled = labelled_message(m);
            r.messages = r.messages.empty() ? labelled : tr("{0}; {1}", r.messages, labelled);
            if (!m.rounding) r.notes = r.notes.empty() ? labelled : tr("{0}; {1}", r.notes, labelled);
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

std::string count_or_dash(const Stage& st, int64_t v) { return st.output || v != 0 ? group_digits(v) : "—"; }

std::string totals_line(const Analysis& a) {
    char gflops[64];
    std::snprintf(gflops, sizeof gflops, "%.3g", 2.0 * static_cast<double>(a.totals.macs) / 1e9);
    char mib[64];
    std::snprintf(mib, sizeof mib, "%.2f", static_cast<double>(a.totals.activation_bytes()) / (1024.0 * 1024.0));
    return tr("{0} parameters, {1} MACs ({2} GFLOPs, FLOPs = 2·MACs), {3} activations ({4} MiB as float32)",
              group_digits(a.totals.params), group_digits(a.totals.macs), gflops, group_digits(a.totals.activations),
              mib);
}

std::string format_text(const Network& net, const Analysis& a) {
    const auto rows = build_rows(net, a);
    const std::vector<std::string> headers{"#",         tr("layer"),       tr("type"), tr("hyperparameters"),
                                           tr("input"), tr("output"),      tr("params"), "MACs",
                                           tr("activations"), tr("RF"), tr("jump"), tr("formula")};
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : rows) {
        const Stage& st = *r.stage;
        cells.push_back({std::to_string(st.index + 1), r.name, r.type, r.config, r.input, r.output,
                         count_or_dash(st, st.params), count_or_dash(st, st.macs),
                         count_or_dash(st, st.activations), r.rf, r.jump, r.formula});
    }
    std::vector<size_t> width(headers.size());
    for (size_t c = 0; c < headers.size(); ++c) {
        width[c] = display_width(headers[c]);
        for (const auto& row : cells) width[c] = std::max(width[c], display_width(row[c]));
    }
    const std::vector<bool> numeric{true, false, false, false, false, false, true, true, true, true, true, false};
    auto line = [&](const std::vector<std::string>& row, char status) {
        std::string s(1, status);
        for (size_t c = 0; c < row.size(); ++c) {
            s += " ";
            const bool last = c + 1 == row.size();
            s += last ? row[c] : (numeric[c] ? pad_left(row[c], width[c]) : pad_right(row[c], width[c]));
            if (!last) s += " ";
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s + "\n";
    };
    std::string out = tr("{0} — input {1}", a.model, shape_text(a.input)) + "\n\n";
    out += line(headers, ' ');
    for (size_t i = 0; i < cells.size(); ++i) {
        const Severity sev = rows[i].stage->status;
        out += line(cells[i], sev == Severity::Error ? '!' : sev == Severity::Warning ? '~' : ' ');
    }
    out += "\n" + tr("Total: {0}", totals_line(a)) + "\n";
    if (!a.input_error.empty()) out += "\n" + tr("error: input: {0}", a.input_error) + "\n";
    bool heading = false;
    for (const auto& r : rows) {
        for (const auto& m : r.stage->messages) {
            if (!heading) {
                out += "\n";
                heading = true;
            }
            out += labelled_message({m.severity, tr("{0}: {1}", r.name, m.message)}) + "\n";
        }
    }
    if (heading) out += tr("(~ marks a warning, ! an error)") + "\n";
    return out;
}

std::string format_csv(const Network& net, const Analysis& a) {
    const auto rows = build_rows(net, a);
    // The column names are headings a person reads in a spreadsheet: in the current language.
    std::string out = tr("index,name,type,hyperparameters,in_c,in_h,in_w,out_c,out_h,out_w,params,macs,activations,"
                         "rf_h,rf_w,jump_h,jump_w,exact,status,formula,messages") +
                      "\n";
    auto dims = [](const std::optional<Shape3>& s) {
        return s ? std::to_string(s->c) + "," + std::to_string(s->h) + "," + std::to_string(s->w) : std::string(",,");
    };
    for (const auto& r : rows) {
        const Stage& st = *r.stage;
        const bool known = st.output.has_value();
        out += std::to_string(st.index + 1) + "," + csv_field(r.name) + "," + r.type + "," + csv_field(r.config) +
               "," + dims(st.input) + "," + dims(st.output) + "," + std::to_string(st.params) + "," +
               std::to_string(st.macs) + "," + std::to_string(st.activations) + "," +
               (known ? std::to_string(st.rf.size_h) + "," + std::to_string(st.rf.size_w) + "," +
                            std::to_string(st.rf.jump_h) + "," + std::to_string(st.rf.jump_w)
                      : std::string(",,,")) +
               "," + (st.exact ? "true" : "false") + "," + std::string(severity_name(st.status)) + "," +
               csv_field(r.formula) + "," + csv_field(r.messages) + "\n";
    }
    if (!a.input_error.empty())
        out += "," + csv_field(tr("input")) + ",,,,,,,,,,,,,,,,,error,," + csv_field(tr("error: {0}", a.input_error)) +
               "\n";
    out += "," + csv_field(tr("total")) + ",,,,,,,,," + std::to_string(a.totals.params) + "," +
           std::to_string(a.totals.macs) + "," + std::to_string(a.totals.activations) + ",,,,,,,,\n";
    return out;
}

std::string format_markdown(const Network& net, const Analysis& a) {
    const auto rows = build_rows(net, a);
    std::string title = "**";
    title += md_cell(a.model) + "**";
    std::string out = tr("{0} — input {1}", title, shape_text(a.input)) + "\n\n";
    out += "| # |";
    for (const std::string& h : {tr("layer"), tr("type"), tr("hyperparameters"), tr("output"), tr("formula"),
                                 tr("params"), std::string("MACs"), tr("activations"), tr("RF"), tr("jump")}) {
        out += ' ';
        out += md_cell(h) + " |";
    }
    out += "\n";
    out += "|--:|---|---|---|---|---|--:|--:|--:|--:|--:|\n";
    for (const auto& r : rows) {
        const Stage& st = *r.stage;
        std::string formula = md_cell(r.formula);
        if (!r.notes.empty()) formula += (formula.empty() ? "**" : " **") + md_cell(r.notes) + "**";
        out += "| " + std::to_string(st.index + 1) + " | " + md_cell(r.name) + " | " + r.type + " | " +
               md_cell(r.config) + " | " + r.output + " | " + formula + " | " + count_or_dash(st, st.params) +
               " | " + count_or_dash(st, st.macs) + " | " + count_or_dash(st, st.activations) + " | " + r.rf +
               " | " + r.jump + " |\n";
    }
    out += "| | **" + md_cell(tr("total")) + "** | | | | | **" + group_digits(a.totals.params) + "** | **" +
           group_digits(a.totals.macs) + "** | **" + group_digits(a.totals.activations) + "** | | |\n";
    out += "\n" + md_cell(tr("MACs count multiply-accumulates per image, bias not counted (FLOPs = 2·MACs).")) + "\n";
    return out;
}

std::string format_latex(const Network& net, const Analysis& a) {
    const auto rows = build_rows(net, a);
    std::string out = "\\begin{tabular}{rlllrrrl}\n\\toprule\n\\#";
    for (const std::string& h :
         {tr("layer"), tr("type"), tr("output"), tr("params"), std::string("MACs"), tr("RF"), tr("formula")})
        out += " & " + latex_text(h);
    out += " \\\\\n\\midrule\n";
    for (const auto& r : rows) {
        const Stage& st = *r.stage;
        std::string formula = latex_text(r.formula);
        if (!r.notes.empty()) formula += (formula.empty() ? "\\textbf{" : " \\textbf{") + latex_text(r.notes) + "}";
        out += std::to_string(st.index + 1) + " & " + latex_text(r.name) + " & " + latex_text(r.type) + " & " +
               latex_text(r.output) + " & " + latex_text(count_or_dash(st, st.params)) + " & " +
               latex_text(count_or_dash(st, st.macs)) + " & " + latex_text(r.rf) + " & " + formula + " \\\\\n";
    }
    out += "\\midrule\n & " + latex_text(tr("total")) + " & & & " + latex_text(group_digits(a.totals.params)) + " & " +
           latex_text(group_digits(a.totals.macs)) + " & & \\\\\n\\bottomrule\n\\end{tabular}\n";
    std::string top = "% ";
    top += tr("{0}, input {1}x{2}x{3}. Needs {4}.", a.model, a.input.c, a.input.h, a.input.w,
              "\\usepackage{booktabs}");
    top += "\n";
    return top + latex_cjk_note(top + out) + out;
}

std::string format_json(const Network& net, const Analysis& a) {
    using ojson = nlohmann::ordered_json;
    auto shape = [](const std::optional<Shape3>& s) {
        return s ? ojson::array({s->c, s->h, s->w}) : ojson(nullptr);
    };
    ojson root;
    root["model"] = a.model;
    root["input"] = ojson::array({a.input.c, a.input.h, a.input.w});
    ojson layers = ojson::array();
    for (const Stage& st : a.stages) {
        ojson j;
        j["name"] = st.name;
        j["type"] = std::string(type_name(st.type));
        if (st.index < net.layers.size()) j["hyperparameters"] = layer_summary(net.layers[st.index]);
        j["input"] = shape(st.input);
        j["output"] = shape(st.output);
        j["params"] = st.params;
        j["macs"] = st.macs;
        j["activations"] = st.activations;
        if (st.output)
            j["rf"] = {{"size", ojson::array({st.rf.size_h, st.rf.size_w})},
                       {"jump", ojson::array({st.rf.jump_h, st.rf.jump_w})}};
        else
            j["rf"] = nullptr;
        j["exact"] = st.exact;
        j["formula"] = st.formula;
        j["status"] = std::string(severity_name(st.status));
        ojson messages = ojson::array();
        for (const auto& m : st.messages) messages.push_back(labelled_message(m));
        j["messages"] = std::move(messages);
        layers.push_back(std::move(j));
    }
    root["layers"] = std::move(layers);
    root["totals"] = {{"params", a.totals.params},
                      {"macs", a.totals.macs},
                      {"activations", a.totals.activations},
                      {"activation_bytes", a.totals.activation_bytes()}};
    if (!a.input_error.empty()) root["input_error"] = a.input_error;
    root["errors"] = a.errors;
    root["blocked"] = a.blocked;
    root["warnings"] = a.warnings;
    return root.dump(2) + "\n";
}

}  // namespace

std::string layer_summary(const Layer& l) {
    std::string s;
    // Each part in the current language; a part's key starts with the ", " that joins it on.
    const std::string window = kernel_text(l.kernel) + "/" + hw_text(l.stride);
    auto window_options = [&l]() {
        std::string w;
        if (!(l.pad == Pad4{})) w += tr(", pad {0}", pad_text(l.pad));
        if (!(l.dilation == Hw{1, 1}) && l.type != LayerType::AvgPool) w += tr(", dilation {0}", hw_text(l.dilation));
        if (l.ceil) w += tr(", ceil");
        return w;
    };
    switch (l.type) {
        case LayerType::Conv:
            s = tr("{0}, {1}", l.out, window) + tr(", pad {0}", pad_text(l.pad));
            if (!(l.dilation == Hw{1, 1})) s += tr(", dilation {0}", hw_text(l.dilation));
            if (l.groups != 1) s += tr(", groups {0}", l.groups);
            if (!l.bias) s += tr(", no bias");
            if (l.ceil) s += tr(", ceil");
            break;
        case LayerType::MaxPool: s = tr("max {0}", window) + window_options(); break;
        case LayerType::AvgPool:
            s = tr("avg {0}", window) + window_options();
            if (!l.count_include_pad) s += tr(", pad not counted");
            break;
        case LayerType::AdaptiveAvgPool: s = tr("to {0}", kernel_text(l.output_size)); break;
        case LayerType::Lrn:
            s = l.alpha_over_size ? tr("size {0}, α {1}, β {2}, k {3}", l.lrn_size, number_text(l.alpha),
                                       number_text(l.beta), number_text(l.k))
                                  : tr("size {0}, α {1} (not ÷ size), β {2}, k {3}", l.lrn_size, number_text(l.alpha),
                                       number_text(l.beta), number_text(l.k));
            break;
        case LayerType::Dropout: s = "p " + number_text(l.ratio); break;
        case LayerType::Fc:
            s = l.in_features > 0 ? tr("{0} (from {1})", l.out, l.in_features) : std::to_string(l.out);
            if (!l.bias) s += tr(", no bias");
            break;
        case LayerType::Relu:
        case LayerType::Flatten:
        case LayerType::Softmax: break;
    }
    return s;
}

std::string latex_cjk_note(const std::string& latex) {
    if (!has_wide_chars(latex)) return {};
    std::string note = "% ";
    note += tr("The Chinese text needs XeLaTeX with {0} (or the {1} document class).", "\\usepackage{xeCJK}",
               "ctexart");
    return note + "\n";
}

std::string format_table(const Network& net, const Analysis& a, TableFormat format) {
    switch (format) {
        case TableFormat::Text: return format_text(net, a);
        case TableFormat::Csv: return format_csv(net, a);
        case TableFormat::Markdown: return format_markdown(net, a);
        case TableFormat::Json: return format_json(net, a);
        case TableFormat::Latex: return format_latex(net, a);
    }
    return {};
}

}  // namespace convscope
