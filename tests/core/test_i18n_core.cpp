// The core's text in Chinese: terminal widths of wide characters, the formulas and the derivation as a
// Chinese student reads them, tables that stay aligned, and the same figures in every language.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support.h"

#include "core/explain.h"
#include "core/i18n.h"
#include "core/input_explorer.h"
#include "core/model_io.h"
#include "core/partition.h"
#include "core/presets.h"
#include "core/shape_table.h"
#include "core/text.h"
#include "core/window_arithmetic.h"

using namespace convscope;
using namespace convscope::test;

TEST_CASE("display width counts East Asian wide characters as two columns") {
    CHECK(display_width("abc") == 3);
    CHECK(display_width("") == 0);
    CHECK(display_width("中文") == 4);
    CHECK(display_width("AlexNet 卷积") == 12);     // 7 letters, a space, two ideographs
    CHECK(display_width("×−·→α") == 5);            // the formula symbols are narrow
    CHECK(display_width("，。：（）") == 10);        // fullwidth punctuation
    CHECK(display_width("한국어") == 6);             // Hangul syllables
    CHECK(display_width("かな") == 4);               // hiragana
    CHECK(display_width("ＡＢ") == 4);               // fullwidth Latin
    CHECK(display_width("ｱ") == 1);                 // halfwidth katakana
    CHECK(display_width("\xF0\x9F\x98\x80") == 2);  // U+1F600, an emoji drawn wide
    CHECK(display_width("\xF0\xA0\x80\x80") == 2);  // U+20000, CJK extension B
    CHECK(display_width("\xFF") == 1);              // a stray byte is one character
    CHECK(display_width("\xE4\xB8") == 2);          // a cut sequence: each byte stands alone
    // The edges of the table.
    CHECK_FALSE(is_wide(U'\u10FF'));
    CHECK(is_wide(U'\u1100'));
    CHECK(is_wide(U'\u115F'));
    CHECK_FALSE(is_wide(U'\u1160'));
    CHECK(is_wide(U'\u3000'));  // the ideographic space
    CHECK_FALSE(is_wide(U'\u303F'));
    CHECK(is_wide(U'\uFF01'));
    CHECK(is_wide(U'\uFF60'));
    CHECK_FALSE(is_wide(U'\uFF61'));
    CHECK(is_wide(U'\U0003FFFD'));
    CHECK_FALSE(is_wide(U'\U0003FFFE'));
    CHECK(has_wide_chars("conv1：x"));
    CHECK_FALSE(has_wide_chars("(224 − 11 + 2·0)/4 + 1 = 54.25 → 54"));
    size_t i = 0;
    CHECK(next_code_point("卷", i) == U'卷');
    CHECK(i == 3);
}

TEST_CASE("padding to a display width counts a Chinese character as two columns") {
    CHECK(pad_right("中文", 6) == "中文  ");
    CHECK(pad_left("卷积", 5) == " 卷积");
    CHECK(pad_right("中文", 3) == "中文");  // never cut
    CHECK(pad_left("层", 5) == "   层");
    CHECK(display_width(pad_right("输入 224", 12)) == 12);
}

