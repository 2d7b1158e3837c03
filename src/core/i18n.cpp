#include "core/i18n.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/embedded_file.h"

namespace convscope {

// assets/i18n/<lang>.<part>.json, compiled in; each entry is named "<lang>.<part>".
extern const EmbeddedFile kCatalogFiles[];
extern const size_t kCatalogFilesCount;

namespace {

std::atomic<Language> g_language{Language::English};

using Catalog = std::map<std::string, std::string, std::less<>>;

struct Catalogs {
    Catalog by_language[std::size(kAllLanguages)];
    std::vector<std::string> problems;
};

const Catalogs& catalogs() {
    static const Catalogs all = [] {
        Catalogs c;
        for (size_t i = 0; i < kCatalogFilesCount; ++i) {
            const EmbeddedFile& f = kCatalogFiles[i];
            const std::string name = f.name;
            const auto lang = parse_language(name.substr(0, name.find('.')));
            if (!lang || *lang == Language::English) {
                c.problems.push_back(name + ".json: the name does not start with a translated language code");
                continue;
            }
            nlohmann::json j = nlohmann::json::parse(f.text(), nullptr, false);
            if (j.is_discarded() || !j.is_object()) {
                c.problems.push_back(name + ".json: not a JSON object of \"English\": \"translation\" pairs");
                continue;
            }
            Catalog& cat = c.by_language[static_cast<size_t>(*lang)];
            for (const auto& [key, value] : j.items()) {
                if (!value.is_string()) {
                    c.problems.push_back(name + ".json: \"" + key + "\" is not given a string");
                    continue;
                }
                const std::string text = value.get<std::string>();
                if (placeholders(key) != placeholders(text)) {
                    c.problems.push_back(name + ".json: \"" + key + "\" and its translation use different placeholders");
                }
                auto [it, inserted] = cat.emplace(key, text);
                if (!inserted && it->second != text) {
                    c.problems.push_back(name + ".json: \"" + key + "\" is translated twice, differently");
                }
            }
        }
        return c;
    }();
    return all;
}

// The catalog's text for `english` in `lang`; nullptr for English and for a text it lacks.
const std::string* translation(Language lang, std::string_view english) {
    if (lang == Language::English) return nullptr;
    const Catalog& cat = catalogs().by_language[static_cast<size_t>(lang)];
    const auto it = cat.find(english);
    return it == cat.end() ? nullptr : &it->second;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

}  // namespace

Language language() { return g_language.load(std::memory_order_relaxed); }

void set_language(Language lang) { g_language.store(lang, std::memory_order_relaxed); }

std::optional<Language> parse_language(std::string_view code) {
    const std::string c = lower(code);
    // The language part of a locale name: "zh_CN.UTF-8" → "zh", "en-GB" → "en".
    const std::string head = c.substr(0, c.find_first_of("_-.@"));
    if (head == "en" || head == "c" || head == "posix" || head == "english") return Language::English;
    if (head == "zh" || head == "chinese") return Language::Chinese;
    return std::nullopt;
}

Language system_language() {
    // gettext's order: LANGUAGE (a list, first entry) unless the locale is "C", then LC_ALL,
    // LC_MESSAGES, LANG.
    auto get = [](const char* name) -> std::string {
        const char* v = std::getenv(name);
        return v ? std::string(v) : std::string();
    };
    std::string locale;
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        locale = get(name);
        if (!locale.empty()) break;
    }
    const std::string list = get("LANGUAGE");
    if (!list.empty() && !locale.empty() && locale != "C" && locale != "POSIX") {
        if (auto l = parse_language(list.substr(0, list.find(':')))) return *l;
    }
    if (auto l = parse_language(locale)) return *l;
    return Language::English;
}

const char* language_code(Language lang) { return lang == Language::Chinese ? "zh" : "en"; }

const char* language_name(Language lang) { return lang == Language::Chinese ? "简体中文" : "English"; }

const char* trc(Language lang, const char* english) {
    const std::string* t = translation(lang, english);
    return t ? t->c_str() : english;
}

const char* trc(const char* english) { return trc(language(), english); }

namespace i18n_detail {
std::string translate(Language lang, std::string_view english) {
    const std::string* t = translation(lang, english);
    return t ? *t : std::string(english);
}
}  // namespace i18n_detail

std::string fill_placeholders(std::string_view text, const std::vector<std::string>& args) {
    std::string out;
    out.reserve(text.size() + 16);
    for (size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if ((ch == '{' || ch == '}') && i + 1 < text.size() && text[i + 1] == ch) {
            out += ch;
            ++i;
            continue;
        }
        if (ch == '{') {
            const size_t close = text.find('}', i);
            const std::string_view inner =
                close == std::string_view::npos ? std::string_view() : text.substr(i + 1, close - i - 1);
            if (!inner.empty() && inner.size() <= 2 &&
                std::all_of(inner.begin(), inner.end(), [](char d) { return d >= '0' && d <= '9'; })) {
                const size_t index = static_cast<size_t>(std::stoi(std::string(inner)));
                if (index < args.size()) {
                    out += args[index];
                    i = close;
                    continue;
                }
            }
        }
        out += ch;
    }
    return out;
}

std::vector<int> placeholders(std::string_view text) {
    std::vector<int> found;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((text[i] == '{' || text[i] == '}') && i + 1 < text.size() && text[i + 1] == text[i]) {
            ++i;
            continue;
        }
        if (text[i] != '{') continue;
        size_t j = i + 1;
        int value = 0;
        while (j < text.size() && j - i <= 2 && text[j] >= '0' && text[j] <= '9') value = value * 10 + (text[j++] - '0');
        if (j > i + 1 && j < text.size() && text[j] == '}') found.push_back(value);
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return found;
}

const std::map<std::string, std::string, std::less<>>& catalog(Language lang) {
    return catalogs().by_language[static_cast<size_t>(lang)];
}

std::vector<std::string> catalog_problems() { return catalogs().problems; }

}  // namespace convscope
