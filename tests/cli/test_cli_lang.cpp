// The command line's --lang: the derivation and the tables in Chinese, the same figures as in English,
// usage errors for an unknown language, and no language carried over from one run to the next.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/shape_engine.h"
#include "core/text.h"
#include "support.h"

using namespace convscope;
using namespace convscope::test;

namespace {

std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> f(1);
    bool quoted = false;
    for (char ch : line) {
        if (ch == '"') quoted = !quoted;  // our fields hold no quotes of their own
        else if (ch == ',' && !quoted) f.emplace_back();
        else f.back() += ch;
    }
    return f;
}

}  // namespace

TEST_CASE("explain --lang zh derives AlexNet in Chinese") {
    ScopedLanguage keep;
    const Run r = run({"explain", "--lang", "zh"});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    const std::string s = squeezed(r.out);
    CHECK(contains(r.out, "\n逐层推导\n--------\n"));
    CHECK(contains(s, squeezed("conv1：96 个 11×11×3 的卷积核在 3×224×224 的输入上滑动")));
    // The 224 story: 54.25 is no whole number of windows (the formula is never broken across lines).
    CHECK(contains(r.out, "N = (224 − 11 + 2×0)/4 + 1 = 54.25 → 54（向下取整）"));
    CHECK(contains(s, squeezed("建议输入：227×227（往上最近的可整除尺寸，这样不会裁掉任何像素）")));
    CHECK(contains(s, squeezed("共 60,965,224 个参数")));

    // At 227 the first layer's arithmetic is exact: (227 − 11 + 2×0)/4 + 1 = 55 — with the kernel of 11, not
    // the 55 of its output put in its place.
    const Run caffe = run({"explain", "--preset", "alexnet-caffe", "--lang=zh"});
    CHECK(caffe.code == 0);
    CHECK(contains(squeezed(caffe.out), squeezed("conv1：96 个 11×11×3 的卷积核在 3×227×227 的输入上滑动，步长 4，无填充。"
                                                 "N = (227 − 11 + 2×0)/4 + 1 = 55。输出 96×55×55 = 290,400 个值")));
    CHECK(contains(caffe.out, "N = (227 − 11 + 2×0)/4 + 1 = 55。"));
    CHECK_FALSE(contains(caffe.out, "(224 − 55"));
}

TEST_CASE("table --lang zh: Chinese headings, the same numbers as in English") {
    ScopedLanguage keep;
    const Run en = run({"table", "--format", "csv"});
    const Run zh = run({"table", "--format", "csv", "--lang", "zh"});
    REQUIRE(en.code == 0);
    REQUIRE(zh.code == 0);
    const auto e = lines_of(en.out), z = lines_of(zh.out);
    REQUIRE(e.size() == z.size());
    CHECK(starts_with(e[0], "index,name,type,hyperparameters,in_c"));
    CHECK(z[0] == "序号,名称,类型,超参数,输入通道,输入高,输入宽,输出通道,输出高,输出宽,参数量,乘加运算,激活值,感受野高,"
                  "感受野宽,跳距高,跳距宽,整除,状态,公式,消息");
    for (size_t i = 1; i < e.size(); ++i) {
        CAPTURE(z[i]);
        const auto fe = csv_fields(e[i]), fz = csv_fields(z[i]);
        REQUIRE(fe.size() == fz.size());
        // Index, type, every count and size, exact and status: data, the same in both languages.
        for (size_t col : {0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}) CHECK(fe[col] == fz[col]);
    }
    CHECK(contains(zh.out, "\n1,conv1,conv,96，11×11/4，填充 0,3,227,227,96,55,55,34944,105415200,290400,11,11,4,4,"
                           "true,ok,(227 − 11 + 2×0)/4 + 1 = 55,\n"));
    CHECK(contains(zh.out, "\n,合计,,,,,,,,,60965224,724406816,1259760,"));

    const Run md = run({"table", "--format", "md", "--lang", "zh"});
    CHECK(md.code == 0);
    CHECK(contains(md.out, "**AlexNet (Caffe)** — 输入 3×227×227"));
    CHECK(contains(md.out, "| # | 层 | 类型 | 超参数 | 输出 | 公式 | 参数量 | MACs | 激活值 | 感受野 | 跳距 |"));
    CHECK(contains(md.out, "| 1 | conv1 | conv | 96，11×11/4，填充 0 | 96×55×55 | (227 − 11 + 2×0)/4 + 1 = 55 | 34,944 | "
                           "105,415,200 | 290,400 | 11 | 4 |"));
    CHECK(contains(md.out, "| | **合计** | | | | | **60,965,224** | **724,406,816** | **1,259,760** | | |"));
}