TEST_CASE("the formula and its rounding in Chinese") {
    ScopedLanguage zh(Language::Chinese);
    const WindowResult alex224 = compute_window(wp(224, 11, 4, 0, 0));
    CHECK(window_formula(alex224) == "(224 − 11 + 2×0)/4 + 1 = 54.25 → 54（向下取整）");
    CHECK(rounding_consequence(alex224, WindowUnit::Both) == "最后 1 行和 1 列从未被窗口覆盖");
    CHECK(rounding_consequence(alex224, WindowUnit::Column) == "最后 1 列从未被窗口覆盖");
    CHECK(window_formula(compute_window(wp(227, 11, 4, 0, 0))) == "(227 − 11 + 2×0)/4 + 1 = 55");
    const WindowResult pool = compute_window(wp(54, 3, 2, 0, 0, 1, Rounding::Ceil));
    CHECK(window_formula(pool) == "(54 − 3 + 2×0)/2 + 1 = 26.5 → 27（向上取整）");
    CHECK(rounding_consequence(pool, WindowUnit::Both) == "最后一个窗口越出输入 1 行和 1 列");
    // (10 − 3 + 2)/2 + 1 = 5.5: five windows reach 4·2 + 3 = 11 of the 12 padded rows; the 12th is padding.
    const WindowResult padded = compute_window(wp(10, 3, 2, 1, 1));
    CHECK(window_formula(padded) == "(10 − 3 + 2×1)/2 + 1 = 5.5 → 5（向下取整）");
    CHECK(rounding_consequence(padded, WindowUnit::Row) == "最后 1 行填充从未被用到");
    CHECK(window_formula(compute_window(wp(5, 11, 4, 0, 0))) == "(5 − 11 + 2×0)/4 + 1 = −0.5：窗口放不下");
    // The same cases in English are untouched.
    set_language(Language::English);
    CHECK(window_formula(alex224) == "(224 − 11 + 2·0)/4 + 1 = 54.25 → 54 (floor)");
    CHECK(rounding_consequence(padded, WindowUnit::Row) == "the last 1 padded row is never used");
}

TEST_CASE("every shipped model's description has a Chinese translation") {
    ScopedLanguage zh(Language::Chinese);
    for (const auto& p : list_presets()) {
        CAPTURE(p.id);
        const Network net = preset(p.id.c_str());
        // list_presets gives it in the current language; the network keeps the English text.
        CHECK(p.description != net.description);
        CHECK(p.description == translated_description(net.description));
        CHECK(has_wide_chars(p.description));
        CHECK_FALSE(has_wide_chars(net.description));
    }
    CHECK(translated_description("my own network") == "my own network");
    set_language(Language::English);
    const Network paper = preset("alexnet-paper");
    CHECK(translated_description(paper.description) == paper.description);
}

TEST_CASE("explain in Chinese: AlexNet's derivation with its numbers") {
    ScopedLanguage zh(Language::Chinese);
    const std::string paper = explain_network(preset("alexnet-paper"));
    const std::string t = flat(paper);
    const std::string s = squeezed(paper);
    auto has = [&s](const std::string& sentence) { return contains(s, squeezed(sentence)); };
    CHECK(has("conv1：96 个 11×11×3 的卷积核在 3×224×224 的输入上滑动，步长 4，无填充。"));
    // A formula is never broken across lines.
    CHECK(contains(t, "N = (224 − 11 + 2×0)/4 + 1 = 54.25 → 54（向下取整）"));
    CHECK(has("54（向下取整）：最后 1 行和 1 列从未被窗口覆盖。"));
    CHECK(has("往下最近是 223，往上最近是 227"));
    CHECK(has("建议输入：227×227"));
    CHECK(contains(t, "(224 − 11 + 2×0)/4 + 1 = 54.25 → 55（向上取整）"));  // cuda-convnet's rounding
    CHECK(has("两者在 pool1 首次出现差别：向下取整得 26×26，向上取整得 27×27。"));
    CHECK(has("每个卷积核只看到 96 个输入通道中的 48 个"));
    CHECK(contains(t, "55×55×96 = 290,400"));
    CHECK(contains(t, "290,400   ← 不符"));
    CHECK(has("共 60,965,224 个参数"));
    CHECK(has("2012 年论文所描述的 AlexNet"));
    // Sentences run together as Chinese is written: no space after 。 or ： within a line.
    const auto lines = lines_of(paper);
    for (const auto& line : lines) {
        CHECK_MESSAGE(!contains(line, "。 "), line);
        CHECK_MESSAGE(!contains(line, "： "), line);
    }
    // Nothing of the English template is left.
    for (const char* word : {"kernels", "stride", "Output", "values", "rounding", "The ", "Proposed", "differs"})
        CHECK_MESSAGE(!contains(t, word), word);

    const std::string caffe = explain_network(preset("alexnet-caffe"));
    CHECK(contains(caffe, "N = (227 − 11 + 2×0)/4 + 1 = 55。"));
    CHECK(contains(squeezed(caffe), squeezed("能。输入为 227×227 时每次除法都是整除")));

    // Wrapped for a terminal: at most 100 columns, a Chinese character counting two.
    for (const auto& line : lines)
        if (!starts_with(line, "出处：")) CHECK_MESSAGE(display_width(line) <= 100, line);
    // The headings are underlined to their width.
    for (size_t i = 0; i + 1 < lines.size(); ++i)
        if (lines[i] == "逐层推导") CHECK(lines[i + 1] == "--------");
}

