// The exports: every format carries the same figures, and each is well-formed for its readers.
#include <doctest/doctest.h>

#include "support.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/presets.h"
#include "core/shape_table.h"

using namespace convscope;
using convscope::test::lines_of;
using convscope::test::preset;

namespace {

// RFC 4180 fields of one CSV record (no embedded newlines in our data).
std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> f(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                f.back() += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                f.back() += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            f.emplace_back();
        } else {
            f.back() += ch;
        }
    }
    return f;
}

size_t display_width(const std::string& s) {
    size_t n = 0;
    for (unsigned char ch : s)
        if ((ch & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

TEST_CASE("format names and extensions") {
    CHECK(parse_table_format("md") == TableFormat::Markdown);
    CHECK(parse_table_format("latex") == TableFormat::Latex);
    CHECK(parse_table_format("csv") == TableFormat::Csv);
    CHECK_FALSE(parse_table_format("pdf"));
    CHECK(format_extension(TableFormat::Latex) == ".tex");
    CHECK(group_digits(60965224) == "60,965,224");
    CHECK(group_digits(999) == "999");
    CHECK(group_digits(-1000) == "-1,000");
}

TEST_CASE("layer summaries") {
    const Network n = preset("alexnet-caffe");
    CHECK(layer_summary(n.layers[0]) == "96, 11×11/4, pad 0");
    CHECK(layer_summary(n.layers[2]) == "size 5, α 0.0001, β 0.75, k 1");
    CHECK(layer_summary(n.layers[3]) == "max 3×3/2, ceil");
    CHECK(layer_summary(n.layers[4]) == "256, 5×5/1, pad 2, groups 2");
    CHECK(layer_summary(n.layers[15]) == "4096 (from 9216)");
    const Network p = preset("alexnet-paper");
    CHECK(layer_summary(p.layers[2]) == "size 5, α 0.0001 (not ÷ size), β 0.75, k 2");
}

TEST_CASE("CSV: one record per layer, the same number of fields in each, raw numbers") {
    const Network n = preset("alexnet-caffe");
    const auto csv = format_table(n, analyze(n), TableFormat::Csv);
    const auto lines = lines_of(csv);
    REQUIRE(lines.size() == n.layers.size() + 2);  // header, layers, total
    const auto header = csv_fields(lines[0]);
    CHECK(header.size() == 21);
    for (const auto& line : lines) CHECK(csv_fields(line).size() == header.size());
    const auto conv1 = csv_fields(lines[1]);
    CHECK(conv1[1] == "conv1");
    CHECK(conv1[3] == "96, 11×11/4, pad 0");  // quoted because of its commas
    CHECK(conv1[7] == "96");
    CHECK(conv1[8] == "55");
    CHECK(conv1[10] == "34944");
    CHECK(conv1[11] == "105415200");
    CHECK(conv1[13] == "11");
    CHECK(conv1[18] == "ok");
    CHECK(conv1[19] == "(227 − 11 + 2·0)/4 + 1 = 55");
    const auto total = csv_fields(lines.back());
    CHECK(total[1] == "total");
    CHECK(total[10] == "60965224");
    CHECK(total[11] == "724406816");
}

TEST_CASE("JSON: the documented keys, fc outputs as [N, 1, 1], errors as null outputs") {
    Network n = preset("alexnet-paper");
    n.layers[3].ceil = false;  // floor pooling after conv1 at 224 …
    n.layers[7].ceil = false;
    n.layers[14].ceil = false;  // … leaves 256×5×5 for fc6, which expects 9216
    const auto j = nlohmann::json::parse(format_table(n, analyze(n), TableFormat::Json));
    CHECK(j["model"] == "AlexNet (paper, 224 as printed)");
    CHECK(j["input"] == nlohmann::json::array({3, 224, 224}));
    REQUIRE(j["layers"].size() == n.layers.size());
    const auto& c1 = j["layers"][0];
    for (const char* key : {"name", "type", "input", "output", "params", "macs", "activations", "rf", "exact",
                            "formula", "status", "messages"})
        CHECK_MESSAGE(c1.contains(key), key);
    CHECK(c1["output"] == nlohmann::json::array({96, 54, 54}));
    CHECK(c1["exact"] == false);
    CHECK(c1["status"] == "warning");
    CHECK(c1["rf"]["size"] == nlohmann::json::array({11, 11}));
    CHECK(c1["rf"]["jump"] == nlohmann::json::array({4, 4}));
    const auto& fc6 = j["layers"][15];
    CHECK(fc6["name"] == "fc6");
    CHECK(fc6["status"] == "error");
    CHECK(fc6["output"].is_null());
    CHECK(fc6["input"] == nlohmann::json::array({256, 5, 5}));
    CHECK(fc6["messages"][0] == "error: expects 9216 input features (its weights are 4096×9216), got 6400 (256×5×5)");
    CHECK(c1["messages"][0] == "warning: non-integer division: 54.25 rounded down to 54; the last 1 column and row are "
                               "never covered");
    CHECK(j["layers"][16]["rf"].is_null());
    CHECK(j["blocked"] == 7);  // relu6 … prob after fc6
    CHECK(j["layers"][16]["output"].is_null());
    CHECK(j["errors"].get<int>() >= 1);
    CHECK(j["totals"].contains("params"));

    const Network c = preset("alexnet-caffe");
    const auto k = nlohmann::json::parse(format_table(c, analyze(c), TableFormat::Json));
    CHECK(k["layers"][15]["output"] == nlohmann::json::array({4096, 1, 1}));
    CHECK(k["totals"]["params"] == 60'965'224);
    CHECK(k["totals"]["macs"] == 724'406'816);
}

TEST_CASE("Markdown: a pipe table with aligned number columns and a bold total") {
    const Network n = preset("alexnet-caffe");
    const auto lines = lines_of(format_table(n, analyze(n), TableFormat::Markdown));
    REQUIRE(lines.size() > 4);
    CHECK(lines[2].rfind("| # | layer | type |", 0) == 0);
    CHECK(lines[3].rfind("|--:|", 0) == 0);
    CHECK(lines[4] ==
          "| 1 | conv1 | conv | 96, 11×11/4, pad 0 | 96×55×55 | (227 − 11 + 2·0)/4 + 1 = 55 | 34,944 | 105,415,200 | "
          "290,400 | 11 | 4 |");
    bool total = false;
    for (const auto& l : lines) total |= l.find("**60,965,224**") != std::string::npos;
    CHECK(total);
}

TEST_CASE("Markdown escapes pipes in names") {
    Network n = preset("lenet5");
    n.layers[0].name = "c|1";
    const auto md = format_table(n, analyze(n), TableFormat::Markdown);
    CHECK(md.find("| c\\|1 |") != std::string::npos);
}

TEST_CASE("LaTeX: booktabs rules, escaped specials, symbols as text commands") {
    Network n = preset("alexnet-caffe");
    n.name = "Net & 50% of_it";
    n.layers[0].name = "conv_1";
    const auto tex = format_table(n, analyze(n), TableFormat::Latex);
    CHECK(tex.find("\\toprule") != std::string::npos);
    CHECK(tex.find("\\midrule") != std::string::npos);
    CHECK(tex.find("\\bottomrule") != std::string::npos);
    CHECK(tex.find("conv\\_1") != std::string::npos);
    CHECK(tex.find("(227 \\textminus{} 11 + 2\\textperiodcentered{}0)/4 + 1 = 55") != std::string::npos);
    CHECK(tex.find("96\\texttimes{}55\\texttimes{}55") != std::string::npos);
    // Every row of the tabular has the 8 columns the preamble declares.
    for (const auto& l : lines_of(tex)) {
        if (l.find("\\\\") == std::string::npos) continue;
        size_t amps = 0;
        for (size_t i = 0; i < l.size(); ++i)
            if (l[i] == '&' && (i == 0 || l[i - 1] != '\\')) ++amps;
        CHECK_MESSAGE(amps == 7, l);
    }
    // The comment line escapes nothing but must not break the document: it starts with %.
    CHECK(tex.rfind("% ", 0) == 0);
}

TEST_CASE("text: columns line up and problems are listed under the table") {
    const Network n = preset("alexnet-paper");
    const auto text = format_table(n, analyze(n), TableFormat::Text);
    const auto lines = lines_of(text);
    // Header on line 3; the "formula" column starts at the same display column in every row that has one.
    const std::string& header = lines[2];
    const size_t formula_at = display_width(header.substr(0, header.find("formula")));
    const auto& conv1 = lines[3];
    CHECK(conv1[0] == '~');  // a warning
    CHECK(display_width(conv1.substr(0, conv1.find("(224"))) == formula_at);
    const auto& pool1 = lines[6];
    CHECK(display_width(pool1.substr(0, pool1.find("(54"))) == formula_at);
    CHECK(text.find("warning: conv1: non-integer division: 54.25 rounded down to 54") != std::string::npos);
    CHECK(text.find("Total: 60,965,224 parameters, 720,608,384 MACs") != std::string::npos);
}

TEST_CASE("Markdown and LaTeX show a rounding warning once, in the formula, and errors in bold") {
    const Network tv = preset("alexnet-torchvision");
    const auto md = format_table(tv, analyze(tv), TableFormat::Markdown);
    CHECK(md.find("55.25 → 55 (floor): the last 1 padded column and row are never used |") != std::string::npos);
    CHECK(md.find("warning:") == std::string::npos);
    Network small = preset("alexnet-caffe");
    small.input = {3, 5, 5};
    const Analysis a = analyze(small);
    const auto md_err = format_table(small, a, TableFormat::Markdown);
    CHECK(md_err.find("the window does not fit **error: the window (11 wide) is larger than the padded input (5)") !=
          std::string::npos);
    const auto tex = format_table(small, a, TableFormat::Latex);
    CHECK(tex.find("\\textbf{error: no input shape: an earlier stage failed}") != std::string::npos);
}

TEST_CASE("CSV: an invalid input shape gets its own record with the message in the messages column") {
    Network n = preset("lenet5");
    n.input = {1, 0, 32};
    const auto lines = lines_of(format_table(n, analyze(n), TableFormat::Csv));
    const auto input_row = csv_fields(lines[lines.size() - 2]);
    REQUIRE(input_row.size() == 21);
    CHECK(input_row[1] == "input");
    CHECK(input_row[18] == "error");
    CHECK(input_row[19] == "");
    CHECK(input_row[20] == "error: the input shape must be positive, got 1×0×32");
}
