// The languages: placeholders, locale names, fallback to English, the compiled-in catalogs — and
// that every text the sources hand to tr()/trc() has its Chinese translation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "core/i18n.h"
#include "support.h"

using namespace convscope;

namespace {

// Restores the language and the locale variables a test changes.
struct LanguageGuard {
    test::ScopedLanguage lang;
    std::vector<std::pair<std::string, std::optional<std::string>>> env;
    void set_env(const char* name, const char* value) {
        const char* old = std::getenv(name);
        env.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
        if (value)
            setenv(name, value, 1);
        else
            unsetenv(name);
    }
    ~LanguageGuard() {
        for (auto it = env.rbegin(); it != env.rend(); ++it) {
            if (it->second)
                setenv(it->first.c_str(), it->second->c_str(), 1);
            else
                unsetenv(it->first.c_str());
        }
    }
};

// ---- reading the keys out of the sources ---------------------------------------------------------

struct Use {
    std::string file;
    int line = 0;
    std::string key;  // empty when the call's text is not a string literal
};

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Skips blanks and comments from `i`.
size_t skip_space(const std::string& s, size_t i) {
    while (i < s.size()) {
        if (std::isspace(static_cast<unsigned char>(s[i]))) {
            ++i;
        } else if (s.compare(i, 2, "//") == 0) {
            i = s.find('\n', i);
            if (i == std::string::npos) return s.size();
        } else if (s.compare(i, 2, "/*") == 0) {
            i = s.find("*/", i);
            if (i == std::string::npos) return s.size();
            i += 2;
        } else {
            break;
        }
    }
    return i;
}

// One or more adjacent string literals from `i` ("a" "b" → ab); false when there is none.
bool read_literals(const std::string& s, size_t& i, std::string& out) {
    bool any = false;
    for (size_t j = skip_space(s, i); j < s.size() && s[j] == '"'; j = skip_space(s, i)) {
        any = true;
        for (j = j + 1; j < s.size() && s[j] != '"'; ++j) {
            if (s[j] == '\\' && j + 1 < s.size()) {
                const char e = s[++j];
                out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
            } else {
                out += s[j];
            }
        }
        i = j + 1;
    }
    return any;
}

// Every tr( / trc( / tr_in( call in the C++ sources under src/, except the catalog's own code.
std::vector<Use> uses_in_sources() {
    std::vector<Use> uses;
    const std::filesystem::path root = std::filesystem::path(CONVSCOPE_SOURCE_DIR) / "src";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        const auto ext = entry.path().extension();
        if (ext != ".cpp" && ext != ".h") continue;
        if (entry.path().filename() == "i18n.h" || entry.path().filename() == "i18n.cpp") continue;
        std::ifstream in(entry.path());
        std::stringstream buf;
        buf << in.rdbuf();
        const std::string s = buf.str();
        for (const char* fn : {"tr(", "trc(", "tr_in("}) {
            const std::string name = fn;
            for (size_t at = s.find(name); at != std::string::npos; at = s.find(name, at + 1)) {
                if (at > 0 && (ident_char(s[at - 1]) || s[at - 1] == '.' || s[at - 1] == '>')) continue;
                Use u;
                u.file = std::filesystem::relative(entry.path(), CONVSCOPE_SOURCE_DIR).string();
                u.line = 1 + static_cast<int>(std::count(s.begin(), s.begin() + static_cast<long>(at), '\n'));
                size_t i = at + name.size();
                // tr_in(lang, "…") and trc(lang, "…"): the text is the second argument.
                if (name != "tr(") {
                    const size_t j = skip_space(s, i);
                    if (j < s.size() && s[j] != '"') {
                        const size_t comma = s.find(',', j);
                        const size_t close = s.find(')', j);
                        if (comma != std::string::npos && comma < close) i = comma + 1;
                    }
                }
                if (!read_literals(s, i, u.key)) u.key.clear();
                uses.push_back(u);
            }
        }
    }
    return uses;
}

}  // namespace

