// Placeholder script runner until it is written.
#include "app/script.h"

namespace convscope::app {

std::optional<Script> Script::load(const std::string& path, std::string& error) {
    error = path + ": scripts are not supported yet";
    return std::nullopt;
}
std::optional<Script> Script::parse(const std::string&, const std::string& name, std::string& error) {
    error = name + ": scripts are not supported yet";
    return std::nullopt;
}
bool Script::advance(App&, ScriptHost&, std::string&) { return false; }

}  // namespace convscope::app