TEST_CASE("table --lang zh as text: every column lines up in a terminal") {
    ScopedLanguage keep;
    const Run r = run({"table", "--lang", "zh", "--preset", "alexnet-paper"});
    CHECK(r.code == 0);  // warnings only
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() > 26);
    const std::string& header = lines[2];
    // The numeric columns end where their headings end, Chinese headings counting two columns a character;
    // the formulas start where "公式" does.
    const size_t jump_end = display_width(header.substr(0, header.find("跳距") + std::string("跳距").size()));
    const size_t formula_at = display_width(header.substr(0, header.find("公式")));
    const Network net = preset("alexnet-paper");
    const Analysis a = analyze(net);  // in Chinese, as the run left it
    for (size_t i = 3; i < 3 + net.layers.size(); ++i) {
        CAPTURE(lines[i]);
        const std::string& l = lines[i];
        const std::string& formula = a.stages[i - 3].formula;
        const std::string head = formula.empty() ? l : l.substr(0, l.find("  " + formula));
        CHECK(display_width(head) == jump_end);
        if (!formula.empty()) CHECK(display_width(l.substr(0, l.find(formula))) == formula_at);
    }
    CHECK(contains(r.out, "\n警告：conv1：N = 54.25 不是整数，向下取整为 54；最后 1 行和 1 列从未被窗口覆盖\n"));
    const Run bad = run({"table", "--lang", "zh", "--input", "5"});
    CHECK(bad.code == 1);
    CHECK(contains(bad.out, "错误：conv1：窗口（宽 11）比填充后的输入（5）还大：一个位置也放不下，因此没有输出"));
}

TEST_CASE("partition and presets with --lang zh") {
    ScopedLanguage keep;
    const Run p = run({"partition", "--lang", "zh"});
    CHECK(p.code == 0);
    CHECK(contains(p.out, "AlexNet (paper, 224 as printed)，分到 2 个设备上，批大小 128"));
    CHECK(contains(p.out, "   9 conv3 conv    全收集     192+192"));
    const Run json = run({"partition", "--lang", "zh", "--format", "json"});
    const auto j = nlohmann::json::parse(json.out);
    CHECK(j["stages"][8]["exchange"] == "all-gather");  // an identifier: not translated
    CHECK(j["stages"][8]["why"] == "读取全部输入通道：每个设备先收集其他设备的输出");
    const Run presets = run({"presets", "--lang", "zh"});
    CHECK(contains(presets.out, "alexnet-caffe         AlexNet (Caffe)\n"));  // names stay names
    const Run none = run({"--lang", "zh"});
    CHECK(contains(none.out, "更多：`convscope explain` 用文字逐层推导这些形状"));
}

TEST_CASE("--lang: an unknown language or a missing value is a usage error") {
    ScopedLanguage keep;
    const Run fr = run({"table", "--lang", "fr"});
    CHECK(fr.code == 2);
    CHECK(fr.out.empty());
    CHECK(contains(fr.err, "--lang"));
    CHECK(contains(fr.err, "fr"));
    CHECK(run({"explain", "--lang"}).code == 2);
    CHECK(run({"--lang=de"}).code == 2);
    CHECK(run({"table", "--lang", "en"}).code == 0);
}

TEST_CASE("the language of one run does not carry over to the next") {
    ScopedLanguage keep;
    const Run zh = run({"table", "--lang", "zh"});
    CHECK(contains(zh.out, "合计："));
    const Run plain = run({"table"});  // the tests' locale is C: English
    CHECK(contains(plain.out, "Total: 60,965,224 parameters"));
    CHECK_FALSE(has_wide_chars(plain.out));
    const Run again = run({"explain", "--lang", "zh"});
    CHECK(contains(again.out, "逐层推导"));
    const Run en = run({"explain", "--lang", "en"});
    CHECK(contains(en.out, "Stage by stage"));
    CHECK_FALSE(has_wide_chars(en.out));
    // A bad model file: the message in the language asked for, with its place in the file.
    TempDir dir;
    const std::string bad = dir.file("bad.json", R"({"input": [3, 32, 32], "layers": [{"type": "conv", "out": 8, "kernel": 3, "stride": 0}]})");
    const Run e = run({"table", "--model", bad, "--lang", "zh"});
    CHECK(e.code == 2);
    CHECK(contains(e.err, bad + "：layers[0].stride：必须 ≥ 1，实际为 0"));
}