TEST_CASE("placeholders are filled by number, in any order, and braces can be written") {
    CHECK(fill_placeholders("{0} of {1}", {"3", "55"}) == "3 of 55");
    CHECK(fill_placeholders("第 {1} 个中的第 {0} 个", {"3", "55"}) == "第 55 个中的第 3 个");
    CHECK(fill_placeholders("{0}{0}", {"ab"}) == "abab");
    CHECK(fill_placeholders("{{0}} stays", {"x"}) == "{0} stays");
    CHECK(fill_placeholders("{2} has no value", {"x"}) == "{2} has no value");
    CHECK(fill_placeholders("{name} is not a placeholder", {"x"}) == "{name} is not a placeholder");
    CHECK(placeholders("{1} of {0}, {1}") == std::vector<int>{0, 1});
    CHECK(placeholders("{{0}} and {x}").empty());
}

TEST_CASE("language names and locale strings") {
    CHECK(parse_language("en") == Language::English);
    CHECK(parse_language("zh") == Language::Chinese);
    CHECK(parse_language("zh_CN.UTF-8") == Language::Chinese);
    CHECK(parse_language("zh-Hans") == Language::Chinese);
    CHECK(parse_language("en_GB.UTF-8") == Language::English);
    CHECK(parse_language("C.UTF-8") == Language::English);
    CHECK_FALSE(parse_language("fr_FR.UTF-8").has_value());
    CHECK_FALSE(parse_language("").has_value());
    CHECK(std::string(language_code(Language::Chinese)) == "zh");
    CHECK(std::string(language_name(Language::Chinese)) == "简体中文");
}

TEST_CASE("the system language follows the locale variables in gettext's order") {
    LanguageGuard g;
    g.set_env("LANGUAGE", nullptr);
    g.set_env("LC_ALL", nullptr);
    g.set_env("LC_MESSAGES", nullptr);
    g.set_env("LANG", "zh_CN.UTF-8");
    CHECK(system_language() == Language::Chinese);
    g.set_env("LC_MESSAGES", "en_US.UTF-8");
    CHECK(system_language() == Language::English);
    g.set_env("LC_ALL", "zh_TW.UTF-8");
    CHECK(system_language() == Language::Chinese);
    g.set_env("LANGUAGE", "en:zh");
    CHECK(system_language() == Language::English);
    g.set_env("LC_ALL", "C");  // LANGUAGE is ignored under the C locale
    CHECK(system_language() == Language::English);
    g.set_env("LANGUAGE", "zh");
    CHECK(system_language() == Language::English);
    g.set_env("LC_ALL", "de_DE.UTF-8");  // no German: English
    g.set_env("LANGUAGE", nullptr);
    CHECK(system_language() == Language::English);
}

TEST_CASE("tr translates into the current language and falls back to English") {
    LanguageGuard g;
    const auto& zh = catalog(Language::Chinese);
    REQUIRE_FALSE(zh.empty());
    const auto& [key, text] = *zh.begin();
    set_language(Language::English);
    CHECK(tr(key) == key);
    CHECK(std::string(trc(key.c_str())) == key);
    set_language(Language::Chinese);
    CHECK(tr(key) == text);
    CHECK(std::string(trc(key.c_str())) == text);
    CHECK(tr("a text nobody translated {0}", 7) == "a text nobody translated 7");
    CHECK(tr_in(Language::English, key) == key);
    CHECK(catalog(Language::English).empty());
}

TEST_CASE("the compiled-in catalogs are sound") {
    const auto problems = catalog_problems();
    for (const auto& p : problems) MESSAGE(p);
    CHECK(problems.empty());
}

TEST_CASE("every text handed to tr has a Chinese translation, and every translation is used") {
    const auto uses = uses_in_sources();
    REQUIRE(uses.size() > 10);
    const auto& zh = catalog(Language::Chinese);
    std::set<std::string> keys;
    std::vector<std::string> not_literal, missing;
    for (const Use& u : uses) {
        if (u.key.empty()) {
            not_literal.push_back(u.file + ":" + std::to_string(u.line));
            continue;
        }
        keys.insert(u.key);
        if (!zh.count(u.key)) missing.push_back(u.file + ":" + std::to_string(u.line) + ": \"" + u.key + "\"");
    }
    std::vector<std::string> unused;
    for (const auto& [key, text] : zh)
        if (!keys.count(key)) unused.push_back("\"" + key + "\"");
    for (const auto& m : not_literal) MESSAGE("tr() is given something other than a string literal at " << m);
    for (const auto& m : missing) MESSAGE("no Chinese translation: " << m);
    for (const auto& m : unused) MESSAGE("a translation no source uses: " << m);
    CHECK(not_literal.empty());
    CHECK(missing.empty());
    CHECK(unused.empty());
}
