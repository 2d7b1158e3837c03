// The subcommands that run a forward pass: `forward` (one pass, per-layer statistics, optional dump of
// every activation) and `bench` (repeated passes, per-layer timing).
#pragma once

#include <ostream>
#include <string>
#include <optional>
#include <vector>

#include "core/i18n.h"

namespace convscope {

// `args` includes the command name at args[0].
int cmd_forward(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_bench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_export_weights(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `gui` (cmd_gui.cpp): the desktop app.
// `language`: the one --lang asked for, if any (the app otherwise uses the one chosen last time).
int cmd_gui(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            std::optional<Language> language = std::nullopt);

}  // namespace convscope
