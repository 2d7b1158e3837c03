// The subcommands that run a forward pass: `forward` (one pass, per-layer statistics, optional dump of
// every activation) and `bench` (repeated passes, per-layer timing).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace convscope {

// `args` includes the command name at args[0].
int cmd_forward(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_bench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_export_weights(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `gui` (cmd_gui.cpp): the desktop app.
int cmd_gui(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace convscope