TEST_CASE("a Chinese text table stays aligned and carries the English numbers") {
    const Network net = with_input(preset("alexnet-caffe"), 224, 224);
    std::string en, zh;
    {
        ScopedLanguage l(Language::English);
        en = format_table(net, analyze(net), TableFormat::Text);
    }
    {
        ScopedLanguage l(Language::Chinese);
        zh = format_table(net, analyze(net), TableFormat::Text);
    }
    const auto e = lines_of(en), z = lines_of(zh);
    REQUIRE(e.size() == z.size());
    CHECK(z[0] == "AlexNet (Caffe) — 输入 3×224×224");
    const std::string& header = z[2];
    CHECK(starts_with(header, "   #  层     类型     超参数"));
    // Every row's formula starts in the column of the heading "公式", and shows the English row's numbers.
    const size_t formula_at = display_width(header.substr(0, header.find("公式")));
    const Analysis a = analyze(net);
    for (size_t i = 3; i < 3 + net.layers.size(); ++i) {
        CAPTURE(z[i]);
        const size_t at = z[i].find(" (");
        if (at != std::string::npos) CHECK(display_width(z[i].substr(0, at + 1)) == formula_at);
        const Stage& st = a.stages[i - 3];
        for (const int64_t v : {st.params, st.macs, st.activations}) {
            std::string cell = " ";
            cell += group_digits(v) + " ";
            CHECK(contains(e[i], cell));
            CHECK(contains(z[i], cell));
        }
        CHECK(contains(z[i], " " + st.name + " "));
    }
    CHECK(contains(zh, "\n~  1  conv1  conv     96，11×11/4，填充 0  "));
    CHECK(contains(zh, "合计：参数 60,965,224 个，乘加运算 720,608,384 次"));
    CHECK(contains(zh, "警告：conv1：N = 54.25 不是整数，向下取整为 54；最后 1 行和 1 列从未被窗口覆盖"));
    CHECK(contains(zh, "（~ 表示警告，! 表示错误）"));
}

TEST_CASE("a Chinese partition table: every row the same width") {
    ScopedLanguage zh(Language::Chinese);
    const Network net = preset("alexnet-paper");
    const Partition p = partition_network(net, analyze(net), 2, 128);
    REQUIRE(p.ok());
    const std::string all = format_partition(net, p, TableFormat::Text);
    const auto lines = lines_of(all);
    REQUIRE(lines.size() > net.layers.size() + 4);
    CHECK(lines[0] == "AlexNet (paper, 224 as printed)，分到 2 个设备上，批大小 128，float32；各设备的值用 + 连接");
    // The heading, one row a layer and the totals: right-aligned last column, so one width for all.
    const size_t width = display_width(lines[2]);
    CHECK(starts_with(lines[2], "   # 层    类型    交换"));
    for (size_t i = 2; i < 2 + 1 + net.layers.size() + 1; ++i) CHECK_MESSAGE(display_width(lines[i]) == width, lines[i]);
    CHECK(contains(all, "conv3（全收集）：读取全部输入通道：每个设备先收集其他设备的输出"));
    CHECK(contains(all, "设备 0 1864.4 MiB（3 GB 显卡放得下）"));
}

