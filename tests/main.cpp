// The test runner's entry point. The tests expect English text: the language would otherwise follow
// the locale of whoever runs them (core/i18n.h), so the locale variables are cleared first.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
    for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES"}) unsetenv(name);
    setenv("LANG", "C.UTF-8", 1);
    return doctest::Context(argc, argv).run();
}
