// The interface's languages: English and Simplified Chinese. The English text written in the code is
// the key; the Chinese catalogs (assets/i18n/zh.*.json, compiled in) map each key to its translation.
// tr() looks a text up in the current language and fills its {0}, {1}, … placeholders, so a
// translation may put the numbers in another order. A text with no translation falls back to English.
//
// The language is one process-wide setting, read by every thread (the app's worker formats messages
// too); the catalogs are built once and never change afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace convscope {

enum class Language { English, Chinese };

inline constexpr Language kAllLanguages[] = {Language::English, Language::Chinese};

Language language();
void set_language(Language lang);

// "en", "zh", and locale names such as "zh_CN.UTF-8", "zh-Hans", "en_GB"; nothing for anything else.
std::optional<Language> parse_language(std::string_view code);

// The language the system asks for: the first of LC_ALL, LC_MESSAGES, LANG that is set (LANGUAGE's
// first entry before those, as gettext does). English when none names a known language.
Language system_language();

const char* language_code(Language lang);  // "en", "zh"
const char* language_name(Language lang);  // in its own language: "English", "简体中文"

// The text in the current language; the pointer lives as long as the program (the key itself when
// there is no translation). For ImGui labels and other places that want a C string.
const char* trc(const char* english);
const char* trc(Language lang, const char* english);

// Fills {0}, {1}, … in `text` with `args` ("{{" and "}}" stand for braces).
std::string fill_placeholders(std::string_view text, const std::vector<std::string>& args);

namespace i18n_detail {
inline std::string arg_text(const std::string& s) { return s; }
inline std::string arg_text(std::string_view s) { return std::string(s); }
inline std::string arg_text(const char* s) { return s; }
template <typename T>
    requires std::is_integral_v<T>
std::string arg_text(T v) {
    return std::to_string(v);
}
std::string translate(Language lang, std::string_view english);
}  // namespace i18n_detail

// The text in `lang`, whatever the current language is, with its placeholders filled (exports, tests).
template <typename... Args>
std::string tr_in(Language lang, std::string_view english, const Args&... args) {
    std::string text = i18n_detail::translate(lang, english);
    if constexpr (sizeof...(Args) == 0) {
        return text;
    } else {
        return fill_placeholders(text, {i18n_detail::arg_text(args)...});
    }
}

// The text in the current language with its placeholders filled: tr("{0} of {1}", done, total).
template <typename... Args>
std::string tr(std::string_view english, const Args&... args) {
    return tr_in(language(), english, args...);
}

// The compiled-in catalog of a language: English key → translation (empty for English).
const std::map<std::string, std::string, std::less<>>& catalog(Language lang);

// What is wrong with the compiled-in catalogs: a file that does not parse, a key given twice with
// different translations, a translation whose placeholders differ from its key's. Empty when sound.
std::vector<std::string> catalog_problems();

// The placeholders a text uses, sorted: "{1} of {0}" → {0, 1}.
std::vector<int> placeholders(std::string_view text);

}  // namespace convscope