TEST_CASE("exports in Chinese: headings translated, JSON keys and data words kept") {
    const Network net = preset("alexnet-caffe");
    std::string en_json, zh_json, zh_latex, en_latex, zh_csv;
    {
        ScopedLanguage l(Language::English);
        const Analysis a = analyze(net);
        en_json = format_table(net, a, TableFormat::Json);
        en_latex = format_table(net, a, TableFormat::Latex);
    }
    {
        ScopedLanguage l(Language::Chinese);
        const Analysis a = analyze(net);
        zh_json = format_table(net, a, TableFormat::Json);
        zh_latex = format_table(net, a, TableFormat::Latex);
        zh_csv = format_table(net, a, TableFormat::Csv);
    }
    const auto je = nlohmann::json::parse(en_json), jz = nlohmann::json::parse(zh_json);
    REQUIRE(je["layers"].size() == jz["layers"].size());
    for (size_t i = 0; i < je["layers"].size(); ++i) {
        const auto& a = je["layers"][i];
        const auto& b = jz["layers"][i];
        for (const auto& item : a.items()) CHECK_MESSAGE(b.contains(item.key()), item.key());
        for (const char* key : {"name", "type", "input", "output", "params", "macs", "activations", "rf", "exact", "status"})
            CHECK(a[key] == b[key]);
    }
    CHECK(jz["totals"] == je["totals"]);
    CHECK(jz["layers"][0]["hyperparameters"] == "96，11×11/4，填充 0");
    CHECK(jz["layers"][0]["formula"] == "(227 − 11 + 2×0)/4 + 1 = 55");
    // LaTeX: Chinese headings, and a note that they need XeLaTeX with xeCJK; none in English.
    CHECK(contains(zh_latex, "\\# & 层 & 类型 & 输出 & 参数量 & MACs & 感受野 & 公式 \\\\"));
    CHECK(contains(zh_latex, "% 中文需用 XeLaTeX 编译，并加载 \\usepackage{xeCJK}"));
    CHECK(contains(zh_latex, "需要 \\usepackage{booktabs}"));
    CHECK_FALSE(contains(en_latex, "xeCJK"));
    // CSV: Chinese column names, the data words (type names, true/false, status) as in English.
    CHECK(starts_with(zh_csv, "序号,名称,类型,超参数,输入通道,输入高,输入宽,输出通道,输出高,输出宽,参数量,乘加运算,激活值,"));
    CHECK(contains(zh_csv, "\n4,pool1,maxpool,最大 3×3/2，向上取整,96,55,55,96,27,27,0,0,69984,19,19,8,8,true,ok,"));
}

TEST_CASE("model file errors in Chinese keep the place in the file") {
    ScopedLanguage zh(Language::Chinese);
    const auto r = parse_network_json(R"({"input": [3, 32, 32], "layers": [{"type": "conv", "out": 8, "kernel": 3, "stride": 0}]})");
    CHECK(r.error == "layers[0].stride：必须 ≥ 1，实际为 0");
    const auto t = parse_network_json(R"({"input": [3, 32, 32], "layers": [{"type": "pool"}]})");
    CHECK(t.error == "layers[0].type：未知的层类型 \"pool\"（可选：conv, maxpool, avgpool, adaptive_avgpool, lrn, relu, "
                     "dropout, flatten, fc, softmax）");
    const auto k = parse_network_json(R"({"input": [3, 32, 32], "layers": [{"type": "fc", "out": 2, "kernel": 3}]})");
    CHECK(k.error == "layers[0].kernel：fc 层没有这个键（可用的键：name, type, bias, in, out）");
    const auto b = parse_network_json("{\n  \"input\": [3, 8, 8],\n  \"layers\": [,]\n}\n");
    CHECK(starts_with(b.error, "不是有效的 JSON（第 3 行，第 "));
    const auto p = load_preset("lenet");
    CHECK(starts_with(p.error, "未知的预设模型 \"lenet\"（已有：alexnet-caffe, alexnet-paper"));
}
